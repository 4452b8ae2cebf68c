package jinja

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// stateKey is the context name under which every render keeps its state. Builtins shared by
// all renders (ref, config, var, ...) find the render they serve through it. Internal names
// contain a space, so no template can name them.
const stateKey = "dataops render"

// pkgKey names the package whose code is running (for var() scoping and dispatch).
const pkgKey = "dataops package"

// errAborted stops a render that went past a limit; the reason is in renderState.abort.
var errAborted = errors.New("render aborted")

// renderState is everything one render collects. A render runs on one goroutine, so nothing
// here is locked.
type renderState struct {
	env   *Env
	in    *Input
	model *fileInfo
	ctxs  *contextSet

	refs       []Ref
	sources    []SourceRef
	named      []namedRelation // relations asked for by ref() and source(), for get_relation
	config     map[string]any
	macrosUsed map[string]bool
	// macrosCalled and envRead are what the output depends on besides the input.
	macrosCalled map[string]bool
	envRead      map[string]EnvValue
	warnings     []Diagnostic
	warned       map[string]bool
	statements   map[string]bool
	askedCols    bool // adapter.get_columns_in_relation was called
	readClock    bool // a function of modules read the clock (clockRead)
	// inlineFrom stacks where values rendered as templates were used, for their diagnostics.
	inlineFrom []inlineCaller

	renderers map[string]*exec.Renderer
	frames    []*frame
	this      *relationValue // built on first use, shared by the contexts of this render
	modelObj  map[string]any

	// The statement being executed (file and normalized offset), and the innermost statement
	// of the model itself: refs called from inside macros are reported there.
	curFile  *fileInfo
	curPos   int
	modelPos int

	steps      int
	rangeItems int
	built      int           // bytes built by string operations
	written    int           // bytes written by statements (see countingWriter)
	collected  int           // refs and sources recorded
	configSet  bool          // config() was called
	lastTick   time.Time     // when the wall clock was last read
	pending    time.Duration // wall time since the render time was last charged
	used       time.Duration // render time charged so far (renderclock.go)
	clock      renderClock
	ctx        context.Context
	budget     *Budget
	// abort is why the render stopped early, and abortPath/abortPos where.
	abort     error
	abortPath string
	abortPos  Position
}

// frame is one macro call in progress; return() fills it and unwinds the macro.
type frame struct {
	returned bool
	value    *exec.Value
}

func stateOf(env *exec.Environment) *renderState {
	if env == nil {
		return nil
	}
	if env.Filters != nil {
		if f, ok := env.Filters.Get(stateFilter); ok {
			if v := f(nil, nil, nil); v != nil {
				if st, ok := v.Interface().(*renderState); ok {
					return st
				}
			}
		}
	}
	if env.Context == nil {
		return nil
	}
	v, _ := env.Context.Get(stateKey)
	st, _ := v.(*renderState)
	return st
}

// stateOfRenderer is stateOf for a statement: what it writes to (the render's output, or a
// macro's or block's buffer) was made by its render and names it, which is cheaper still
// than the toolset's filter.
func stateOfRenderer(r *exec.Renderer) *renderState {
	switch w := r.Output.(type) {
	case *countingWriter:
		return w.st
	case *trackWriter:
		return w.st
	case *boundedBuffer:
		return w.st
	}
	return stateOf(r.Environment)
}

func stateOfEval(e *exec.Evaluator) *renderState {
	if e == nil {
		return nil
	}
	return stateOf(e.Environment)
}

// Render renders one template. It never panics and always sets Output: when the template
// cannot be parsed, Output is the raw source, Err is set and a "syntax" diagnostic is added.
// Statements that fail at run time become "render-error" warnings and render as nothing.
func (e *Env) Render(in Input) (res *Result) {
	e.ready()
	now := time.Now()
	st := &renderState{
		env:        e,
		in:         &in,
		config:     copyMap(in.Config),
		macrosUsed: map[string]bool{}, macrosCalled: map[string]bool{},
		warned:    map[string]bool{},
		renderers: map[string]*exec.Renderer{},
		lastTick:  now,
		ctx:       e.opts.Context,
		budget:    e.opts.Budget,
	}
	defer func() {
		if r := recover(); r != nil {
			res = st.fallback(fmt.Errorf("internal error while rendering: %v", r), "render-error", Position{Line: 1, Column: 1})
			_ = debug.Stack
		}
	}()
	st.clock.start()
	defer func() {
		st.pending += time.Since(st.lastTick)
		st.settle()
	}()
	if st.ctx != nil && st.ctx.Err() != nil {
		st.limitExceeded("render skipped: %s", interruption(st.ctx))
		return st.stopped()
	}
	if st.budget.exhausted() {
		st.limitExceeded("render skipped: the renders of this run used up their budget (%s, %d MiB of output)", st.budget.time, st.budget.bytes>>20)
		return st.stopped()
	}
	st.ctxs = e.contexts.Get().(*contextSet)
	st.ctxs.tools.serve(st)
	defer func() {
		st.ctxs.tools.serve(nil)
		e.contexts.Put(st.ctxs)
	}()
	f, diag := e.compiled(in.Path, in.Package, in.Source, st.ctxs.tools)
	if diag != nil {
		return st.fallback(errors.New(diag.Message), diag.Kind, diag.Pos)
	}
	st.model = f
	out, m, err := st.run(f)
	if err != nil {
		return st.fallback(err, "render-error", Position{Line: 1, Column: 1})
	}
	if st.abort == nil {
		st.checkCollected()
	}
	if st.abort == nil && !st.budget.output(len(out)) {
		st.limitExceeded("render stopped: the renders of this run produced more than %d MiB together", st.budget.bytes>>20)
	}
	if st.abort != nil {
		return st.stopped()
	}
	return st.result(out, m)
}

