package files

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// convertToMarkdown renders the supported binary formats as text for `view` (ACI's
// MarkdownConverter). It is a small dependency-free stand-in: Office files give their
// text (docx paragraphs with heading marks, pptx slides, xlsx sheets as tables), PDFs the
// strings of their text operators, and audio (which needs speech recognition) an error.
func convertToMarkdown(p string) (string, error) {
	switch strings.ToLower(pySuffix(p)) {
	case ".docx":
		return officeText(p, docxMarkdown)
	case ".pptx":
		return officeText(p, pptxMarkdown)
	case ".xlsx":
		return officeText(p, xlsxMarkdown)
	case ".pdf":
		data, err := readRegular(p, -1)
		if err != nil {
			return "", errors.New(pyOSError(err))
		}
		return pdfText(data), nil
	}
	return "", errors.New("audio transcription is not available in this runtime")
}

func officeText(p string, f func(*zip.Reader) (string, error)) (string, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return "", fmt.Errorf("File is not a zip file")
	}
	defer zr.Close()
	return f(&zr.Reader)
}

func officeMember(zr *zip.Reader, name string) ([]byte, bool) {
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				return nil, false
			}
			defer rc.Close()
			b, err := io.ReadAll(io.LimitReader(rc, 256<<20))
			return b, err == nil
		}
	}
	return nil, false
}

// xmlParagraphs returns the text of each paragraph element (local name para) of doc,
// with the text of elements named text, and the value of the style element if any.
func xmlParagraphs(doc []byte, para, text, style string) (paras, styles []string) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var cur strings.Builder
	curStyle, in, inText := "", false, false
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case para:
				in, curStyle = true, ""
				cur.Reset()
			case text:
				inText = true
			case "tab":
				if in {
					cur.WriteByte('\t')
				}
			case "br":
				if in {
					cur.WriteByte('\n')
				}
			case style:
				for _, a := range t.Attr {
					if a.Name.Local == "val" {
						curStyle = a.Value
					}
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case para:
				if in {
					paras = append(paras, cur.String())
					styles = append(styles, curStyle)
				}
				in = false
			case text:
				inText = false
			}
		case xml.CharData:
			if inText {
				cur.Write(t)
			}
		}
	}
	return paras, styles
}

func docxMarkdown(zr *zip.Reader) (string, error) {
	doc, ok := officeMember(zr, "word/document.xml")
	if !ok {
		return "", errors.New("word/document.xml missing")
	}
	paras, styles := xmlParagraphs(doc, "p", "t", "pStyle")
	var out []string
	for i, p := range paras {
		if strings.TrimSpace(p) == "" {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(styles[i], "Heading")); err == nil && strings.HasPrefix(styles[i], "Heading") {
			p = strings.Repeat("#", n) + " " + p
		} else if styles[i] == "Title" {
			p = "# " + p
		}
		out = append(out, p)
	}
	return strings.Join(out, "\n\n"), nil
}

var slideName = regexp.MustCompile(`^ppt/slides/slide(\d+)\.xml$`)

func pptxMarkdown(zr *zip.Reader) (string, error) {
	type slide struct {
		n    int
		name string
	}
	var slides []slide
	for _, f := range zr.File {
		if m := slideName.FindStringSubmatch(f.Name); m != nil {
			n, _ := strconv.Atoi(m[1])
			slides = append(slides, slide{n, f.Name})
		}
	}
	sort.Slice(slides, func(i, j int) bool { return slides[i].n < slides[j].n })
	var b strings.Builder
	for _, s := range slides {
		doc, _ := officeMember(zr, s.name)
		paras, _ := xmlParagraphs(doc, "p", "t", "")
		fmt.Fprintf(&b, "\n\n<!-- Slide number: %d -->\n", s.n)
		for _, p := range paras {
			if strings.TrimSpace(p) != "" {
				b.WriteString(p + "\n")
			}
		}
	}
	return strings.TrimSpace(b.String()), nil
}

