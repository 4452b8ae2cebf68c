package dbt

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/jinja"
)

// Renders are the expensive part of a load. With LoadOptions.Cache each render is looked up by
// a key of everything its input holds (the file's text, its package, name and type, the config
// and relation it is given) and of the project-wide environment (envKey: target, vars, the
// env-var policy, dispatch order, quoting, which macros exist and whether their files
// compiled, the tool's build). What a render reached beyond that is stored with it and checked
// on a hit: the text of every macro it ran, at any depth, and every env var it read. So an
// edited macro invalidates exactly the renders that ran it, and an edited model only itself.
// Renders that read the clock or the invocation (run_started_at, invocation_id, modules.
// datetime) or that a limit cut short are never stored.

// cachedRender is one stored render.
type cachedRender struct {
	Output       string
	Refs         []jinja.Ref
	Sources      []jinja.SourceRef
	Config       []byte // encodeValue of the map
	MacrosUsed   []string
	MacrosCalled []string
	MacroSums    []string // the text hash of each of MacrosCalled when rendered
	EnvRead      map[string]jinja.EnvValue
	Warnings     []jinja.Diagnostic
	Err          string
	HasErr       bool
	Map          *jinja.OffsetMap
	AskedColumns bool
	Placeholders []cachedPlaceholder

	config map[string]any
}

type cachedPlaceholder struct {
	This          bool
	Ref           jinja.Ref
	Source, Table string
	IsSource      bool
	// Read: the render read a relation's part as a string (phResolver.read), kept on
	// every entry.
	Read bool
}

// renderCache is the loader's view of the cache.
type renderCache struct {
	c      *cache.Cache
	envKey cache.Key
	// namesKey is envKey but for the kind of load (compiling or not), which the naming
	// macros' renders do not see.
	namesKey cache.Key
	// sums memoises the text hash of each macro.
	sums sync.Map // unique id → string
}

// setupCache fixes the environment key once the macros are known.
func (l *loader) setupCache(opts jinja.Options, diags []jinja.Diagnostic) {
	if l.opts.Cache == nil {
		return
	}
	h := cache.NewHasher("env").String(cache.ToolVersion()).
		String(opts.RootPackage).String(opts.Adapter).Value(opts.Target).Value(opts.Vars).Value(opts.CLIVars).
		Value(opts.EnvVars).Value(opts.DispatchOrder).Value(opts.Quoting)
	ids := make([]string, 0, len(l.p.Macros))
	for id, m := range l.p.Macros {
		ids = append(ids, id+"\x00"+m.Kind)
	}
	slices.Sort(ids)
	h.Value(ids)
	// A macro file that does not compile defines nothing: its fix changes what every caller
	// rendered, which the callers' own dependencies cannot show.
	h.Value(diags)
	names := h.Sum()
	l.cache = &renderCache{c: l.opts.Cache, namesKey: names,
		envKey: cache.NewHasher("env+load").Bytes(names[:]).Value(l.opts.Compile).Sum()}
}

func (rc *renderCache) macroSum(l *loader, id string) string {
	if v, ok := rc.sums.Load(id); ok {
		return v.(string)
	}
	s := "native" // dbt's own macros, implemented by the tool (part of its version)
	if all, dup := l.dupMacros[id]; dup {
		s = cache.NewHasher("macro-definitions").Value(all).Sum().String()
	} else if m := l.p.Macros[id]; m != nil {
		s = cache.Sum256([]byte(m.SQL))
	}
	rc.sums.Store(id, s)
	return s
}

// renderKey is the key of one render input; extra separates callers with other outputs.
func (rc *renderCache) renderKey(in *jinja.Input, extra string) cache.Key {
	return cache.NewHasher("render").Bytes(rc.envKey[:]).String(extra).
		String(in.Path).String(in.Source).String(in.Package).String(in.Name).String(in.ResourceType).
		String(in.This.Database).String(in.This.Schema).String(in.This.Identifier).Value(in.This.Ephemeral).Value(in.This.Quote).
		Value(in.Config).Value(in.Incremental).Value(in.Execute).Sum()
}

