package jinja

import (
	"errors"
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
			m[name] = sizeChecked(f)
		}
	}
	m["list"] = func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
		out := toList(in)
		if out == nil {
			out = []any{}
		}
		return exec.AsValue(&out)
	}
	m["as_bool"] = func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
		if in.IsString() {
			switch strings.ToLower(strings.TrimSpace(in.String())) {
			case "true":
				return exec.AsValue(true)
			case "false", "":
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
		keys := sortedKeys(d)
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
	// default treats a stub (an undefined name) as undefined, as Jinja does.
	def := func(_ *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
		_, isStub := in.Interface().(stubFn)
		fallback, _ := argValue(va, 0, "default_value")
		if fallback == nil {
			fallback = exec.AsValue("")
		}
		if in.IsNil() || in.IsError() || isStub || (kwBool(va, "boolean", len(va.Args) > 1 && va.Args[1].IsTrue()) && !in.IsTrue()) {
			return fallback
		}
		return in
	}
	m["default"], m["d"] = def, def
	m["as_native"] = func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value { return in }
	m["format"] = func(_ *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
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
		out, err := pyFormat(in.String(), arg)
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
			return sizeChecked(inner)(ev, in, va)
		}
	}
	m["indent"] = func(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
		if w, ok := argValue(va, 0, "width"); ok && w.Integer() > 1000 {
			return exec.AsValue(errors.New("indent width too large"))
		}
		f, _ := all.Get("indent")
		return sizeChecked(f)(ev, in, va)
	}
	return exec.NewFilterSet(m)
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
