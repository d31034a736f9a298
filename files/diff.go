package files

import (
	"sort"
	"strconv"
	"strings"
)

// UnifiedDiff is the reference's get_diff: difflib.unified_diff of old and new split on
// "\n", zero context lines, headers "--- path" / "+++ path", every line right-stripped,
// joined with "\n". It is "" when nothing changed. The matcher is a port of difflib's
// SequenceMatcher (with its "autojunk" heuristic) so that hunks come out the same.
func UnifiedDiff(old, new, path string) string {
	a := strings.Split(old, "\n")
	b := strings.Split(new, "\n")
	groups := groupedOpcodes(newMatcher(a, b).opcodes(), 0)
	if len(groups) == 0 {
		return ""
	}
	var out []string
	out = append(out, strings.TrimRightFunc("--- "+path, pyIsSpace), strings.TrimRightFunc("+++ "+path, pyIsSpace))
	for _, g := range groups {
		first, last := g[0], g[len(g)-1]
		out = append(out, "@@ -"+unifiedRange(first.i1, last.i2)+" +"+unifiedRange(first.j1, last.j2)+" @@")
		for _, op := range g {
			if op.tag == 'e' {
				for _, l := range a[op.i1:op.i2] {
					out = append(out, strings.TrimRightFunc(" "+l, pyIsSpace))
				}
				continue
			}
			if op.tag == 'r' || op.tag == 'd' {
				for _, l := range a[op.i1:op.i2] {
					out = append(out, strings.TrimRightFunc("-"+l, pyIsSpace))
				}
			}
			if op.tag == 'r' || op.tag == 'i' {
				for _, l := range b[op.j1:op.j2] {
					out = append(out, strings.TrimRightFunc("+"+l, pyIsSpace))
				}
			}
		}
	}
	return strings.Join(out, "\n")
}

func unifiedRange(start, stop int) string {
	beginning := start + 1
	length := stop - start
	switch {
	case length == 1:
		return strconv.Itoa(beginning)
	case length == 0:
		beginning--
	}
	return strconv.Itoa(beginning) + "," + strconv.Itoa(length)
}

type opcode struct {
	tag            byte // 'r'eplace, 'd'elete, 'i'nsert, 'e'qual
	i1, i2, j1, j2 int
}

type match struct{ i, j, k int }

type matcher struct {
	a, b []int
	b2j  map[int][]int
	// difflib's per-row j2len dicts, as two reusable rows indexed by j+1 plus the
	// indices set in each (so a row is cleared in time proportional to its use).
	prev, cur   []int
	prevT, curT []int
}

func newMatcher(as, bs []string) *matcher {
	ids := make(map[string]int, len(as))
	intern := func(ss []string) []int {
		out := make([]int, len(ss))
		for i, s := range ss {
			id, ok := ids[s]
			if !ok {
				id = len(ids)
				ids[s] = id
			}
			out[i] = id
		}
		return out
	}
	m := &matcher{a: intern(as), b: intern(bs), b2j: make(map[int][]int, len(bs))}
	for j, x := range m.b {
		m.b2j[x] = append(m.b2j[x], j)
	}
	if n := len(m.b); n >= 200 { // autojunk: drop "popular" elements
		ntest := n/100 + 1
		for x, js := range m.b2j {
			if len(js) > ntest {
				delete(m.b2j, x)
			}
		}
	}
	return m
}