// stopped is the result of a render cut short by a limit: like a template that does not parse,
// its output is the raw source and Err says where and why it stopped, so nothing takes the
// truncated output for the model's SQL. The "resource-limit" warning is already recorded.
func (st *renderState) stopped() *Result {
	src := st.in.Source
	res := st.result(src, &OffsetMap{Segments: []Segment{{Out: 0, Len: len(src), Src: 0, Literal: true}}})
	if len(src) == 0 {
		res.Map = &OffsetMap{}
	}
	res.Err = fmt.Errorf("%s:%d:%d: %w", st.abortPath, st.abortPos.Line, st.abortPos.Column, st.abort)
	return res
}

// run executes a prepared template as the top-level output.
func (st *renderState) run(f *fileInfo) (string, *OffsetMap, error) {
	e := st.env
	sc := st.ctxs.scope(f.pkg)
	ctx := sc.env.Context.Inherit()
	st.bind(ctx)
	for k, v := range st.in.Globals {
		ctx.Set(k, v)
	}
	for name := range f.names {
		if !strings.ContainsAny(name, ". ") && !ctx.Has(name) {
			ctx.Set(name, newStub(&stubInfo{name: name, st: st, file: f}))
		}
	}
	w := &trackWriter{limit: e.limits.MaxOutput, st: st, crlfOff: f.crlf, loneCR: f.loneCR}
	r := &exec.Renderer{
		Config:      e.cfg,
		Environment: st.ctxs.tools.environment(ctx),
		Loader:      e.loader,
		Template:    e.shell,
		RootNode:    f.root,
		Output:      w,
	}
	st.frames = append(st.frames, &frame{}) // the template itself: a top-level return() ends it
	err := r.Execute()
	if err != nil && st.abort == nil && !st.returning() {
		st.warnAt(f, 0, "render-error", errorMessage(err))
	}
	return w.buf.String(), w.offsetMap(), nil
}

// bind puts the per-render names into a context (the model's, or a package's for macros).
func (st *renderState) bind(ctx *exec.Context) {
	if st.this == nil {
		st.this = st.thisRelation()
		st.modelObj = st.modelObject()
	}
	ctx.Set(stateKey, st)
	ctx.Set("this", st.this)
	ctx.Set("execute", st.in.Execute)
	ctx.Set("model", st.modelObj)
	ctx.Set("database", st.this.Database)
	ctx.Set("schema", st.this.Schema)
}

// renderer returns the renderer macros of pkg run in during this render: a context with the
// package's scope and this render's names.
func (st *renderState) renderer(pkg string) *exec.Renderer {
	if r := st.renderers[pkg]; r != nil {
		return r
	}
	e := st.env
	ctx := st.ctxs.scope(pkg).env.Context.Inherit()
	st.bind(ctx)
	r := &exec.Renderer{
		Config:      e.cfg,
		Environment: st.ctxs.tools.environment(ctx),
		Loader:      e.loader,
		Template:    e.shell,
		RootNode:    e.shell.Root(),
		Output:      io.Discard,
	}
	st.renderers[pkg] = r
	return r
}

func (st *renderState) result(out string, m *OffsetMap) *Result {
	res := &Result{
		Output:   out,
		Refs:     st.refs,
		Sources:  st.sources,
		Config:   st.config,
		Warnings: st.warnings,
		Map:      m,

		AskedColumns: st.askedCols,
		ReadClock:    st.readClock,
	}
	for id := range st.macrosUsed {
		res.MacrosUsed = append(res.MacrosUsed, id)
	}
	sort.Strings(res.MacrosUsed)
	for id := range st.macrosCalled {
		res.MacrosCalled = append(res.MacrosCalled, id)
	}
	sort.Strings(res.MacrosCalled)
	res.EnvRead = st.envRead
	return res
}

