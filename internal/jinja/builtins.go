package jinja

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// dbtVersion is what templates see as dbt_version: the dbt release whose behaviour we follow.
const dbtVersion = "1.10.0"

// invocationID is fixed so renders are reproducible.
const invocationID = "00000000-0000-0000-0000-000000000000"

// perRenderNames are bound by renderState.bind, so the pre-pass of macro files must not take
// them for unknown names.
var perRenderNames = []string{stateKey, "this", "execute", "model", "database", "schema"}

// internalFns are the functions the tree rewrite calls (see prepareTree).
var internalFns map[string]callable

func init() {
	internalFns = map[string]callable{
		"dataops list":    listFn,
		"dataops dict":    dictFn,
		"dataops mul":     mulFn,
		"dataops mod":     modFn,
		"dataops pow":     powFn,
		"dataops add":     addFn,
		"dataops sub":     subFn,
		"dataops concat":  concatFn,
		"dataops splat":   splatFn,
		"dataops method":  methodFn,
		"dataops getattr": getattrFn,
		"dataops getitem": getitemFn,
		truthName:         truthFn,
		"dataops untruth": untruthFn,
		constName:         constFn,
	}
}

// baseContext holds everything that is the same for every package and every render.
func (e *Env) baseContext() *exec.Context {
	m := map[string]any{}
	for _, name := range []string{"cycler", "dict", "joiner", "namespace"} {
		if v, ok := builtins.GlobalFunctions.Get(name); ok {
			m[name] = v
		}
	}
	m["range"] = callable(rangeFn)
	for name, fn := range internalFns {
		m[name] = fn
	}
	m["__dataops_prepare"] = callable(prepareArgsFn)

	m["ref"] = callable(refFn)
	m["source"] = callable(sourceFn)
	m["config"] = configFn(configCall)
	m["var"] = callable(varFn)
	m["env_var"] = callable(envVarFn)
	m["is_incremental"] = recordedMacro("macro.dbt.is_incremental", isIncrementalFn)
	m["return"] = callable(returnFn)
	m["run_query"] = recordedMacro("macro.dbt.run_query", func(*exec.Evaluator, *exec.VarArgs) *exec.Value { return exec.AsValue(emptyTable) })
	m["statement"] = recordedMacro("macro.dbt.statement", statementFn)
	m["load_result"] = callable(loadResultFn)
	m["load_relation"] = callable(func(*exec.Evaluator, *exec.VarArgs) *exec.Value { return exec.AsValue(nil) })
	m["log"] = callable(silentFn)
	m["print"] = callable(silentFn)
	m["doc"] = callable(silentFn)
	m["store_result"] = callable(silentFn)
	m["store_raw_result"] = callable(silentFn)
	m["write"] = callable(silentFn)
	m["set_sql_header"] = callable(silentFn)
	m["exceptions"] = &exceptionsNS{}
	m["context"] = contextNS{}
	m["adapter"] = &adapterNS{env: e}
	m["api"] = &apiNS{env: e}
	m["modules"] = modulesNS
	m["fromjson"] = callable(fromJSONFn)
	m["tojson"] = callable(toJSONFn)
	m["fromyaml"] = callable(fromYAMLFn)
	m["toyaml"] = callable(toYAMLFn)
	m["zip"] = callable(zipFn)
	m["set"] = callable(setFn)
	m["set_strict"] = callable(setFn)
	m["local_md5"] = callable(md5Fn)
	m["diff_of_two_dicts"] = callable(diffDictsFn)
	m["try_or_compiler_error"] = callable(tryOrErrorFn)

	m["target"] = e.target
	m["dbt_version"] = dbtVersion
	m["invocation_id"] = invocationID
	m["project_name"] = e.opts.RootPackage
	m["run_started_at"] = &pyDatetime{t: e.runStartedAt}
	m["flags"] = flagsMap()
	m["graph"] = map[string]any{"nodes": map[string]any{}, "sources": map[string]any{}, "exposures": map[string]any{},
		"metrics": map[string]any{}, "groups": map[string]any{}, "semantic_models": map[string]any{},
		"saved_queries": map[string]any{}, "unit_tests": map[string]any{}, "macros": map[string]any{}}
	m["builtins"] = map[string]any{"ref": callable(refFn), "source": callable(sourceFn), "config": configFn(configCall)}
	m["selected_resources"] = []any{}
	m["invocation_args_dict"] = map[string]any{"which": "compile", "full_refresh": false}
	m["dbt_metadata_envs"] = map[string]any{}
	m["thread_id"] = "Thread-1"
	m["pre_hooks"] = []any{}
	m["post_hooks"] = []any{}
	m["sql_header"] = nil

	// dbt's own macros: the cross-database ones and a few others, callable unqualified and
	// as dbt.<name>. Any package or the root project may override them.
	for name := range crossDB {
		m[name], _ = e.dbtMacro(name)
	}
	for name := range dbtBuiltinMacros {
		m[name], _ = e.dbtMacro(name)
	}
	for _, pkg := range e.packages() {
		m[pkg] = &namespace{env: e, pkg: pkg}
	}
	if _, ok := m["dbt"].(*namespace); !ok {
		m["dbt"] = &namespace{env: e, pkg: "dbt"}
	}
	return exec.NewContext(m)
}

