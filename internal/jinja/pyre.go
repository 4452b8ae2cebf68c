package jinja

import (
	"errors"
	"regexp"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// reModule is a safe subset of Python's re on Go's regexp (linear time, so a hostile pattern
// cannot hang a render). Python-only syntax (lookarounds, backreferences) is reported as an
// error by the compile step.
var reModule = moduleObj{
	"IGNORECASE": 2, "I": 2, "MULTILINE": 8, "M": 8, "DOTALL": 16, "S": 16, "VERBOSE": 64, "X": 64,
	"compile": func(va *exec.VarArgs) *exec.Value {
		re, err := reCompile(va, 0, 1)
		if err != nil {
			return exec.AsValue(err)
		}
		return exec.AsValue(&pyRegex{re: re})
	},
	"match":     func(va *exec.VarArgs) *exec.Value { return reCall(va, "match") },
	"search":    func(va *exec.VarArgs) *exec.Value { return reCall(va, "search") },
	"fullmatch": func(va *exec.VarArgs) *exec.Value { return reCall(va, "fullmatch") },
	"findall":   func(va *exec.VarArgs) *exec.Value { return reCall(va, "findall") },
	"sub":       func(va *exec.VarArgs) *exec.Value { return reCall(va, "sub") },
	"split":     func(va *exec.VarArgs) *exec.Value { return reCall(va, "split") },
	"escape": func(va *exec.VarArgs) *exec.Value {
		s, _ := argString(va, 0, "pattern")
		return exec.AsValue(regexp.QuoteMeta(s))
	},
}

func reCompile(va *exec.VarArgs, patIdx, flagIdx int) (*regexp.Regexp, error) {
	p, _ := argValue(va, patIdx, "pattern")
	if p == nil {
		return nil, errors.New("re: missing pattern")
	}
	if r, ok := p.Interface().(*pyRegex); ok {
		return r.re, nil
	}
	pat := p.String()
	flags := 0
	if f, ok := argValue(va, flagIdx, "flags"); ok {
		flags = f.Integer()
	}
	prefix := ""
	if flags&2 != 0 {
		prefix += "i"
	}
	if flags&8 != 0 {
		prefix += "m"
	}
	if flags&16 != 0 {
		prefix += "s"
	}
	if prefix != "" {
		pat = "(?" + prefix + ")" + pat
	}
	if len(pat) > 10000 {
		return nil, errors.New("re: pattern too long")
	}
	return regexp.Compile(pat)
}

// reCall runs re.<op>(pattern, string, ...) with Python's argument order.
func reCall(va *exec.VarArgs, op string) *exec.Value {
	switch op {
	case "sub":
		re, err := reCompile(va, 0, 4)
		if err != nil {
			return exec.AsValue(err)
		}
		repl, _ := argString(va, 1, "repl")
		s, _ := argString(va, 2, "string")
		return regexSub(re, repl, s)
	default:
		re, err := reCompile(va, 0, 2)
		if err != nil {
			return exec.AsValue(err)
		}
		s, _ := argString(va, 1, "string")
		return regexOp(re, op, s)
	}
}

var pyGroupRef = lazyregexp.New(`\\(\d+)`)

// maxMatches bounds the matches one re call collects: each becomes a list item.
const maxMatches = 100_000

func regexSub(re *regexp.Regexp, repl, s string) *exec.Value {
	// Python writes group references as \1; Go as ${1}.
	goRepl := pyGroupRef.ReplaceAllString(strings.ReplaceAll(repl, "$", "$$"), "$${$1}")
	// Built match by match so it stops at the limit: a pattern that matches everywhere in a
	// large string, replaced by a long text, would otherwise be built whole first.
	matches := re.FindAllStringSubmatchIndex(s, maxMatches+1)
	if len(matches) > maxMatches {
		return exec.AsValue(errTooBig)
	}
	var out []byte
	last := 0
	for _, m := range matches {
		out = append(out, s[last:m[0]]...)
		out = re.ExpandString(out, goRepl, s, m)
		last = m[1]
		if len(out) > DefaultLimits.MaxOutput {
			return exec.AsValue(errTooBig)
		}
	}
	out = append(out, s[last:]...)
	if len(out) > DefaultLimits.MaxOutput {
		return exec.AsValue(errTooBig)
	}
	return exec.AsValue(string(out))
}

func regexOp(re *regexp.Regexp, op, s string) *exec.Value {
	switch op {
	case "match", "fullmatch", "search":
		loc := re.FindStringSubmatchIndex(s)
		if loc == nil || (op != "search" && loc[0] != 0) || (op == "fullmatch" && loc[1] != len(s)) {
			return exec.AsValue(nil)
		}
		return exec.AsValue(&pyMatch{s: s, loc: loc})
	case "findall":
		all := re.FindAllStringSubmatch(s, maxMatches+1)
		if len(all) > maxMatches {
			return exec.AsValue(errTooBig)
		}
		out := []any{}
		for _, m := range all {
			switch len(m) {
			case 1:
				out = append(out, m[0])
			case 2:
				out = append(out, m[1])
			default:
				g := make([]any, len(m)-1)
				for i, x := range m[1:] {
					g[i] = x
				}
				out = append(out, g)
			}
		}
		return exec.AsValue(&out)
	case "split":
		parts := re.Split(s, maxMatches+2)
		if len(parts) > maxMatches+1 {
			return exec.AsValue(errTooBig)
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return exec.AsValue(&out)
	}
	return exec.AsValue(nil)
}

type pyRegex struct{ re *regexp.Regexp }

func (r *pyRegex) String() string { return r.re.String() }

func (r *pyRegex) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "pattern":
		return exec.AsValue(r.re.String()), true
	case "match", "search", "fullmatch", "findall", "split":
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			s, _ := argString(va, 0, "string")
			return regexOp(r.re, name, s)
		}), true
	case "sub":
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			repl, _ := argString(va, 0, "repl")
			s, _ := argString(va, 1, "string")
			return regexSub(r.re, repl, s)
		}), true
	}
	return exec.AsValue(nil), false
}

type pyMatch struct {
	s   string
	loc []int
}

func (m *pyMatch) String() string { return m.s[m.loc[0]:m.loc[1]] }

func (m *pyMatch) group(i int) any {
	if i < 0 || 2*i+1 >= len(m.loc) || m.loc[2*i] < 0 {
		return nil
	}
	return m.s[m.loc[2*i]:m.loc[2*i+1]]
}

func (m *pyMatch) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "group":
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			if len(va.Args) == 0 {
				return exec.AsValue(m.group(0))
			}
			return exec.AsValue(m.group(va.Args[0].Integer()))
		}), true
	case "groups":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value {
			out := []any{}
			for i := 1; 2*i < len(m.loc); i++ {
				out = append(out, m.group(i))
			}
			return exec.AsValue(out)
		}), true
	case "start":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value { return exec.AsValue(m.loc[0]) }), true
	case "end":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value { return exec.AsValue(m.loc[1]) }), true
	}
	return exec.AsValue(nil), false
}
