package dbt

import (
	"context"
	"errors"
	"fmt"
	"github.com/dataops-dev/dataops/internal/gctune"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/secret"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// LoadOptions say which project to load and how to render it.
type LoadOptions struct {
	Dir         string         // directory holding dbt_project.yml
	Vars        map[string]any // --vars
	Target      string         // --target (profiles.yml target name)
	ProfilesDir string         // --profiles-dir
	Adapter     string         // overrides the adapter type from the profile (e.g. --dialect)
	// GuessedAdapter is the adapter to render for when no profile is found and Adapter is
	// unset, and GuessedFrom the files that named it (GuessAdapter): the caller guesses once,
	// from the work tree, so a change's base and head render alike.
	GuessedAdapter, GuessedFrom string
	Getenv                      func(string) (string, bool)
	// EnvVars says which env vars env_var() reads in project code (models, macros,
	// dbt_project.yml, property files, packages); the zero value reads none. profiles.yml is
	// trusted configuration and reads any.
	EnvVars jinja.EnvVars
	// Secrets, when set, learns the profile's credentials as soon as they are rendered, so
	// that they are masked in everything the run writes.
	Secrets *secret.Masker
	// Compile renders compiled_code with refs resolved to relations (needed by parse output,
	// build and lint); without it only the parse-time render is done.
	Compile bool
	// Now is the run's start time (run_started_at); zero means time.Now.
	Now time.Time
	// Roots are directories besides Dir that the project's files may resolve into through
	// symbolic links: the tree that a copy made of links points at (a validation copy, the
	// base side of a change). Any other file or path leading outside Dir is refused with a
	// warning and not read.
	Roots []string
	// Budget bounds the render time and output of every load of one command together; nil
	// means each render is bounded on its own only. Renders also stop when the context is done.
	Budget *jinja.Budget
	// Cache, when set, keeps renders between runs and between the loads of one run (the base
	// and the head of a change share every file they agree on); see cache.go.
	Cache *cache.Cache
	// Throwaway says Dir is a tree made for this run only (a change's base or head built from
	// git objects in a temporary directory): its snapshot, keyed by that directory, would never
	// be found again, so none is looked up or stored. Per-file entries are shared as always.
	Throwaway bool
	// Threads bounds the workers of every parallel stage; 0 means the CPUs.
	Threads int
	// Progress, when set, shows what a long load is doing (see progress.go).
	Progress *Progress
	// Lenient is for a load that is only compared with (a change's base): a property file
	// that does not parse is passed over with a `properties` warning at its error instead of
	// failing the load, since the change under review may be what mends it.
	Lenient bool
}

// pkgState is one package during a load.
type pkgState struct {
	pkg   *Package
	pf    *projectFile
	files []*srcFile
	order int
	// ignoreSum is the hash of the .dbtignore the files were listed with ("" without one).
	ignoreSum string
}

// loader holds the state of one Load call.
type loader struct {
	ctx    context.Context
	opts   LoadOptions
	p      *Project
	root   *pkgState
	pkgs   []*pkgState
	byName map[string]*pkgState
	target *Target
	env    *jinja.Env
	// dir reads the project's files, refusing those that lead outside it (and opts.Roots).
	dir *fsconfine.Dir
	// packagesAllowed is false when packages-install-path leads outside the project.
	packagesAllowed bool
	// yamlEnv renders dbt_project.yml and profiles.yml values before the macros are known.
	yamlEnv *jinja.Env

	mu    sync.Mutex
	diags []Diagnostic

	props   []*properties
	patches map[string]map[string]*patch // package → "key:name" → patch
	// dupPatches are second property entries for a name already patched; dbt fails on them only
	// when the node exists (checked once nodes are built), else warns that nothing matches.
	dupPatches []dupPatch
	namers     namers
	pending    []*pending
	ix         *refIndex
	// recompiled counts nodes rendered a second time because placeholders did not survive.
	recompiled int
	timings    map[string]time.Duration
	// configLeft is what is left of maxConfigValues after the nodes' configs.
	configLeft int
	// configBudget is the bound on all config values: maxConfigValues and a share per node.
	configBudget int
	cache        *renderCache
	// dupMacros holds every definition of a macro defined more than once: Macros keeps the
	// first, the renderer runs another, so a render depends on them all.
	dupMacros map[string][]string
	// packagesComplete says every package packages.yml declares is installed: only then is a
	// generic test no macro defines certainly unknown (testnames.go).
	packagesComplete bool
	testsChecked     map[string]bool   // test entries whose names were checked, by position
	testNames        []string          // the generic tests the load knows (knownTests)
	testHints        map[string]string // closestTest of each undefined test name, asked once
	// configs is the configs nodes share (written to only through configs.own).
	configs sharedConfigs

	// The snapshot of the whole load (snapshot.go).
	env0         *envRecorder // every env var the load looks up
	snapKey      *cache.Key   // set once loadProjects has run, when a snapshot may be kept
	snapFound    bool         // an entry (a snapshot or a refusal) was under snapKey
	unstable     atomic.Bool  // something the snapshot cannot check was read (the clock, a limit)
	stamped      time.Time    // when the files were stat'ed
	pathsExist   []bool       // resourcePathsExist when the files were read
	dirs         *dirStamps   // the folders the files were listed from, for the snapshot
	restamped    func()       // stores the stamps a snapshot's check noted, once it is restored
	projectDiags int          // len(diags) after loadProjects
	macroFiles   []jinja.MacroFile
	envDiags     []jinja.Diagnostic // what compiling macroFiles reported
	volatiles    []volatileNode     // guarded by mu
	patched      int                // nodes a partial rebuild built again (partial.go)
	// volatileMacros are the macros that read the clock (volatileIDs).
	volatileMacrosOnce sync.Once
	volatileMacros     map[string]bool
	// invocationMacros are those naming run_started_at or invocation_id (invocationIDs).
	invocationMacrosOnce sync.Once
	invocationMacros     map[string]bool
	// refusedYAML holds the file and message of every refused or unset env var already
	// reported from a YAML value (guarded by mu): a property file repeats the same call on
	// every table.
	refusedYAML map[[2]string]bool
}

// coldGrowthPerByte is about how much a cold load's heap grows per byte of the files it reads
// (60 to 70 at the peak on Artemis and spellbook's subprojects): less than that, as huge pages
// are cleared whole when first touched, and what is readied and used late costs more to clear
// than the faults it saves (a cold review of Artemis: 2.8 to 3.1 s of CPU readying 256 MB,
// 3.6 s at 415 MB, 3.5 to 4.3 s without).
const coldGrowthPerByte = 40

// Load reads a dbt project the way dbt parses it. A malformed dbt_project.yml or property file
// is an *InputError (exit 2, with file:line:column); everything else that is wrong with the
// project becomes a Diagnostic on the returned Project.
func Load(ctx context.Context, opts LoadOptions) (*Project, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	abs, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, &InputError{Pos: Pos{Path: opts.Dir}, Msg: err.Error()}
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return nil, &InputError{Pos: Pos{Path: opts.Dir}, Msg: "not a directory"}
	}
	l := &loader{ctx: ctx, opts: opts, byName: map[string]*pkgState{}, patches: map[string]map[string]*patch{}, timings: map[string]time.Duration{}}
	l.env0 = &envRecorder{get: opts.Getenv}
	if opts.Cache != nil {
		l.opts.Getenv = l.env0.getenv
	}
	if l.dir, err = fsconfine.Open(abs, opts.Roots...); err != nil {
		return nil, &InputError{Pos: Pos{Path: opts.Dir}, Msg: err.Error()}
	}
	defer l.dir.Close()
	l.p = &Project{
		Root: abs, Roots: opts.Roots, Nodes: map[string]*Node{}, Sources: map[string]*Source{}, Exposures: map[string]*ExposureNode{},
		Macros: map[string]*Macro{}, Docs: map[string]*Doc{}, Unparsed: map[string][]map[string]any{},
		ParentMap: map[string][]string{}, ChildMap: map[string][]string{}, Disabled: map[string][]*Node{},
		GeneratedAt: opts.Now,
	}
	l.opts.Progress.begin()
	defer l.opts.Progress.end()
	if l.opts.Cache.Hold() != nil {
		l.opts.Cache = nil // unreadable: this load goes without
	}
	defer l.opts.Cache.Release()
	labels := map[string]string{"project": "reading dbt_project.yml", "files": "reading files", "macros": "compiling macros",
		"properties": "reading property files", "render": "rendering", "tests": "building tests", "graph": "building the graph", "compile": "compiling"}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"project", l.loadProjects},
		{"files", l.readAllFiles},
		{"macros", l.buildEnv},
		{"properties", l.readProperties},
		{"nodes", l.buildNodes},
		{"node-size", l.checkNodeConfigs},
		{"render", l.renderNodes},
		{"tests", l.buildTests},
		{"source-size", l.checkSourceConfigs},
		{"graph", l.buildGraph},
		{"compile", l.compileNodes},
	}
	restored := false
	var writesBefore int64
	if l.opts.Cache != nil {
		writesBefore = l.opts.Cache.Stats().Writes
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s.name == "files" {
			l.projectDiags = len(l.diags)
			t0 := time.Now()
			if restored = l.restoreSnapshot(); restored {
				l.timings["snapshot"] = time.Since(t0)
				break
			}
		}
		t0 := time.Now()
		if label := labels[s.name]; label != "" {
			total := 0
			if s.name == "render" {
				total = len(l.pending)
			}
			l.opts.Progress.step(label, total)
		}
		if err := s.fn(); err != nil {
			return nil, err
		}
		l.timings[s.name] = time.Since(t0)
		l.dropSpent(s.name)
	}
	if !restored {
		l.storeSnapshot(writesBefore)
	}
	l.namers.store()
	l.p.Timings = l.timings
	sort.SliceStable(l.diags, func(i, j int) bool {
		a, b := l.diags[i].Pos, l.diags[j].Pos
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		// Renders run in parallel: two problems met at one place (a macro calling two
		// missing ones) arrive in either order.
		if l.diags[i].Kind != l.diags[j].Kind {
			return l.diags[i].Kind < l.diags[j].Kind
		}
		return l.diags[i].Message < l.diags[j].Message
	})
	// A macro's problem is met by every render that calls it: report it once.
	type key struct {
		pos                     Pos
		severity, kind, message string
	}
	seen := map[key]bool{}
	for _, d := range l.diags {
		if k := (key{d.Pos, d.Severity, d.Kind, d.Message}); !seen[k] {
			seen[k] = true
			l.p.Diagnostics = append(l.p.Diagnostics, d)
		}
	}
	l.p.Diagnostics = onePerUnsetEnvVar(l.p.Diagnostics)
	return l.p, nil
}