func xlsxMarkdown(zr *zip.Reader) (string, error) {
	var shared []string
	if doc, ok := officeMember(zr, "xl/sharedStrings.xml"); ok {
		shared, _ = xmlParagraphs(doc, "si", "t", "")
	}
	var names []string
	if doc, ok := officeMember(zr, "xl/workbook.xml"); ok {
		d := xml.NewDecoder(bytes.NewReader(doc))
		for tok, err := d.Token(); err == nil; tok, err = d.Token() {
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "sheet" {
				for _, a := range se.Attr {
					if a.Name.Local == "name" {
						names = append(names, a.Value)
					}
				}
			}
		}
	}
	var b strings.Builder
	for i := range names {
		doc, ok := officeMember(zr, fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1))
		if !ok {
			continue
		}
		rows := xlsxRows(doc, shared)
		fmt.Fprintf(&b, "## %s\n", names[i])
		width := 0
		for _, r := range rows {
			width = max(width, len(r))
		}
		for j, r := range rows {
			for len(r) < width {
				r = append(r, "")
			}
			b.WriteString("| " + strings.Join(r, " | ") + " |\n")
			if j == 0 {
				b.WriteString("|" + strings.Repeat(" --- |", width) + "\n")
			}
		}
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String()), nil
}

func xlsxRows(doc []byte, shared []string) [][]string {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var rows [][]string
	var row []string
	typ, val, inV := "", "", false
	for tok, err := d.Token(); err == nil; tok, err = d.Token() {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				row = nil
			case "c":
				typ, val = "", ""
				for _, a := range t.Attr {
					if a.Name.Local == "t" {
						typ = a.Value
					}
				}
			case "v", "t":
				inV = true
			}
		case xml.CharData:
			if inV {
				val += string(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v", "t":
				inV = false
			case "c":
				if typ == "s" {
					if n, err := strconv.Atoi(val); err == nil && n < len(shared) {
						val = shared[n]
					}
				}
				row = append(row, val)
			case "row":
				rows = append(rows, row)
			}
		}
	}
	return rows
}

var (
	pdfStream = regexp.MustCompile(`(?s)<<(.*?)>>\s*stream\r?\n`)
	pdfTextOp = regexp.MustCompile(`(?s)\((?:\\.|[^\\)])*\)\s*(?:Tj|'|")|\[(?:\\.|[^\]])*\]\s*TJ|T\*|ET|Td|TD`)
	pdfString = regexp.MustCompile(`(?s)\((?:\\.|[^\\)])*\)`)
)

// pdfText pulls the strings shown by text operators out of a PDF's content streams
// (inflating FlateDecode ones). Fonts with custom encodings come out garbled; this is
// far from pdfminer, but it shows plain-text PDFs.
func pdfText(data []byte) string {
	var b strings.Builder
	for _, loc := range pdfStream.FindAllSubmatchIndex(data, -1) {
		dict := string(data[loc[2]:loc[3]])
		start := loc[1]
		end := bytes.Index(data[start:], []byte("endstream"))
		if end < 0 {
			continue
		}
		body := data[start : start+end]
		if strings.Contains(dict, "FlateDecode") {
			zr, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				continue
			}
			body, _ = io.ReadAll(io.LimitReader(zr, 64<<20))
			zr.Close()
		}
		for _, op := range pdfTextOp.FindAll(body, -1) {
			s := string(op)
			switch {
			case s == "T*" || s == "ET" || s == "Td" || s == "TD":
				if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
					b.WriteByte('\n')
				}
			default:
				for _, lit := range pdfString.FindAllString(s, -1) {
					b.WriteString(pdfUnescape(lit[1 : len(lit)-1]))
				}
			}
		}
	}
	return strings.TrimSpace(b.String())
}

func pdfUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r', '\n':
		default:
			if s[i] >= '0' && s[i] <= '7' {
				j := i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					j++
				}
				n, _ := strconv.ParseUint(s[i:j], 8, 8)
				b.WriteRune(rune(n))
				i = j - 1
			} else {
				b.WriteByte(s[i])
			}
		}
	}
	return b.String()
}
