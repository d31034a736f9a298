// Package agentskills ships the Python helpers the Jupyter kernel imports (open_file,
// goto_line, scroll_down, scroll_up, search_dir, search_file, find_file, file_editor).
package agentskills

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
)

// Module is the Python module's import name.
const Module = "gohands_agentskills"

//go:embed gohands_agentskills.py
var source []byte

// ImportCell is the cell that brings the helpers into the kernel's namespace.
const ImportCell = "from " + Module + " import *\n"

// Install writes the module into a fresh directory readable by every user and returns it;
// put it on the kernel's PYTHONPATH. The caller removes it when the server stops.
func Install() (string, error) {
	dir, err := os.MkdirTemp("", "gohands-agentskills-")
	if err != nil {
		return "", fmt.Errorf("agent skills dir: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("agent skills dir: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, Module+".py"), source, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("agent skills module: %w", err)
	}
	return dir, nil
}