// fallback is the result of a template that could not be rendered at all: the raw source
// with an identity map, and whatever was collected before the failure.
func (st *renderState) fallback(err error, kind string, pos Position) *Result {
	src := st.in.Source
	res := st.result(src, &OffsetMap{Segments: []Segment{{Out: 0, Len: len(src), Src: 0, Literal: true}}})
	if len(src) == 0 {
		res.Map = &OffsetMap{}
	}
	res.Err = fmt.Errorf("%s:%d:%d: %w", st.in.Path, pos.Line, pos.Column, err)
	res.Warnings = append(res.Warnings, Diagnostic{Path: st.in.Path, Pos: pos, Kind: kind, Message: err.Error()})
	return res
}

// usedMacro records a macro the template calls itself; calls made inside macros belong to
// those macros' dependencies, not the node's.
func (st *renderState) usedMacro(id string) {
	st.macrosCalled[id] = true
	if len(st.frames) == 1 {
		st.macrosUsed[id] = true
	}
}

func (st *renderState) limitExceeded(format string, args ...any) {
	if st.abort != nil {
		return
	}
	st.abort = fmt.Errorf(format, args...)
	f, pos := st.curFile, st.curPos
	if f == nil {
		f = st.model
	}
	st.abortPath, st.abortPos = st.in.Path, Position{Line: 1, Column: 1}
	if f != nil {
		st.abortPath, st.abortPos = f.path, f.position(pos)
	}
	st.warnAt(f, pos, "resource-limit", st.abort.Error()+"; the output is incomplete and is not used")
}

// checkCollected stops a render whose refs, sources or config would cost more to keep and
// print than its output may: each is small, but a loop can make millions, or share one huge
// string among them.
func (st *renderState) checkCollected() {
	limit := st.env.limits.MaxOutput
	if !st.configSet {
		return
	}
	if n := jsonSize(st.config, 0, limit); n > limit {
		st.limitExceeded("render stopped: config() values of more than %d bytes", limit)
	}
}

func (st *renderState) returning() bool {
	n := len(st.frames)
	return n > 0 && st.frames[n-1].returned
}

// warnAt records a diagnostic at a normalized offset of a file, once per kind, file and
// message.
func (st *renderState) warnAt(f *fileInfo, normPos int, kind, msg string) {
	if f != nil && f.path == inlinePath && len(st.inlineFrom) > 0 {
		// A value has no file of its own: report it where it was used, saying which value.
		c := st.inlineFrom[len(st.inlineFrom)-1]
		msg = "in " + quoteShort(f.src) + ": " + msg
		f, normPos = c.file, c.pos
	}
	if f == nil {
		f = st.model
	}
	path := st.in.Path
	pos := Position{Line: 1, Column: 1}
	if f != nil {
		path = f.path
		pos = f.position(normPos)
	}
	msg = truncateMessage(msg)
	key := kind + "\x00" + path + "\x00" + msg
	if st.warned[key] {
		return
	}
	if len(st.warnings) >= maxWarnings && kind != "resource-limit" {
		return
	}
	st.warned[key] = true
	st.warnings = append(st.warnings, Diagnostic{Path: path, Pos: pos, Kind: kind, Message: msg})
}

// warnHere records a diagnostic at the statement being executed.
func (st *renderState) warnHere(kind, msg string) {
	st.warnAt(st.curFile, st.curPos, kind, msg)
}

// errorMessage strips gonja's nesting ("Unable to execute controlStructure at line 3: ...")
// down to the innermost cause, which is the part a user can act on.
func errorMessage(err error) string {
	msg := err.Error()
	if m := unknownFilterRE.FindStringSubmatch(msg); m != nil {
		return "unknown filter '" + m[1] + "'"
	}
	msg = internalCallRE.ReplaceAllString(msg, "")
	for _, sep := range []string{": Unable to ", ": unable to "} {
		for {
			i := strings.LastIndex(msg, sep)
			if i < 0 {
				break
			}
			rest := msg[i+2:]
			if j := strings.Index(rest, ": "); j >= 0 && j+2 < len(rest) {
				msg = rest[j+2:]
				continue
			}
			break
		}
	}
	return msg
}

var (
	unknownFilterRE = lazyregexp.New(`filter '([^']*)' not found`)
	internalCallRE  = lazyregexp.New(`invalid call to function 'dataops [a-z]+': `)
)

func panicMessage(r any) string {
	return fmt.Sprintf("template error: %v", r)
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}
