package lint

import (
	"strings"
)

// noqa holds the inline suppressions of one source file.
type noqa struct {
	// lines maps a 1-based source line to the rule references it silences ("" = all).
	lines map[int][]string
	// ranges are disable/enable switches in source order.
	ranges []noqaSwitch
}

type noqaSwitch struct {
	line    int
	disable bool
	refs    []string // nil = all rules
}

// parseNoqa finds `-- noqa` comments in the source text: `-- noqa`, `-- noqa: LT01,CP01`,
// `-- noqa: disable=LT01` / `enable=all`. Block comments `/* noqa ... */` on one line count too.
// Comment markers inside string literals are not told apart here; SQLFluff reads the same
// comments, and a string containing "-- noqa" is rare enough not to justify a lexer pass.
func parseNoqa(src string) *noqa {
	n := &noqa{lines: map[int][]string{}}
	line := 0
	for len(src) > 0 {
		line++
		i := strings.IndexByte(src, '\n')
		var text string
		if i < 0 {
			text, src = src, ""
		} else {
			text, src = src[:i], src[i+1:]
		}
		if !strings.Contains(text, "noqa") {
			continue
		}
		body, ok := noqaBody(text)
		if !ok {
			continue
		}
		n.add(line, body)
	}
	return n
}

// noqaBody returns the text after "noqa" when the line has a noqa comment.
func noqaBody(line string) (string, bool) {
	for _, marker := range []string{"--", "/*", "{#"} {
		start := 0
		for {
			i := strings.Index(line[start:], marker)
			if i < 0 {
				break
			}
			c := strings.TrimSpace(line[start+i+len(marker):])
			c = strings.TrimSuffix(strings.TrimSuffix(c, "*/"), "#}")
			c = strings.TrimSpace(c)
			if strings.HasPrefix(strings.ToLower(c), "noqa") {
				return strings.TrimSpace(c[4:]), true
			}
			start += i + len(marker)
		}
	}
	return "", false
}

func (n *noqa) add(line int, body string) {
	if body == "" {
		n.lines[line] = append(n.lines[line], "")
		return
	}
	if body[0] != ':' {
		return // "noqaxyz" is not a noqa comment
	}
	body = strings.TrimSpace(body[1:])
	lower := strings.ToLower(body)
	for _, kind := range []string{"disable", "enable"} {
		if strings.HasPrefix(lower, kind) {
			rest := strings.TrimSpace(body[len(kind):])
			if !strings.HasPrefix(rest, "=") {
				return
			}
			refs := splitList(rest[1:])
			sw := noqaSwitch{line: line, disable: kind == "disable", refs: refs}
			for _, r := range refs {
				if strings.EqualFold(r, "all") {
					sw.refs = nil
				}
			}
			n.ranges = append(n.ranges, sw)
			return
		}
	}
	refs := splitList(body)
	if len(refs) == 0 {
		refs = []string{""}
	}
	n.lines[line] = append(n.lines[line], refs...)
}

// suppressed reports whether a finding of rule m on a source line is silenced.
func (n *noqa) suppressed(m *Meta, line int) bool {
	for _, ref := range n.lines[line] {
		if ref == "" || matchesRef(m, ref) {
			return true
		}
	}
	disabled := false
	for _, sw := range n.ranges {
		if sw.line > line {
			break
		}
		applies := sw.refs == nil
		for _, ref := range sw.refs {
			if matchesRef(m, ref) {
				applies = true
				break
			}
		}
		if applies {
			disabled = sw.disable
		}
	}
	return disabled
}
