package jinja

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
	"golang.org/x/sync/errgroup"

	"github.com/dataops-dev/dataops/internal/source"
)

// Env is a compiled environment for one project: the macros of every package, vars, target.
// It is built once per project load and is read-only afterwards, so any number of goroutines
// may call Render at once.
type Env struct {
	opts   Options
	cfg    *config.Config
	tools  *toolset // used while compiling macro files in New
	loader denyLoader
	shell  *exec.Template // an empty template: renderers need one to reach the loader
	// contexts pools copies of the name scopes. Their content never changes after New, but
	// gonja locks a context on every lookup, so renders on different goroutines each take a
	// copy of their own instead of contending on shared ones.
	contexts sync.Pool

	inline sync.Map // template text -> *fileInfo, for values that hold Jinja
	// kept holds compiled short templates by path, package and text (see compiled); keptN
	// counts them, to bound it.
	kept   sync.Map
	keptN  atomic.Int64
	files  []*fileInfo
	macros []*macroDef
	byPkg  map[string]map[string]*macroDef
	index  []FileIndex // of opts.MacroFiles, once compiled or bound (Index)
	limits Limits
	// deferred: the macro files are compiled on first use (NewDeferred), once.
	deferred bool
	once     sync.Once

	target       map[string]any
	runStartedAt time.Time
	adapterChain []string // the adapter, its parents, then "default"
	// dbtFns holds dbt's own macros as this environment calls them (dbtMacro), made once:
	// `dbt.<name>` is looked up at every call.
	dbtFns sync.Map // name → callable
}

// Limits bound what one render may cost. Templates come from untrusted pull requests, so a
// render that goes past a limit stops with a "resource-limit" warning instead of hanging the
// process or exhausting its memory.
type Limits struct {
	MaxOutput     int           // bytes of rendered output (and of any one string value)
	MaxSteps      int           // template nodes executed
	MaxRangeItems int           // items produced by range() in one render
	MaxDepth      int           // nested macro calls
	MaxTime       time.Duration // render time of one render (its thread's CPU where measurable: renderclock.go)
}

// DefaultLimits are generous for real dbt projects (the largest models render in well under a
// millisecond and a few thousand nodes).
var DefaultLimits = Limits{
	MaxOutput:     16 << 20,
	MaxSteps:      2_000_000,
	MaxRangeItems: 1_000_000,
	MaxDepth:      100,
	MaxTime:       10 * time.Second,
}

// scope is what names resolve to for code of one package: its own macros, then the root
// project's, then dbt's builtins. dbt resolves unqualified macro names the same way.
type scope struct {
	pkg string
	env *exec.Environment
}

// fileInfo is one template (a model or a macro file) as the renderer sees it.
type fileInfo struct {
	path   string
	pkg    string
	src    string // original text, for positions
	norm   string // text gonja parsed ("\r\n" normalized)
	crlf   []int
	loneCR []int
	names  map[string]nameUse
	root   *nodes.Template
	// lazy: a macro file bound from its index, compiled on first call (lazy.go).
	lazy *lazyFile

	lines     sync.Once // most templates never need a position: lines are indexed on first use
	linesFile *source.File
}

// position turns an offset in the normalized text into a line and column of the original.
func (f *fileInfo) position(normOff int) Position {
	f.lines.Do(func() { f.linesFile = source.NewFile(f.path, f.src) })
	return positionOf(f.linesFile.Position(origOffset(f.crlf, normOff)))
}

// MacroInfo describes one macro for the manifest (`macros`, `depends_on.macros`).
type MacroInfo struct {
	UniqueID  string // macro.<package>.<name>
	Package   string
	Name      string
	Path      string
	Line      int
	Arguments []string
	Test      bool // a generic test: a {% test name %} block or a test_<name> macro
}

type macroDef struct {
	MacroInfo
	node *nodes.Macro
	file *fileInfo
	fn   callable
}