// dropSpent lets go of what the steps up to step built for the steps after it and nothing
// else reads: the parsed property files once the tests are built from them, the pending
// renders once compiled. The snapshot is still to be encoded and the manifest written, and the
// heap may grow to twice what is live before the collector runs: on a 5,000-model project these
// were a seventh of the live heap when the snapshot is encoded.
func (l *loader) dropSpent(step string) {
	switch step {
	case "tests":
		l.props, l.patches, l.dupPatches = nil, nil, nil
	case "compile":
		// Renders that read the clock keep their pending entry through l.volatiles.
		l.pending = nil
	}
}

// onePerUnsetEnvVar keeps one unknown-env-var warning per variable, the first in file order,
// naming the other places that read it (the first few): an unset variable is one thing to
// fix, and a macro that reads it would otherwise repeat it for every model.
func onePerUnsetEnvVar(diags []Diagnostic) []Diagnostic {
	const shown = 3
	first := map[string]int{} // variable → index in out
	also := map[string][]string{}
	out := diags[:0]
	for _, d := range diags {
		name, ok := unsetEnvVar(d)
		if !ok {
			out = append(out, d)
			continue
		}
		if _, dup := first[name]; dup {
			also[name] = append(also[name], d.Pos.String())
			continue
		}
		first[name] = len(out)
		out = append(out, d)
	}
	for name, places := range also {
		list := strings.Join(places[:min(len(places), shown)], ", ")
		if len(places) > shown {
			list += fmt.Sprintf(" and %d more", len(places)-shown)
		}
		out[first[name]].Message += " (also read at " + list + ")"
	}
	return out
}

