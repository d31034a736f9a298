// Package files implements file reading, writing, the str_replace_editor, listing,
// uploads and downloads. It knows nothing of HTTP or of the V0 JSON.
package files

// DefaultMaxUploadBytes bounds one upload (and one extracted zip) when Config leaves it 0.
const DefaultMaxUploadBytes = 16 << 30

// Config holds the file service settings.
type Config struct {
	WorkspaceRoot string // the server's --working-dir: list_files base and the editor's hint
	UID, GID      int    // owner of files created by `write` and uploads

	// MaxUploadBytes limits an uploaded file and the total size a zip may extract to.
	// 0 means DefaultMaxUploadBytes; negative means no limit.
	MaxUploadBytes int64
	// MaxEditFileBytes is the editor's file size limit; 0 means 10 MiB as the reference.
	MaxEditFileBytes int64
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
	return &Service{cfg: cfg, editor: NewEditor(cfg.WorkspaceRoot, cfg.MaxEditFileBytes)}
}

// Editor is the server's single str_replace_editor.
func (s *Service) Editor() *Editor { return s.editor }

// Close releases the editor's history files.
func (s *Service) Close() { s.editor.Close() }
