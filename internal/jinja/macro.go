package jinja

import (
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
)

// callable is every function templates call that we implement: macros, dbt's builtins and
// adapter methods. gonja passes the evaluator, through which a shared function finds the
// render it serves (see stateOfEval).
type callable func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value

// callable of a package macro: it runs in the package's scope for the current render.
func (d *macroDef) callable() callable {
	return func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		st := stateOfEval(e)
		if st == nil {
			return exec.AsValue(fmt.Errorf("macro %s called outside of a render", d.Name))
		}
		st.usedMacro(d.UniqueID)
		d.file.ensure()
		if d.node == nil {
			return exec.AsValue(notCompiled(d))
		}
		return st.invoke(d.node, st.renderer(d.Package), va, d.file)
	}
}

// invoke runs a macro body with arguments bound the way Jinja binds them. Unknown keyword
// arguments and extra positional ones go to `kwargs` and `varargs` instead of failing, since a
// render must go on. return(x) inside the body makes x the call's value.
func (st *renderState) invoke(m *nodes.Macro, def *exec.Renderer, va *exec.VarArgs, f *fileInfo) *exec.Value {
	if st.abort != nil {
		return exec.AsValue(errAborted)
	}
	if len(st.frames) > st.env.limits.MaxDepth {
		st.limitExceeded("macro calls nested deeper than %d (recursive macro %s?)", st.env.limits.MaxDepth, m.Name)
		return exec.AsValue(errAborted)
	}
	if va == nil {
		va = exec.NewVarArgs()
	}
	sub := child(def)
	out := &boundedBuffer{st: st}
	// What the body writes counts against the render's writes (see trackedNode.Execute,
	// which would otherwise wrap the buffer for each statement).
	sub.Output = &countingWriter{w: out, st: st}
	ctx := sub.Environment.Context

	bound := make([]bool, len(m.Kwargs))
	names := make([]string, len(m.Kwargs))
	for i, kw := range m.Kwargs {
		if s, ok := kw.Key.(*nodes.String); ok {
			names[i] = s.Val
		}
	}
	var varargs []any
	for i, a := range va.Args {
		if i < len(names) {
			ctx.Set(names[i], a)
			bound[i] = true
			continue
		}
		varargs = append(varargs, a.Interface())
	}
	kwargs := exec.NewDict()
	var caller any
	for key, a := range va.KwArgs {
		if key == "caller" {
			caller = a.Interface()
			continue
		}
		matched := false
		for i, n := range names {
			if n == key {
				ctx.Set(n, a)
				bound[i] = true
				matched = true
				break
			}
		}
		if !matched {
			kwargs.Pairs = append(kwargs.Pairs, &exec.Pair{Key: exec.AsValue(key), Value: a})
		}
	}
	for i, kw := range m.Kwargs {
		if bound[i] {
			continue
		}
		if n, ok := kw.Value.(*nodes.None); ok && n.Location != nil && n.Location.Val == names[i] {
			// No default: the parser stood the parameter's own name in for one (tags.go).
			ctx.Set(names[i], undefinedArg{})
			continue
		}
		v := evalR(sub, kw.Value)
		if v.IsError() {
			v = exec.AsValue(nil)
		}
		ctx.Set(names[i], v)
	}
	if varargs == nil {
		varargs = []any{}
	}
	ctx.Set("varargs", &varargs)
	ctx.Set("kwargs", kwargs)
	if caller == nil {
		caller = emptyCaller
	}
	ctx.Set("caller", caller)

	fr := &frame{}
	st.frames = append(st.frames, fr)
	err := nodes.Walk(sub, m.Wrapper)
	st.frames = st.frames[:len(st.frames)-1]
	if fr.returned {
		if fr.value == nil {
			return exec.AsValue(nil)
		}
		return fr.value
	}
	if st.abort != nil {
		return exec.AsValue(errAborted)
	}
	if err != nil && !isLoopControl(err) {
		st.warnAt(f, m.Location.Pos, "render-error", fmt.Sprintf("macro %s: %s", m.Name, errorMessage(err)))
	}
	return exec.AsSafeValue(out.String())
}

// emptyCaller stands in for caller() in a macro not invoked through {% call %}.
var emptyCaller = callable(func(*exec.Evaluator, *exec.VarArgs) *exec.Value { return exec.AsSafeValue("") })

// returnFn is dbt's return(): it hands the value to the innermost macro call. The statements
// after it are skipped (see trackedNode.Execute) rather than unwound with an error: gonja wraps
// errors with a stack trace at every level, which made return() the most expensive thing in
// a render.
func returnFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOfEval(e)
	if st == nil || len(st.frames) == 0 {
		return exec.AsValue("")
	}
	fr := st.frames[len(st.frames)-1]
	fr.returned = true
	if len(va.Args) > 0 {
		fr.value = va.Args[0]
	} else {
		fr.value = exec.AsValue(nil)
	}
	return exec.AsValue("")
}

// namespace is a package seen from templates: `dbt_utils.star`, `my_project.cents_to_dollars`.
type namespace struct {
	env *Env
	pkg string
}

func (n *namespace) String() string { return n.pkg }

func (n *namespace) GetAttribute(name string) (*exec.Value, bool) {
	if d := n.env.byPkg[n.pkg][name]; d != nil {
		return exec.AsValue(d.fn), true
	}
	if n.pkg == "dbt" {
		if fn, ok := n.env.dbtMacro(name); ok {
			return exec.AsValue(fn), true
		}
	}
	return exec.AsValue(newStub(&stubInfo{name: n.pkg + "." + name})), true
}

func (n *namespace) GetItem(key any) (*exec.Value, bool) {
	if s, ok := key.(string); ok {
		return n.GetAttribute(s)
	}
	return exec.AsValue(nil), false
}

// fileNamespace is what `{% import 'macros/x.sql' as x %}` binds: the macros of one file.
type fileNamespace struct {
	env  *Env
	file *fileInfo
}

func (n *fileNamespace) String() string { return n.file.path }

func (n *fileNamespace) GetAttribute(name string) (*exec.Value, bool) {
	if d := n.env.byPkg[n.file.pkg][name]; d != nil && d.file == n.file {
		return exec.AsValue(d.fn), true
	}
	return exec.AsValue(newStub(&stubInfo{name: n.file.path + ":" + name, file: n.file})), true
}

func (n *fileNamespace) GetItem(key any) (*exec.Value, bool) {
	if s, ok := key.(string); ok {
		return n.GetAttribute(s)
	}
	return exec.AsValue(nil), false
}