// buildScope makes the name scope of a package: the root project's macros, then its own.
// Names its macro files read that nothing defines are bound to shared stubs.
func (cs *contextSet) buildScope(pkg string) *scope {
	e := cs.e
	ctx := cs.base.Inherit()
	ctx.Set(pkgKey, pkg)
	if pkg != e.opts.RootPackage {
		for name, d := range e.byPkg[e.opts.RootPackage] {
			ctx.Set(name, d.fn)
		}
	}
	for name, d := range e.byPkg[pkg] {
		ctx.Set(name, d.fn)
	}
	known := map[string]bool{}
	for _, n := range perRenderNames {
		known[n] = true
	}
	for _, f := range e.files {
		if f.pkg != pkg {
			continue
		}
		for name := range f.names {
			if strings.ContainsAny(name, ". ") || known[name] || ctx.Has(name) {
				continue
			}
			ctx.Set(name, newStub(&stubInfo{name: name, file: f}))
		}
	}
	return &scope{pkg: pkg, env: cs.tools.environment(ctx)}
}

func silentFn(*exec.Evaluator, *exec.VarArgs) *exec.Value { return exec.AsValue("") }

// argString is an argument as a string. An argument that would print larger than a value may
// be counts as missing: these arguments are names, patterns and texts, never large lists.
func argString(va *exec.VarArgs, i int, kw string) (string, bool) {
	v, ok := argValue(va, i, kw)
	if !ok {
		return "", false
	}
	if !scalar(v) && printedSize(v, DefaultLimits.MaxOutput) > DefaultLimits.MaxOutput {
		return "", false
	}
	return v.String(), true
}

func argValue(va *exec.VarArgs, i int, kw string) (*exec.Value, bool) {
	if i >= 0 && i < len(va.Args) {
		return va.Args[i], true
	}
	if v, ok := va.KwArgs[kw]; ok {
		return v, true
	}
	return nil, false
}

// ---- context ---------------------------------------------------------------------------

// contextNS is dbt's `context`: the names the running code sees, as a mapping. Projects look a
// macro up by a name they build (`context.get(target_db ~ '_vars')`, `context[name]()`).
// Its keys are the macros in scope; get and [] find any name a template could read.
type contextNS struct{}

func (contextNS) String() string { return "{}" }

func (contextNS) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "get":
		return exec.AsValue(callable(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			key, ok := argString(va, 0, "key")
			if !ok {
				return exec.AsValue(nil)
			}
			if v, found := contextLookup(e, key); found {
				return v
			}
			if d, ok := argValue(va, 1, "default"); ok {
				return d
			}
			return exec.AsValue(nil)
		})), true
	case "keys":
		return exec.AsValue(callable(func(e *exec.Evaluator, _ *exec.VarArgs) *exec.Value {
			return exec.AsValue(contextKeys(e))
		})), true
	}
	return exec.AsValue(nil), false
}

// contextLookup is context[key]: a name bound in the render's scope. A name no macro defines
// (bound to a stub so that calling it is reported) is missing, as dbt has no such key.
func contextLookup(e *exec.Evaluator, key string) (*exec.Value, bool) {
	if e == nil || e.Environment == nil || e.Environment.Context == nil || strings.HasPrefix(key, "dataops ") {
		return nil, false
	}
	v, ok := e.Environment.Context.Get(key)
	if !ok {
		return nil, false
	}
	if _, stub := v.(stubFn); stub {
		return nil, false
	}
	return exec.AsValue(v), true
}

// runningPackage is the package whose macro is running, when the render is inside one.
func runningPackage(ev *exec.Evaluator) (string, bool) {
	p, _ := ev.Environment.Context.Get(pkgKey)
	s, ok := p.(string)
	return s, ok
}

