package columns

import (
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// dbt_utils.star(from, except=[...], relation_alias=...) asks the warehouse for the columns of
// a relation. Rendered as dbt parses (execute false) it returns a bare `*`, without the alias
// and the except list; when dbt_utils is not installed it renders to nothing (or to a comment),
// and the select list silently lacks every column the star stood for. We put the star back
// where the call rendered, as `[alias.]* exclude (...)`, so it expands from what is known
// upstream like any other star.

var (
	starCallRE   = lazyregexp.New(`\{\{-?[^}]*?\bstar\(`)
	starAliasRE  = lazyregexp.New(`relation_alias\s*=\s*['"]([A-Za-z_][\w$]*)['"]`)
	starExceptRE = lazyregexp.New(`except\s*=\s*\[([^\]]*)\]`)
	// except=name, the list set earlier in the template: {% set except_columns = [...] %}
	starExceptVarRE = lazyregexp.New(`except\s*=\s*([A-Za-z_]\w*)\s*[,)]?`)
	setListRE       = lazyregexp.New(`\{%-?\s*set\s+([A-Za-z_]\w*)\s*=\s*\[([^\]]*)\]`)
	quotedRE        = lazyregexp.New(`['"]([^'"]+)['"]`)
	identRE         = lazyregexp.New(`[A-Za-z_0-9]`)
)

// restoreStars returns the SQL with the stars of dbt_utils.star calls that rendered no
// columns put back (or a bare `*` completed with the call's alias and except list), and the
// offset map adjusted to it. Unchanged input is returned as is.
func restoreStars(raw, out string, m *jinja.OffsetMap) (string, *jinja.OffsetMap) {
	if m == nil || !strings.Contains(raw, "star(") {
		return out, m
	}
	type insertion struct {
		at   int    // output offset
		text string // what to insert
		src  int    // template offset of the tag
	}
	var ins []insertion
	for _, loc := range starCallRE.FindAllStringIndex(raw, -1) {
		start := loc[0]
		end := strings.Index(raw[loc[1]:], "}}")
		if end < 0 {
			continue
		}
		call := raw[loc[1] : loc[1]+end]
		if !strings.Contains(raw[start:loc[1]], "dbt_utils.") && !strings.Contains(raw[start:loc[1]], "{{ star(") {
			continue
		}
		// where did the tag's output go, and did it render any column?
		at, rendered, starAt := -1, "", -1
		for _, s := range m.Segments {
			if !s.Literal && s.Src == start {
				at = s.Out + s.Len
				rendered += out[s.Out : s.Out+s.Len]
				if starAt < 0 {
					if i := starOutsideComments(out[s.Out : s.Out+s.Len]); i >= 0 {
						starAt = s.Out + i
					}
				}
			}
		}
		alias, except := starArgs(call, raw[:start])
		if starAt >= 0 && strings.TrimSpace(stripComments(rendered)) == "*" {
			// dbt_utils.star returns a bare * when it is not executing: the star is there, but
			// without the call's alias and except list, which we add
			if alias != "" {
				ins = append(ins, insertion{at: starAt, text: alias + ".", src: start})
			}
			if except != "" {
				ins = append(ins, insertion{at: starAt + 1, text: " exclude (" + except + ")", src: start})
			}
			continue
		}
		if at < 0 && inSetBlock(raw, start) {
			// captured by {% set x %}...{% endset %}: its output went wherever x is printed,
			// rendered with it (a fallback's star is in there already)
			continue
		}
		if at < 0 {
			// rendered to nothing: it sits where the output after the tag begins
			for _, s := range m.Segments {
				if s.Src > start {
					at = s.Out
					break
				}
			}
		}
		if kept := stripComments(rendered); at < 0 || identRE.MatchString(kept) || strings.Contains(kept, "*") {
			continue
		}
		text := "*"
		if alias != "" {
			text = alias + ".*"
		}
		if except != "" {
			text += " exclude (" + except + ")"
		}
		ins = append(ins, insertion{at: at, text: " " + text + " ", src: start})
	}
	if len(ins) == 0 {
		return out, m
	}
	sort.SliceStable(ins, func(i, j int) bool { return ins[i].at < ins[j].at })
	// every insertion point becomes a segment boundary, so text goes in between segments
	segs := m.Segments
	for _, in := range ins {
		segs = splitSegments(segs, in.at)
	}
	var b strings.Builder
	nm := &jinja.OffsetMap{}
	shift, prev, k := 0, 0, 0
	for _, s := range segs {
		for k < len(ins) && ins[k].at <= s.Out {
			b.WriteString(out[prev:ins[k].at])
			prev = ins[k].at
			nm.Segments = append(nm.Segments, jinja.Segment{Out: ins[k].at + shift, Len: len(ins[k].text), Src: ins[k].src})
			b.WriteString(ins[k].text)
			shift += len(ins[k].text)
			k++
		}
		s.Out += shift
		nm.Segments = append(nm.Segments, s)
	}
	for ; k < len(ins); k++ {
		b.WriteString(out[prev:ins[k].at])
		prev = ins[k].at
		nm.Segments = append(nm.Segments, jinja.Segment{Out: ins[k].at + shift, Len: len(ins[k].text), Src: ins[k].src})
		b.WriteString(ins[k].text)
		shift += len(ins[k].text)
	}
	b.WriteString(out[prev:])
	return b.String(), nm
}

// starArgs reads the relation_alias and the except list (as SQL names, comma-separated) of a
// star call's arguments. An except list named by a variable is the list the last
// `{% set name = [...] %}` before the call gives it.
func starArgs(call, before string) (alias, except string) {
	if a := starAliasRE.FindStringSubmatch(call); a != nil {
		alias = a[1]
	}
	list := ""
	if e := starExceptRE.FindStringSubmatch(call); e != nil {
		list = e[1]
	} else if v := starExceptVarRE.FindStringSubmatch(call); v != nil {
		for _, set := range setListRE.FindAllStringSubmatch(before, -1) {
			if set[1] == v[1] {
				list = set[2]
			}
		}
	}
	var names []string
	for _, q := range quotedRE.FindAllStringSubmatch(list, -1) {
		names = append(names, q[1])
	}
	return alias, strings.Join(names, ", ")
}

// starOutsideComments is the offset of the first * in s that is not part of a /* */ comment.
func starOutsideComments(s string) int {
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "/*") {
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return -1
			}
			i += 2 + j + 1
			continue
		}
		if s[i] == '*' {
			return i
		}
	}
	return -1
}

