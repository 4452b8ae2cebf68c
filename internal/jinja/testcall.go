package jinja

import (
	"fmt"
	"maps"
	"slices"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// RenderTest renders a generic test into SQL: the test's macro (`{% test not_null %}`,
// `dbt_utils.expression_is_true`, ...) called with args, as dbt does when it compiles a
// test node. String arguments that hold Jinja are rendered first, as dbt renders test
// arguments (`model: "{{ get_where_subquery(ref('orders')) }}"`). in supplies the path for
// messages, the package, the resolver and the rest of the render's context; its Source is
// ignored.
func (e *Env) RenderTest(name string, args map[string]any, in Input) *Result {
	m, ok := e.TestMacro(name)
	if !ok {
		res := &Result{Output: "", Config: copyMap(in.Config), Map: &OffsetMap{}}
		res.Err = fmt.Errorf("%s: unknown generic test %q", in.Path, name)
		res.Warnings = []Diagnostic{{Path: in.Path, Pos: Position{Line: 1, Column: 1}, Kind: "unknown-macro", Message: fmt.Sprintf("generic test %q is not defined", name)}}
		return res
	}
	globals := map[string]any{"__dataops_test_args": args}
	for k, v := range in.Globals {
		globals[k] = v
	}
	in.Globals = globals
	in.Source = "{{ " + m.Package + "." + m.Name + "(**__dataops_prepare(__dataops_test_args)) }}"
	return e.Render(in)
}

// prepareArgsFn renders the Jinja held in string arguments (one level deep, as dbt does for
// test arguments) and returns the arguments as a dict.
func prepareArgsFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	d := exec.NewDict()
	if len(va.Args) == 0 {
		return exec.AsValue(d)
	}
	st := stateOfEval(e)
	m, _ := va.Args[0].Interface().(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := exec.AsValue(m[k])
		if s, ok := m[k].(string); ok && st != nil && hasJinja(s) {
			v = st.renderInline(e, s)
		}
		d.Pairs = append(d.Pairs, &exec.Pair{Key: exec.AsValue(k), Value: v})
	}
	return exec.AsValue(d)
}
