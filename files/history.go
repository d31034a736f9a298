package files

import (
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// history is the editor's undo stack: at most max entries per path (oldest dropped).
// Contents are kept in files under a private temporary directory, as the reference's
// FileCache does, so ten 10 MB snapshots per file do not sit in memory.
type history struct {
	mu      sync.Mutex
	max     int
	dir     string
	counter int
	entries map[string][]string // path -> spill file names, oldest first
}

func newHistory(max int) *history {
	return &history{max: max, entries: map[string][]string{}}
}

func (h *history) add(key, content string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dir == "" {
		d, err := os.MkdirTemp("", "gohands_editor_history_")
		if err != nil {
			return err
		}
		h.dir = d
	}
	name := filepath.Join(h.dir, strconv.Itoa(h.counter))
	h.counter++
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		return err
	}
	list := append(h.entries[key], name)
	for len(list) > h.max {
		os.Remove(list[0])
		list = list[1:]
	}
	h.entries[key] = list
	return nil
}

// pop returns the newest entry, or ok=false when there is none.
func (h *history) pop(key string) (string, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	list := h.entries[key]
	if len(list) == 0 {
		return "", false, nil
	}
	name := list[len(list)-1]
	b, err := os.ReadFile(name)
	if err != nil {
		return "", false, err
	}
	os.Remove(name)
	if len(list) == 1 {
		delete(h.entries, key)
	} else {
		h.entries[key] = list[:len(list)-1]
	}
	return string(b), true, nil
}

func (h *history) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dir != "" {
		os.RemoveAll(h.dir)
		h.dir = ""
	}
	h.entries = map[string][]string{}
}
