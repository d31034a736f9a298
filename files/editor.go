package files

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/gohands/gohands/internal/pycompat"
	"github.com/gohands/gohands/sandbox"
)

func paramMissing(command, param string) error {
	return toolErr("Parameter `%s` is required for command: %s.", param, command)
}

func paramInvalid(param, value, hint string) error {
	if hint == "" {
		return toolErr("Invalid `%s` parameter: %s.", param, value)
	}
	return toolErr("Invalid `%s` parameter: %s. %s", param, value, hint)
}

func validationFailed(path, reason string) error {
	return toolErr("File validation failed for %s: %s", path, reason)
}

// DefaultMaxEditFileBytes is the editor's file size limit (10 MiB; exactly 10 MiB passes).
const DefaultMaxEditFileBytes = 10 * 1024 * 1024

// snippetContext is SNIPPET_CONTEXT_WINDOW.
const snippetContext = 4

// supportedBinaryExt are viewed as Markdown and refused by every other command.
var supportedBinaryExt = map[string]bool{
	".docx": true, ".xlsx": true, ".pptx": true, ".pdf": true,
	".mp3": true, ".wav": true, ".m4a": true, ".flac": true,
}

// ViewRange is the editor's view_range argument as the reference sees it: whether it was
// truthy, whether it is a list of exactly two integers, and its Python str() for messages.
type ViewRange struct {
	Set        bool
	Valid      bool
	Start, End int
	Repr       string
}

// EditRequest is one call of the editor.
type EditRequest struct {
	Command    string
	Path       string
	FileText   *string
	OldStr     *string
	NewStr     *string
	InsertLine *int   // nil: not given
	InsertRepr string // Python str() of insert_line, for messages
	ViewRange  ViewRange
}

// EditResult is ACI's CLIResult.
type EditResult struct {
	Output     string
	Error      string // a directory listing's stderr (the reference reports it as an error)
	Path       string
	PrevExist  bool
	OldContent *string
	NewContent *string
}

// Editor is the str_replace_editor (ACI's OHEditor). One instance keeps the undo history
// for the life of the server, as the reference's single OHEditor does.
type Editor struct {
	mu            sync.Mutex
	maxFileSize   int64
	workspaceRoot string
	owner         sandbox.Owner // of the files `create` makes
	lastTry       bool          // see held.lastTry
	retry         bool          // not the first attempt: the file is held open elsewhere
	history       *history
}

// NewEditor returns an editor. workspaceRoot (absolute, may be "") is only used for the
// "Maybe you meant" hint; maxFileSize <= 0 means 10 MiB.
func NewEditor(workspaceRoot string, maxFileSize int64) *Editor {
	if maxFileSize <= 0 {
		maxFileSize = DefaultMaxEditFileBytes
	}
	return &Editor{maxFileSize: maxFileSize, workspaceRoot: workspaceRoot, history: newHistory(10)}
}

// Close removes the undo history's spill files.
func (e *Editor) Close() { e.history.close() }

// Edit runs one command. A *fault.Error of kind Tool is an expected failure with the
// reference's text; any other error is unexpected (the reference lets those escape as HTTP 500).
func (e *Editor) Edit(req EditRequest) (EditResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	// A file changed by another process between our read and our write (possible only when
	// it kept the file open, so that no lease could be had) is edited again from a new read.
	for attempt := 1; ; attempt++ {
		e.lastTry, e.retry = attempt >= maxAttempts, attempt > 1
		res, err := e.edit(req)
		if errors.Is(err, errChanged) {
			continue
		}
		return res, err
	}
}

func (e *Editor) edit(req EditRequest) (EditResult, error) {
	p := pycompat.PurePosixPath(req.Path)
	if err := e.validatePath(req.Command, p); err != nil {
		return EditResult{}, err
	}
	switch req.Command {
	case "view":
		return e.view(p, req.ViewRange)
	case "create":
		if req.FileText == nil {
			return EditResult{}, paramMissing("create", "file_text")
		}
		return e.create(p, *req.FileText)
	case "str_replace":
		if req.OldStr == nil {
			return EditResult{}, paramMissing("str_replace", "old_str")
		}
		if req.NewStr != nil && *req.NewStr == *req.OldStr {
			return EditResult{}, paramInvalid("new_str", *req.NewStr,
				"No replacement was performed. `new_str` and `old_str` must be different.")
		}
		newStr := ""
		if req.NewStr != nil {
			newStr = *req.NewStr
		}
		return e.strReplace(p, *req.OldStr, newStr)
	case "insert":
		if req.InsertLine == nil {
			return EditResult{}, paramMissing("insert", "insert_line")
		}
		if req.NewStr == nil {
			return EditResult{}, paramMissing("insert", "new_str")
		}
		repr := req.InsertRepr
		if repr == "" {
			repr = fmt.Sprint(*req.InsertLine)
		}
		return e.insert(p, *req.InsertLine, repr, *req.NewStr)
	case "undo_edit":
		return e.undo(p)
	}
	return EditResult{}, toolErr("Unrecognized command %s. The allowed commands for the oh_editor tool are: view, create, str_replace, insert, undo_edit", req.Command)
}

