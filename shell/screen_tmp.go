// Temporary stand-in for the screen renderer being written in screen.go; deleted when it lands.

package shell

import "strings"

type Screen struct {
	lines   []string
	cur     []rune
	col     int
	dropped int
	max     int
}

func NewScreen(width, maxRows int) *Screen { return &Screen{max: maxRows} }
func (s *Screen) Write(p []byte) (int, error) {
	for _, r := range string(p) {
		switch r {
		case '\r':
			s.col = 0
		case '\n':
			s.lines = append(s.lines, strings.TrimRight(string(s.cur), " "))
			s.cur = s.cur[:0]
			s.col = 0
			if len(s.lines) > s.max {
				s.lines = s.lines[1:]
				s.dropped++
			}
		default:
			if s.col < len(s.cur) {
				s.cur[s.col] = r
			} else {
				s.cur = append(s.cur, r)
			}
			s.col++
		}
	}
	return len(p), nil
}
func (s *Screen) Text() string {
	return strings.Join(append(append([]string{}, s.lines...), string(s.cur)), "\n")
}
func (s *Screen) Lines() int   { return len(s.lines) + 1 }
func (s *Screen) Dropped() int { return s.dropped }
func (s *Screen) Reset()       { s.lines = nil; s.cur = nil; s.col = 0; s.dropped = 0 }