// unsetEnvVar is the variable an unknown-env-var warning names (jinja's message: "env var
// 'NAME' is not set...", possibly after "in '<value>': ").
func unsetEnvVar(d Diagnostic) (string, bool) {
	if d.Kind != "unknown-env-var" {
		return "", false
	}
	_, rest, ok := strings.Cut(d.Message, "env var '")
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, "' is not set")
	return name, ok
}

func (l *loader) warn(pos Pos, kind, format string, args ...any) {
	l.addDiag(Diagnostic{Pos: pos, Severity: "warning", Kind: kind, Message: fmt.Sprintf(format, args...)})
}

func (l *loader) addDiag(d Diagnostic) {
	l.mu.Lock()
	l.diags = append(l.diags, d)
	l.mu.Unlock()
}

// maxConfigValues bounds the config values (map entries, list items and scalars, nested ones
// included) every node and source of a project carries, together. A config set once in
// dbt_project.yml (or on a source) is copied into every node under it and written out for
// each, so a few hundred thousand values there times a few hundred nodes would exhaust memory.
// Real projects carry a few dozen values per node, dbt's defaults included, so the bound
// grows by perNodeConfigValues for each node and source: a large project is never refused for
// its size, only a config that multiplies.
const (
	maxConfigValues     = 1_000_000
	perNodeConfigValues = 200
)

// checkNodeConfigs refuses a project whose nodes' configs add up past maxConfigValues, before
// they are copied for rendering.
func (l *loader) checkNodeConfigs() error {
	left := maxConfigValues + perNodeConfigValues*len(l.pending)
	l.configBudget = left
	for _, pd := range l.pending {
		n := pd.node
		if left -= countValues(n.Config, left+1); left < 0 {
			return l.configSizeError(Pos{Path: n.RelPath}, n.Name)
		}
	}
	l.configLeft = left
	return nil
}

// checkSourceConfigs does the same for source tables, with what the nodes left.
func (l *loader) checkSourceConfigs() error {
	left := l.configLeft + perNodeConfigValues*len(l.p.Sources)
	l.configBudget += perNodeConfigValues * len(l.p.Sources)
	for _, id := range slices.Sorted(maps.Keys(l.p.Sources)) {
		s := l.p.Sources[id]
		if left -= countValues(s.Config, left+1) + countValues(s.Meta, left+1); left < 0 {
			return l.configSizeError(s.Pos, s.SourceName+"."+s.Name)
		}
	}
	return nil
}

