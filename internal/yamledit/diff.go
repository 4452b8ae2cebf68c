package yamledit

import (
	"fmt"
	"strings"
)

// Diff returns a unified diff of old and new as `git diff` shows it: `--- a/path`, `+++ b/path`,
// hunks with three lines of context, and "\ No newline at end of file" where that applies. Equal
// inputs give "". Lines are compared with their line endings, so a CRLF change shows.
func Diff(path, old, new string) string {
	if old == new {
		return ""
	}
	a, b := splitLines(old), splitLines(new)
	ops := diffLines(a, b)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- a/%s\n+++ b/%s\n", path, path)
	const ctx = 3
	// Walk the edit script, cutting it into hunks separated by more than 2*ctx equal lines.
	i := 0
	for i < len(ops) {
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := i - ctx
		if start < 0 {
			start = 0
		}
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*ctx {
				end += minInt(ctx, run-end)
				break
			}
			end = run
		}
		writeHunk(&sb, ops[start:end])
		i = end
	}
	return sb.String()
}

type diffOp struct {
	kind   byte // ' ', '-', '+'
	line   string
	ai, bi int // 0-based line numbers in a and b before this op
}

func writeHunk(sb *strings.Builder, ops []diffOp) {
	na, nb := 0, 0
	for _, o := range ops {
		if o.kind != '+' {
			na++
		}
		if o.kind != '-' {
			nb++
		}
	}
	as, bs := ops[0].ai+1, ops[0].bi+1
	if na == 0 {
		as--
	}
	if nb == 0 {
		bs--
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", hunkRange(as, na), hunkRange(bs, nb))
	for _, o := range ops {
		sb.WriteByte(o.kind)
		sb.WriteString(o.line)
		if !strings.HasSuffix(o.line, "\n") {
			sb.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// Counts returns how many lines a unified diff removes and adds.
func Counts(d string) (minus, plus int) {
	for _, l := range strings.Split(d, "\n") {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
		case strings.HasPrefix(l, "-"):
			minus++
		case strings.HasPrefix(l, "+"):
			plus++
		}
	}
	return minus, plus
}

// diffLines computes a shortest edit script with Myers' algorithm after stripping the common
// head and tail (edits to property files are local, so the middle is small). Past maxD edits it
// stops looking for the shortest script and anchors the texts on their unique lines instead
// (see myers).
func diffLines(a, b []string) []diffOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []diffOp
	for i := 0; i < pre; i++ {
		ops = append(ops, diffOp{' ', a[i], i, i})
	}
	ops = append(ops, myers(a[pre:len(a)-suf], b[pre:len(b)-suf], pre, pre)...)
	for k := 0; k < suf; k++ {
		i, j := len(a)-suf+k, len(b)-suf+k
		ops = append(ops, diffOp{' ', a[i], i, j})
	}
	return ops
}

const maxD = 2000

func myers(a, b []string, ao, bo int) []diffOp {
	n, m := len(a), len(b)
	max := n + m
	if max == 0 {
		return nil
	}
	if max > 2*maxD {
		max = 2 * maxD
	}
	off := max + 1
	v := make([]int, 2*max+3)
	var trace [][]int
	found := -1
	// One side empty: the script is all insertions (or deletions), which the fallback below
	// writes without the search's trace (a quarter of a gigabyte for a new 8,000-line file).
	for d := 0; n > 0 && m > 0 && d <= max && found < 0; d++ {
		snap := make([]int, len(v))
		copy(snap, v)
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = d
				break
			}
		}
	}
	if found < 0 {
		// Past the search's bound. Lines found once on each side, in the same order, anchor
		// the two texts (patience diffing), and the pieces between anchors are diffed apart.
		if ops, ok := anchored(a, b, ao, bo); ok {
			return ops
		}
		// An edit that only adds lines (or only removes them), however many, is still written
		// as such: the old lines are found in order among the new.
		if ops, ok := onlyInserted(a, b, ao, bo); ok {
			return ops
		}
		if ops, ok := onlyInserted(b, a, bo, ao); ok {
			for i := range ops {
				switch ops[i].kind {
				case '+':
					ops[i].kind = '-'
				}
				ops[i].ai, ops[i].bi = ops[i].bi, ops[i].ai
			}
			return ops
		}
		// Too different: everything old out, everything new in.
		var ops []diffOp
		for i, l := range a {
			ops = append(ops, diffOp{'-', l, ao + i, bo})
		}
		for j, l := range b {
			ops = append(ops, diffOp{'+', l, ao + n, bo + j})
		}
		return ops
	}
	// Backtrack from (n, m) through the snapshots taken before each round.
	var rev []diffOp
	x, y := n, m
	for d := found; d > 0; d-- {
		vd := trace[d]
		k := x - y
		var pk int
		if k == -d || (k != d && vd[off+k-1] < vd[off+k+1]) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := vd[off+pk]
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, diffOp{' ', a[x], ao + x, bo + y})
		}
		if pk == k+1 {
			// came down: an insertion of b[py]
			y--
			rev = append(rev, diffOp{'+', b[y], ao + x, bo + y})
		} else {
			x--
			rev = append(rev, diffOp{'-', a[x], ao + x, bo + y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, diffOp{' ', a[x], ao + x, bo + y})
	}
	ops := make([]diffOp, len(rev))
	for i := range rev {
		ops[i] = rev[len(rev)-1-i]
	}
	return ops
}

