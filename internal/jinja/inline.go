package jinja

import (
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// inlineTemplate returns the compiled form of a short template held in a value (a var, a
// config value), compiling each distinct text once per Env.
func (e *Env) inlineTemplate(src string, tools *toolset) (*fileInfo, *Diagnostic) {
	if f, ok := e.inline.Load(src); ok {
		return f.(*fileInfo), nil
	}
	f, d := e.compileFile(inlinePath, "", src, tools, false)
	if d != nil {
		return nil, d
	}
	e.inline.Store(src, f)
	return f, nil
}

// inlinePath names values rendered as templates; their diagnostics are reported where the
// value was used (see renderState.warnAt).
const inlinePath = "<inline>"

// hasJinja reports whether a string holds template syntax.
func hasJinja(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%")
}

// renderInline renders a string value as a template in the caller's context, as dbt does with
// vars whose values hold Jinja (`account: "{{ source('stripe', 'account') }}"`): the refs and
// sources it makes count for the template being rendered.
func (st *renderState) renderInline(ev *exec.Evaluator, src string) *exec.Value {
	f, d := st.env.inlineTemplate(src, st.ctxs.tools)
	if d != nil {
		st.warnHere("syntax", "in "+quoteShort(src)+": "+d.Message)
		return exec.AsValue(src)
	}
	if len(st.frames) > st.env.limits.MaxDepth {
		st.limitExceeded("values rendering each other deeper than %d", st.env.limits.MaxDepth)
		return exec.AsValue(errAborted)
	}
	out := &boundedBuffer{st: st}
	r := &exec.Renderer{
		Config:      st.env.cfg,
		Environment: st.ctxs.tools.environment(ev.Environment.Context.Inherit()),
		Loader:      st.env.loader,
		Template:    st.env.shell,
		RootNode:    f.root,
		Output:      out,
	}
	if st.curFile == nil || st.curFile.path != inlinePath {
		st.inlineFrom = append(st.inlineFrom, inlineCaller{st.curFile, st.curPos})
		defer func() { st.inlineFrom = st.inlineFrom[:len(st.inlineFrom)-1] }()
	}
	fr := &frame{}
	st.frames = append(st.frames, fr)
	err := r.Execute()
	st.frames = st.frames[:len(st.frames)-1]
	if fr.returned {
		return fr.value
	}
	if err != nil && st.abort == nil {
		st.warnHere("render-error", "in "+quoteShort(src)+": "+errorMessage(err))
	}
	return exec.AsValue(out.String())
}

// inlineCaller is where a value rendered as a template was used (a var() call).
type inlineCaller struct {
	file *fileInfo
	pos  int
}

func quoteShort(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return "'" + s + "'"
}
