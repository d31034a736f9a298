package plugins

// Manager starts and supervises the configured plugins.
type Manager struct {
	cfg Config
}

// NewManager returns a manager for cfg.Names.
func NewManager(cfg Config) *Manager { return &Manager{cfg: cfg} }
