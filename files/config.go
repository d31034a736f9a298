// Package files implements file reading, writing, the str_replace_editor, listing,
// uploads and downloads.
package files

// Config holds the file service settings.
type Config struct {
	WorkspaceRoot string
	UID, GID      int
}

// Service is the file service used by the executor.
type Service struct {
	cfg Config
}

// New returns a file service.
func New(cfg Config) *Service { return &Service{cfg: cfg} }
