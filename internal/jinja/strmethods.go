package jinja

import (
	"errors"
	"strings"
	"unicode"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// pyStrMethods are Python's str methods where gonja's differ from Python (required arguments
// Python makes optional, no separator meaning whitespace, lists of ours not accepted).
var pyStrMethods = map[string]exec.Method[string]{
	"replace": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
		if len(va.Args) < 2 {
			return nil, errors.New("replace() takes at least 2 arguments")
		}
		n := -1
		if len(va.Args) > 2 {
			n = va.Args[2].Integer()
		}
		if !scalar(va.Args[0]) || !scalar(va.Args[1]) {
			return nil, errors.New("replace() takes strings")
		}
		old, repl := va.Args[0].String(), va.Args[1].String()
		if replacedSize(self, old, repl, n) > DefaultLimits.MaxOutput {
			return nil, errTooBig
		}
		return strings.Replace(self, old, repl, n), nil
	},
	"split": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
		return pySplit(self, va, false)
	},
	"rsplit": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
		return pySplit(self, va, true)
	},
	"strip": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
		if cut, ok := stripChars(va); ok {
			return strings.Trim(self, cut), nil
		}
		return strings.TrimSpace(self), nil
	},
	"lstrip": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
		if cut, ok := stripChars(va); ok {
			return strings.TrimLeft(self, cut), nil
		}
		return strings.TrimLeftFunc(self, unicode.IsSpace), nil
	},
	"rstrip": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
		if cut, ok := stripChars(va); ok {
			return strings.TrimRight(self, cut), nil
		}
		return strings.TrimRightFunc(self, unicode.IsSpace), nil
	},
	"join": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
		if len(va.Args) != 1 {
			return nil, errors.New("join() takes exactly one argument")
		}
		if joinedSize(va.Args[0], len(self), DefaultLimits.MaxOutput) > DefaultLimits.MaxOutput {
			return nil, errTooBig
		}
		var parts []string
		for _, x := range toList(va.Args[0]) {
			parts = append(parts, exec.ToValue(x).String())
		}
		out := strings.Join(parts, self)
		if len(out) > DefaultLimits.MaxOutput {
			return nil, errTooBig
		}
		return out, nil
	},
	"index": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
		if len(va.Args) < 1 {
			return nil, errors.New("index() takes one argument")
		}
		i := strings.Index(self, va.Args[0].String())
		if i < 0 {
			return nil, errors.New("substring not found")
		}
		return i, nil
	},
	"rindex": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
		if len(va.Args) < 1 {
			return nil, errors.New("rindex() takes one argument")
		}
		i := strings.LastIndex(self, va.Args[0].String())
		if i < 0 {
			return nil, errors.New("substring not found")
		}
		return i, nil
	},
	"startswith": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
		return affix(self, va, strings.HasPrefix)
	},
	"endswith": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
		return affix(self, va, strings.HasSuffix)
	},
}

func stripChars(va *exec.VarArgs) (string, bool) {
	if len(va.Args) == 0 || va.Args[0].IsNil() {
		return "", false
	}
	return va.Args[0].String(), true
}

func affix(self string, va *exec.VarArgs, has func(string, string) bool) (any, error) {
	if len(va.Args) < 1 {
		return nil, errors.New("takes at least one argument")
	}
	a := va.Args[0]
	if a.IsList() {
		for _, x := range toList(a) {
			if has(self, exec.ToValue(x).String()) {
				return true, nil
			}
		}
		return false, nil
	}
	return has(self, a.String()), nil
}

// pySplit is str.split/rsplit: no separator (or None) splits on runs of whitespace; maxsplit
// limits the number of splits, from the right for rsplit.
func pySplit(s string, va *exec.VarArgs, right bool) (*[]any, error) {
	sep := ""
	if v, ok := argValue(va, 0, "sep"); ok && !v.IsNil() {
		sep = v.String()
	}
	max := -1
	if v, ok := argValue(va, 1, "maxsplit"); ok {
		max = v.Integer()
	}
	// Every part is an item of the list made: count them before making them.
	if count := splitCount(s, sep); count > DefaultLimits.MaxRangeItems && (max < 0 || max > DefaultLimits.MaxRangeItems) {
		return nil, errTooBig
	}
	var parts []string
	switch {
	case sep == "" && max < 0:
		parts = strings.Fields(s)
	case sep == "":
		fields := strings.Fields(s)
		if max < len(fields)-1 {
			if right {
				head := strings.Join(fields[:len(fields)-max], " ")
				parts = append([]string{head}, fields[len(fields)-max:]...)
			} else {
				parts = append(fields[:max:max], strings.Join(fields[max:], " "))
			}
		} else {
			parts = fields
		}
	case max < 0:
		parts = strings.Split(s, sep)
	case right:
		all := strings.Split(s, sep)
		if max < len(all)-1 {
			head := strings.Join(all[:len(all)-max], sep)
			parts = append([]string{head}, all[len(all)-max:]...)
		} else {
			parts = all
		}
	default:
		parts = strings.SplitN(s, sep, max+1)
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return &out, nil
}

// splitCount is how many parts s splits into at sep (at runs of whitespace when sep is "").
func splitCount(s, sep string) int {
	if sep != "" {
		return strings.Count(s, sep) + 1
	}
	n, in := 0, false
	for _, r := range s {
		space := unicode.IsSpace(r)
		if !space && !in {
			n++
		}
		in = !space
	}
	return n
}
