package jinja

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// The operators and constructors below replace gonja's where gonja's would let a template
// exhaust memory, panic, or lose Python's reference semantics (see prepareTree).

var errTooBig = errors.New("value too large")

// checkSize fails a string that would grow past the output limit, and counts what string
// operations build in the whole render: many large strings kept in a list would exhaust
// memory as surely as one huge string.
func checkSize(e *exec.Evaluator, n int) error {
	st := stateOfEval(e)
	limit := DefaultLimits.MaxOutput
	if st != nil {
		limit = st.env.limits.MaxOutput
	}
	if n > limit {
		if st != nil {
			st.limitExceeded("a value of more than %d bytes", limit)
			return errAborted
		}
		return errTooBig
	}
	if st != nil {
		st.built += n
		if st.built > 16*limit {
			st.limitExceeded("string operations built more than %d bytes", 16*limit)
			return errAborted
		}
	}
	return nil
}

// checkItems fails a list that would grow past the item limit.
func checkItems(e *exec.Evaluator, n int) error {
	limit := DefaultLimits.MaxRangeItems
	st := stateOfEval(e)
	if st != nil {
		limit = st.env.limits.MaxRangeItems
	}
	if n > limit {
		if st != nil {
			st.limitExceeded("a list of more than %d items", limit)
			return errAborted
		}
		return errTooBig
	}
	return nil
}

// rangeFn is range() returning a list, bounded per render (gonja's feeds a channel from a
// goroutine that leaks when the loop stops early).
func rangeFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	var a []int
	for _, v := range va.Args {
		a = append(a, v.Integer())
	}
	start, stop, step := 0, 0, 1
	switch len(a) {
	case 1:
		stop = a[0]
	case 2:
		start, stop = a[0], a[1]
	case 3:
		start, stop, step = a[0], a[1], a[2]
	default:
		return exec.AsValue(errors.New("range() takes 1 to 3 integers"))
	}
	if step == 0 {
		return exec.AsValue(errors.New("range() step must not be zero"))
	}
	n := 0
	if step > 0 && stop > start {
		n = (stop - start + step - 1) / step
	} else if step < 0 && stop < start {
		n = (start - stop - step - 1) / -step
	}
	if st := stateOfEval(e); st != nil {
		st.rangeItems += n
		if n < 0 || st.rangeItems > st.env.limits.MaxRangeItems {
			st.limitExceeded("range() produced more than %d items", st.env.limits.MaxRangeItems)
			return exec.AsValue(errAborted)
		}
	} else if n > DefaultLimits.MaxRangeItems {
		return exec.AsValue(errTooBig)
	}
	out := make([]any, n)
	for i := range out {
		out[i] = start + i*step
	}
	return exec.AsValue(&out)
}

// listFn builds a list literal as a shared, mutable list.
func listFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	out := make([]any, len(va.Args))
	for i, a := range va.Args {
		out[i] = a.Interface()
	}
	return exec.AsValue(&out)
}

func twoArgs(va *exec.VarArgs) (*exec.Value, *exec.Value) {
	if len(va.Args) != 2 {
		return exec.AsValue(nil), exec.AsValue(nil)
	}
	return va.Args[0], va.Args[1]
}

func mulFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	l, r := twoArgs(va)
	if r.IsString() && l.IsInteger() {
		l, r = r, l
	}
	switch {
	case l.IsString() && r.IsInteger():
		n := max(r.Integer(), 0)
		if err := checkSize(e, len(l.String())*n); err != nil || (n > 0 && len(l.String())*n/n != len(l.String())) {
			return exec.AsValue(errAborted)
		}
		return exec.AsValue(strings.Repeat(l.String(), n))
	case l.IsList() && r.IsInteger():
		items := toList(l)
		n := max(r.Integer(), 0)
		if err := checkItems(e, len(items)*n); err != nil || (n > 0 && len(items)*n/n != len(items)) {
			return exec.AsValue(errAborted)
		}
		out := make([]any, 0, len(items)*n)
		for i := 0; i < n; i++ {
			out = append(out, items...)
		}
		return exec.AsValue(&out)
	case l.IsFloat() || r.IsFloat():
		return exec.AsValue(l.Float() * r.Float())
	}
	return exec.AsValue(l.Integer() * r.Integer())
}

func addFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	l, r := twoArgs(va)
	switch {
	case l.IsList() && r.IsList():
		a, b := toList(l), toList(r)
		if err := checkItems(e, len(a)+len(b)); err != nil {
			return exec.AsValue(err)
		}
		out := make([]any, 0, len(a)+len(b))
		out = append(append(out, a...), b...)
		return exec.AsValue(&out)
	case l.IsList() || r.IsList():
		return exec.AsValue(errors.New("can only concatenate a list to a list"))
	case l.IsNumber() && r.IsNumber() && (l.IsFloat() || r.IsFloat()):
		return exec.AsValue(l.Float() + r.Float())
	case l.IsNumber() && r.IsNumber():
		return exec.AsValue(l.Integer() + r.Integer())
	}
	return concat(e, l, r)
}

func concatFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	l, r := twoArgs(va)
	return concat(e, l, r)
}

func concat(e *exec.Evaluator, l, r *exec.Value) *exec.Value {
	a, b := l.String(), r.String()
	if err := checkSize(e, len(a)+len(b)); err != nil {
		return exec.AsValue(err)
	}
	return &exec.Value{Val: reflect.ValueOf(a + b), Safe: l.Safe && r.Safe}
}

func powFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	l, r := twoArgs(va)
	p := math.Pow(l.Float(), r.Float())
	if l.IsInteger() && r.IsInteger() && r.Integer() >= 0 && math.Abs(p) < 1<<53 {
		return exec.AsValue(int(p))
	}
	return exec.AsValue(p)
}

// modFn is `%`: the remainder for numbers, printf-style formatting for strings.
func modFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	l, r := twoArgs(va)
	if l.IsString() {
		s, err := pyFormat(l.String(), r)
		if err != nil {
			return exec.AsValue(err)
		}
		if err := checkSize(e, len(s)); err != nil {
			return exec.AsValue(err)
		}
		return exec.AsValue(s)
	}
	if l.IsFloat() || r.IsFloat() {
		d := r.Float()
		if d == 0 {
			return exec.AsValue(errors.New("float modulo by zero"))
		}
		m := math.Mod(l.Float(), d)
		if m != 0 && (m < 0) != (d < 0) {
			m += d
		}
		return exec.AsValue(m)
	}
	d := r.Integer()
	if d == 0 {
		return exec.AsValue(errors.New("integer modulo by zero"))
	}
	m := l.Integer() % d
	if m != 0 && (m < 0) != (d < 0) {
		m += d
	}
	return exec.AsValue(m)
}