// cachedRender renders in, or returns the stored render of the same input whose macros and env
// vars are unchanged. ph, when set, is the placeholder resolver of a compiling load: its entries
// are stored with the render and restored on a hit.
func (l *loader) cachedRender(in jinja.Input, extra string, ph *phResolver) *jinja.Result {
	rc := l.cache
	if rc == nil {
		return l.env.Render(in)
	}
	key := rc.renderKey(&in, extra)
	if data, ok := rc.c.Get(key); ok {
		if e, err := decodeRender(data); err == nil && rc.valid(l, e) {
			if ph != nil {
				ph.entries, ph.read = ph.entries[:0], false
				for _, p := range e.Placeholders {
					ph.entries = append(ph.entries, phEntry{this: p.This, ref: p.Ref, source: p.Source, table: p.Table, isSource: p.IsSource})
					ph.read = ph.read || p.Read
				}
			}
			return e.result()
		}
		rc.c.Reject()
	}
	r := l.env.Render(in)
	if rc.storable(l, &in, r, true) {
		e := cachedRender{
			Output: r.Output, Refs: r.Refs, Sources: r.Sources, MacrosUsed: r.MacrosUsed,
			MacrosCalled: r.MacrosCalled, EnvRead: hashedEnv(r.EnvRead), Warnings: r.Warnings, Map: r.Map, AskedColumns: r.AskedColumns,
		}
		var cfg bytes.Buffer
		if encodeValue(&cfg, r.Config) != nil {
			return r
		}
		e.Config = cfg.Bytes()
		for _, id := range r.MacrosCalled {
			e.MacroSums = append(e.MacroSums, rc.macroSum(l, id))
		}
		if r.Err != nil {
			e.Err, e.HasErr = r.Err.Error(), true
		}
		if ph != nil {
			for _, p := range ph.entries {
				e.Placeholders = append(e.Placeholders, cachedPlaceholder{This: p.this, Ref: p.ref, Source: p.source, Table: p.table, IsSource: p.isSource, Read: ph.read})
			}
		}
		data := e.encode()
		// A render that printed a secret stays out of the cache, as out of every file written.
		if m := l.opts.Secrets; m != nil && m.Len() > 0 && !bytes.Equal(m.Mask(data), data) {
			return r
		}
		rc.c.Put(key, data)
	}
	return r
}

// hashedEnv keeps the hash of each value read, never the value: an env var may hold a secret.
func hashedEnv(m map[string]jinja.EnvValue) map[string]jinja.EnvValue {
	if m == nil {
		return nil
	}
	out := make(map[string]jinja.EnvValue, len(m))
	for k, v := range m {
		if v.Set {
			v.Value = cache.Sum256([]byte(v.Value))
		}
		out[k] = v
	}
	return out
}

func (rc *renderCache) valid(l *loader, e *cachedRender) bool {
	if len(e.MacroSums) != len(e.MacrosCalled) {
		return false
	}
	for i, id := range e.MacrosCalled {
		if rc.macroSum(l, id) != e.MacroSums[i] {
			return false
		}
	}
	for name, was := range e.EnvRead {
		var now jinja.EnvValue
		if l.opts.Getenv != nil {
			now.Value, now.Set = l.opts.Getenv(name)
		}
		if now.Set {
			now.Value = cache.Sum256([]byte(now.Value))
		}
		if now != was {
			return false
		}
	}
	return true
}

