package review

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/yamledit"
)

// Hunk is one hunk of a unified diff, in new-file lines.
type Hunk struct {
	OldStart, OldLines int
	NewStart, NewLines int
	// Added holds the new-file line numbers of the hunk's added lines.
	Added []int
}

// Patch is the parsed diff of one file.
type Patch struct {
	Hunks []Hunk
}

// ParsePatch reads the hunks of a unified diff as git and GitHub's pull request files API
// write it (with or without the ---/+++ header).
func ParsePatch(patch string) (*Patch, error) {
	p := &Patch{}
	var cur *Hunk
	newLine := 0
	for i, line := range strings.Split(patch, "\n") {
		switch {
		case strings.HasPrefix(line, "@@"):
			h, err := parseHunkHeader(line)
			if err != nil {
				return nil, fmt.Errorf("patch line %d: %v", i+1, err)
			}
			p.Hunks = append(p.Hunks, h)
			cur = &p.Hunks[len(p.Hunks)-1]
			newLine = h.NewStart
		case cur == nil:
			// Header lines (diff --git, index, ---, +++).
		case strings.HasPrefix(line, "+"):
			cur.Added = append(cur.Added, newLine)
			newLine++
		case strings.HasPrefix(line, "-"), strings.HasPrefix(line, `\`):
		case strings.HasPrefix(line, " "), line == "":
			newLine++
		}
	}
	return p, nil
}

// parseHunkHeader reads "@@ -a,b +c,d @@ ...".
func parseHunkHeader(line string) (Hunk, error) {
	var h Hunk
	rest := strings.TrimPrefix(line, "@@")
	end := strings.Index(rest, "@@")
	if end < 0 {
		return h, fmt.Errorf("malformed hunk header %q", line)
	}
	fields := strings.Fields(rest[:end])
	if len(fields) != 2 || !strings.HasPrefix(fields[0], "-") || !strings.HasPrefix(fields[1], "+") {
		return h, fmt.Errorf("malformed hunk header %q", line)
	}
	var err error
	if h.OldStart, h.OldLines, err = parseRange(fields[0][1:]); err != nil {
		return h, fmt.Errorf("hunk header %q: %v", line, err)
	}
	if h.NewStart, h.NewLines, err = parseRange(fields[1][1:]); err != nil {
		return h, fmt.Errorf("hunk header %q: %v", line, err)
	}
	return h, nil
}

func parseRange(s string) (start, n int, err error) {
	a, b, ok := strings.Cut(s, ",")
	if start, err = strconv.Atoi(a); err != nil {
		return 0, 0, err
	}
	n = 1
	if ok {
		if n, err = strconv.Atoi(b); err != nil {
			return 0, 0, err
		}
	}
	return start, n, nil
}

// Contains reports whether a new-file line falls inside a hunk, where GitHub accepts a review
// comment on the RIGHT side.
func (p *Patch) Contains(line int) bool {
	if p == nil {
		return false
	}
	for _, h := range p.Hunks {
		if line >= h.NewStart && line < h.NewStart+h.NewLines {
			return true
		}
	}
	return false
}

// AddedLines is the set of added lines of the patch.
func (p *Patch) AddedLines() map[int]bool {
	out := map[int]bool{}
	if p == nil {
		return out
	}
	for _, h := range p.Hunks {
		for _, l := range h.Added {
			out[l] = true
		}
	}
	return out
}

// ChangedLines returns the lines of new that a change from old added or modified (as a diff
// of the two shows them). A file that did not exist (old empty) is changed throughout.
func ChangedLines(old, new string) map[int]bool {
	if old == new {
		return map[int]bool{}
	}
	p, err := ParsePatch(yamledit.Diff("f", old, new))
	if err != nil {
		// Our own diff always parses; treat the whole file as changed if it ever does not.
		out := map[int]bool{}
		for i := 1; i <= strings.Count(new, "\n")+1; i++ {
			out[i] = true
		}
		return out
	}
	return p.AddedLines()
}