// contextKeys lists the macros the running package sees, the root project's and its own.
func contextKeys(e *exec.Evaluator) []any {
	st := stateOfEval(e)
	if st == nil {
		return []any{}
	}
	pkg := st.env.opts.RootPackage
	if s, ok := runningPackage(e); ok {
		pkg = s
	}
	seen := map[string]bool{}
	for _, p := range []string{st.env.opts.RootPackage, pkg} {
		for name := range st.env.byPkg[p] {
			seen[name] = true
		}
	}
	names := slices.Sorted(maps.Keys(seen))
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

// ---- exceptions ------------------------------------------------------------------------

// exceptionsNS is dbt's `exceptions`. Raising records a diagnostic and renders nothing: the
// render goes on, since our inputs (vars, relations, query results) differ from dbt's and a
// guard that fires here may not fire for real.
type exceptionsNS struct{}

func (exceptionsNS) String() string { return "" }

func (exceptionsNS) GetAttribute(name string) (*exec.Value, bool) {
	kind := "compiler-error"
	if name == "warn" {
		kind = "warn"
	}
	return exec.AsValue(callable(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		if st := stateOfEval(e); st != nil {
			var parts []string
			for _, a := range va.Args {
				s, err := checkedString(e, a)
				if err != nil {
					return exec.AsValue(err)
				}
				parts = append(parts, truncateMessage(s))
			}
			msg := strings.Join(parts, " ")
			if msg == "" {
				msg = name
			}
			st.warnHere(kind, msg)
		}
		return exec.AsValue("")
	})), true
}

// ---- small builtins ----------------------------------------------------------------------

func zipFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	var lists [][]any
	for _, a := range va.Args {
		lists = append(lists, toList(a))
	}
	out := []any{}
	if len(lists) == 0 {
		return exec.AsValue(&out)
	}
	n := len(lists[0])
	for _, l := range lists[1:] {
		n = min(n, len(l))
	}
	for i := 0; i < n; i++ {
		row := make([]any, len(lists))
		for j := range lists {
			row[j] = lists[j][i]
		}
		out = append(out, row)
	}
	return exec.AsValue(&out)
}

func setFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	out := []any{}
	if len(va.Args) == 0 {
		return exec.AsValue(&out)
	}
	seen := map[string]bool{}
	for _, x := range toList(va.Args[0]) {
		k := fmt.Sprintf("%T:%v", x, exec.ToValue(x).String())
		if !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return exec.AsValue(&out)
}

func md5Fn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	v, _ := argValue(va, 0, "value")
	s, err := checkedString(e, v)
	if err != nil {
		return exec.AsValue(err)
	}
	sum := md5.Sum([]byte(s))
	return exec.AsValue(hex.EncodeToString(sum[:]))
}

func diffDictsFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	out := map[string]any{}
	if len(va.Args) < 2 {
		return exec.AsValue(out)
	}
	a, _ := toGo(va.Args[0]).(map[string]any)
	b, _ := toGo(va.Args[1]).(map[string]any)
	for k, v := range a {
		if _, ok := b[k]; !ok {
			out[k] = v
		}
	}
	return exec.AsValue(out)
}

func tryOrErrorFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	if len(va.Args) < 2 {
		return exec.AsValue(nil)
	}
	fn := va.Args[1]
	if c, ok := fn.Interface().(callable); ok {
		rest := exec.NewVarArgs()
		rest.Args = va.Args[2:]
		rest.KwArgs = va.KwArgs
		return c(e, rest)
	}
	return exec.AsValue(nil)
}

func flagsMap() map[string]any {
	f := map[string]any{}
	for _, k := range []string{"FULL_REFRESH", "STORE_FAILURES", "FAIL_FAST", "DEBUG", "WARN_ERROR", "USE_COLORS",
		"PARTIAL_PARSE", "EMPTY", "QUIET", "LOG_CACHE_EVENTS", "WRITE_JSON", "USE_EXPERIMENTAL_PARSER",
		"NO_PRINT", "SEND_ANONYMOUS_USAGE_STATS", "INTROSPECT", "STATIC_PARSER", "VERSION_CHECK",
		"PRINTER_WIDTH", "REQUIRE_EXPLICIT_PACKAGE_OVERRIDES_FOR_BUILTIN_MATERIALIZATIONS"} {
		f[k] = false
	}
	f["WHICH"] = "compile"
	f["LOG_FORMAT"] = "text"
	f["PRINTER_WIDTH"] = 80
	f["TARGET_PATH"] = "target"
	f["LOG_PATH"] = "logs"
	f["INDIRECT_SELECTION"] = "eager"
	f["THREADS"] = 1
	return f
}