func (m *matcher) longest(alo, ahi, blo, bhi int) match {
	besti, bestj, bestk := alo, blo, 0
	if m.prev == nil {
		m.prev, m.cur = make([]int, len(m.b)+1), make([]int, len(m.b)+1)
	}
	for i := alo; i < ahi; i++ {
		m.curT = m.curT[:0]
		for _, j := range m.b2j[m.a[i]] {
			if j < blo {
				continue
			}
			if j >= bhi {
				break
			}
			k := m.prev[j] + 1 // j2len[j-1]
			m.cur[j+1] = k
			m.curT = append(m.curT, j+1)
			if k > bestk {
				besti, bestj, bestk = i-k+1, j-k+1, k
			}
		}
		for _, x := range m.prevT {
			m.prev[x] = 0
		}
		m.prev, m.cur = m.cur, m.prev
		m.prevT, m.curT = m.curT, m.prevT
	}
	for _, x := range m.prevT {
		m.prev[x] = 0
	}
	m.prevT = m.prevT[:0]
	// No element is junk (isjunk is None), so only the non-junk extension applies; it
	// also absorbs the "popular" elements left out of b2j.
	for besti > alo && bestj > blo && m.a[besti-1] == m.b[bestj-1] {
		besti, bestj, bestk = besti-1, bestj-1, bestk+1
	}
	for besti+bestk < ahi && bestj+bestk < bhi && m.a[besti+bestk] == m.b[bestj+bestk] {
		bestk++
	}
	return match{besti, bestj, bestk}
}

func (m *matcher) matchingBlocks() []match {
	type span struct{ alo, ahi, blo, bhi int }
	queue := []span{{0, len(m.a), 0, len(m.b)}}
	var blocks []match
	for len(queue) > 0 {
		s := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		x := m.longest(s.alo, s.ahi, s.blo, s.bhi)
		if x.k == 0 {
			continue
		}
		blocks = append(blocks, x)
		if s.alo < x.i && s.blo < x.j {
			queue = append(queue, span{s.alo, x.i, s.blo, x.j})
		}
		if x.i+x.k < s.ahi && x.j+x.k < s.bhi {
			queue = append(queue, span{x.i + x.k, s.ahi, x.j + x.k, s.bhi})
		}
	}
	sort.Slice(blocks, func(p, q int) bool {
		if blocks[p].i != blocks[q].i {
			return blocks[p].i < blocks[q].i
		}
		if blocks[p].j != blocks[q].j {
			return blocks[p].j < blocks[q].j
		}
		return blocks[p].k < blocks[q].k
	})
	var out []match
	var cur match
	for _, x := range blocks {
		if cur.i+cur.k == x.i && cur.j+cur.k == x.j {
			cur.k += x.k
			continue
		}
		if cur.k > 0 {
			out = append(out, cur)
		}
		cur = x
	}
	if cur.k > 0 {
		out = append(out, cur)
	}
	return append(out, match{len(m.a), len(m.b), 0})
}

func (m *matcher) opcodes() []opcode {
	var ops []opcode
	i, j := 0, 0
	for _, x := range m.matchingBlocks() {
		var tag byte
		switch {
		case i < x.i && j < x.j:
			tag = 'r'
		case i < x.i:
			tag = 'd'
		case j < x.j:
			tag = 'i'
		}
		if tag != 0 {
			ops = append(ops, opcode{tag, i, x.i, j, x.j})
		}
		i, j = x.i+x.k, x.j+x.k
		if x.k > 0 {
			ops = append(ops, opcode{'e', x.i, i, x.j, j})
		}
	}
	return ops
}

// groupedOpcodes is SequenceMatcher.get_grouped_opcodes(n).
func groupedOpcodes(codes []opcode, n int) [][]opcode {
	if len(codes) == 0 {
		codes = []opcode{{'e', 0, 1, 0, 1}}
	}
	if c := &codes[0]; c.tag == 'e' {
		c.i1, c.j1 = max(c.i1, c.i2-n), max(c.j1, c.j2-n)
	}
	if c := &codes[len(codes)-1]; c.tag == 'e' {
		c.i2, c.j2 = min(c.i2, c.i1+n), min(c.j2, c.j1+n)
	}
	var groups [][]opcode
	var group []opcode
	for _, c := range codes {
		if c.tag == 'e' && c.i2-c.i1 > 2*n {
			group = append(group, opcode{'e', c.i1, min(c.i2, c.i1+n), c.j1, min(c.j2, c.j1+n)})
			groups = append(groups, group)
			group = nil
			c.i1, c.j1 = max(c.i1, c.i2-n), max(c.j1, c.j2-n)
		}
		group = append(group, c)
	}
	if len(group) > 0 && !(len(group) == 1 && group[0].tag == 'e') {
		groups = append(groups, group)
	}
	return groups
}