func (e *cachedRender) encode() []byte {
	w := &entryWriter{}
	w.str(e.Output)
	w.int(len(e.Refs))
	for _, r := range e.Refs {
		w.str(r.Package)
		w.str(r.Name)
		w.str(r.Version)
		w.int(r.Pos.Line)
		w.int(r.Pos.Column)
	}
	w.int(len(e.Sources))
	for _, s := range e.Sources {
		w.str(s.Source)
		w.str(s.Table)
		w.int(s.Pos.Line)
		w.int(s.Pos.Column)
	}
	w.str(string(e.Config))
	w.strs(e.MacrosUsed)
	w.strs(e.MacrosCalled)
	w.strs(e.MacroSums)
	w.int(len(e.EnvRead))
	for k, v := range e.EnvRead {
		w.str(k)
		w.str(v.Value)
		w.bool(v.Set)
	}
	w.int(len(e.Warnings))
	for _, d := range e.Warnings {
		w.str(d.Path)
		w.int(d.Pos.Line)
		w.int(d.Pos.Column)
		w.str(d.Kind)
		w.str(d.Message)
	}
	w.str(e.Err)
	w.bool(e.HasErr)
	w.bool(e.Map != nil)
	if e.Map != nil {
		w.int(len(e.Map.Segments))
		for _, s := range e.Map.Segments {
			w.int(s.Out)
			w.int(s.Len)
			w.int(s.Src)
			w.bool(s.Literal)
		}
	}
	w.bool(e.AskedColumns)
	w.int(len(e.Placeholders))
	for _, p := range e.Placeholders {
		w.bool(p.This)
		w.str(p.Ref.Package)
		w.str(p.Ref.Name)
		w.str(p.Ref.Version)
		w.int(p.Ref.Pos.Line)
		w.int(p.Ref.Pos.Column)
		w.str(p.Source)
		w.str(p.Table)
		w.bool(p.IsSource)
		w.bool(p.Read)
	}
	return w.b.Bytes()
}

func decodeRender(data []byte) (*cachedRender, error) {
	r := &valueReader{b: data}
	e := &cachedRender{}
	e.Output = r.rstr()
	if n := r.count(); n > 0 {
		e.Refs = make([]jinja.Ref, n)
		for i := range e.Refs {
			e.Refs[i] = jinja.Ref{Package: r.rstr(), Name: r.rstr(), Version: r.rstr(), Pos: jinja.Position{Line: r.int(), Column: r.int()}}
		}
	}
	if n := r.count(); n > 0 {
		e.Sources = make([]jinja.SourceRef, n)
		for i := range e.Sources {
			e.Sources[i] = jinja.SourceRef{Source: r.rstr(), Table: r.rstr(), Pos: jinja.Position{Line: r.int(), Column: r.int()}}
		}
	}
	cfg := r.rstr()
	e.MacrosUsed = r.strs()
	e.MacrosCalled = r.strs()
	e.MacroSums = r.strs()
	if n := r.count(); n > 0 {
		e.EnvRead = make(map[string]jinja.EnvValue, n)
		for i := 0; i < n && r.err == nil; i++ {
			k := r.rstr()
			e.EnvRead[k] = jinja.EnvValue{Value: r.rstr(), Set: r.bool()}
		}
	}
	if n := r.count(); n > 0 {
		e.Warnings = make([]jinja.Diagnostic, n)
		for i := range e.Warnings {
			e.Warnings[i] = jinja.Diagnostic{Path: r.rstr(), Pos: jinja.Position{Line: r.int(), Column: r.int()}, Kind: r.rstr(), Message: r.rstr()}
		}
	}
	e.Err = r.rstr()
	e.HasErr = r.bool()
	if r.bool() {
		e.Map = &jinja.OffsetMap{}
		if n := r.count(); n > 0 {
			e.Map.Segments = make([]jinja.Segment, n)
			for i := range e.Map.Segments {
				e.Map.Segments[i] = jinja.Segment{Out: r.int(), Len: r.int(), Src: r.int(), Literal: r.bool()}
			}
		}
	}
	e.AskedColumns = r.bool()
	if n := r.count(); n > 0 {
		e.Placeholders = make([]cachedPlaceholder, n)
		for i := range e.Placeholders {
			e.Placeholders[i] = cachedPlaceholder{This: r.bool(), Ref: jinja.Ref{Package: r.rstr(), Name: r.rstr(), Version: r.rstr(), Pos: jinja.Position{Line: r.int(), Column: r.int()}},
				Source: r.rstr(), Table: r.rstr(), IsSource: r.bool(), Read: r.bool()}
		}
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errValueType
	}
	v, err := decodeValue([]byte(cfg))
	if err != nil {
		return nil, err
	}
	e.config, _ = v.(map[string]any)
	return e, nil
}

