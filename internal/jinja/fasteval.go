package jinja

import (
	"cmp"
	"fmt"
	"reflect"
	"unsafe"

	controlStructures "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// eval evaluates an expression as gonja's Evaluator.Eval does, with the same values and the
// same error messages, but calls our functions (the builtins the tree rewrite puts in place
// of attribute lookups, methods, literals and operators, and macros) directly: gonja calls
// every function through reflection, allocating its arguments four times over and naming the
// function from its program counter on every call, which made calls most of a render's
// time. Names, literals, `not`, comparisons, `and`, `or` and `in` are evaluated here so that
// the calls beneath them stay on this path; any other expression, and a call of anything but
// our callable type, is gonja's.
func eval(e *exec.Evaluator, n nodes.Expression) *exec.Value {
	if !directEval {
		return e.Eval(n)
	}
	switch x := n.(type) {
	case *nodes.String:
		return exec.AsValue(x.Val)
	case *nodes.Integer:
		return exec.AsValue(x.Val)
	case *nodes.Bool:
		return exec.AsValue(x.Val)
	case *nodes.None:
		return exec.AsValue(nil)
	case *nodes.Name:
		return evalName(e, x)
	case *nodes.Call:
		if v := evalCall(e, x); v != nil {
			return v
		}
	case *nodes.Negation:
		v := eval(e, x.Term)
		if v.IsError() {
			return v
		}
		return v.Negate()
	case *nodes.BinaryExpression:
		if v := evalBinary(e, x); v != nil {
			return v
		}
	case *nodes.TestExpression:
		// gonja's EvalTest (which passes an operand that failed on to the test)
		return e.ExecuteTest(x.Test, eval(e, x.Expression))
	case *nodes.FilteredExpression:
		v := eval(e, x.Expression)
		for _, f := range x.Filters {
			v = e.ExecuteFilter(f, v)
			if v.IsError() {
				return exec.AsValue(fmt.Errorf("unable to evaluate filter %s: %w", f, v))
			}
		}
		return v
	}
	return e.Eval(n)
}

// directEval is off only in tests that compare eval with gonja's evaluator.
var directEval = true

// evalName is gonja's lookup of a name.
func evalName(e *exec.Evaluator, n *nodes.Name) *exec.Value {
	if fn, ok := internalFns[n.Name.Val]; ok {
		// No template can bind a name with a space, so these are always the base context's.
		return exec.ToValue(fn)
	}
	v, ok := e.Environment.Context.Get(n.Name.Val)
	if !ok && e.Config.StrictUndefined {
		return e.Eval(n)
	}
	return exec.ToValue(v)
}

// evalCall is gonja's evalCall for a function of our callable type named by a name; nil
// for any other call.
func evalCall(e *exec.Evaluator, n *nodes.Call) *exec.Value {
	name, ok := n.Func.(*nodes.Name)
	if !ok {
		return nil
	}
	var fn callable
	if f, ok := internalFns[name.Name.Val]; ok {
		fn = f
	} else {
		v, found := e.Environment.Context.Get(name.Name.Val)
		if !found {
			return nil
		}
		if fn, ok = v.(callable); !ok || fn == nil {
			return nil
		}
	}
	var rv *exec.Value
	switch {
	case name.Name.Val == "dataops getattr" && len(n.Args) == 2 && len(n.Kwargs) == 0 && isString(n.Args[1]):
		// a.b, the commonest call, without building its arguments.
		obj := eval(e, n.Args[0])
		if obj.IsError() {
			return paramError(obj)
		}
		rv = getattr(e, obj, n.Args[1].(*nodes.String).Val)
	case name.Name.Val == "dataops method" && len(n.Args) >= 2 && isString(n.Args[1]):
		// obj.name(args): the method's own arguments built once, not twice.
		obj := eval(e, n.Args[0])
		if obj.IsError() {
			return paramError(obj)
		}
		call := &exec.VarArgs{Args: make([]*exec.Value, 0, len(n.Args)-2), KwArgs: make(map[string]*exec.Value, len(n.Kwargs))}
		for _, a := range n.Args[2:] {
			v := eval(e, a)
			if v.IsError() {
				return paramError(v)
			}
			call.Args = append(call.Args, v)
		}
		target := ""
		for k, a := range n.Kwargs {
			v := eval(e, a)
			if v.IsError() {
				return paramError(v)
			}
			if k == methodTarget {
				target = v.String()
				continue
			}
			call.KwArgs[k] = v
		}
		rv = methodCall(e, obj, n.Args[1].(*nodes.String).Val, call, target)
	default:
		va := &exec.VarArgs{Args: make([]*exec.Value, 0, len(n.Args))}
		if len(n.Kwargs) > 0 {
			// (none of our functions adds keyword arguments to the ones it was given)
			va.KwArgs = make(map[string]*exec.Value, len(n.Kwargs))
		}
		for _, a := range n.Args {
			v := eval(e, a)
			if v.IsError() {
				return paramError(v)
			}
			va.Args = append(va.Args, v)
		}
		for k, a := range n.Kwargs {
			v := eval(e, a)
			if v.IsError() {
				return paramError(v)
			}
			va.KwArgs[k] = v
		}
		rv = fn(e, va)
	}
	if !rv.Val.IsValid() {
		return exec.AsValue(nil)
	}
	// gonja hands back a copy of the value, and names the function in any error it gives.
	out := &exec.Value{Val: rv.Val, Safe: rv.Safe}
	if out.IsError() {
		if err, ok := out.Interface().(exec.ErrInvalidCall); ok {
			return exec.AsValue(fmt.Errorf("invalid call to function '%s': %s", name.Name.Val, err.Error()))
		}
	}
	return out
}

func isString(n nodes.Expression) bool {
	_, ok := n.(*nodes.String)
	return ok
}

// paramError is gonja's error for a call whose argument failed.
func paramError(v *exec.Value) *exec.Value {
	return exec.AsValue(fmt.Errorf("unable to evaluate parameters: %w", v))
}

// evalBinary is gonja's evalBinaryExpression for the operators a condition uses; nil for any
// other operator.
func evalBinary(e *exec.Evaluator, n *nodes.BinaryExpression) *exec.Value {
	op := n.Operator.Token.Type
	switch op {
	case tokens.And, tokens.Or, tokens.Equals, tokens.Ne, tokens.In,
		tokens.LowerThan, tokens.LowerThanOrEqual, tokens.GreaterThan, tokens.GreaterThanOrEqual:
	default:
		return nil
	}
	left := eval(e, n.Left)
	if left.IsError() {
		return exec.AsValue(fmt.Errorf("Unable to evaluate left parameter %s: %w", n.Left, left))
	}
	var right *exec.Value
	switch n.Operator.Token.Val {
	case "and", "or":
	default:
		right = eval(e, n.Right)
		if right.IsError() {
			return exec.AsValue(fmt.Errorf("Unable to evaluate right parameter %s: %w", n.Right, right))
		}
	}
	switch op {
	case tokens.And, tokens.Or:
		if left.IsTrue() == (op == tokens.Or) {
			return left
		}
		if right == nil {
			right = eval(e, n.Right)
		}
		if right.IsError() {
			return exec.AsValue(fmt.Errorf("Unable to evaluate right parameter %s: %w", n.Right, right))
		}
		return right
	case tokens.Equals:
		return exec.AsValue(left.EqualValueTo(right))
	case tokens.Ne:
		return exec.AsValue(!left.EqualValueTo(right))
	case tokens.In:
		return exec.AsValue(right.Contains(left))
	}
	switch {
	case left.IsFloat() || right.IsFloat():
		return exec.AsValue(compare(op, left.Float(), right.Float()))
	case left.IsString() || right.IsString():
		return exec.AsValue(compare(op, left.String(), right.String()))
	}
	return exec.AsValue(compare(op, left.Integer(), right.Integer()))
}

func compare[T cmp.Ordered](op tokens.Type, l, r T) bool {
	switch op {
	case tokens.LowerThan:
		return l < r
	case tokens.LowerThanOrEqual:
		return l <= r
	case tokens.GreaterThan:
		return l > r
	}
	return l >= r
}

// evalR is eval with a renderer's evaluator.
func evalR(r *exec.Renderer, n nodes.Expression) *exec.Value { return eval(r.Evaluator(), n) }

// doCS is {% do %} through eval.
type doCS struct {
	f *controlStructures.DoControlStructure
}

func (c *doCS) Position() *tokens.Token { return c.f.Position() }
func (c *doCS) String() string          { return c.f.String() }

func (c *doCS) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	if v := evalR(r, c.f.Expression); v.IsError() {
		return v
	}
	return nil
}