// statFollow is Path.exists/is_dir: it follows symlinks, and "missing" covers the errors
// pathlib treats as missing; other errors (permission) are returned.
func statFollow(p string) (fs.FileInfo, bool, error) {
	fi, err := os.Stat(p)
	if err == nil {
		return fi, true, nil
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ELOOP) ||
		errors.Is(err, syscall.ENAMETOOLONG) {
		return nil, false, nil
	}
	return nil, false, errors.New(pyOSError(err))
}

func (e *Editor) validatePath(command, p string) error {
	if !pyIsAbs(p) {
		hint := "The path should be an absolute path, starting with `/`."
		if e.workspaceRoot != "" {
			s := pyJoin(e.workspaceRoot, p)
			if _, ok, _ := statFollow(s); ok {
				hint += " Maybe you meant " + s + "?"
			}
		}
		return paramInvalid("path", p, hint)
	}
	fi, exists, err := statFollow(p)
	if err != nil {
		return err
	}
	if command == "create" && exists {
		return paramInvalid("path", p, "File already exists at: "+p+". Cannot overwrite files using command `create`.")
	}
	if command != "create" && !exists {
		return paramInvalid("path", p, "The path "+p+" does not exist. Please provide a valid path.")
	}
	if command != "view" {
		if exists && fi.IsDir() {
			return paramInvalid("path", p, "The path "+p+" is a directory and only the `view` command can be used on directories.")
		}
		if suf := pySuffix(p); supportedBinaryExt[strings.ToLower(suf)] {
			return paramInvalid("path", p, "The path "+p+" points to a binary file ("+suf+") and only the `view` command can be used on supported binary files.")
		}
	}
	return nil
}

// validateFile is ACI's validate_file: size first, then the binary check (skipped for the
// Markdown-viewable extensions). Missing paths and directories pass. Devices, FIFOs and
// sockets are refused (ACI lets them through and then blocks or reads without end).
func (e *Editor) validateFile(p string) error {
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() {
		return nil
	}
	if !fi.Mode().IsRegular() {
		return notRegularFailed(p, fi.Mode())
	}
	if fi.Size() > e.maxFileSize {
		return validationFailed(p, fmt.Sprintf("File is too large (%.1fMB). Maximum allowed size is %dMB.",
			float64(fi.Size())/1024/1024, e.maxFileSize/1024/1024))
	}
	if supportedBinaryExt[strings.ToLower(pySuffix(p))] {
		return nil
	}
	if IsBinary(p) {
		return validationFailed(p, "File appears to be binary and this file type cannot be read or edited by this tool.")
	}
	return nil
}

func notRegularFailed(p string, m fs.FileMode) error {
	return validationFailed(p, "File is "+fileKind(m)+", not a regular file, and cannot be read or edited by this tool.")
}

// readText reads a whole file (at most limit bytes: the file may have grown since
// validateFile) in its detected encoding with universal newlines.
func readText(p string, limit int64) (string, Encoding, error) {
	data, err := readRegular(p, limit)
	return decodeText(p, data, err, limit)
}

// openText opens p for a read-modify-write (see held) and reads it as readText does. h is nil
// when the file cannot be opened for writing: it is then read as readText reads it, and the
// write reports the error. The caller closes h.
func (e *Editor) openText(p string) (h *held, text string, enc Encoding, err error) {
	h, herr := openForWriteWait(p, !e.retry)
	if herr != nil || h == nil {
		text, enc, err = readText(p, e.maxFileSize)
		return nil, text, enc, err
	}
	h.lastTry = e.lastTry
	data, rerr := h.read(e.maxFileSize)
	text, enc, err = decodeText(p, data, rerr, e.maxFileSize)
	if err != nil {
		h.close()
		return nil, "", Encoding{}, err
	}
	return h, text, enc, nil
}

func decodeText(p string, data []byte, err error, limit int64) (string, Encoding, error) {
	if m, ok := isNotRegular(err); ok {
		return "", Encoding{}, notRegularFailed(p, m)
	}
	if errors.Is(err, errFileTooLarge) {
		return "", Encoding{}, validationFailed(p, fmt.Sprintf("File is too large (more than %dMB). Maximum allowed size is %dMB.",
			limit/1024/1024, limit/1024/1024))
	}
	if err != nil {
		return "", Encoding{}, toolErr("Ran into %s while trying to read %s", pyOSError(err), p)
	}
	enc := DetectEncoding(data[:min(len(data), detectSampleSize)])
	var text string
	if enc.kind == encUTF8 && len(enc.bom) == 0 {
		text, err = utf8View(data) // no copy: data is not used again
	} else {
		text, err = enc.Decode(data)
	}
	if err != nil {
		return "", Encoding{}, toolErr("Ran into %s while trying to read %s", err, p)
	}
	return universalNewlines(text), enc, nil
}

// writeText replaces the file's content in enc (see writeFile), keeping its mode and owner;
// a new file follows the sandbox owner rule.
func (e *Editor) writeText(h *held, p, text string, enc Encoding) error {
	data, err := enc.Encode(text)
	if err != nil {
		return toolErr("Ran into %s while trying to write to %s", err, p)
	}
	if h != nil {
		err = h.write(p, bytesContent(data))
	} else {
		err = atomicWrite(p, data, e.owner)
	}
	if errors.Is(err, errChanged) {
		return err
	}
	if err != nil {
		return toolErr("Ran into %s while trying to write to %s", pyOSError(err), p)
	}
	return nil
}

func strPtr(s string) *string { return &s }