// New compiles every macro file; macro files that fail to parse become diagnostics and the
// rest of the project still works.
func New(opts Options) (*Env, []Diagnostic) {
	e := newEnv(opts)
	return e, e.compileMacros()
}

// NewDeferred is New for a caller that already knows the diagnostics of these macro files (a
// load restored from its snapshot): the files are compiled on the environment's first use, so
// a run that renders nothing does not pay for it.
func NewDeferred(opts Options) *Env {
	e := newEnv(opts)
	e.deferred = true
	return e
}

// ready compiles a deferred environment's macro files, once.
func (e *Env) ready() {
	if e.deferred {
		e.once.Do(func() { e.compileMacros() })
	}
}

func newEnv(opts Options) *Env {
	e := &Env{
		opts:   opts,
		cfg:    config.New(),
		byPkg:  map[string]map[string]*macroDef{},
		limits: DefaultLimits,
	}
	if opts.Limits != nil {
		e.limits = *opts.Limits
	}
	e.runStartedAt = opts.RunStartedAt
	if e.runStartedAt.IsZero() {
		e.runStartedAt = time.Now().UTC()
	}
	e.adapterChain = adapterChain(opts.Adapter)
	e.target = targetMap(opts)
	e.tools = newToolset(e)

	shell, err := exec.NewTemplate("", e.cfg, e.loader, e.tools.environment(exec.EmptyContext()))
	if err != nil {
		// An empty template always parses; failing here means gonja itself is broken.
		panic(fmt.Sprintf("jinja: compiling the empty template: %v", err))
	}
	e.shell = shell
	return e
}

