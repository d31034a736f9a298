package browser

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// The file viewer: the reference's loopback-only /view server, which the agent's browser
// uses to look at PDFs and images. The reference loads pdf.js from a CDN; here it is served
// from Debian's libjs-pdf, so PDFs render with no network.

// ViewerConfig configures the file viewer.
type ViewerConfig struct {
	// PDFJSDir holds pdf.js and pdf.worker.js (Debian: /usr/share/javascript/pdf/build).
	PDFJSDir string
	// MaxBytes bounds a viewed file (it is inlined as base64); 0 means 256 MiB.
	MaxBytes int64
}

// DefaultPDFJSDir is where Debian's libjs-pdf puts pdf.js.
const DefaultPDFJSDir = "/usr/share/javascript/pdf/build"

var viewerExts = []string{".pdf", ".png", ".jpg", ".jpeg", ".gif"}

// NewViewer returns the file viewer's handler.
func NewViewer(cfg ViewerConfig) http.Handler {
	if cfg.PDFJSDir == "" {
		cfg.PDFJSDir = DefaultPDFJSDir
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = 256 << 20
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"detail":"Not Found"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"File viewer server is running"}`)
	})
	mux.HandleFunc("/pdfjs/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/pdfjs/")
		if name != "pdf.js" && name != "pdf.worker.js" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/javascript")
		http.ServeFile(w, r, filepath.Join(cfg.PDFJSDir, name))
	})
	mux.HandleFunc("/view", func(w http.ResponseWriter, r *http.Request) {
		page := func(code int, body string) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(code)
			_, _ = io.WriteString(w, body)
		}
		if !isLoopback(r.RemoteAddr) {
			page(http.StatusForbidden, "<h1>Access Denied</h1><p>This endpoint is only accessible from localhost</p>")
			return
		}
		q := r.URL.Query()
		if _, ok := q["path"]; !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			_ = json.NewEncoder(w).Encode(map[string]any{"detail": []any{map[string]any{
				"type": "missing", "loc": []string{"query", "path"}, "msg": "Field required", "input": nil}}})
			return
		}
		path := q.Get("path")
		esc := html.EscapeString(path)
		if !filepath.IsAbs(path) {
			page(http.StatusBadRequest, "<h1>Error: Path must be absolute</h1><p>"+esc+"</p>")
			return
		}
		st, err := os.Stat(path)
		if err != nil {
			page(http.StatusNotFound, "<h1>Error: File not found</h1><p>"+esc+"</p>")
			return
		}
		if st.IsDir() {
			page(http.StatusBadRequest, "<h1>Error: Path is a directory</h1><p>"+esc+"</p>")
			return
		}
		body, err := viewerHTML(path, st.Size(), cfg)
		if err != nil {
			page(http.StatusInternalServerError, "<h1>Error viewing file</h1><p>"+esc+"</p><p>"+html.EscapeString(err.Error())+"</p>")
			return
		}
		page(http.StatusOK, body)
	})
	return mux
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}

// viewerHTML is the reference's generate_file_viewer_html, with pdf.js served locally.
func viewerHTML(path string, size int64, cfg ViewerConfig) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	ok := false
	for _, e := range viewerExts {
		if e == ext {
			ok = true
		}
	}
	if !ok {
		return "", fmt.Errorf("Unsupported file extension: %s. Supported extensions are: %s", ext, strings.Join(viewerExts, ", "))
	}
	if size > cfg.MaxBytes {
		return "", fmt.Errorf("File too large to view: %d bytes (limit %d)", size, cfg.MaxBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	mt := mime.TypeByExtension(ext)
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	if mt == "" {
		mt = "application/octet-stream"
	}
	name := filepath.Base(path)
	b64 := base64.StdEncoding.EncodeToString(data)
	js := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return `<!DOCTYPE html>
<html lang="en">
<head>
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>File Viewer - ` + html.EscapeString(name) + `</title>
    <script src="/pdfjs/pdf.js"></script>
    <style>
        body, html { margin: 0; padding: 0; height: 100%; overflow: hidden; font-family: Arial, sans-serif; }
        #viewer-container { width: 100%; height: 100vh; overflow: auto; }
        .page { margin: 10px auto; box-shadow: 0 0 10px rgba(0,0,0,0.3); }
        .text-content { margin: 20px; white-space: pre-wrap; font-family: monospace; line-height: 1.5; }
        .error { color: red; margin: 20px; }
        img { max-width: 100%; margin: 20px auto; display: block; }
    </style>
</head>
<body>
    <div id="viewer-container"></div>
    <script>
    const filePath = ` + js(path) + `;
    const fileExtension = ` + js(ext) + `;
    const fileBase64 = "` + b64 + `";
    const mimeType = ` + js(mt) + `;
    const container = document.getElementById('viewer-container');
    const pdfjsLib = window.pdfjsLib || window['pdfjs-dist/build/pdf'];
    window.__gohands_busy = true; // the browser service waits for the rendering to finish

    async function loadContent() {
        try {
            if (fileExtension === '.pdf') {
                pdfjsLib.GlobalWorkerOptions.workerSrc = '/pdfjs/pdf.worker.js';
                const binaryString = atob(fileBase64);
                const bytes = new Uint8Array(binaryString.length);
                for (let i = 0; i < binaryString.length; i++) {
                    bytes[i] = binaryString.charCodeAt(i);
                }
                const pdf = await pdfjsLib.getDocument({data: bytes.buffer}).promise;
                for (let pageNum = 1; pageNum <= pdf.numPages; pageNum++) {
                    const page = await pdf.getPage(pageNum);
                    const viewport = page.getViewport({ scale: 1.5 });
                    const canvas = document.createElement('canvas');
                    canvas.className = 'page';
                    canvas.width = viewport.width;
                    canvas.height = viewport.height;
                    container.appendChild(canvas);
                    await page.render({ canvasContext: canvas.getContext('2d'), viewport: viewport }).promise;
                }
            } else {
                const img = document.createElement('img');
                img.src = 'data:' + mimeType + ';base64,' + fileBase64;
                img.alt = filePath.split('/').pop();
                container.appendChild(img);
            }
        } catch (error) {
            console.error('Error:', error);
            container.innerHTML = '<div class="error"><h2>Error loading file</h2><p></p></div>';
            container.querySelector('p').textContent = error.message;
        } finally {
            window.__gohands_busy = false;
        }
    }

    window.onload = loadContent;
    </script>
</body>
</html>`, nil
}