// anchored splits a and b at the lines each holds exactly once, kept in an order both share
// (the longest such run), and diffs the pieces between them; false when no line anchors.
func anchored(a, b []string, ao, bo int) ([]diffOp, bool) {
	type seen struct{ na, nb, ia, ib int }
	count := map[string]*seen{}
	for i, l := range a {
		c := count[l]
		if c == nil {
			c = &seen{}
			count[l] = c
		}
		c.na++
		c.ia = i
	}
	for j, l := range b {
		if c := count[l]; c != nil {
			c.nb++
			c.ib = j
		}
	}
	// Unique pairs in a's order; the longest increasing run of their b positions.
	var pairs [][2]int
	for i, l := range a {
		if c := count[l]; c.na == 1 && c.nb == 1 {
			pairs = append(pairs, [2]int{i, c.ib})
		}
	}
	if len(pairs) == 0 {
		return nil, false
	}
	tails := []int{} // index into pairs of the smallest tail of each run length
	prev := make([]int, len(pairs))
	for k, p := range pairs {
		lo, hi := 0, len(tails)
		for lo < hi {
			mid := (lo + hi) / 2
			if pairs[tails[mid]][1] < p[1] {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		prev[k] = -1
		if lo > 0 {
			prev[k] = tails[lo-1]
		}
		if lo == len(tails) {
			tails = append(tails, k)
		} else {
			tails[lo] = k
		}
	}
	run := make([][2]int, len(tails))
	for k, r := len(tails)-1, tails[len(tails)-1]; k >= 0; k, r = k-1, prev[r] {
		run[k] = pairs[r]
	}
	if len(run) == 0 || len(run) == len(a) && len(run) == len(b) {
		return nil, false
	}
	var ops []diffOp
	i, j := 0, 0
	for _, p := range run {
		ops = append(ops, myers(a[i:p[0]], b[j:p[1]], ao+i, bo+j)...)
		ops = append(ops, diffOp{' ', a[p[0]], ao + p[0], bo + p[1]})
		i, j = p[0]+1, p[1]+1
	}
	ops = append(ops, myers(a[i:], b[j:], ao+i, bo+j)...)
	return ops, true
}

// onlyInserted writes b as a with lines inserted, when a's lines occur in b in order (matched
// greedily, each to the first equal line left); false when they do not.
func onlyInserted(a, b []string, ao, bo int) ([]diffOp, bool) {
	var ops []diffOp
	i := 0
	for j, l := range b {
		if i < len(a) && a[i] == l {
			ops = append(ops, diffOp{' ', l, ao + i, bo + j})
			i++
			continue
		}
		ops = append(ops, diffOp{'+', l, ao + i, bo + j})
	}
	return ops, i == len(a)
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}