// pyFormat implements Python's "%" string formatting for the conversions templates use.
func pyFormat(format string, arg *exec.Value) (string, error) {
	var args []*exec.Value
	var mapping *exec.Value
	switch {
	case arg.IsList():
		arg.Iterate(func(_, _ int, item, _ *exec.Value) bool {
			args = append(args, item)
			return true
		}, func() {})
	case arg.IsDict():
		mapping = arg
		args = []*exec.Value{arg}
	default:
		args = []*exec.Value{arg}
	}
	var b strings.Builder
	next := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return "", errors.New("incomplete format")
		}
		if format[i] == '%' {
			b.WriteByte('%')
			continue
		}
		var val *exec.Value
		if format[i] == '(' {
			end := strings.IndexByte(format[i:], ')')
			if end < 0 || mapping == nil {
				return "", errors.New("format requires a mapping")
			}
			key := format[i+1 : i+end]
			val, _ = mapping.GetItem(key)
			i += end + 1
		}
		spec := i
		for i < len(format) && strings.IndexByte("-+ #0123456789.", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			return "", errors.New("incomplete format")
		}
		flags := format[spec:i]
		verb := format[i]
		if val == nil {
			if next >= len(args) {
				return "", errors.New("not enough arguments for format string")
			}
			val = args[next]
			next++
		}
		if len(flags) > 12 {
			return "", errors.New("format width too large")
		}
		if w := strings.TrimLeft(flags, "-+ #0"); w != "" {
			if n, err := strconv.Atoi(strings.SplitN(w, ".", 2)[0]); err == nil && n > 10000 {
				return "", errors.New("format width too large")
			}
		}
		switch verb {
		case 's', 'r', 'a':
			s := val.String()
			if verb != 's' && val.IsString() {
				s = "'" + s + "'"
			}
			b.WriteString(fmt.Sprintf("%"+flags+"s", s))
		case 'd', 'i', 'u':
			b.WriteString(fmt.Sprintf("%"+flags+"d", val.Integer()))
		case 'f', 'F', 'e', 'E', 'g', 'G':
			b.WriteString(fmt.Sprintf("%"+flags+string(verb), val.Float()))
		case 'x', 'X', 'o':
			b.WriteString(fmt.Sprintf("%"+flags+string(verb), val.Integer()))
		default:
			return "", fmt.Errorf("unsupported format character %q", verb)
		}
	}
	return b.String(), nil
}

// ---- filters and methods ------------------------------------------------------------------

// filterSet is gonja's filters plus dbt's, each wrapped so a filter result larger than the
// output limit stops the render. Filters that only pad text to a requested width are left
// out (`center`, `wordwrap`): a width of 10**9 would allocate a gigabyte.
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

// methodSet is gonja's methods on strings, numbers, lists and dicts, with list and dict
// methods that mutate the value in place (gonja's work on a copy) and padding methods
// bounded.
func methodSet(e *Env) exec.Methods {
	orig := builtins.Methods
	str := map[string]exec.Method[string]{}
	for _, name := range []string{"capitalize", "capwords", "casefold", "count", "endswith", "find", "format",
		"format_map", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "islower", "isnumeric",
		"isprintable", "isspace", "istitle", "isupper", "join", "lower", "lstrip", "partition", "removeprefix",
		"removesuffix", "replace", "rfind", "rpartition", "rsplit", "rstrip", "split", "splitlines",
		"startswith", "strip", "swapcase", "title", "upper", "index", "rindex"} {
		if m, ok := orig.Str.Get(name); ok {
			str[name] = strChecked(m)
		}
	}
	for name, m := range pyStrMethods {
		str[name] = strChecked(m)
	}
	for _, name := range []string{"ljust", "rjust", "center", "zfill"} {
		if m, ok := orig.Str.Get(name); ok {
			inner := m
			str[name] = func(self string, sv *exec.Value, va *exec.VarArgs) (any, error) {
				if len(va.Args) > 0 && va.Args[0].Integer() > 10000 {
					return nil, errors.New("width too large")
				}
				return inner(self, sv, va)
			}
		}
	}
	return exec.Methods{
		Bool:  orig.Bool,
		Int:   orig.Int,
		Float: orig.Float,
		Str:   exec.NewMethodSet(str),
		Dict:  exec.NewMethodSet(dictMethods()),
		List:  exec.NewMethodSet(listMethods()),
	}
}

func strChecked(m exec.Method[string]) exec.Method[string] {
	return func(self string, sv *exec.Value, va *exec.VarArgs) (any, error) {
		out, err := m(self, sv, va)
		if s, ok := out.(string); ok && len(s) > DefaultLimits.MaxOutput {
			return nil, errTooBig
		}
		return out, err
	}
}

// mutableList returns the list a method should change in place, when the value is one of ours.
func mutableList(sv *exec.Value) *[]any {
	if sv == nil {
		return nil
	}
	p, _ := sv.Interface().(*[]any)
	return p
}