func (e *cachedRender) result() *jinja.Result {
	r := &jinja.Result{
		Output: e.Output, Refs: e.Refs, Sources: e.Sources, Config: e.config, MacrosUsed: e.MacrosUsed,
		MacrosCalled: e.MacrosCalled, EnvRead: e.EnvRead, Warnings: e.Warnings, Map: e.Map, AskedColumns: e.AskedColumns,
	}

	if e.HasErr {
		r.Err = errors.New(e.Err)
	}
	return r
}

// volatileNames are what a template reads that differs between runs with the same input:
// run_started_at, invocation_id, and modules.datetime, modules.time, modules[ and modules
// followed by a space (volatileModules).
var (
	volatileNames   = []string{"run_started_at", "invocation_id"}
	volatileModules = []string{".datetime", ".time", "[", " "}
)

// volatile is called on every render's text and on the macros it ran: one pass per name, the
// four uses of modules found from its occurrences.
func volatile(src string) bool {
	if namesInvocation(src) {
		return true
	}
	for rest := src; ; {
		i := strings.Index(rest, "modules")
		if i < 0 {
			return false
		}
		rest = rest[i+len("modules"):]
		for _, after := range volatileModules {
			if strings.HasPrefix(rest, after) {
				return true
			}
		}
	}
}

// storable reports whether r depends on its input and recorded dependencies alone.
// Whatever is not, keeps the whole load out of its snapshot.
// A render cut short keeps the whole load out of its snapshot; one that read the clock is
// rendered again when the snapshot is restored (parseRender notes it), but for the naming
// macros', which also keeps the load out.
// rerendered says whether the caller notes such a render for the snapshot.
func (rc *renderCache) storable(l *loader, in *jinja.Input, r *jinja.Result, rerendered bool) bool {
	if l.ctx.Err() != nil {
		return false
	}
	for _, w := range r.Warnings {
		if w.Kind == "resource-limit" {
			l.unstable.Store(true)
			return false
		}
	}
	if l.volatileRender(in, r) {
		if !rerendered {
			l.unstable.Store(true)
		}
		return false
	}
	return true
}

// anyVolatileMacro reports whether some macro of the project reads the clock or the invocation.
func (l *loader) anyVolatileMacro() bool {
	return len(l.volatileIDs()) > 0
}

// volatileIDs are the macros that read the clock or the invocation, found once per load: every
// render asks about each macro it ran, and a project's common macros run in most renders.
func (l *loader) volatileIDs() map[string]bool {
	return l.macrosMatching(&l.volatileMacrosOnce, &l.volatileMacros, volatile)
}

// macrosMatching fills *ids once with the macros whose text match accepts (nil when none).
func (l *loader) macrosMatching(once *sync.Once, ids *map[string]bool, match func(string) bool) map[string]bool {
	once.Do(func() {
		for id, m := range l.p.Macros {
			if match(m.SQL) {
				if *ids == nil {
					*ids = map[string]bool{}
				}
				(*ids)[id] = true
			}
		}
	})
	return *ids
}

// volatileRender reports whether r read the clock or the invocation, itself or in a macro.
// The clock's functions note their reads (Result.ReadClock): a macro that reads the date only
// for one target (`{% if target.name == 'ci' %}`) leaves the other targets' renders stable.
// run_started_at and invocation_id are plain values whose reads cannot be seen: a render whose
// template or macros name them counts as reading them.
func (l *loader) volatileRender(in *jinja.Input, r *jinja.Result) bool {
	if r.ReadClock || namesInvocation(in.Source) {
		return true
	}
	ids := l.invocationIDs()
	for _, id := range r.MacrosCalled {
		if ids[id] {
			return true
		}
	}
	return false
}

// namesInvocation reports whether src names run_started_at or invocation_id.
func namesInvocation(src string) bool {
	for _, v := range volatileNames {
		if strings.Contains(src, v) {
			return true
		}
	}
	return false
}

// invocationIDs are the macros that name run_started_at or invocation_id, found once per load.
func (l *loader) invocationIDs() map[string]bool {
	return l.macrosMatching(&l.invocationMacrosOnce, &l.invocationMacros, namesInvocation)
}
