package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/gohands/gohands/internal/fault"
)

// pathlib.Path.read_text / write_text semantics, for the SWE-ReX door, on the same safe
// primitives as the V0 routes (atomic writes, streamed uploads, the checked zip extractor).

// DefaultMaxReadBytes bounds ReadText and the V0 `read`: the reference would read a huge or
// endless file (/dev/zero, a 100 GiB sparse log) until memory runs out.
const DefaultMaxReadBytes = 256 << 20

// maxSpecialReadBytes bounds a read of a device, FIFO or socket.
const maxSpecialReadBytes = 16 << 20

// ReadText is Path(p).read_text(encoding, errors): nil encoding is UTF-8 (the locale's),
// nil errors is "strict", and newlines are translated as Python's universal newlines do.
// Reading never blocks on a FIFO or device: it is opened non-blocking and read until it
// has nothing more. Errors are *fs.PathError (OSError), a fault.Invalid with Python's
// UnicodeDecodeError / LookupError text (Err says which), or a fault.TooLarge.
func ReadText(p string, encoding, errorsMode *string, limit int64) (string, error) {
	enc := "utf-8"
	if encoding != nil {
		enc = *encoding
	}
	codec, ok := lookupCodec(enc)
	if !ok {
		return "", &fault.Error{Kind: fault.Invalid, Msg: "unknown encoding: " + enc, Err: ErrLookup}
	}
	if limit <= 0 {
		limit = DefaultMaxReadBytes
	}
	f, err := os.OpenFile(p, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if fi.IsDir() {
		return "", &fs.PathError{Op: "open", Path: p, Err: syscall.EISDIR}
	}
	if !fi.Mode().IsRegular() && limit > maxSpecialReadBytes {
		limit = maxSpecialReadBytes // a device such as /dev/zero never ends
	}
	data, err := readAllFrom(nonBlockingEOF{f}, fi.Size(), limit)
	if errors.Is(err, errFileTooLarge) {
		return "", fault.New(fault.TooLarge, "%s is larger than %d bytes", p, limit)
	}
	if err != nil {
		return "", err
	}
	mode := "strict"
	if errorsMode != nil {
		mode = *errorsMode
	}
	text, err := codec.decode(data, mode)
	if err != nil {
		return "", err
	}
	return universalNewlines(text), nil
}

// ErrLookup marks a LookupError (unknown encoding or error handler); ErrDecode a
// UnicodeDecodeError.
var (
	ErrLookup = errors.New("LookupError")
	ErrDecode = errors.New("UnicodeDecodeError")
)

// nonBlockingEOF ends a read of a FIFO, terminal or device that has nothing more now. It
// reads the descriptor directly: os.File parks a read of a pollable descriptor (FIFO,
// terminal) in the poller until data comes, O_NONBLOCK or not, so a terminal or a FIFO whose
// writer stays silent would block the read for ever.
type nonBlockingEOF struct{ f *os.File }

func (r nonBlockingEOF) Read(b []byte) (int, error) {
	rc, err := r.f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var rerr error
	if err := rc.Read(func(fd uintptr) bool {
		n, rerr = syscall.Read(int(fd), b)
		return true // never wait for readiness
	}); err != nil {
		return 0, err
	}
	switch {
	case rerr == syscall.EAGAIN:
		return 0, io.EOF
	case rerr != nil:
		return 0, &fs.PathError{Op: "read", Path: r.f.Name(), Err: rerr}
	case n == 0 && len(b) > 0:
		return 0, io.EOF
	}
	return n, nil
}

type pyCodec struct {
	name string
	enc  *Encoding // nil for utf-8, handled here with every error mode
}

// lookupCodec is codecs.lookup for the encodings files knows.
func lookupCodec(name string) (pyCodec, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.NewReplacer("-", "_", " ", "_").Replace(n)
	switch n {
	case "utf_8", "utf8", "u8", "utf", "cp65001":
		return pyCodec{name: "utf-8"}, true
	case "utf_8_sig", "utf8_sig":
		e := encodingUTF8Sig
		return pyCodec{name: "utf-8-sig", enc: &e}, true
	case "latin_1", "latin1", "latin", "l1", "iso_8859_1", "iso8859_1", "8859", "cp819", "iso_ir_100":
		e := encodingLatin1
		return pyCodec{name: "latin-1", enc: &e}, true
	case "ascii", "us_ascii", "646", "us":
		return pyCodec{name: "ascii"}, true
	case "cp1252", "windows_1252":
		e := encodingCP1252
		return pyCodec{name: "cp1252", enc: &e}, true
	case "cp1251", "windows_1251":
		e := encodingCP1251
		return pyCodec{name: "cp1251", enc: &e}, true
	}
	return pyCodec{}, false
}

func (c pyCodec) decode(b []byte, mode string) (string, error) {
	if c.enc != nil {
		s, err := c.enc.Decode(b)
		if err != nil {
			return "", &fault.Error{Kind: fault.Invalid, Msg: err.Error(), Err: ErrDecode}
		}
		return s, nil
	}
	ascii := c.name == "ascii"
	valid := func(b []byte) (rune, int) {
		if ascii {
			if b[0] < 0x80 {
				return rune(b[0]), 1
			}
			return utf8.RuneError, 1
		}
		return utf8.DecodeRune(b)
	}
	if !ascii && utf8.Valid(b) {
		return string(b), nil
	}
	var sb strings.Builder
	for i := 0; i < len(b); {
		r, n := valid(b[i:])
		if r != utf8.RuneError || n > 1 {
			sb.WriteRune(r)
			i += n
			continue
		}
		switch mode {
		case "strict":
			var err error
			if ascii {
				err = decodeError("ascii", b, i, "ordinal not in range(128)")
			} else {
				err = utf8Error("utf-8", b)
			}
			return "", &fault.Error{Kind: fault.Invalid, Msg: err.Error(), Err: ErrDecode}
		case "ignore":
		case "replace":
			sb.WriteRune('\uFFFD')
		case "backslashreplace", "surrogateescape":
			fmt.Fprintf(&sb, `\x%02x`, b[i])
		default:
			return "", &fault.Error{Kind: fault.Invalid, Msg: "unknown error handler name " + pyStrRepr(mode), Err: ErrLookup}
		}
		i++
	}
	return sb.String(), nil
}

// WriteText is Path(p).parent.mkdir(parents=True, exist_ok=True) followed by
// Path(p).write_text(content), written atomically under the owner rule (an existing file
// keeps its mode and owner).
func (s *Service) WriteText(p, content string) error {
	if err := s.cfg.Owner.MkdirAll(filepath.Dir(p)); err != nil {
		return err
	}
	return atomicWrite(p, []byte(content), s.cfg.Owner)
}

// MaxUploadBytes is the bound on one upload as sent (negative: none), for a door that must
// hold the body before it knows where it goes.
func (s *Service) MaxUploadBytes() int64 { return s.cfg.MaxUploadBytes }

// UploadTo is SWE-ReX's /upload: the body r becomes the file target (inside it, named
// temp_file_transfer, when target is a directory, as shutil.move does), or with unzip the
// zip r is extracted into directory target. Missing directories are created. It is Upload's
// staged, bounded, escape-proof path; a relative target is taken from the server's
// working directory.
func (s *Service) UploadTo(ctx context.Context, target string, unzip bool, r io.Reader) error {
	abs, err := filepath.Abs(target)
	if err != nil {
		return err
	}
	if unzip {
		return s.upload(ctx, abs, "upload.zip", r, true)
	}
	dest, name := filepath.Dir(abs), filepath.Base(abs)
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		dest, name = abs, "temp_file_transfer"
	}
	return s.upload(ctx, dest, name, r, false)
}