// reaches reports whether walking v's lists and dicts finds target; a container must not be
// put inside itself, or printing it would recurse without end.
func reaches(v any, target any, depth int) bool {
	if depth > 64 {
		return true
	}
	if v == target {
		return true
	}
	switch x := v.(type) {
	case *exec.Value:
		return reaches(x.Interface(), target, depth+1)
	case *[]any:
		for _, e := range *x {
			if reaches(e, target, depth+1) {
				return true
			}
		}
	case *exec.Dict:
		for _, p := range x.Pairs {
			if reaches(p.Value.Interface(), target, depth+1) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if reaches(e, target, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if reaches(e, target, depth+1) {
				return true
			}
		}
	}
	return false
}

var errCycle = errors.New("a list or dict cannot contain itself")

func listMethods() map[string]exec.Method[[]any] {
	set := func(sv *exec.Value, items []any) {
		if p := mutableList(sv); p != nil {
			*p = items
			return
		}
		*sv = *exec.AsValue(&items)
	}
	return map[string]exec.Method[[]any]{
		"append": func(self []any, sv *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) != 1 {
				return nil, errors.New("append() takes exactly one argument")
			}
			x := va.Args[0].Interface()
			if p := mutableList(sv); p != nil && reaches(x, p, 0) {
				return nil, errCycle
			}
			if len(self) >= DefaultLimits.MaxRangeItems {
				return nil, errTooBig
			}
			set(sv, append(self, x))
			return nil, nil
		},
		"extend": func(self []any, sv *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) != 1 {
				return nil, errors.New("extend() takes exactly one argument")
			}
			items := toList(va.Args[0])
			if len(self)+len(items) > DefaultLimits.MaxRangeItems {
				return nil, errTooBig
			}
			set(sv, append(self, items...))
			return nil, nil
		},
		"insert": func(self []any, sv *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) != 2 {
				return nil, errors.New("insert() takes exactly two arguments")
			}
			i := va.Args[0].Integer()
			if i < 0 {
				i += len(self)
			}
			i = max(0, min(i, len(self)))
			x := va.Args[1].Interface()
			if p := mutableList(sv); p != nil && reaches(x, p, 0) {
				return nil, errCycle
			}
			out := append(append(append([]any{}, self[:i]...), x), self[i:]...)
			set(sv, out)
			return nil, nil
		},
		"pop": func(self []any, sv *exec.Value, va *exec.VarArgs) (any, error) {
			if len(self) == 0 {
				return nil, errors.New("pop from empty list")
			}
			i := len(self) - 1
			if len(va.Args) > 0 {
				i = va.Args[0].Integer()
				if i < 0 {
					i += len(self)
				}
			}
			if i < 0 || i >= len(self) {
				return nil, errors.New("pop index out of range")
			}
			x := self[i]
			set(sv, append(append([]any{}, self[:i]...), self[i+1:]...))
			return x, nil
		},
		"remove": func(self []any, sv *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) != 1 {
				return nil, errors.New("remove() takes exactly one argument")
			}
			for i, x := range self {
				if exec.ToValue(x).EqualValueTo(va.Args[0]) {
					set(sv, append(append([]any{}, self[:i]...), self[i+1:]...))
					return nil, nil
				}
			}
			return nil, errors.New("list.remove(x): x not in list")
		},
		"index": func(self []any, _ *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) < 1 {
				return nil, errors.New("index() takes one argument")
			}
			for i, x := range self {
				if exec.ToValue(x).EqualValueTo(va.Args[0]) {
					return i, nil
				}
			}
			return nil, errors.New("x not in list")
		},
		"count": func(self []any, _ *exec.Value, va *exec.VarArgs) (any, error) {
			n := 0
			for _, x := range self {
				if len(va.Args) > 0 && exec.ToValue(x).EqualValueTo(va.Args[0]) {
					n++
				}
			}
			return n, nil
		},
		"reverse": func(self []any, sv *exec.Value, _ *exec.VarArgs) (any, error) {
			out := make([]any, len(self))
			for i, x := range self {
				out[len(self)-1-i] = x
			}
			set(sv, out)
			return nil, nil
		},
		"sort": func(self []any, sv *exec.Value, va *exec.VarArgs) (any, error) {
			out := append([]any{}, self...)
			sort.SliceStable(out, func(i, j int) bool {
				a, b := exec.ToValue(out[i]), exec.ToValue(out[j])
				if a.IsNumber() && b.IsNumber() {
					return a.Float() < b.Float()
				}
				return a.String() < b.String()
			})
			if kwBool(va, "reverse", false) {
				for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
					out[i], out[j] = out[j], out[i]
				}
			}
			set(sv, out)
			return nil, nil
		},
		"copy": func(self []any, _ *exec.Value, _ *exec.VarArgs) (any, error) {
			out := append([]any{}, self...)
			return &out, nil
		},
		"clear": func(_ []any, sv *exec.Value, _ *exec.VarArgs) (any, error) {
			set(sv, []any{})
			return nil, nil
		},
	}
}

