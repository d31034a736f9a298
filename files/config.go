// Package files implements file reading, writing, the str_replace_editor, listing,
// uploads and downloads. It knows nothing of HTTP or of the V0 JSON.
package files

import "github.com/gohands/gohands/sandbox"

// Defaults for the limits Config leaves 0.
const (
	// DefaultMaxUploadBytes bounds one upload's body (a file, or a zip as sent).
	DefaultMaxUploadBytes = 16 << 30
	// DefaultMaxZipBytes bounds what one zip may expand to: a zip bomb's few kilobytes can
	// claim terabytes.
	DefaultMaxZipBytes = 4 << 30
	// DefaultMaxZipEntries bounds the number of members of one zip (each is an inode).
	DefaultMaxZipEntries = 200_000
)

// Config holds the file service settings.
type Config struct {
	WorkspaceRoot string // the server's --working-dir: list_files base and the editor's hint
	// Owner is the one rule for every file and directory the service creates (`write`, the
	// editor's `create`, uploads and their directories).
	Owner sandbox.Owner

	// MaxUploadBytes limits an uploaded file or zip as sent. 0 means DefaultMaxUploadBytes;
	// negative means no limit.
	MaxUploadBytes int64
	// MaxZipBytes and MaxZipEntries limit what one zip upload extracts to (total bytes, member
	// count). 0 means DefaultMaxZipBytes / DefaultMaxZipEntries; negative means no limit.
	MaxZipBytes   int64
	MaxZipEntries int
	// MaxEditFileBytes is the editor's file size limit; 0 means 10 MiB as the reference.
	MaxEditFileBytes int64
	// MaxReadBytes limits a file `read` returns, and the old content of one that `write` keeps
	// lines of: each is held in memory whole. 0 means DefaultMaxReadBytes, negative none.
	MaxReadBytes int64
}

// Service is the file service used by the executor.
type Service struct {
	cfg    Config
	editor *Editor
}

// New returns a file service.
func New(cfg Config) *Service {
	if cfg.MaxUploadBytes == 0 {
		cfg.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if cfg.MaxZipBytes == 0 {
		cfg.MaxZipBytes = DefaultMaxZipBytes
	}
	if cfg.MaxReadBytes == 0 {
		cfg.MaxReadBytes = DefaultMaxReadBytes
	}
	if cfg.MaxZipEntries == 0 {
		cfg.MaxZipEntries = DefaultMaxZipEntries
	}
	e := NewEditor(cfg.WorkspaceRoot, cfg.MaxEditFileBytes)
	e.owner = cfg.Owner
	return &Service{cfg: cfg, editor: e}
}

// Editor is the server's single str_replace_editor.
func (s *Service) Editor() *Editor { return s.editor }

// Close releases the editor's history files.
func (s *Service) Close() { s.editor.Close() }

func (c Config) zipLimits() zipLimits {
	return zipLimits{bytes: c.MaxZipBytes, entries: c.MaxZipEntries}
}