// compileMacros compiles every macro file and indexes their macros. A deferred environment
// given the files' index binds the macros from it, and compiles each file when one of its
// macros is first called (lazy.go).
func (e *Env) compileMacros() []Diagnostic {
	opts := e.opts
	var diags []Diagnostic
	files := append(append([]MacroFile{}, builtinMacroFiles...), opts.MacroFiles...)
	index := make([]FileIndex, len(files))
	lazy := e.deferred && len(opts.Index) == len(opts.MacroFiles)
	if lazy {
		copy(index[len(builtinMacroFiles):], opts.Index)
	}
	// Files compile in parallel (a few hundred of them are a tenth of a second on one core),
	// then are indexed in order, so duplicates and diagnostics read as before.
	compiled := make([]*fileInfo, len(files))
	failed := make([]*Diagnostic, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, mf := range files {
		if lazy && i >= len(builtinMacroFiles) {
			if f := compiledBefore(mf); f != nil {
				compiled[i] = f // another environment of the process compiled it
			} else if d := index[i].Failed; d != nil {
				failed[i] = d
			} else {
				compiled[i] = e.lazyFile(mf, index[i])
			}
			continue
		}
		g.Go(func() error {
			defer func() {
				// The file is untrusted text: a panic in the template engine is its error.
				if r := recover(); r != nil {
					compiled[i], failed[i] = nil, &Diagnostic{Path: mf.Path, Pos: Position{Line: 1, Column: 1}, Kind: "syntax", Message: fmt.Sprintf("template could not be compiled: %v", r)}
				}
			}()
			compiled[i], failed[i] = e.compileMacroFile(mf)
			return nil
		})
	}
	_ = g.Wait()
	for i, mf := range files {
		f, d := compiled[i], failed[i]
		if d != nil {
			diags = append(diags, *d)
			index[i] = FileIndex{Failed: d}
			continue
		}
		e.files = append(e.files, f)
		if f.lazy == nil {
			index[i] = indexOf(f)
		}
		for _, im := range index[i].Macros {
			def := &macroDef{file: f}
			if f.lazy == nil {
				def.node = f.root.Macros[im.Name]
			} else {
				f.lazy.defs = append(f.lazy.defs, def)
			}
			def.Package = mf.Package
			def.Name = im.Name
			def.Path = mf.Path
			def.Line = im.Line
			def.Test = strings.HasPrefix(im.Name, "test_")
			def.UniqueID = "macro." + mf.Package + "." + im.Name
			def.Arguments = im.Args
			def.fn = def.callable()
			pm := e.byPkg[mf.Package]
			if pm == nil {
				pm = map[string]*macroDef{}
				e.byPkg[mf.Package] = pm
			}
			if prev, dup := pm[im.Name]; dup && prev.Package != "dbt" {
				diags = append(diags, Diagnostic{Path: mf.Path, Pos: Position{Line: im.Line, Column: im.Column}, Kind: "duplicate-macro",
					Message: fmt.Sprintf("macro %q is also defined in %s:%d", im.Name, prev.Path, prev.Line)})
			}
			pm[im.Name] = def
			e.macros = append(e.macros, def)
		}
	}
	e.index = index[len(builtinMacroFiles):]
	sort.Slice(e.macros, func(i, j int) bool {
		a, b := e.macros[i], e.macros[j]
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Line < b.Line
	})
	e.contexts.New = func() any { return e.newContextSet() }
	e.contexts.Put(e.newContextSet())
	return diags
}

// Macros lists every macro of every package, sorted by package, path and line.
func (e *Env) Macros() []MacroInfo {
	e.ready()
	out := make([]MacroInfo, len(e.macros))
	for i, m := range e.macros {
		out[i] = m.MacroInfo
	}
	return out
}

// Macro finds a macro by package and name.
func (e *Env) Macro(pkg, name string) (MacroInfo, bool) {
	e.ready()
	if m := e.byPkg[pkg][name]; m != nil {
		return m.MacroInfo, true
	}
	return MacroInfo{}, false
}

// TestMacro finds the macro behind a generic test (`not_null`, `dbt_utils.expression_is_true`):
// a `{% test name %}` block or a `test_<name>` macro, searched in the given package when the
// name is qualified, else in the root project, then every other package.
func (e *Env) TestMacro(name string) (MacroInfo, bool) {
	e.ready()
	pkg, short, qualified := strings.Cut(name, ".")
	if !qualified {
		short, pkg = name, ""
	}
	if pkg != "" {
		if m := e.byPkg[pkg]["test_"+short]; m != nil {
			return m.MacroInfo, true
		}
		return MacroInfo{}, false
	}
	if m := e.byPkg[e.opts.RootPackage]["test_"+short]; m != nil {
		return m.MacroInfo, true
	}
	for _, p := range e.packages() {
		if m := e.byPkg[p]["test_"+short]; m != nil {
			return m.MacroInfo, true
		}
	}
	return MacroInfo{}, false
}

// packages lists every package the environment knows, root first, then by name.
func (e *Env) packages() []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	add(e.opts.RootPackage)
	var rest []string
	for p := range e.byPkg {
		rest = append(rest, p)
	}
	for p := range e.opts.Vars {
		if p != "" {
			rest = append(rest, p)
		}
	}
	sort.Strings(rest)
	for _, p := range rest {
		add(p)
	}
	return out
}

// toolset is gonja's registries (tags, filters, tests, methods). Like name scopes, each
// render uses its own copy: gonja locks a registry on every lookup.
type toolset struct {
	cs      *exec.ControlStructureSet
	filters *exec.FilterSet
	tests   *exec.TestSet
	methods exec.Methods
	// state is the render using this toolset (a contextSet serves one render at a time), as
	// the value the hidden stateFilter returns. Every statement and most builtins look their
	// render up: through the filter registry it is one lookup, where the context chain is
	// one locked map per enclosing scope, loop and macro call.
	state *exec.Value
}

// stateFilter names the filter of every toolset that gives its current render. Like the
// other internal names it contains a space, so no template can name it.
const stateFilter = "dataops render"

func newToolset(e *Env) *toolset {
	t := &toolset{cs: controlStructureSet(), filters: filterSet(e), tests: testSet(), methods: methodSet(e)}
	_ = t.filters.Register(stateFilter, func(*exec.Evaluator, *exec.Value, *exec.VarArgs) *exec.Value { return t.state })
	return t
}