// dictMethods work on the dict itself: gonja hands methods a converted copy, so
// `{% do d.update(x) %}` would change nothing.
func dictMethods() map[string]exec.Method[map[string]any] {
	type dictRef struct {
		d *exec.Dict
		m map[string]any
	}
	ref := func(sv *exec.Value) dictRef {
		switch x := sv.Interface().(type) {
		case *exec.Dict:
			return dictRef{d: x}
		case map[string]any:
			return dictRef{m: x}
		}
		return dictRef{}
	}
	put := func(r dictRef, key string, v *exec.Value) {
		if r.d != nil {
			for _, p := range r.d.Pairs {
				if p.Key.String() == key {
					p.Value = v
					return
				}
			}
			r.d.Pairs = append(r.d.Pairs, &exec.Pair{Key: exec.AsValue(key), Value: v})
		} else if r.m != nil {
			r.m[key] = v.Interface()
		}
	}
	del := func(r dictRef, key string) {
		if r.d != nil {
			for i, p := range r.d.Pairs {
				if p.Key.String() == key {
					r.d.Pairs = append(r.d.Pairs[:i:i], r.d.Pairs[i+1:]...)
					return
				}
			}
		} else if r.m != nil {
			delete(r.m, key)
		}
	}
	// keysOf keeps the insertion order of dict literals; Go maps are listed sorted.
	keysOf := func(self map[string]any, sv *exec.Value) []string {
		if d, ok := sv.Interface().(*exec.Dict); ok {
			keys := make([]string, 0, len(d.Pairs))
			for _, p := range d.Pairs {
				keys = append(keys, p.Key.String())
			}
			return keys
		}
		keys := make([]string, 0, len(self))
		for k := range self {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys
	}
	return map[string]exec.Method[map[string]any]{
		"keys": func(self map[string]any, sv *exec.Value, _ *exec.VarArgs) (any, error) {
			keys := keysOf(self, sv)
			out := make([]any, len(keys))
			for i, k := range keys {
				out[i] = k
			}
			return out, nil
		},
		"values": func(self map[string]any, sv *exec.Value, _ *exec.VarArgs) (any, error) {
			var out []any
			for _, k := range keysOf(self, sv) {
				v, _ := sv.GetItem(k)
				out = append(out, v.Interface())
			}
			if out == nil {
				out = []any{}
			}
			return out, nil
		},
		"items": func(self map[string]any, sv *exec.Value, _ *exec.VarArgs) (any, error) {
			var out []any
			for _, k := range keysOf(self, sv) {
				v, _ := sv.GetItem(k)
				out = append(out, []any{k, v.Interface()})
			}
			if out == nil {
				out = []any{}
			}
			return out, nil
		},
		"get": func(_ map[string]any, sv *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) < 1 {
				return nil, errors.New("get() takes 1 or 2 arguments")
			}
			if v, ok := sv.GetItem(va.Args[0].String()); ok {
				return v.Interface(), nil
			}
			if len(va.Args) > 1 {
				return va.Args[1].Interface(), nil
			}
			if d, ok := va.KwArgs["default"]; ok {
				return d.Interface(), nil
			}
			return nil, nil
		},
		"pop": func(_ map[string]any, sv *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) < 1 {
				return nil, errors.New("pop() takes 1 or 2 arguments")
			}
			key := va.Args[0].String()
			if v, ok := sv.GetItem(key); ok {
				del(ref(sv), key)
				return v.Interface(), nil
			}
			if len(va.Args) > 1 {
				return va.Args[1].Interface(), nil
			}
			return nil, fmt.Errorf("key %q not found", key)
		},
		"setdefault": func(_ map[string]any, sv *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) < 1 {
				return nil, errors.New("setdefault() takes 1 or 2 arguments")
			}
			key := va.Args[0].String()
			if v, ok := sv.GetItem(key); ok {
				return v.Interface(), nil
			}
			def := exec.AsValue(nil)
			if len(va.Args) > 1 {
				def = va.Args[1]
			}
			if reaches(def.Interface(), sv.Interface(), 0) {
				return nil, errCycle
			}
			put(ref(sv), key, def)
			return def.Interface(), nil
		},
		"update": func(_ map[string]any, sv *exec.Value, va *exec.VarArgs) (any, error) {
			r := ref(sv)
			target := sv.Interface()
			add := func(k string, v *exec.Value) error {
				if reaches(v.Interface(), target, 0) {
					return errCycle
				}
				put(r, k, v)
				return nil
			}
			var err error
			if len(va.Args) > 0 {
				va.Args[0].Iterate(func(_, _ int, k, v *exec.Value) bool {
					if v == nil {
						v, _ = va.Args[0].GetItem(k.String())
					}
					if e := add(k.String(), v); e != nil {
						err = e
						return false
					}
					return true
				}, func() {})
			}
			keys := make([]string, 0, len(va.KwArgs))
			for k := range va.KwArgs {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if e := add(k, va.KwArgs[k]); e != nil {
					err = e
				}
			}
			return nil, err
		},
		"copy": func(self map[string]any, sv *exec.Value, _ *exec.VarArgs) (any, error) {
			d := exec.NewDict()
			for _, k := range keysOf(self, sv) {
				v, _ := sv.GetItem(k)
				d.Pairs = append(d.Pairs, &exec.Pair{Key: exec.AsValue(k), Value: v})
			}
			return d, nil
		},
		"clear": func(self map[string]any, sv *exec.Value, _ *exec.VarArgs) (any, error) {
			r := ref(sv)
			for _, k := range keysOf(self, sv) {
				del(r, k)
			}
			return nil, nil
		},
	}
}

