package jinja

import (
	"errors"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// filterSet is gonja's filters plus dbt's, each wrapped so a filter result larger than the
// output limit stops the render. Filters that pad text to a requested width (`center`,
// `indent`, `wordwrap`) refuse absurd widths: 10**9 would allocate a gigabyte first.
func filterSet(e *Env) *exec.FilterSet {
	all := exec.NewFilterSet(map[string]exec.FilterFunction{}).Update(builtins.Filters)
	m := map[string]exec.FilterFunction{}
	for _, name := range []string{"abs", "attr", "batch", "capitalize", "default", "d", "dictsort", "e", "escape",
		"first", "float", "forceescape", "format", "groupby", "indent", "int", "join", "items", "last", "length",
		"count", "list", "lower", "map", "max", "min", "replace", "reverse", "round", "safe", "selectattr",
		"select", "rejectattr", "reject", "slice", "sort", "string", "striptags", "sum", "title", "tojson",
		"trim", "truncate", "unique", "upper", "urlencode", "wordcount"} {
		if f, ok := all.Get(name); ok {
			m[name] = sizeChecked(guarded(name, f))
		}
	}
	m["list"] = func(e *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
		out := toList(in)
		if err := checkItems(e, len(out)); err != nil {
			return exec.AsValue(err)
		}
		if out == nil {
			out = []any{}
		}
		return exec.AsValue(&out)
	}
	// as_bool marks a value for dbt's native rendering and prints it unchanged: an empty string
	// stays empty, so `{{ config(enabled=...) | as_bool }}` at the top of a model (config gives
	// '') adds nothing to its SQL.
	m["as_bool"] = func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
		if in.IsString() {
			switch strings.ToLower(strings.TrimSpace(in.String())) {
			case "true":
				return exec.AsValue(true)
			case "false":
				return exec.AsValue(false)
			}
		}
		return in
	}
	m["as_number"] = func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
		if in.IsString() {
			s := strings.TrimSpace(in.String())
			if i, err := strconv.Atoi(s); err == nil {
				return exec.AsValue(i)
			}
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return exec.AsValue(f)
			}
		}
		return in
	}
	m["as_text"] = func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
		return exec.AsValue(in.String())
	}
	m["dictsort"] = func(_ *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
		d, _ := toGo(in).(map[string]any)
		keys := slices.Sorted(maps.Keys(d))
		if !kwBool(va, "case_sensitive", false) {
			sort.SliceStable(keys, func(i, j int) bool { return strings.ToLower(keys[i]) < strings.ToLower(keys[j]) })
		}
		if kwBool(va, "reverse", false) {
			for i, j := 0, len(keys)-1; i < j; i, j = i+1, j-1 {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = []any{k, d[k]}
		}
		return exec.AsValue(&out)
	}
	// default treats a stub (an undefined name) and a left-out parameter as undefined, as Jinja does.
	def := func(_ *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
		fallback, _ := argValue(va, 0, "default_value")
		if fallback == nil {
			fallback = exec.AsValue("")
		}
		if undefinedValue(in) || (kwBool(va, "boolean", len(va.Args) > 1 && va.Args[1].IsTrue()) && !in.IsTrue()) {
			return fallback
		}
		return in
	}
	m["default"], m["d"] = def, def
	m["as_native"] = func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value { return in }
	m["format"] = func(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
		if err := checkPrinted(ev, in); err != nil {
			return exec.AsValue(err)
		}
		var arg *exec.Value
		switch {
		case len(va.KwArgs) > 0:
			d := exec.NewDict()
			for _, k := range sortedValueKeys(va.KwArgs) {
				d.Pairs = append(d.Pairs, &exec.Pair{Key: exec.AsValue(k), Value: va.KwArgs[k]})
			}
			arg = exec.AsValue(d)
		case len(va.Args) == 1:
			arg = va.Args[0]
		default:
			items := make([]any, len(va.Args))
			for i, a := range va.Args {
				items[i] = a.Interface()
			}
			arg = exec.AsValue(items)
		}
		out, err := pyFormat(ev, in.String(), arg)
		if err != nil {
			return exec.AsValue(err)
		}
		return exec.AsValue(out)
	}
	for _, name := range []string{"center", "wordwrap"} {
		inner, ok := all.Get(name)
		if !ok {
			continue
		}
		m[name] = func(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
			if w, ok := argValue(va, 0, "width"); ok && w.Integer() > 10000 {
				return exec.AsValue(errors.New("width too large"))
			}
			return sizeChecked(guarded(name, inner))(ev, in, va)
		}
	}
	m["indent"] = func(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
		w, ok := argValue(va, 0, "width")
		if ok && w.Integer() > 1000 {
			return exec.AsValue(errors.New("indent width too large"))
		}
		if err := checkPrinted(ev, in); err != nil {
			return exec.AsValue(err)
		}
		// Every line gets the indent: a string of newlines grows by the width per byte.
		width := 4
		if ok {
			width = w.Integer()
			if w.IsString() {
				width = len(w.String())
			}
		}
		limit, st := valueLimit(ev)
		if s := in.String(); len(s)+strings.Count(s, "\n")*max(width, 0) > limit {
			return exec.AsValue(tooBig(st, "a value of more than %d bytes", limit))
		}
		f, _ := all.Get("indent")
		return sizeChecked(f)(ev, textOf("indent", in), va)
	}
	return exec.NewFilterSet(m)
}