// serve makes st the render this toolset serves (nil when it is done).
func (t *toolset) serve(st *renderState) {
	if st == nil {
		t.state = nil
		return
	}
	t.state = exec.AsValue(st)
}

func (t *toolset) environment(ctx *exec.Context) *exec.Environment {
	return &exec.Environment{
		Context:           ctx,
		Filters:           t.filters,
		Tests:             t.tests,
		ControlStructures: t.cs,
		Methods:           t.methods,
	}
}

// contextSet is one copy of every name scope, used by one render at a time.
type contextSet struct {
	e      *Env
	tools  *toolset
	base   *exec.Context
	scopes map[string]*scope
}

func (e *Env) newContextSet() *contextSet {
	cs := &contextSet{e: e, tools: newToolset(e), base: e.baseContext(), scopes: map[string]*scope{}}
	for _, pkg := range e.packages() {
		cs.scope(pkg)
	}
	return cs
}

// scope returns the name scope for code of pkg, building it on first use (a model of a
// package that has no macros).
func (cs *contextSet) scope(pkg string) *scope {
	if sc, ok := cs.scopes[pkg]; ok {
		return sc
	}
	sc := cs.buildScope(pkg)
	cs.scopes[pkg] = sc
	return sc
}

// Short templates are rendered many times over with different Globals: the call of a naming
// macro once per node, the call of a generic test once per test. Lexing and parsing them each
// time cost a fifth of a cold load, so Render keeps the compiled form of sources up to
// keptSourceMax bytes that are rendered more than once, at most keptMax of them. A compiled
// template is read-only while it renders (macro files are shared the same way).
const (
	keptSourceMax = 1 << 10
	keptMax       = 4096
)

type keptKey struct{ path, pkg, src string }

// compiled is compileFile through the cache of short templates.
func (e *Env) compiled(path, pkg, src string, tools *toolset) (*fileInfo, *Diagnostic) {
	if len(src) > keptSourceMax {
		return e.compileFile(path, pkg, src, tools, false)
	}
	key := keptKey{path, pkg, src}
	v, seen := e.kept.LoadOrStore(key, seenOnce{})
	if f, ok := v.(*fileInfo); ok {
		return f, nil
	}
	f, d := e.compileFile(path, pkg, src, tools, false)
	// Kept from its second render on: a short model rendered once would only hold memory.
	if seen && d == nil && e.keptN.Add(1) <= keptMax {
		e.kept.Store(key, f)
	}
	return f, d
}

// seenOnce marks a short template rendered once so far.
type seenOnce struct{}

// compiledMacroFiles keeps the macro files any environment of the process compiled, by path,
// package and text: the base and the head of a change, and each reload of a long-running
// server, compile the same files. A compiled tree is only read once prepared (renders run
// concurrently on one tree already), and nothing in it belongs to the environment that
// compiled it: the parser's settings and control structures are every environment's.
var compiledMacroFiles struct {
	mu    sync.Mutex
	files map[macroFileKey]*fileInfo
	bytes int // the text of files
}

type macroFileKey struct{ path, pkg, src string }

// compiledMacroFiles is bounded (a long-running service sees many projects): past either
// bound it starts again. A large project's macros are a few hundred files and well under a
// MB of text (Artemis: 237 files, 0.7 MB); compiled, they take some 25 times their text
// (17 MB), so the bound on text keeps the cache under about 50 MB.
const (
	maxCompiledMacroFiles = 2048
	maxCompiledMacroBytes = 2 << 20
)