func (l *loader) configSizeError(pos Pos, name string) error {
	return &InputError{Pos: pos, Msg: fmt.Sprintf("the configs of this project's nodes and sources add up to more than %d values by %s; "+
		"a config this large (in dbt_project.yml, on a source, or in a property file) is refused", l.configBudget, name)}
}

// countValues counts the values in v, nested ones included, stopping past limit.
func countValues(v any, limit int) int {
	n := 1
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				if n > limit {
					return
				}
				n++
				walk(e)
			}
		case []any:
			for _, e := range x {
				if n > limit {
					return
				}
				n++
				walk(e)
			}
		case []string:
			n += len(x)
		}
	}
	walk(v)
	return n
}

// renderYAML renders a Jinja string from a YAML file (no node context) and converts the
// result as dbt's native rendering does ("True" → true, "3" → 3).
func (l *loader) renderYAMLWith(env *jinja.Env, pkg string, pos Pos, s string) any {
	v, _ := l.renderYAMLResult(env, pkg, pos, s)
	return v
}

// renderYAMLResult is renderYAMLWith that also returns the render (nil when nothing was
// rendered).
func (l *loader) renderYAMLResult(env *jinja.Env, pkg string, pos Pos, s string) (any, *jinja.Result) {
	if env == nil {
		return s, nil
	}
	if volatile(s) {
		l.unstable.Store(true)
	}
	r := env.Render(jinja.Input{Path: pos.Path, Source: s, Package: pkg, ResourceType: "yaml"})
	if r.Err != nil {
		msg := firstLine(r.Err.Error())
		// The renderer names the string as a one-line file; the position is the YAML value's.
		if i := strings.Index(msg, pos.Path+":"); i >= 0 {
			if j := strings.Index(msg[i+len(pos.Path)+1:], " "); j >= 0 {
				msg = msg[:i] + msg[i+len(pos.Path)+1+j+1:]
			}
		}
		l.warn(pos, "jinja-syntax", "cannot render %q: %s", s, msg)
		return s, r
	}
	for _, w := range r.Warnings {
		// The default a refused env var renders as, or the name an unset one renders as, can
		// make a path, a database or a name that does not exist (model-paths: "{{
		// env_var('SYNC_NAME', 'not-set') }}/models"; a profile's database): say why, once
		// per file and variable.
		if w.Kind == "refused-env-var" || w.Kind == "unknown-env-var" {
			l.warnOnce(pos, w)
		}
	}
	return nativeValue(r.Output), r
}

func (l *loader) warnOnce(pos Pos, w jinja.Diagnostic) {
	key := [2]string{pos.Path, w.Message}
	l.mu.Lock()
	seen := l.refusedYAML[key]
	if !seen {
		if l.refusedYAML == nil {
			l.refusedYAML = map[[2]string]bool{}
		}
		l.refusedYAML[key] = true
	}
	l.mu.Unlock()
	if !seen {
		l.addDiag(Diagnostic{Pos: pos, Severity: "warning", Kind: w.Kind, Message: w.Message})
	}
}

