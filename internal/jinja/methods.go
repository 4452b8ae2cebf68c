package jinja

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
)

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
	for _, name := range []string{"format", "format_map"} {
		if inner, ok := str[name]; ok {
			str[name] = func(self string, sv *exec.Value, va *exec.VarArgs) (any, error) {
				// Each {} may repeat an argument: "{0}{0}{0}".format(s).
				largest := 0
				for _, a := range append(append([]*exec.Value{}, va.Args...), sortedValues(va.KwArgs)...) {
					largest = max(largest, printedSize(a, DefaultLimits.MaxOutput))
				}
				if len(self)+strings.Count(self, "{")*largest > DefaultLimits.MaxOutput {
					return nil, errTooBig
				}
				return inner(self, sv, formatArgs(va))
			}
		}
	}
	if inner, ok := str["splitlines"]; ok {
		str["splitlines"] = func(self string, sv *exec.Value, va *exec.VarArgs) (any, error) {
			if strings.Count(self, "\n")+strings.Count(self, "\r") > DefaultLimits.MaxRangeItems {
				return nil, errTooBig
			}
			return inner(self, sv, va)
		}
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
			if tooDeep(x) {
				return nil, errTooDeep
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
			if len(self) >= DefaultLimits.MaxRangeItems {
				return nil, errTooBig
			}
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
	// keysOf keeps the insertion order of dict literals; Go maps are listed sorted. self is
	// not used: methodFn does not convert the dict for its methods (see dictSelf).
	keysOf := func(_ map[string]any, sv *exec.Value) []string {
		if d, ok := sv.Interface().(*exec.Dict); ok {
			keys := make([]string, 0, len(d.Pairs))
			for _, p := range d.Pairs {
				keys = append(keys, p.Key.String())
			}
			return keys
		}
		self := dictSelf(sv)
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
			if d, ok := sv.Interface().(*exec.Dict); ok {
				_, vals := dictEntries(d)
				for _, v := range vals {
					out = append(out, v.Interface())
				}
			} else {
				for _, k := range keysOf(self, sv) {
					v, _ := sv.GetItem(k)
					out = append(out, v.Interface())
				}
			}
			if out == nil {
				out = []any{}
			}
			return out, nil
		},
		"items": func(self map[string]any, sv *exec.Value, _ *exec.VarArgs) (any, error) {
			var out []any
			if d, ok := sv.Interface().(*exec.Dict); ok {
				keys, vals := dictEntries(d)
				for i, k := range keys {
					out = append(out, []any{k, vals[i].Interface()})
				}
			} else {
				for _, k := range keysOf(self, sv) {
					v, _ := sv.GetItem(k)
					out = append(out, []any{k, v.Interface()})
				}
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
				if tooDeep(v.Interface()) {
					return errTooDeep
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

// dictSelf is the dict sv as a Go map, for the methods that list its keys.
func dictSelf(sv *exec.Value) map[string]any {
	d, _ := toGo(sv).(map[string]any)
	if d == nil {
		d = map[string]any{}
	}
	return d
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
	return methodCall(e, obj, name, call, target)
}

// methodCall is methodFn with its arguments taken apart: call holds the method's own
// arguments and target the variable obj was read from, if any.
func methodCall(e *exec.Evaluator, obj *exec.Value, name string, call *exec.VarArgs, target string) *exec.Value {
	expandSplat(call) // keyword arguments passed in written order (orderedKwargs)
	if obj.IsError() {
		return obj
	}
	if !obj.IsNil() {
		attr, found, ok := dictKey(obj, name)
		if !ok && !listMethodName(obj, name) {
			attr, found = obj.GetAttribute(name)
			if !found && !attr.IsError() {
				attr, found = obj.GetItem(name)
			}
		}
		if found && attr.IsCallable() {
			return callValue(e, attr, call)
		}
	}
	methods := e.Environment.Methods
	var (
		res   any
		err   error
		found = true
	)
	before := obj.Interface()
	switch {
	case obj.IsString():
		var m exec.Method[string]
		if m, found = methods.Str.Get(name); found {
			res, err = m(obj.String(), obj, call)
		}
	case obj.IsBool():
		var m exec.Method[bool]
		if m, found = methods.Bool.Get(name); found {
			res, err = m(obj.Bool(), obj, call)
		}
	case obj.IsFloat():
		var m exec.Method[float64]
		if m, found = methods.Float.Get(name); found {
			res, err = m(obj.Float(), obj, call)
		}
	case obj.IsInteger():
		var m exec.Method[int]
		if m, found = methods.Int.Get(name); found {
			res, err = m(obj.Integer(), obj, call)
		}
	case obj.IsDict():
		if name == "get" && len(call.Args) > 0 && call.Args[0].IsString() {
			readsCredential(e, obj, call.Args[0].String())
		}
		var m exec.Method[map[string]any]
		if m, found = methods.Dict.Get(name); found {
			// The dict methods read the value itself (sv), never a converted copy: converting
			// the whole dict for one .get() cost more than the call.
			res, err = m(nil, obj, call)
		}
	case obj.IsList():
		var m exec.Method[[]any]
		if m, found = methods.List.Get(name); found {
			res, err = m(toList(obj), obj, call)
		}
	default:
		found = false
	}
	if !found {
		err = fmt.Errorf("%s has no method %s", typeName(obj), name)
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
	switch x := v.Interface().(type) {
	case *pyDatetime:
		if x.dateOnly {
			return "a date"
		}
		return "a datetime"
	case *pyTimedelta:
		return "a timedelta"
	}
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

// getattrFn is a.b: an attribute, else an item of that name, else none (Jinja's undefined,
// also for an attribute of none).
func getattrFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	if len(va.Args) != 2 {
		return exec.AsValue(nil)
	}
	return getattr(e, va.Args[0], va.Args[1].String())
}

// getattr is getattrFn of obj and name.
func getattr(e *exec.Evaluator, obj *exec.Value, name string) *exec.Value {
	if obj.IsError() {
		return obj
	}
	if obj.IsNil() {
		return exec.AsValue(nil)
	}
	if v, found, ok := dictKey(obj, name); ok {
		if found {
			return v
		}
	} else {
		if v, found := obj.GetAttribute(name); found {
			return v
		}
		if v, found := obj.GetItem(name); found {
			return v
		}
	}
	readsCredential(e, obj, name)
	return exec.AsValue(nil)
}

// dictEntries are the keys of a dict literal in order, each with the value a lookup of it
// gives: the first pair's of that key, as gonja's GetItem finds it (a literal may repeat a
// key). It reads the pairs once, where looking each key up scans them all again.
func dictEntries(d *exec.Dict) ([]string, []*exec.Value) {
	keys := make([]string, len(d.Pairs))
	vals := make([]*exec.Value, len(d.Pairs))
	var first map[string]int
	if len(d.Pairs) > 16 {
		first = make(map[string]int, len(d.Pairs))
	}
	for i, p := range d.Pairs {
		k := p.Key.String()
		keys[i], vals[i] = k, p.Value
		if first != nil {
			if j, seen := first[k]; seen {
				vals[i] = vals[j]
			} else {
				first[k] = i
			}
			continue
		}
		for j := 0; j < i; j++ {
			if keys[j] == k {
				vals[i] = vals[j]
				break
			}
		}
	}
	return keys, vals
}

// listMethodName reports whether obj is a list and name lower-case: a list has no attribute
// or item by such a name, so the name can only be one of the methods of lists.
func listMethodName(obj *exec.Value, name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	switch obj.Interface().(type) {
	case *[]any, []any:
		return true
	}
	return false
}

// dictKey is gonja's GetAttribute then GetItem of a lower-case name on a dict literal's or a
// plain map's value, without the reflection: neither type has a method, field or tag by a
// name that does not start with an upper-case letter, so only the item can be found. ok is
// false for any other value or name.
func dictKey(obj *exec.Value, name string) (v *exec.Value, found, ok bool) {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return nil, false, false
	}
	switch d := obj.Interface().(type) {
	case *exec.Dict:
		for _, p := range d.Pairs {
			if p.Key.String() == name {
				return p.Value, true, true
			}
		}
		return nil, false, true
	case map[string]any:
		x, found := d[name]
		if !found {
			return nil, false, true
		}
		// (as gonja's ToValue of the map's entry: a *exec.Value stored there comes back copied)
		return exec.ToValue(reflect.ValueOf(x)), true, true
	}
	return nil, false, false
}

// getitemFn is a[k] (and a.0): an item, else for a string key an attribute, else none.
func getitemFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	if len(va.Args) != 2 {
		return exec.AsValue(nil)
	}
	obj, key := va.Args[0], va.Args[1]
	if obj.IsError() {
		return obj
	}
	if key.IsError() {
		return key
	}
	if obj.IsNil() {
		return exec.AsValue(nil)
	}
	var k any
	switch {
	case key.IsString():
		k = key.String()
	case key.IsInteger():
		k = key.Integer()
	case key.IsFloat() && key.Float() == float64(int(key.Float())):
		k = int(key.Float())
	default:
		return exec.AsValue(nil)
	}
	if _, ok := obj.Interface().(contextNS); ok {
		if s, ok := k.(string); ok {
			if v, found := contextLookup(e, s); found {
				return v
			}
		}
		return exec.AsValue(nil)
	}
	if v, found := obj.GetItem(k); found {
		return v
	}
	if s, ok := k.(string); ok {
		if v, found := obj.GetAttribute(s); found {
			return v
		}
		readsCredential(e, obj, s)
	}
	return exec.AsValue(nil)
}

func sortedValues(m map[string]*exec.Value) []*exec.Value {
	out := make([]*exec.Value, 0, len(m))
	for _, k := range sortedValueKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// formatArgs gives str.format its arguments as Python's format() sees them: gonja formats
// strings, numbers and booleans only, where Python prints anything else with str() (None, a
// list, `this`: automate_dv names the model in its errors with "'{}'".format(this)).
func formatArgs(va *exec.VarArgs) *exec.VarArgs {
	conv := func(v *exec.Value) *exec.Value {
		switch {
		case v.IsString():
			// A string a method returned is of another Go type than a literal's, which
			// the formatter refuses: 'trim({})'.format('x{}'.format(a)).
			return exec.AsValue(v.String())
		case scalar(v) && !v.IsNil():
			return v
		}
		return exec.AsValue(pyStr(v))
	}
	out := &exec.VarArgs{Args: make([]*exec.Value, len(va.Args)), KwArgs: make(map[string]*exec.Value, len(va.KwArgs))}
	for i, a := range va.Args {
		out.Args[i] = conv(a)
	}
	for k, a := range va.KwArgs {
		out.KwArgs[k] = conv(a)
	}
	return out
}