// setCS is {% set name = expr %} (also with `if ... else ...`) through eval; a block set or
// a set of an attribute or item stays gonja's. gonja keeps the parts unexported: they are
// read at the offsets of its struct's fields.
type setCS struct {
	f *controlStructures.SetControlStructure
}

var setFields = func() (off struct{ target, expression, condition, alternative, body uintptr }) {
	t := reflect.TypeFor[controlStructures.SetControlStructure]()
	for _, f := range []struct {
		name string
		to   *uintptr
	}{{"target", &off.target}, {"expression", &off.expression}, {"condition", &off.condition}, {"alternative", &off.alternative}, {"body", &off.body}} {
		sf, ok := t.FieldByName(f.name)
		if !ok {
			panic("gonja's SetControlStructure has no field " + f.name)
		}
		*f.to = sf.Offset
	}
	return off
}()

func setExpr(f *controlStructures.SetControlStructure, off uintptr) nodes.Expression {
	return *(*nodes.Expression)(unsafe.Add(unsafe.Pointer(f), off))
}

// simpleSet reports whether a set is one setCS runs.
func simpleSet(f *controlStructures.SetControlStructure) bool {
	if *(**nodes.Wrapper)(unsafe.Add(unsafe.Pointer(f), setFields.body)) != nil {
		return false
	}
	_, ok := setExpr(f, setFields.target).(*nodes.Name)
	return ok && setExpr(f, setFields.expression) != nil
}

func (c *setCS) Position() *tokens.Token { return c.f.Position() }
func (c *setCS) String() string          { return c.f.String() }

func (c *setCS) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	e := r.Evaluator()
	expr := setExpr(c.f, setFields.expression)
	cond, alt := setExpr(c.f, setFields.condition), setExpr(c.f, setFields.alternative)
	var v *exec.Value
	if cond != nil && alt != nil {
		cv := eval(e, cond)
		if cv.IsError() {
			return cv
		}
		if !cv.IsNil() && cv.IsTrue() {
			v = eval(e, expr)
		} else {
			v = eval(e, alt)
		}
	} else {
		v = eval(e, expr)
	}
	if v.IsError() {
		return v
	}
	r.Environment.Context.Set(setExpr(c.f, setFields.target).(*nodes.Name).Name.Val, v.Interface())
	return nil
}
