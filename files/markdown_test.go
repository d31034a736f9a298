package files

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeZip(t *testing.T, p string, members map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, body := range members {
		w, _ := zw.Create(n)
		w.Write([]byte(body))
	}
	zw.Close()
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A.6 step 2 / C.1 supported binaries: view gives the Markdown envelope; edits are refused.
func TestViewSupportedBinary(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	docx := filepath.Join(d, "a.docx")
	writeZip(t, docx, map[string]string{"word/document.xml": `<w:document xmlns:w="w"><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Title here</w:t></w:r></w:p><w:p><w:r><w:t>Body text.</w:t></w:r></w:p></w:body></w:document>`})
	pptx := filepath.Join(d, "s.pptx")
	writeZip(t, pptx, map[string]string{"ppt/slides/slide1.xml": `<p:sld xmlns:a="a" xmlns:p="p"><a:p><a:r><a:t>Hello slide</a:t></a:r></a:p></p:sld>`})
	xlsx := filepath.Join(d, "x.xlsx")
	writeZip(t, xlsx, map[string]string{
		"xl/workbook.xml":          `<workbook><sheets><sheet name="Data"/></sheets></workbook>`,
		"xl/sharedStrings.xml":     `<sst><si><t>name</t></si><si><t>bob</t></si></sst>`,
		"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row><c t="s"><v>0</v></c><c><v>n</v></c></row><row><c t="s"><v>1</v></c><c><v>3</v></c></row></sheetData></worksheet>`,
	})
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte("BT /F1 12 Tf 72 712 Td (Printer-Friendly Caltrain Schedule) Tj T* [(Second) -250 ( line)] TJ ET"))
	zw.Close()
	pdf := filepath.Join(d, "c.pdf")
	writeFixture(t, pdf, "%PDF-1.4\n1 0 obj\n<< /Length 9 /Filter /FlateDecode >>\nstream\n"+z.String()+"\nendstream\nendobj\n%%EOF\n")
	e := newEditor(t, "")
	for _, c := range []struct {
		p    string
		want string
	}{
		{docx, "# Title here\n\nBody text."},
		{pptx, "<!-- Slide number: 1 -->\nHello slide"},
		{xlsx, "## Data\n| name | n |\n| --- | --- |\n| bob | 3 |"},
		{pdf, "Printer-Friendly Caltrain Schedule\nSecond line"},
	} {
		res, err := e.Edit(EditRequest{Command: "view", Path: c.p})
		if err != nil {
			t.Fatalf("%s: %v", c.p, err)
		}
		want := "Here's the content of the file " + c.p + " displayed in Markdown format:\n" + c.want + "\n"
		if res.Output != want {
			t.Errorf("%s:\n got %q\nwant %q", c.p, res.Output, want)
		}
	}
	wav := filepath.Join(d, "a.wav")
	writeFixture(t, wav, "RIFF")
	_, err := e.Edit(EditRequest{Command: "view", Path: wav})
	if err == nil || !strings.HasPrefix(err.Error(), "Error in converting file to Markdown: ") || !strings.HasSuffix(err.Error(), ". Please use Python code to read "+wav) {
		t.Fatalf("audio: %v", err)
	}
}
