package shell

import "context"

// Session is one persistent bash.
type Session struct{ cfg Config }

// Start starts bash.
func Start(cfg Config) (*Session, error) { return &Session{cfg: cfg}, nil }

// Run runs one request.
func (s *Session) Run(ctx context.Context, req Request) Result { return Result{} }

// Cwd is the last working dir the prompt reported.
func (s *Session) Cwd() string { return s.cfg.WorkDir }

// Alive reports whether bash is still running.
func (s *Session) Alive() bool { return true }

// Close kills bash.
func (s *Session) Close() {}
