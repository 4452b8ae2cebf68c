package columns

import (
	"regexp"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/jinja"
)

// dbt_utils.star(from, except=[...], relation_alias=...) asks the warehouse for the columns of
// a relation. Rendering never reaches a warehouse, so the call renders to nothing (or to a
// comment); the select list then silently lacks every column the star stood for. We put the
// star back where the call rendered, as `[alias.]* exclude (...)`, so it expands from what is
// known upstream like any other star.

var (
	starCallRE   = regexp.MustCompile(`\{\{-?[^}]*?\bstar\(`)
	starAliasRE  = regexp.MustCompile(`relation_alias\s*=\s*['"]([A-Za-z_][\w$]*)['"]`)
	starExceptRE = regexp.MustCompile(`except\s*=\s*\[([^\]]*)\]`)
	quotedRE     = regexp.MustCompile(`['"]([^'"]+)['"]`)
	identRE      = regexp.MustCompile(`[A-Za-z_0-9]`)
)

// restoreStars returns the SQL with the stars of dbt_utils.star calls that rendered no
// columns put back, and the offset map adjusted to it. Unchanged input is returned as is.
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
		at, rendered := -1, ""
		for _, s := range m.Segments {
			if !s.Literal && s.Src == start {
				at = s.Out + s.Len
				rendered += out[s.Out : s.Out+s.Len]
			}
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
		if a := starAliasRE.FindStringSubmatch(call); a != nil {
			text = a[1] + ".*"
		}
		if e := starExceptRE.FindStringSubmatch(call); e != nil {
			var names []string
			for _, q := range quotedRE.FindAllStringSubmatch(e[1], -1) {
				names = append(names, q[1])
			}
			if len(names) > 0 {
				text += " exclude (" + strings.Join(names, ", ") + ")"
			}
		}
		ins = append(ins, insertion{at: at, text: " " + text + " ", src: start})
	}
	if len(ins) == 0 {
		return out, m
	}
	sort.Slice(ins, func(i, j int) bool { return ins[i].at < ins[j].at })
	var b strings.Builder
	nm := &jinja.OffsetMap{}
	shift, prev, k := 0, 0, 0
	for _, s := range m.Segments {
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
