package jinja

import (
	"reflect"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// In Python a function is true, and dbt code tests macros for truth to pick the one that
// exists: `{% set m = dbt.current_timestamp_backcompat or dbt_utils.current_timestamp %}
// {% if not m %}…error…{% endif %}`. gonja holds a function false (and `not f` true), so the
// tree rewrite routes the operand of `not`, the left operand of `and` and `or`, and the
// conditions of `if`, `elif` and `for … if` through truthFn, which hands a function over
// wrapped in a truthyFunc (a struct, which gonja holds true). `and` and `or` give back an
// operand, so their result goes through untruthFn, which unwraps it. A name no package
// defines (a stub) stays false, as Jinja's undefined is.
type truthyFunc struct{ fn *exec.Value }

func isTrueFunc(v *exec.Value) bool {
	if v == nil || !v.Val.IsValid() || v.Val.Kind() != reflect.Func || v.Val.IsNil() {
		return false
	}
	_, stub := v.Val.Interface().(stubFn)
	return !stub
}

// pyTrue is Python's truth of a value, for the tests of truth outside gonja's evaluator.
func pyTrue(v *exec.Value) bool { return v.IsTrue() || isTrueFunc(v) }

func truthFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	if len(va.Args) != 1 {
		return exec.AsValue(nil)
	}
	if v := va.Args[0]; isTrueFunc(v) {
		return exec.AsValue(&truthyFunc{fn: v})
	}
	return va.Args[0]
}

func untruthFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	if len(va.Args) != 1 {
		return exec.AsValue(nil)
	}
	if t, ok := va.Args[0].Interface().(*truthyFunc); ok {
		return t.fn
	}
	return va.Args[0]
}

const truthName = "dataops truth"

// truthOf wraps a condition in truthFn, once.
func truthOf(at *tokens.Token, cond nodes.Expression) nodes.Expression {
	if cond == nil || isTruthCall(cond) {
		return cond
	}
	if at == nil {
		at = nodeToken(cond)
	}
	return builtinCall(at, truthName, cond)
}

// nodeToken is n's position, or nil when gonja's parser left the node incomplete: it accepts
// "{% if in %}" as a test expression with no operand, whose Position dereferences nil.
func nodeToken(n nodes.Node) (at *tokens.Token) {
	defer func() {
		if recover() != nil {
			at = nil
		}
	}()
	return n.Position()
}

func isTruthCall(n nodes.Expression) bool {
	c, ok := n.(*nodes.Call)
	if !ok {
		return false
	}
	name, ok := c.Func.(*nodes.Name)
	return ok && name.Name != nil && name.Name.Val == truthName
}