// toGo turns a template value into plain Go data (maps, lists, strings, numbers, bools), as
// config() and tojson need it.
func toGo(v *exec.Value) any {
	return toGoDepth(v, 0)
}

func toGoDepth(v *exec.Value, depth int) any {
	if v == nil || v.IsNil() || depth > 50 {
		return nil
	}
	switch x := v.Interface().(type) {
	case *exec.Dict:
		m := make(map[string]any, len(x.Pairs))
		for _, p := range x.Pairs {
			m[p.Key.String()] = toGoDepth(p.Value, depth+1)
		}
		return m
	case *[]any:
		out := make([]any, len(*x))
		for i, e := range *x {
			out[i] = toGoDepth(exec.ToValue(e), depth+1)
		}
		return out
	case exec.ValuesList:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toGoDepth(e, depth+1)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = toGoDepth(exec.ToValue(e), depth+1)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toGoDepth(exec.ToValue(e), depth+1)
		}
		return out
	case string, bool, int, int64, float64:
		return x
	case *relationValue, *pyDatetime:
		return v.String()
	case stubFn, callable, tableFn, configFn, seqFn:
		return nil
	}
	if v.IsString() {
		return v.String()
	}
	if v.IsInteger() {
		return v.Integer()
	}
	if v.IsFloat() {
		return v.Float()
	}
	if v.IsBool() {
		return v.Bool()
	}
	if v.IsList() {
		out := []any{}
		v.Iterate(func(_, _ int, item, _ *exec.Value) bool {
			out = append(out, toGoDepth(item, depth+1))
			return true
		}, func() {})
		return out
	}
	if v.IsDict() {
		out := map[string]any{}
		v.Iterate(func(_, _ int, k, val *exec.Value) bool {
			out[k.String()] = toGoDepth(val, depth+1)
			return true
		}, func() {})
		return out
	}
	return v.String()
}

// toList reads any sequence value as a Go slice of its items.
func toList(v *exec.Value) []any {
	if v == nil || v.IsNil() {
		return nil
	}
	if p, ok := v.Interface().(*[]any); ok {
		return *p
	}
	var out []any
	if v.IsList() || v.IsString() {
		// One past the item limit is enough for callers to see the list is too long (a
		// 16 MB string would otherwise become 16 million items).
		v.Iterate(func(_, _ int, item, _ *exec.Value) bool {
			out = append(out, item.Interface())
			return len(out) <= DefaultLimits.MaxRangeItems
		}, func() {})
		return out
	}
	if v.IsDict() {
		for _, k := range v.Keys() {
			out = append(out, k.Interface())
		}
	}
	return out
}

// testSet is gonja's tests with dbt's view of our values: relations are mappings (dbt's
// Relation is), and a stub for an unknown name is not defined.
func testSet() *exec.TestSet {
	t := exec.NewTestSet(map[string]exec.TestFunction{}).Update(builtins.Tests)
	replace := func(name string, fn func(*exec.Context, *exec.Value, *exec.VarArgs) (bool, error)) {
		if t.Exists(name) {
			_ = t.Replace(name, fn)
		} else {
			_ = t.Register(name, fn)
		}
	}
	replace("mapping", func(_ *exec.Context, in *exec.Value, _ *exec.VarArgs) (bool, error) {
		if _, ok := in.Interface().(*relationValue); ok {
			return true, nil
		}
		return in.IsDict(), nil
	})
	replace("defined", func(_ *exec.Context, in *exec.Value, _ *exec.VarArgs) (bool, error) {
		return !undefinedValue(in), nil
	})
	replace("undefined", func(_ *exec.Context, in *exec.Value, _ *exec.VarArgs) (bool, error) {
		return undefinedValue(in), nil
	})
	// Jinja's Undefined iterates as an empty sequence, so a name nothing binds `is iterable`
	// (a macro testing `x is string` then `x is iterable` takes its list branch, not its
	// raise_compiler_error); None, which gonja's nil also is, is not.
	replace("iterable", func(_ *exec.Context, in *exec.Value, _ *exec.VarArgs) (bool, error) {
		return in.IsDict() || in.IsList() || in.IsString() || !in.IsNil() && undefinedValue(in), nil
	})
	return t
}
