package jinja

import "github.com/nikolalohinski/gonja/v2/exec"

// undefinedArg is a macro parameter the call left out and that has no default. Jinja binds it
// to Undefined, which is not None: `is none` is false, `is defined` false, it prints as
// nothing, is false, and iterates as an empty sequence (`is iterable` is true). AutomateDV's
// is_something(obj) calls is_list() without its argument and counts on the last. Its type is
// an empty array so that gonja's truth, length and iteration treat it that way.
type undefinedArg [0]struct{}

func (undefinedArg) String() string { return "" }

// undefinedValue says whether v is what Jinja calls undefined: a name nothing binds (gonja
// gives nil, which None is too), a stub for an unknown macro, or a left-out parameter.
func undefinedValue(v *exec.Value) bool {
	if v.IsNil() || v.IsError() {
		return true
	}
	switch v.Interface().(type) {
	case stubFn, undefinedArg:
		return true
	}
	return false
}