// splitSegments splits the segment that strictly contains output offset at in two.
func splitSegments(segs []jinja.Segment, at int) []jinja.Segment {
	i := sort.Search(len(segs), func(i int) bool { return segs[i].Out+segs[i].Len > at })
	if i == len(segs) || segs[i].Out >= at {
		return segs
	}
	s := segs[i]
	head, tail := s, s
	head.Len = at - s.Out
	tail.Out, tail.Len = at, s.Len-head.Len
	if s.Literal {
		tail.Src += head.Len
	}
	out := make([]jinja.Segment, 0, len(segs)+1)
	out = append(out, segs[:i]...)
	out = append(out, head, tail)
	return append(out, segs[i+1:]...)
}

// stripComments drops /* ... */ comments, which is all a star call renders when it finds no
// columns.
func stripComments(s string) string {
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], "*/")
		if j < 0 {
			return s[:i]
		}
		s = s[:i] + s[i+j+2:]
	}
}

var setBlockRE = lazyregexp.New(`\{%-?\s*(set\s+[A-Za-z_][\w.]*\s*-?%\}|endset\b)`)

// inSetBlock reports whether offset at of a template lies inside a block set (`{% set x %}` ...
// `{% endset %}`), whose output is captured rather than printed where it is written.
func inSetBlock(raw string, at int) bool {
	open := false
	for _, loc := range setBlockRE.FindAllStringSubmatchIndex(raw[:at], -1) {
		open = !strings.HasPrefix(raw[loc[2]:loc[3]], "endset")
	}
	return open
}