// guarded checks, before a filter runs, that what it builds stays within the value limit,
// from the sizes of its input and arguments: afterwards is too late, the memory is taken.
func guarded(name string, f exec.FilterFunction) exec.FilterFunction {
	switch name {
	case "tojson":
		return func(e *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
			indent := 0
			if v, ok := va.KwArgs["indent"]; ok && v.IsInteger() {
				if indent = v.Integer(); indent > 100 {
					return exec.AsValue(errors.New("tojson: indent too large"))
				}
			}
			limit, st := valueLimit(e)
			if jsonSize(in, indent, limit) > limit {
				return exec.AsValue(tooBig(st, "a value of more than %d bytes once serialized", limit))
			}
			return f(e, in, va)
		}
	case "join":
		return func(e *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
			limit, st := valueLimit(e)
			sep := 0
			if d, ok := argValue(va, 0, "d"); ok {
				if err := checkPrinted(e, d); err != nil {
					return exec.AsValue(err)
				}
				sep = len(d.String())
			}
			if joinedSize(in, sep, limit) > limit {
				return exec.AsValue(tooBig(st, "a value of more than %d bytes", limit))
			}
			return f(e, in, va)
		}
	case "replace":
		return func(e *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
			if err := checkPrinted(e, append([]*exec.Value{in}, va.Args...)...); err != nil {
				return exec.AsValue(err)
			}
			n := -1
			if c, ok := argValue(va, 2, "count"); ok && c.IsInteger() {
				n = c.Integer()
			}
			if len(va.Args) >= 2 {
				limit, st := valueLimit(e)
				if replacedSize(in.String(), va.Args[0].String(), va.Args[1].String(), n) > limit {
					return exec.AsValue(tooBig(st, "a value of more than %d bytes", limit))
				}
			}
			return f(e, in, va)
		}
	case "e", "escape", "forceescape", "urlencode":
		return func(e *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
			if err := checkPrinted(e, in); err != nil {
				return exec.AsValue(err)
			}
			limit, st := valueLimit(e)
			if escapedSize(in.String(), name == "urlencode") > limit {
				return exec.AsValue(tooBig(st, "a value of more than %d bytes", limit))
			}
			return f(e, in, va)
		}
	case "batch", "slice":
		return func(e *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
			// The fill value pads to the requested size: [1]|batch(10**9, 'x') would make a
			// billion items.
			if n, ok := argValue(va, 0, ""); ok && n.IsInteger() {
				if err := checkItems(e, in.Len()+n.Integer()); err != nil {
					return exec.AsValue(err)
				}
			}
			return f(e, in, va)
		}
	case "capitalize", "lower", "upper", "title", "trim", "striptags", "truncate", "wordcount", "string",
		"safe", "center", "wordwrap", "int", "float":
		return func(e *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
			if err := checkPrinted(e, append([]*exec.Value{in}, va.Args...)...); err != nil {
				return exec.AsValue(err)
			}
			in = textOf(name, in)
			if name == "wordwrap" {
				// Each break inserts the wrap string.
				if ws, ok := argValue(va, 2, "wrapstring"); ok {
					limit, st := valueLimit(e)
					s := in.String()
					if len(s)+(strings.Count(s, " ")+1)*len(ws.String()) > limit {
						return exec.AsValue(tooBig(st, "a value of more than %d bytes", limit))
					}
				}
			}
			return f(e, in, va)
		}
	}
	return f
}

// textOf is what Jinja's string filters work on: Python's str of any value (they call
// str() first), where gonja refuses or passes through what is not a string: `x|trim`
// on a number failed the render. Nothing (none and undefined are one value here) becomes the
// empty string, as an undefined variable prints. "int", "float", "string" and "safe" read
// values of every type themselves.
func textOf(name string, in *exec.Value) *exec.Value {
	switch name {
	case "int", "float", "string", "safe":
		return in
	}
	if in == nil || in.IsError() || in.IsString() {
		return in
	}
	if in.IsNil() {
		return exec.AsValue("")
	}
	return exec.AsValue(in.String())
}

// joinedSize bounds the length of the items of in joined with a separator of sep bytes.
func joinedSize(in *exec.Value, sep, limit int) int {
	if in.IsString() {
		// A string joins its characters.
		return len(in.String()) * (1 + sep)
	}
	n := 0
	isMap, ok := elements(unwrap(in), func(key, val any) bool {
		if key != nil {
			val = key // a dict joins its keys
		}
		n += printedSize(val, limit-n) + sep
		return n <= limit
	})
	_ = isMap
	if !ok {
		return printedSize(in, limit)
	}
	return n
}

// replacedSize is the length of s with up to n (all when n < 0) occurrences of old replaced.
func replacedSize(s, old, repl string, n int) int {
	count := strings.Count(s, old) // an empty old matches at every character boundary
	if n >= 0 && n < count {
		count = n
	}
	return len(s) + count*(len(repl)-len(old))
}

// escapedSize is the length of s HTML-escaped (as &#34; and the like), or URL-encoded.
func escapedSize(s string, url bool) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case url && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~/", c) >= 0):
			n += 2
		case !url && strings.IndexByte("<>&'\"", c) >= 0:
			n += 4
		}
	}
	return n
}

func sizeChecked(f exec.FilterFunction) exec.FilterFunction {
	return func(e *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
		out := f(e, in, va)
		if out != nil && out.IsString() {
			if err := checkSize(e, len(out.String())); err != nil {
				return exec.AsValue(err)
			}
		}
		return out
	}
}

func sortedValueKeys(m map[string]*exec.Value) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
