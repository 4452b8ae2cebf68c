package jinja

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

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
		if tooDeep(a.Interface()) {
			return exec.AsValue(errTooDeep)
		}
		out[i] = a.Interface()
	}
	return exec.AsValue(&out)
}

// dictFn builds a dict literal (key, value, key, value, ...), keeping its order.
func dictFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	n := len(va.Args) / 2
	d := &exec.Dict{Pairs: make([]*exec.Pair, 0, n)}
	pairs := make([]exec.Pair, n) // one allocation for all the pairs
	for i := 0; i+1 < len(va.Args); i += 2 {
		if tooDeep(va.Args[i+1].Interface()) {
			return exec.AsValue(errTooDeep)
		}
		p := &pairs[i/2]
		*p = exec.Pair{Key: va.Args[i], Value: va.Args[i+1]}
		d.Pairs = append(d.Pairs, p)
	}
	return exec.AsValue(d)
}

// maxNesting bounds how deep lists and dicts nest: printing and converting them recurse, and
// a template could otherwise nest a list a million levels deep in a loop.
const maxNesting = 100

var errTooDeep = errors.New("lists or dicts nested too deeply")

// tooDeep reports whether v nests more than maxNesting levels (it stops looking there).
func tooDeep(v any) bool { return nestingDepth(v, 0) > maxNesting }

func nestingDepth(v any, depth int) int {
	if depth > maxNesting {
		return depth
	}
	deepest := depth
	visit := func(x any) {
		if d := nestingDepth(x, depth+1); d > deepest {
			deepest = d
		}
	}
	switch x := v.(type) {
	case *exec.Value:
		return nestingDepth(x.Interface(), depth)
	case *[]any:
		for _, e := range *x {
			if deepest > maxNesting {
				break
			}
			visit(e)
		}
	case []any:
		for _, e := range x {
			if deepest > maxNesting {
				break
			}
			visit(e)
		}
	case exec.ValuesList:
		for _, e := range x {
			if deepest > maxNesting {
				break
			}
			visit(e)
		}
	case *exec.Dict:
		for _, p := range x.Pairs {
			if deepest > maxNesting {
				break
			}
			visit(p.Value)
		}
	case map[string]any:
		for _, e := range x {
			if deepest > maxNesting {
				break
			}
			visit(e)
		}
	}
	return deepest
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
	case isTime(l) || isTime(r):
		if v, ok := timeArith(l, r, 1); ok {
			return v
		}
	case l.IsNumber() && r.IsNumber():
		return exec.AsValue(l.Integer() + r.Integer())
	}
	return concat(e, l, r)
}

// subFn is `-`: gonja's, but for dates and durations, which it would read as numbers.
func subFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	l, r := twoArgs(va)
	if v, ok := timeArith(l, r, -1); ok {
		return v
	}
	if isTime(l) || isTime(r) {
		return exec.AsValue(fmt.Errorf("unsupported operand types for -: %s and %s", typeName(l), typeName(r)))
	}
	if l.IsFloat() || r.IsFloat() {
		return exec.AsValue(l.Float() - r.Float())
	}
	return exec.AsValue(l.Integer() - r.Integer())
}

func concatFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	l, r := twoArgs(va)
	return concat(e, l, r)
}

func concat(e *exec.Evaluator, l, r *exec.Value) *exec.Value {
	if err := checkPrinted(e, l, r); err != nil {
		return exec.AsValue(err)
	}
	if !scalar(l) || !scalar(r) {
		limit, st := valueLimit(e)
		if printedSize(l, limit)+printedSize(r, limit) > limit {
			return exec.AsValue(tooBig(st, "a value of more than %d bytes", limit))
		}
	}
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
		s, err := pyFormat(e, l.String(), r)
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

// pyFormat implements Python's "%" string formatting for the conversions templates use. The
// result is bounded as it grows: "%s%s%s..." % (s, s, s, ...) with a large s would otherwise
// be built whole before its size is checked.
func pyFormat(e *exec.Evaluator, format string, arg *exec.Value) (string, error) {
	limit, st := valueLimit(e)
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
			s, err := checkedString(e, val)
			if err != nil {
				return "", err
			}
			if b.Len()+len(s) > limit {
				return "", tooBig(st, "a value of more than %d bytes", limit)
			}
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
		if b.Len() > limit {
			return "", tooBig(st, "a value of more than %d bytes", limit)
		}
	}
	if b.Len() > limit {
		return "", tooBig(st, "a value of more than %d bytes", limit)
	}
	return b.String(), nil
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
	// Any other function of the two shapes gonja calls with keyword arguments.
	if rv := fn.Val; rv.IsValid() && rv.Kind() == reflect.Func {
		t := rv.Type()
		var in []reflect.Value
		switch {
		case t.NumIn() == 1 && t.In(0) == reflect.TypeFor[*exec.VarArgs]():
			in = []reflect.Value{reflect.ValueOf(va)}
		case t.NumIn() == 2 && t.In(0) == reflect.TypeFor[*exec.Evaluator]() && t.In(1) == reflect.TypeFor[*exec.VarArgs]():
			in = []reflect.Value{reflect.ValueOf(e), reflect.ValueOf(va)}
		}
		if in != nil && t.NumOut() >= 1 {
			out := rv.Call(in)
			if v, ok := out[0].Interface().(*exec.Value); ok {
				return v
			}
			return exec.AsValue(out[0].Interface())
		}
	}
	return exec.AsValue(fmt.Errorf("%s is not callable", fn.String()))
}