// compileMacroFile is compileFile for a macro file, through compiledMacroFiles. A file that
// does not compile is compiled again each time (its diagnostic is the environment's).
func (e *Env) compileMacroFile(mf MacroFile) (*fileInfo, *Diagnostic) {
	k := macroFileKey{mf.Path, mf.Package, mf.Source}
	if f := compiledBefore(mf); f != nil {
		return f, nil
	}
	c := &compiledMacroFiles
	f, d := e.compileFile(mf.Path, mf.Package, mf.Source, e.tools, true)
	if d != nil {
		return nil, d
	}
	c.mu.Lock()
	if c.files == nil || len(c.files) >= maxCompiledMacroFiles || c.bytes+len(mf.Source) > maxCompiledMacroBytes {
		c.files, c.bytes = map[macroFileKey]*fileInfo{}, 0
	}
	c.files[k] = f
	c.bytes += len(mf.Source)
	c.mu.Unlock()
	return f, nil
}

// compileFile lexes and parses one template and prepares its tree for rendering. A macro
// file is parsed as dbt parses it: only its top-level macro, materialization and test blocks.
func (e *Env) compileFile(path, pkg, src string, tools *toolset, macroFile bool) (*fileInfo, *Diagnostic) {
	norm, crlf, lone := normalizeNewlines(src)
	f := &fileInfo{path: path, pkg: pkg, src: src, crlf: crlf, loneCR: lone}
	names, d := e.fill(f, norm, tools, macroFile)
	if d != nil {
		return nil, d
	}
	f.names = names
	return f, nil
}

// fill compiles f's text (norm: with its line breaks normalized) into f, its prepared tree,
// and returns the names it reads; a macro file bound from its index is filled in place, its
// names already known.
func (e *Env) fill(f *fileInfo, norm string, tools *toolset, macroFile bool) (map[string]nameUse, *Diagnostic) {
	if macroFile {
		if masked, ok := maskTopLevel(norm); ok {
			norm = masked
		}
	}
	f.norm = norm
	toks, lexErr := lexTemplate(norm, e.cfg)
	if lexErr != nil {
		return nil, &Diagnostic{Path: f.path, Pos: f.position(lexErr.Pos), Kind: "syntax", Message: tokenError(lexErr)}
	}
	toks = fixTokens(toks)
	names := scanNames(toks)
	root, err := e.parse(f.path, toks, tools.cs)
	if err != nil {
		return nil, syntaxDiagnostic(f, err)
	}
	f.root = root
	prepareTree(root, f)
	return names, nil
}

// parse runs gonja's parser, turning any panic inside it into an error: the parser sees
// untrusted text.
func (e *Env) parse(path string, toks []*tokens.Token, cs *exec.ControlStructureSet) (root *nodes.Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("template could not be parsed: %v", r)
		}
	}()
	p := parser.NewParser(path, tokens.NewStream(toks), e.cfg, e.loader, cs)
	return p.Parse()
}

func syntaxDiagnostic(f *fileInfo, err error) *Diagnostic {
	d := &Diagnostic{Path: f.path, Pos: Position{Line: 1, Column: 1}, Kind: "syntax", Message: err.Error()}
	var se *parser.SyntaxError
	if errors.As(err, &se) {
		d.Message = se.Message
		if se.Raw != "" {
			d.Message += fmt.Sprintf(" (near %q)", se.Raw)
		}
		if se.Line > 0 {
			// gonja counts columns in bytes of the normalized text; recompute in characters.
			lineStart := source.NewFile("", f.norm).Offset(se.Line, 1)
			d.Pos = f.position(lineStart + se.Column - 1)
		}
	}
	return d
}

// denyLoader is the loader gonja's renderers and parser hold. dbt templates never include or
// extend files by path, and imports go through the compiled macro files, so every read is
// refused: nothing outside the given macro files is ever opened.
type denyLoader struct{}

var errNoFiles = errors.New("templates cannot read files")

func (denyLoader) Read(path string) (io.Reader, error) {
	if path == "" {
		return strings.NewReader(""), nil // the empty shell template
	}
	return nil, errNoFiles
}
func (denyLoader) Resolve(string) (string, error)         { return "", errNoFiles }
func (denyLoader) Inherit(string) (loaders.Loader, error) { return nil, errNoFiles }
