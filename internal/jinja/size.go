package jinja

import (
	"reflect"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Values are measured before they are printed or serialized: a list that holds one 10 MB
// string ten times, held ten times by another list, is 10 MB of memory but a gigabyte once
// printed. The measures below walk a value the way printing it would, adding up the bytes
// it would produce, and stop as soon as the total passes the limit they are given. Every
// element adds at least one byte, so a walk never visits more than limit elements, however
// much the value shares.

// maxMeasureDepth stops a walk through values nested deeper than any template can build
// (lists and dicts nest at most maxNesting levels; YAML at most a few hundred).
const maxMeasureDepth = 1000

// printedSize is an upper bound of len(v.String()) as gonja prints a value ("['a', 1]",
// "{'k': 'v'}"), or a number above limit once the size is known to pass it.
func printedSize(v any, limit int) int {
	m := measurer{limit: limit}
	m.walk(v, 0, true)
	return m.n
}

// jsonSize is an upper bound of the length of v serialized as JSON by encoding/json (with
// indent spaces per level when indent > 0), or a number above limit once the size is known to
// pass it.
func jsonSize(v any, indent, limit int) int {
	m := measurer{limit: limit, indent: indent, json: true}
	m.walk(v, 0, true)
	return m.n
}

type measurer struct {
	n, limit int
	json     bool // JSON as encoding/json writes it; else as gonja prints values
	indent   int  // JSON only
}

func (m *measurer) over() bool { return m.n > m.limit }

// unwrap returns the Go value behind a template value.
func unwrap(v any) any {
	for {
		x, ok := v.(*exec.Value)
		if !ok {
			return v
		}
		if x == nil || !x.Val.IsValid() {
			return nil
		}
		v = x.Val.Interface()
	}
}

// elements calls fn on each element of a list or each key and value of a mapping; it reports
// whether v is a collection at all, and stops when fn returns false.
func elements(v any, fn func(key, val any) bool) (isMap, ok bool) {
	switch x := v.(type) {
	case *[]any:
		if x == nil {
			return false, true
		}
		for _, e := range *x {
			if !fn(nil, e) {
				break
			}
		}
		return false, true
	case []any:
		for _, e := range x {
			if !fn(nil, e) {
				break
			}
		}
		return false, true
	case exec.ValuesList:
		for _, e := range x {
			if !fn(nil, e) {
				break
			}
		}
		return false, true
	case []string:
		for _, e := range x {
			if !fn(nil, e) {
				break
			}
		}
		return false, true
	case *exec.Dict:
		if x == nil {
			return true, true
		}
		for _, p := range x.Pairs {
			if !fn(p.Key, p.Value) {
				break
			}
		}
		return true, true
	case map[string]any:
		for k, e := range x {
			if !fn(k, e) {
				break
			}
		}
		return true, true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return false, false
		}
		for i := 0; i < rv.Len(); i++ {
			if !fn(nil, rv.Index(i).Interface()) {
				break
			}
		}
		return false, true
	case reflect.Map:
		it := rv.MapRange()
		for it.Next() {
			if !fn(it.Key().Interface(), it.Value().Interface()) {
				break
			}
		}
		return true, true
	}
	return false, false
}

// walk adds up the bytes v prints as (or serializes to, in JSON), element by element.
func (m *measurer) walk(v any, depth int, top bool) {
	if m.over() {
		return
	}
	if depth > maxMeasureDepth {
		m.n = m.limit + 1
		return
	}
	v = unwrap(v)
	switch x := v.(type) {
	case nil:
		m.n += 4
		return
	case string:
		switch {
		case m.json:
			m.n += jsonStringSize(x)
		case top:
			m.n += len(x)
		default:
			m.n += len(x) + 2 // quotes inside a list or dict
		}
		return
	case bool:
		m.n += 5
		return
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		m.n += 24
		return
	}
	sep := 2 // ", " as printed; "," in JSON
	if m.json {
		sep = 1
	}
	indented := m.json && m.indent > 0
	first := true
	_, ok := elements(v, func(key, val any) bool {
		if !first {
			m.n += sep
		}
		first = false
		if indented {
			m.n += 1 + m.indent*(depth+1)
		}
		if key != nil {
			m.walk(key, depth+1, false)
			m.n += 2 // ": "
		}
		m.walk(val, depth+1, false)
		return !m.over()
	})
	if ok {
		m.n += 2 // brackets
		if indented {
			m.n += 1 + m.indent*depth
		}
		return
	}
	// Our own objects (relations, dates, namespaces) print a line or two.
	m.n += 64
}

// jsonStringSize is the length of s as a JSON string: encoding/json escapes quotes,
// backslashes and control characters, and (as HTML-safe) <, > and &; gonja's tojson also
// escapes single quotes as \u0027.
func jsonStringSize(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
				n += 2
			case c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'':
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 6
		case r == '\u2028' || r == '\u2029':
			n += 6
		default:
			n += size
		}
		i += size
	}
	return n
}

// valueLimit is the largest value (and output) a render may build, and the render.
func valueLimit(e *exec.Evaluator) (int, *renderState) {
	st := stateOfEval(e)
	if st == nil {
		return DefaultLimits.MaxOutput, nil
	}
	return st.env.limits.MaxOutput, st
}

// tooBig stops the render (when there is one) because a value would pass a limit.
func tooBig(st *renderState, format string, args ...any) error {
	if st == nil {
		return errTooBig
	}
	st.limitExceeded("render stopped: "+format, args...)
	return errAborted
}

// scalar reports whether v prints as a short text of its own: a string (already bounded by
// whatever built it), a number, a boolean or none.
func scalar(v *exec.Value) bool {
	return v == nil || v.IsNil() || v.IsString() || v.IsNumber() || v.IsBool()
}

// checkedString is v.String(), refused when v would print larger than a value may be.
func checkedString(e *exec.Evaluator, v *exec.Value) (string, error) {
	if scalar(v) {
		return pyStrOrEmpty(v), nil
	}
	limit, st := valueLimit(e)
	if printedSize(v, limit) > limit {
		return "", tooBig(st, "a value of more than %d bytes once printed", limit)
	}
	return v.String(), nil
}

func pyStrOrEmpty(v *exec.Value) string {
	if v == nil {
		return ""
	}
	return v.String()
}

// checkPrinted refuses inputs of a filter or method that would print larger than a value may
// be (the filter makes a string of them first).
func checkPrinted(e *exec.Evaluator, vals ...*exec.Value) error {
	limit, st := valueLimit(e)
	for _, v := range vals {
		if !scalar(v) && printedSize(v, limit) > limit {
			return tooBig(st, "a value of more than %d bytes once printed", limit)
		}
	}
	return nil
}
