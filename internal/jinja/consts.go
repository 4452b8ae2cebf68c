package jinja

import (
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// A list or dict literal made only of literals (a package's table of settings, a list of
// column names) is built once, when its template is compiled, and each evaluation hands out
// a copy of it: lists and dicts are mutable, but copying one is a fraction of evaluating its
// every key and value and building it again. A macro returning a table of a few hundred
// settings, called for every lookup of one of them, spent most of its time there.
//
// The built values wait in constValues under a number the call carries as its argument;
// each is dropped when the call node it belongs to is collected with its template.
var (
	constValues sync.Map // uint64 -> *exec.Value
	constSeq    atomic.Uint64
)

const constName = "dataops const"

// maxConstDepth bounds the nesting of the literals built ahead (deeper ones are rare and
// stay on the ordinary path, with its limit on nesting).
const maxConstDepth = 8

// constLiteral returns the call giving a copy of the value of n, or nil when n is not a
// literal list or dict of literals.
func constLiteral(at *tokens.Token, n nodes.Expression) *nodes.Call {
	v, ok := literalValue(n, 0)
	if !ok {
		return nil
	}
	id := constSeq.Add(1)
	constValues.Store(id, v)
	// The argument prints as the literal's items did, so that a message quoting an
	// expression around the literal reads as before (gonja prints a call with its arguments).
	text := &tokens.Token{Type: tokens.Integer, Val: literalText(n)}
	if at != nil {
		text.Pos, text.Line, text.Col = at.Pos, at.Line, at.Col
	}
	call := builtinCall(at, constName, &nodes.Integer{Location: text, Val: int(id)})
	runtime.AddCleanup(call, func(id uint64) { constValues.Delete(id) }, id)
	return call
}

// literalValue is the value of a literal expression as listFn and dictFn build it.
func literalValue(n nodes.Expression, depth int) (*exec.Value, bool) {
	if depth > maxConstDepth {
		return nil, false
	}
	switch x := n.(type) {
	case *nodes.String:
		return exec.AsValue(x.Val), true
	case *nodes.Integer:
		return exec.AsValue(x.Val), true
	case *nodes.Float:
		return exec.AsValue(x.Val), true
	case *nodes.Bool:
		return exec.AsValue(x.Val), true
	case *nodes.None:
		return exec.AsValue(nil), true
	case *nodes.List:
		va := &exec.VarArgs{Args: make([]*exec.Value, 0, len(x.Val)), KwArgs: map[string]*exec.Value{}}
		for _, item := range x.Val {
			v, ok := literalValue(item, depth+1)
			if !ok {
				return nil, false
			}
			va.Args = append(va.Args, v)
		}
		return listFn(nil, va), true
	case *nodes.Dict:
		va := &exec.VarArgs{Args: make([]*exec.Value, 0, 2*len(x.Pairs)), KwArgs: map[string]*exec.Value{}}
		for _, p := range x.Pairs {
			k, ok := literalValue(p.Key, depth+1)
			if !ok {
				return nil, false
			}
			v, ok := literalValue(p.Value, depth+1)
			if !ok {
				return nil, false
			}
			va.Args = append(va.Args, k, v)
		}
		return dictFn(nil, va), true
	}
	return nil, false
}

// literalText is how the arguments of the call of listFn or dictFn that n would have become
// print, without the brackets.
func literalText(n nodes.Expression) string {
	var items []nodes.Expression
	switch x := n.(type) {
	case *nodes.List:
		items = x.Val
	case *nodes.Dict:
		for _, p := range x.Pairs {
			items = append(items, p.Key, p.Value)
		}
	}
	parts := make([]string, len(items))
	for i, item := range items {
		switch item.(type) {
		case *nodes.List, *nodes.Dict:
			parts[i] = "call([" + literalText(item) + "], map[])"
		default:
			parts[i] = item.String()
		}
	}
	return strings.Join(parts, " ")
}

// constFn is the value of a literal built ahead: a copy, so that changing it (append,
// update) changes only this evaluation's list or dict.
func constFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	if len(va.Args) != 1 {
		return exec.AsValue(nil)
	}
	v, ok := constValues.Load(uint64(va.Args[0].Integer()))
	if !ok {
		return exec.AsValue(nil)
	}
	return copyConstValue(v.(*exec.Value))
}

func copyConstValue(v *exec.Value) *exec.Value {
	out := &exec.Value{}
	copyConstInto(out, v)
	return out
}

func copyConstInto(out, v *exec.Value) {
	*out = exec.Value{Val: v.Val, Safe: v.Safe}
	if v.Val.IsValid() {
		switch x := v.Val.Interface().(type) {
		case *exec.Dict, *[]any:
			out.Val = reflect.ValueOf(copyConst(x))
		}
	}
}

// copyConst copies the lists and dicts of a literal's value; strings, numbers, booleans and
// none are immutable and shared.
func copyConst(v any) any {
	switch x := v.(type) {
	case *exec.Dict:
		// The pairs and their keys and values are allocated together: a settings table of a
		// few hundred entries is copied on every call of the macro holding it.
		d := &exec.Dict{Pairs: make([]*exec.Pair, len(x.Pairs))}
		pairs := make([]exec.Pair, len(x.Pairs))
		vals := make([]exec.Value, 2*len(x.Pairs))
		for i, p := range x.Pairs {
			k, v := &vals[2*i], &vals[2*i+1]
			copyConstInto(k, p.Key)
			copyConstInto(v, p.Value)
			pairs[i] = exec.Pair{Key: k, Value: v}
			d.Pairs[i] = &pairs[i]
		}
		return d
	case *[]any:
		out := make([]any, len(*x))
		for i, e := range *x {
			out[i] = copyConst(e)
		}
		return &out
	}
	return v
}