// expandSplat spreads the *args and **kwargs markers of a call (see fixTokens) into its
// positional and keyword arguments.
func expandSplat(va *exec.VarArgs) {
	if v, ok := va.KwArgs[splatArgs]; ok {
		delete(va.KwArgs, splatArgs)
		for _, x := range toList(v) {
			va.Args = append(va.Args, exec.ToValue(x))
		}
	}
	if v, ok := va.KwArgs[splatKwargs]; ok {
		delete(va.KwArgs, splatKwargs)
		if v.IsDict() {
			for _, k := range v.Keys() {
				if _, set := va.KwArgs[k.String()]; !set {
					item, _ := v.GetItem(k.String())
					va.KwArgs[k.String()] = item
				}
			}
		}
	}
}

// splatFn calls its first argument with the rest, spreading *args and **kwargs.
func splatFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	if len(va.Args) == 0 {
		return exec.AsValue(errors.New("nothing to call"))
	}
	fn := va.Args[0]
	call := &exec.VarArgs{Args: append([]*exec.Value{}, va.Args[1:]...), KwArgs: map[string]*exec.Value{}}
	for k, v := range va.KwArgs {
		call.KwArgs[k] = v
	}
	expandSplat(call)
	return callValue(e, fn, call)
}

// callValue calls a template value with prepared arguments.
func callValue(e *exec.Evaluator, fn *exec.Value, va *exec.VarArgs) *exec.Value {
	switch f := fn.Interface().(type) {
	case callable:
		return f(e, va)
	case stubFn:
		return f(e, va)
	case configFn:
		return f(e, va)
	case func(*exec.VarArgs) *exec.Value:
		return f(va)
	case func(*exec.Evaluator, *exec.VarArgs) *exec.Value:
		return f(e, va)
	case datetimeCtor:
		return f(va)
	case dateCtor:
		return f(va)
	case tableFn:
		return f(va)
	case seqFn:
		return f(va)
	}
	return exec.AsValue(fmt.Errorf("%s is not callable", fn.String()))
}