// nativeValue converts a rendered string to the scalar it spells, as dbt's native Jinja does.
func nativeValue(s string) any {
	t := strings.TrimSpace(s)
	switch t {
	case "True", "true":
		return true
	case "False", "false":
		return false
	case "None", "none":
		return nil
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil && t != "" && (t[0] != '0' || len(t) == 1) {
		return n
	}
	return s
}

// loadProjects reads the profile, the root dbt_project.yml and every installed package's.
func (l *loader) loadProjects() error {
	// A first environment without macros renders env_var/var/target in dbt_project.yml and
	// profiles.yml. The target is not known while reading the profile; it is set afterwards.
	cliVars := l.opts.Vars
	basic, _ := jinja.New(jinja.Options{Getenv: l.opts.Getenv, EnvVars: jinja.EnvVars{All: true}, CLIVars: cliVars, RunStartedAt: l.opts.Now, Adapter: l.opts.Adapter,
		Context: l.ctx, Budget: l.opts.Budget})
	// The profile name comes from dbt_project.yml; read it raw first.
	raw, err := readProjectFile(l.dir.ReadFile, "dbt_project.yml", nil)
	if err != nil {
		return err
	}
	// The names of the variables the profile read that were not set: one without default
	// renders as its name, which is no credential to mask even in a password field.
	unset := map[string]bool{}
	renderProfile := func(pos Pos, s string) (any, error) {
		if rel, err := filepath.Rel(l.p.Root, pos.Path); err == nil && filepath.IsLocal(rel) {
			pos.Path = filepath.ToSlash(rel)
		}
		v, r := l.renderYAMLResult(basic, "", pos, s)
		if r != nil {
			for name, ev := range r.EnvRead {
				if !ev.Set {
					unset[name] = true
				}
			}
		}
		return v, nil
	}
	t, err := ResolveTarget(ProfileOptions{ProjectDir: l.p.Root, ProfilesDir: l.opts.ProfilesDir, Profile: raw.Profile, Target: l.opts.Target,
		Getenv: l.opts.Getenv, Render: renderProfile, ReadOnly: true,
		Skipped: func(err error) {
			pos, msg := Pos{}, err.Error()
			if ie, ok := err.(*InputError); ok {
				pos, msg = ie.Pos, ie.Msg
				if rel, err := filepath.Rel(l.p.Root, pos.Path); err == nil && filepath.IsLocal(rel) {
					pos.Path = filepath.ToSlash(rel)
				}
			}
			l.warn(pos, "profile", "%s; profiles.yml is passed over, as this run connects to nothing", msg)
		}})
	if err != nil {
		return err
	}
	if t == nil {
		adapter := l.opts.Adapter
		if adapter == "" && l.opts.GuessedAdapter != "" {
			adapter, l.p.AdapterFrom = l.opts.GuessedAdapter, l.opts.GuessedFrom
		}
		t = DefaultTarget(raw.Name, adapter)
		if l.opts.Target != "" {
			t.Name = l.opts.Target
		}
	}
	if l.opts.Adapter != "" {
		t.Type = l.opts.Adapter
	}
	creds := t.Credentials()
	creds = slices.DeleteFunc(creds, func(c string) bool { return unset[c] })
	l.opts.Secrets.Add(creds...)
	l.target = t
	l.yamlEnv, _ = jinja.New(jinja.Options{Getenv: l.opts.Getenv, EnvVars: l.opts.EnvVars, CLIVars: cliVars, RunStartedAt: l.opts.Now, Adapter: t.Type, Target: t.Map(), RootPackage: raw.Name,
		Context: l.ctx, Budget: l.opts.Budget})
	render := func(pos Pos, s string) any { return l.renderYAMLWith(l.yamlEnv, "", pos, s) }
	pf, err := readProjectFile(l.dir.ReadFile, "dbt_project.yml", render)
	if err != nil {
		return err
	}
	l.confinePaths(pf, "")
	p := l.p
	p.Name, p.Version, p.ConfigVersion, p.Profile = pf.Name, pf.Version, pf.ConfigVersion, pf.Profile
	p.RequireDbtVersion = pf.RequireDbtVersion
	p.ModelPaths, p.SeedPaths, p.SnapshotPaths = pf.ModelPaths, pf.SeedPaths, pf.SnapshotPaths
	p.MacroPaths, p.TestPaths, p.AnalysisPaths, p.DocsPaths = pf.MacroPaths, pf.TestPaths, pf.AnalysisPaths, pf.DocsPaths
	p.PackagesInstallPath = pf.PackagesInstallPath
	p.Vars = pf.Vars
	p.Adapter = t.Type
	p.Target = t
	p.Quoting = pf.Quoting
	l.root = &pkgState{pkg: &Package{Name: pf.Name, Root: p.Root, IsRoot: true}, pf: pf}
	l.pkgs = []*pkgState{l.root}
	l.byName[pf.Name] = l.root

	if err := l.loadPackages(pf, render); err != nil {
		return err
	}
	for _, ps := range l.pkgs {
		p.Packages = append(p.Packages, ps.pkg)
	}
	return nil
}

// loadPackages reads the dbt_project.yml of every package installed in the root project's
// packages-install-path. A package directory leading outside the project is not loaded.
func (l *loader) loadPackages(pf *projectFile, render func(pos Pos, s string) any) error {
	defer func() { l.packagesComplete = l.declaredPackagesInstalled() }()
	if !l.packagesAllowed {
		return nil
	}
	installRel := pf.PackagesInstallPath
	entries, err := l.dir.ReadDir(installRel)
	if refused(err) {
		l.warn(explicitPos(pf, "packages-install-path"), "outside-project", "packages-install-path: %s %s", installRel, msgOutside)
	}
	if err == nil {
		for _, e := range entries {
			rel := installRel + "/" + e.Name()
			st, err := l.dir.Stat(rel)
			if refused(err) {
				l.warn(Pos{Path: rel}, "outside-project", "installed package leads outside the project; not loaded")
				continue
			}
			if err != nil || !st.IsDir() {
				continue
			}
			if _, err := l.dir.Stat(rel + "/dbt_project.yml"); err != nil {
				if refused(err) {
					l.warn(Pos{Path: rel + "/dbt_project.yml"}, "outside-project", "leads outside the project; package not loaded")
				}
				continue
			}
			ppf, err := readProjectFile(l.dir.ReadFile, rel+"/dbt_project.yml", render)
			if err != nil {
				return err
			}
			l.confinePaths(ppf, rel)
			if other, dup := l.byName[ppf.Name]; dup {
				if other.pkg.IsRoot {
					// dbt skips a package that is the root project itself.
					continue
				}
				return &InputError{Pos: Pos{Path: rel + "/dbt_project.yml"}, Msg: fmt.Sprintf("package %q is installed twice (also at %s)", ppf.Name, other.pkg.Rel)}
			}
			dir := filepath.Join(l.p.Root, filepath.FromSlash(rel))
			ps := &pkgState{pkg: &Package{Name: ppf.Name, Root: dir, Rel: rel}, pf: ppf, order: len(l.pkgs)}
			l.pkgs = append(l.pkgs, ps)
			l.byName[ppf.Name] = ps
		}
	}
	if len(l.pkgs) == 1 {
		l.warnNotInstalled(installRel)
	}
	return nil
}

// warnNotInstalled says when the project declares packages and none is installed: dbt
// refuses to parse until `dbt deps` has run, and here their macros, models and sources are
// missing without a word (only unknown macros and refs would hint at it).
func (l *loader) warnNotInstalled(installRel string) {
	for _, name := range []string{"packages.yml", "dependencies.yml"} {
		data, err := l.dir.ReadFile(name)
		if err != nil {
			continue
		}
		var doc struct {
			Packages []any `yaml:"packages"`
		}
		if yamllimit.Unmarshal(data, &doc) != nil || len(doc.Packages) == 0 {
			continue
		}
		l.warn(Pos{Path: name, Line: 1, Column: 1}, "packages-not-installed",
			"%s declares %d package(s) and none is installed under %s/ (dbt deps installs them); their macros, models and sources are missing from this load",
			name, len(doc.Packages), installRel)
		return
	}
}

// msgOutside ends the warning about a file or directory that is not read because it leads
// outside the project (an absolute path, a "..", or a symbolic link out of it).
const msgOutside = "leads outside the project; not read"

// confinePaths drops the resource paths of a dbt_project.yml (and, for the root project, its
// packages-install-path) that lead outside the package they belong to, with a warning at the
// key. pkgRel is the package's directory relative to the root project ("" for the root).
//
// The root project's resource paths may also climb with ".." into the rest of the git
// repository that holds it (LoadOptions.Roots): a monorepo's projects share folders of sources
// and macros that way (model-paths: ["models", "../../sources"]), and dbt reads them. What
// lies beyond the repository, an absolute path, and any .git directory stay refused. An
// installed package's paths stay inside the package.
func (l *loader) confinePaths(pf *projectFile, pkgRel string) {
	local := func(p string) bool {
		if !fsconfine.Local(p) {
			return false
		}
		_, err := l.dir.Stat(path.Join(pkgRel, p))
		return !refused(err)
	}
	ok := local
	if pkgRel == "" {
		ok = func(p string) bool {
			if fsconfine.Local(p) {
				return local(p)
			}
			if p == "" || filepath.IsAbs(p) || path.IsAbs(filepath.ToSlash(p)) {
				return false
			}
			_, err := l.dir.Stat(p)
			return !refused(err)
		}
	}
	filter := func(key string, list *[]string, quiet bool) {
		kept := (*list)[:0:0]
		for _, p := range *list {
			if ok(p) {
				kept = append(kept, p)
			} else if !quiet {
				l.warn(explicitPos(pf, key), "outside-project", "%s: %s %s", key, p, msgOutside)
			}
		}
		*list = kept
	}
	filter("model-paths", &pf.ModelPaths, false)
	filter("seed-paths", &pf.SeedPaths, false)
	filter("snapshot-paths", &pf.SnapshotPaths, false)
	filter("analysis-paths", &pf.AnalysisPaths, false)
	filter("macro-paths", &pf.MacroPaths, false)
	filter("test-paths", &pf.TestPaths, false)
	// Without docs-paths, the docs paths are the others, already reported.
	_, explicitDocs := pf.Explicit["docs-paths"]
	filter("docs-paths", &pf.DocsPaths, !explicitDocs)
	if pkgRel == "" {
		l.packagesAllowed = local(pf.PackagesInstallPath)
		if !l.packagesAllowed {
			l.warn(explicitPos(pf, "packages-install-path"), "outside-project", "packages-install-path: %s %s", pf.PackagesInstallPath, msgOutside)
		}
	}
}

// explicitPos is where a dbt_project.yml sets key (or its legacy name), else the file.
func explicitPos(pf *projectFile, key string) Pos {
	legacy := map[string]string{"model-paths": "source-paths", "seed-paths": "data-paths"}
	for _, k := range []string{key, legacy[key]} {
		if pos, ok := pf.Explicit[k]; ok {
			return pos
		}
	}
	return Pos{Path: pf.File}
}

// readAllFiles walks every package's resource paths and reads the files in parallel.
func (l *loader) readAllFiles() error {
	// A path the project sets but that is not there is most often an env_var() that is not
	// set (dbt says nothing and finds no models).
	pf := l.root.pf
	stamp := l.opts.Cache != nil
	if stamp {
		// Before anything is looked at: a change after this instant must not go unseen.
		l.stamped = time.Now()
	}
	for _, kp := range l.explicitResourcePaths() {
		for _, d := range kp.paths {
			st, err := l.dir.Stat(d)
			isDir := err == nil && st.IsDir()
			l.pathsExist = append(l.pathsExist, isDir)
			if !isDir {
				l.warn(pf.Explicit[kp.key], "missing-path", "%s: %s is not a directory of the project", kp.key, d)
			}
		}
	}
	var all []*srcFile
	var seen func(string, fs.FileInfo)
	if stamp && dirStampsHold {
		l.dirs = &dirStamps{at: map[string]int{}}
		seen = l.dirs.add
	}
	for _, ps := range l.pkgs {
		ps.files = walkPackage(ps, l.root.pf.PackagesInstallPath, seen)
		all = append(all, ps.files...)
	}
	readFiles(l.dir, all, stamp)
	var read int64
	for _, f := range all {
		read += int64(len(f.data))
	}
	// What a cold load allocates next (templates, renders, statements, columns) is some tens
	// of times the bytes it read: readied in huge pages, the heap's growth costs a page fault
	// per 2 MB rather than per 4 KiB (a fifth of a cold review's CPU on Artemis, 3,252 models).
	gctune.Reserve(coldGrowthPerByte * read)
	for _, f := range all {
		switch {
		case refused(f.readErr):
			// The snapshot's check lists the folders again: the file then is one more than
			// the snapshot holds, as it was before folders could be told unchanged.
			l.dirs = nil
			l.warn(Pos{Path: f.rootRel}, "outside-project", "%s", msgOutside)
		case tooLarge(f.readErr):
			l.warn(Pos{Path: f.rootRel}, "resource-limit", "%v", f.readErr)
		case f.readErr != nil:
			l.warn(Pos{Path: f.rootRel}, "read", "%v", f.readErr)
		}
	}
	// A file that is not read is not part of the project: no node, no seed to load later.
	for _, ps := range l.pkgs {
		kept := ps.files[:0]
		for _, f := range ps.files {
			if !refused(f.readErr) {
				kept = append(kept, f)
			}
		}
		ps.files = kept
	}
	return nil
}

type keyedPaths struct {
	key   string
	paths []string
}

// explicitResourcePaths are the resource paths the root dbt_project.yml sets itself.
func (l *loader) explicitResourcePaths() []keyedPaths {
	pf := l.root.pf
	var out []keyedPaths
	for _, kp := range []keyedPaths{
		{"model-paths", pf.ModelPaths}, {"seed-paths", pf.SeedPaths}, {"snapshot-paths", pf.SnapshotPaths},
		{"macro-paths", pf.MacroPaths}, {"test-paths", pf.TestPaths}, {"analysis-paths", pf.AnalysisPaths},
	} {
		if _, explicit := pf.Explicit[kp.key]; explicit {
			out = append(out, kp)
		}
	}
	return out
}

// varsByPackage computes what var() sees in each package: the package's own vars, then the
// root project's global vars, then the root's vars scoped to that package (CLI vars are applied
// by the renderer on top of everything).
func (l *loader) varsByPackage() map[string]map[string]any {
	out := map[string]map[string]any{}
	isPkg := func(k string) bool { _, ok := l.byName[k]; return ok }
	split := func(vars map[string]any) (global map[string]any, scoped map[string]map[string]any) {
		global, scoped = map[string]any{}, map[string]map[string]any{}
		for k, v := range vars {
			if m, ok := v.(map[string]any); ok && isPkg(k) {
				scoped[k] = m
				continue
			}
			global[k] = v
		}
		return
	}
	rootGlobal, rootScoped := split(l.root.pf.Vars)
	out[""] = rootGlobal
	for _, ps := range l.pkgs {
		m := map[string]any{}
		if !ps.pkg.IsRoot {
			g, s := split(ps.pf.Vars)
			for k, v := range g {
				m[k] = v
			}
			for k, v := range s[ps.pkg.Name] {
				m[k] = v
			}
		}
		for k, v := range rootGlobal {
			m[k] = v
		}
		for k, v := range rootScoped[ps.pkg.Name] {
			m[k] = v
		}
		out[ps.pkg.Name] = m
	}
	return out
}

// buildEnv compiles every package's macros into one Jinja environment and records the macros
// and docs blocks.
func (l *loader) buildEnv() error {
	var mfs []jinja.MacroFile
	for _, ps := range l.pkgs {
		for _, f := range ps.files {
			switch f.kind {
			case fileMacro:
				if f.data == nil {
					continue
				}
				// Root-relative paths: the renderer reports problems in macros at these paths.
				mfs = append(mfs, jinja.MacroFile{Package: ps.pkg.Name, Path: f.rootRel, Source: string(f.data)})
				for _, m := range scanMacros(f) {
					if prev, dup := l.p.Macros[m.UniqueID]; dup {
						l.warn(m.Pos, "duplicate-macro", "macro %s is defined twice (also at %s:%d)", m.Name, prev.Pos.Path, prev.Pos.Line)
						if l.dupMacros == nil {
							l.dupMacros = map[string][]string{}
						}
						if l.dupMacros[m.UniqueID] == nil {
							l.dupMacros[m.UniqueID] = []string{prev.SQL}
						}
						l.dupMacros[m.UniqueID] = append(l.dupMacros[m.UniqueID], m.SQL)
						continue
					}
					l.p.Macros[m.UniqueID] = m
				}
			case fileDocs:
				for _, d := range scanDocs(f) {
					if prev, dup := l.p.Docs[d.UniqueID]; dup {
						l.warn(Pos{Path: f.rootRel}, "duplicate-doc", "docs block %s is defined twice (also in %s)", d.Name, prev.OriginalFilePath)
						continue
					}
					l.p.Docs[d.UniqueID] = d
				}
			}
		}
	}
	jopts := l.jinjaOptions(mfs)
	env, diags := jinja.New(jopts)
	l.setupCache(jopts, diags)
	l.env, l.envDiags = env, diags
	l.p.Jinja = env
	l.macroFiles = mfs
	for _, d := range diags {
		l.addDiag(l.jinjaDiag(d, d.Path))
	}
	l.namers = newNamers(l)
	return nil
}

// jinjaOptions are the options of the environment every render of the project uses.
func (l *loader) jinjaOptions(mfs []jinja.MacroFile) jinja.Options {
	dispatch := map[string][]string{}
	for _, d := range l.root.pf.Dispatch {
		ns := configString(d, "macro_namespace")
		if ns == "" {
			continue
		}
		dispatch[ns] = toStrings(d["search_order"])
	}
	var quoting *jinja.QuotePolicy
	if len(l.p.Quoting) > 0 {
		q := QuotePolicy(l.target.Type, l.p.Quoting)
		quoting = &q
	}
	return jinja.Options{
		RootPackage: l.root.pkg.Name, Adapter: l.target.Type, Target: l.target.Map(), Quoting: quoting,
		Vars: l.varsByPackage(), CLIVars: l.opts.Vars, Getenv: l.opts.Getenv, EnvVars: l.opts.EnvVars,
		MacroFiles: mfs, DispatchOrder: dispatch, RunStartedAt: l.opts.Now,
		Context: l.ctx, Budget: l.opts.Budget,
	}
}

// jinjaDiag converts a renderer diagnostic (already in file positions: see shiftResult).
func (l *loader) jinjaDiag(d jinja.Diagnostic, path string) Diagnostic {
	kind := d.Kind
	if kind == "syntax" {
		kind = "jinja-syntax"
	}
	return Diagnostic{Pos: Pos{Path: path, Line: d.Pos.Line, Column: d.Pos.Column}, Severity: "warning", Kind: kind, Message: d.Message}
}

// readProperties parses every property file in parallel; the first malformed one (in path
// order) fails the load.
func (l *loader) readProperties() error {
	var files []*srcFile
	for _, ps := range l.pkgs {
		for _, f := range ps.files {
			if f.kind == fileYAML && f.data != nil {
				files = append(files, f)
			}
		}
	}
	results := make([]*properties, len(files))
	errs := make([]error, len(files))
	l.parallel(len(files), func(i int) {
		results[i], errs[i] = l.readPropertyFile(files[i])
	})
	for i, err := range errs {
		if err != nil {
			var ie *InputError
			if !l.opts.Lenient || !errors.As(err, &ie) {
				return err
			}
			l.warn(ie.Pos, "properties", "%s; the file is passed over on this side of the change", ie.Msg)
			continue
		}
		pr := results[i]
		l.props = append(l.props, pr)
		for k, v := range pr.Unparsed {
			l.p.Unparsed[k] = append(l.p.Unparsed[k], v...)
		}
		pkg := files[i].pkg.pkg.Name
		if l.patches[pkg] == nil {
			l.patches[pkg] = map[string]*patch{}
		}
		for _, pt := range pr.Patches {
			key := pt.Key + ":" + pt.Name
			if prev, dup := l.patches[pkg][key]; dup {
				l.dupPatches = append(l.dupPatches, dupPatch{pkg: pkg, pt: pt, prev: prev})
				continue
			}
			l.patches[pkg][key] = pt
		}
	}
	// Macro descriptions from `macros:` entries.
	for pkg, m := range l.patches {
		for _, pt := range m {
			if pt.Key != "macros" {
				continue
			}
			if mac := l.p.Macros["macro."+pkg+"."+pt.Name]; mac != nil {
				mac.Description = l.resolveDocs(pkg, pt.Description)
				mac.PatchPath = pkg + "://" + pt.File.rel
			}
		}
	}
	return nil
}
