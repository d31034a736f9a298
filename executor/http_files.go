package executor

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/gohands/gohands/internal/fault"
	"github.com/labstack/echo/v4"
)

// listFiles is POST /list_files {"path": …}: names, directories first; [] on any problem.
// A body that is not a JSON object (or a non-string path) is the generic 500, as there.
func (x *Executor) listFiles(c echo.Context) error {
	var req map[string]json.RawMessage
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, &req); err != nil || req == nil {
		return errors.New("list_files: body is not a JSON object")
	}
	p := ""
	if raw, ok := req["path"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &p); err != nil {
			return errors.New("list_files: path is not a string")
		}
	}
	return pyJSON(c, http.StatusOK, x.files.List(p))
}

type uploadReply struct {
	Filename    string `json:"filename"`
	Destination string `json:"destination"`
	Recursive   bool   `json:"recursive"`
}

// uploadFile is POST /upload_file?destination=…&recursive=… with multipart field "file".
// The part is streamed straight to disk.
func (x *Executor) uploadFile(c echo.Context) error {
	dest := "/"
	if c.QueryParams().Has("destination") {
		dest = c.QueryParam("destination")
	}
	recursive := false
	if c.QueryParams().Has("recursive") {
		b, ok := parseBool(c.QueryParam("recursive"))
		if !ok {
			return validationError("query.recursive", "Input should be a valid boolean, unable to interpret input")
		}
		recursive = b
	}
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return validationError("body.file", "Field required")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return validationError("body.file", "Field required")
		}
		if err != nil {
			return detail(http.StatusBadRequest, errParsingBody)
		}
		if part.FormName() != "file" || part.FileName() == "" {
			part.Close()
			continue
		}
		name := part.FileName()
		body := &bodyReader{r: part}
		err = x.files.Upload(c.Request().Context(), dest, recursive, name, body)
		part.Close()
		if err != nil {
			if _, ok := fault.As(err); !ok && body.err != nil && c.Request().Context().Err() == nil {
				return detail(http.StatusBadRequest, errParsingBody) // a malformed body, not our failure
			}
			return fileError(err)
		}
		return pyJSON(c, http.StatusOK, uploadReply{Filename: name, Destination: dest, Recursive: recursive})
	}
}

// bodyReader remembers a failure to read the request body (bad chunk size, multipart cut
// short), which is the client's fault, from a failure to write the upload.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// downloadFiles is GET /download_files?path=…: a zip of the directory (or of the one file),
// streamed as it is made: no temporary file, and the work stops when the client goes away
// (the request's context). Once the zip has started a failure can no longer be a status, so
// the connection is aborted and the client sees a truncated response, never a valid zip
// missing files.
func (x *Executor) downloadFiles(c echo.Context) error {
	if !c.QueryParams().Has("path") {
		return validationError("query.path", "Field required")
	}
	p := c.QueryParam("path")
	if err := x.files.CheckDownload(p); err != nil {
		return fileError(err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderContentDisposition, contentDisposition(path.Base(strings.TrimRight(p, "/"))+".zip"))
	c.Response().WriteHeader(http.StatusOK)
	if err := x.files.Zip(c.Request().Context(), p, c.Response()); err != nil {
		panic(http.ErrAbortHandler)
	}
	return nil
}

// fileError maps a files error to the status the reference meant (it wraps its 400/404s
// into 500s; clients only check for non-2xx) and its text.
// A TooLarge upload is a 400 too: the reference has no limit, hence no 413 to copy.
func fileError(err error) error {
	if fe, ok := fault.As(err); ok {
		switch fe.Kind {
		case fault.Invalid, fault.TooLarge:
			return detail(http.StatusBadRequest, fe.Msg)
		case fault.NotFound:
			return detail(http.StatusNotFound, fe.Msg)
		}
	}
	return detail(http.StatusInternalServerError, err.Error())
}

// parseBool is pydantic's lax bool parsing of a query value.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "1", "on", "t", "true", "y", "yes":
		return true, true
	case "0", "off", "f", "false", "n", "no":
		return false, true
	}
	return false, false
}

// contentDisposition is Starlette's FileResponse header for a download name.
func contentDisposition(name string) string {
	safe := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~/", c) >= 0) {
			safe = false
			break
		}
	}
	if safe {
		return `attachment; filename="` + name + `"`
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return "attachment; filename*=utf-8''" + b.String()
}