// methodTarget names the variable a method was called on, so a method that had to replace a
// list (one we did not create, e.g. from a var) can rebind it as gonja does.
const methodTarget = "dataops target"

// methodFn is obj.name(args): an attribute of obj that is callable (relation.include, a
// package macro, loop.cycle), else Python's method of the value's type.
func methodFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	if len(va.Args) < 2 {
		return exec.AsValue(errors.New("bad method call"))
	}
	obj, name := va.Args[0], va.Args[1].String()
	call := &exec.VarArgs{Args: va.Args[2:], KwArgs: map[string]*exec.Value{}}
	target := ""
	for k, v := range va.KwArgs {
		if k == methodTarget {
			target = v.String()
			continue
		}
		call.KwArgs[k] = v
	}
	if obj.IsError() {
		return obj
	}
	if !obj.IsNil() {
		attr, found := obj.GetAttribute(name)
		if !found && !attr.IsError() {
			attr, found = obj.GetItem(name)
		}
		if found && attr.IsCallable() {
			return callValue(e, attr, call)
		}
	}
	methods := e.Environment.Methods
	var (
		res any
		err = fmt.Errorf("%s has no method %s", typeName(obj), name)
	)
	before := obj.Interface()
	switch {
	case obj.IsString():
		if m, ok := methods.Str.Get(name); ok {
			res, err = m(obj.String(), obj, call)
		}
	case obj.IsBool():
		if m, ok := methods.Bool.Get(name); ok {
			res, err = m(obj.Bool(), obj, call)
		}
	case obj.IsFloat():
		if m, ok := methods.Float.Get(name); ok {
			res, err = m(obj.Float(), obj, call)
		}
	case obj.IsInteger():
		if m, ok := methods.Int.Get(name); ok {
			res, err = m(obj.Integer(), obj, call)
		}
	case obj.IsDict():
		if m, ok := methods.Dict.Get(name); ok {
			d, _ := toGo(obj).(map[string]any)
			if d == nil {
				d = map[string]any{}
			}
			res, err = m(d, obj, call)
		}
	case obj.IsList():
		if m, ok := methods.List.Get(name); ok {
			res, err = m(toList(obj), obj, call)
		}
	}
	if err != nil {
		return exec.AsValue(err)
	}
	if target != "" && obj.Interface() != nil && !sameRef(before, obj.Interface()) {
		e.Environment.Context.Set(target, obj.Interface())
	}
	return exec.AsValue(res)
}

func sameRef(a, b any) bool {
	pa, okA := a.(*[]any)
	pb, okB := b.(*[]any)
	if okA || okB {
		return okA && okB && pa == pb
	}
	return true
}

func typeName(v *exec.Value) string {
	switch {
	case v.IsNil():
		return "none"
	case v.IsString():
		return "a string"
	case v.IsList():
		return "a list"
	case v.IsDict():
		return "a dict"
	case v.IsNumber():
		return "a number"
	}
	return fmt.Sprintf("%T", v.Interface())
}
