package dbt

import (
	"bytes"
	"encoding/binary"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/gctune"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/source"
)

// A load with a cache keeps its result, the loaded project, as one snapshot entry, so that a
// run on an unchanged project decodes it instead of reading, building and rendering every file
// again (dbt's partial parsing does the same with its saved manifest).
//
// The snapshot's key is what the load was asked for and what it reads before any file of the
// project: the build of dataops, the project directory and its roots, --vars, --target,
// --profiles-dir, the adapter, the env-var policy, whether it compiles, the resolved target
// (profiles.yml as rendered) and the bytes of every dbt_project.yml taking part (the root's and
// each installed package's, with where each is installed). Stored in the entry, and checked
// before it is believed:
//
//   - the list of files the load read (a file added, removed or moved is a miss: each
//     package's resource paths walked again, unless every folder listed is as it was,
//     snapshot_dirs.go) and whether each path dbt_project.yml names exists;
//   - each file's size, modification and change times and inode, and the hash of what was
//     read: when the metadata differ, the file is read and its hash decides (a checkout that
//     rewrote a file with the same bytes is still a hit). A file modified shortly before the
//     load that stored the snapshot read it (snapshotSlack) is always read: a write in the same
//     tick of the file system's clock would leave its metadata unchanged;
//   - every env var the load looked up, anywhere (profiles.yml, dbt_project.yml, models,
//     macros), by the hash of its value.
//
// A load that depended on something else is not stored: a render that read the clock or the
// invocation, or that a limit cut short; a file that could not be read; a load cancelled. Any
// change is a miss and the load runs as before, using the per-file entries (cache.go), and
// stores a new snapshot.

// snapshotVersion changes with the snapshot's layout (the build is in the key as well).
const snapshotVersion = 6

// snapshotSlack is how long after a file's last change a stat of it may not show a further
// write: the granularity of file system clocks, up to 2 s (FAT).
const snapshotSlack = 2 * time.Second

// fileStamp is what a stat says of a file (see stampOf).
type fileStamp struct {
	Size, Mtime, Ctime, Ino, Dev int64
}

// snapFile is one file the snapshot's load read.
type snapFile struct {
	Path, Kind string
	Stamp      fileStamp
	Sum        string
	Pkg        int    // its package's index in the load's packages
	Res        string // the resource path it was found under
}

// snapEnv is one env var the load looked up.
type snapEnv struct {
	Name, Sum string
	Set       bool
}

// snapHeader is what is checked before a snapshot is believed.
type snapHeader struct {
	Version int
	ID      string // newSnapshotID
	// VolatileSum is what the nodes reading the clock rendered in the load that stored it.
	VolatileSum string
	// Stamped is when the files were stat'ed: one changed within snapshotSlack of it is read.
	Stamped int64
	Files   []snapFile
	Paths   []bool
	Env     []snapEnv
	// Dirs are the folders Files were listed from (snapshot_dirs.go), none when they cannot
	// be told unchanged; Ignores the hash of each package's .dbtignore.
	Dirs    []snapDir
	Ignores []string
}

// snapBody is the loaded project, but for what a load reads before its files (loadProjects),
// which every load does again.
type snapBody struct {
	Nodes           map[string]*Node
	Sources         map[string]*Source
	Exposures       map[string]*ExposureNode
	Macros          map[string]*Macro
	Docs            map[string]*Doc
	Unparsed        map[string][]map[string]any
	ParentMap       map[string][]string
	ChildMap        map[string][]string
	Disabled        map[string][]*Node
	DisabledSources map[string]*Source
	// Diagnostics are those found after loadProjects, unsorted.
	Diagnostics []Diagnostic
	MacroFiles  []jinja.MacroFile
	// EnvDiags are what compiling MacroFiles reported: part of the render cache's key, known
	// without compiling them again.
	EnvDiags []jinja.Diagnostic
	// MacroIndex is what compiling each of MacroFiles found: a restored environment binds the
	// macros from it and compiles a file when one of its macros is first called.
	MacroIndex []jinja.FileIndex
	Volatile   []snapVolatile
}

// snapVolatile is a node whose render read the clock or the invocation: it is rendered again
// when the snapshot is restored, from the same input. Its output may differ (that is the
// point); what else the render found (refs, sources, config, macros, warnings, placeholders)
// must not, or the snapshot is not used: the graph and the configs were built from it.
type snapVolatile struct {
	ID       string
	Disabled int // its index in Project.Disabled[ID], or -1 when in Project.Nodes
	Path     string
	Source   string
	Package  string
	Name     string
	Type     string
	This     jinja.Relation
	Config   map[string]any
	Shift    source.Shift
	Sum      string
}

// volatileNode is a snapVolatile during the load that notes it.
type volatileNode struct {
	pd  *pending
	in  jinja.Input
	sum string
}

// noteVolatile keeps what rendering pd again takes (in, with the config it had before).
func (l *loader) noteVolatile(pd *pending, in jinja.Input, r *jinja.Result) {
	sum := renderShape(r, pd.ph)
	l.mu.Lock()
	l.volatiles = append(l.volatiles, volatileNode{pd: pd, in: in, sum: sum})
	l.mu.Unlock()
}

// renderShape is the hash of everything a render found but its output.
func renderShape(r *jinja.Result, ph *phResolver) string {
	h := cache.NewHasher("render-shape").Value(r.Refs).Value(r.Sources).Value(r.Config).Value(r.MacrosUsed).
		Value(r.Warnings).Value(r.AskedColumns).Value(r.Err != nil)
	if r.Err != nil {
		h.String(r.Err.Error())
	}
	if ph != nil {
		h.Value(ph.entries).Value(ph.read)
	}
	k := h.Sum()
	return k.String()
}

// snapVolatiles lists the volatile nodes for the snapshot; false when one cannot be found
// again in the project.
func (l *loader) snapVolatiles() ([]snapVolatile, bool) {
	var out []snapVolatile
	for _, v := range l.volatiles {
		n := v.pd.node
		idx := -1
		if l.p.Nodes[n.UniqueID] != n {
			idx = slices.Index(l.p.Disabled[n.UniqueID], n)
			if idx < 0 {
				return nil, false
			}
		}
		out = append(out, snapVolatile{ID: n.UniqueID, Disabled: idx, Path: v.in.Path, Source: v.in.Source, Package: v.in.Package,
			Name: v.in.Name, Type: v.in.ResourceType, This: v.in.This, Config: v.in.Config, Shift: v.pd.shift, Sum: v.sum})
	}
	slices.SortFunc(out, func(a, b snapVolatile) int { return strings.Compare(a.ID, b.ID) })
	return out, true
}

// rerender renders the volatile nodes of a restored snapshot again, as parseRender and
// compileNodes did; false when one found something else than before.
func (l *loader) rerender(vs []snapVolatile) bool {
	if len(vs) == 0 {
		return true
	}
	// The index of refs is read only once a node is rendered (compileFromParse, compileAgain):
	// it is built while the first ones render (it held up a warm run of spellbook's dex 10 ms).
	var indexed chan struct{}
	if l.opts.Compile {
		indexed = make(chan struct{})
		go func() {
			l.ix = l.newRefIndex()
			close(indexed)
		}()
	}
	ok := make([]bool, len(vs))
	l.parallel(len(vs), func(i int) {
		v := vs[i]
		n := l.p.Nodes[v.ID]
		if v.Disabled >= 0 {
			if v.Disabled >= len(l.p.Disabled[v.ID]) {
				return
			}
			n = l.p.Disabled[v.ID][v.Disabled]
		}
		if n == nil {
			return
		}
		in := jinja.Input{Path: v.Path, Source: v.Source, Package: v.Package, Name: v.Name, ResourceType: v.Type,
			This: v.This, Config: cloneConfig(v.Config)}
		var ph *phResolver
		if l.opts.Compile {
			ph = &phResolver{}
			in.This = ph.this()
			in.Resolver = ph
		}
		r := l.env.Render(in)
		shiftResult(r, n.RelPath, v.Shift)
		if !l.volatileRender(&in, r) || renderShape(r, ph) != v.Sum {
			return
		}
		n.Render = r
		if l.opts.Compile {
			<-indexed
		}
		// A compile error would be reported again, with what it says now: the full load does that.
		if l.opts.Compile && !l.compileFromParse(n, ph) && !l.compileAgain(n) {
			return
		}
		ok[i] = true
	})
	if indexed != nil {
		<-indexed
	}
	return !slices.Contains(ok, false)
}

// envRecorder remembers every env var a load looked up.
type envRecorder struct {
	get  func(string) (string, bool)
	mu   sync.Mutex
	seen map[string]jinja.EnvValue
}

func (e *envRecorder) getenv(name string) (string, bool) {
	v, ok := e.get(name)
	e.mu.Lock()
	if e.seen == nil {
		e.seen = map[string]jinja.EnvValue{}
	}
	e.seen[name] = jinja.EnvValue{Value: v, Set: ok}
	e.mu.Unlock()
	return v, ok
}

func envSum(v string, set bool) string {
	if !set {
		return ""
	}
	return cache.Sum256([]byte(v))
}

// snapshotKey is the key of this load's snapshot, once loadProjects has run.
func (l *loader) snapshotKey() (cache.Key, bool) {
	h := cache.NewHasher("snapshot").Int(snapshotVersion).String(cache.ToolVersion()).
		String(l.p.Root).Value(l.opts.Roots).Value(l.opts.Vars).String(l.opts.Target).String(l.opts.ProfilesDir).
		String(l.opts.Adapter).String(l.opts.GuessedAdapter).String(l.opts.GuessedFrom).Value(l.opts.EnvVars).Value(l.opts.Compile).Value(l.opts.Lenient).Value(l.target.Map()).
		Value(l.packagesComplete)
	for _, ps := range l.pkgs {
		data, err := l.dir.ReadFile(projectFilePath(ps))
		if err != nil || volatile(string(data)) {
			return cache.Key{}, false
		}
		h.String(ps.pkg.Name).String(ps.pkg.Rel).String(ps.pkg.Root).Bytes(data)
	}
	return h.Sum(), true
}

func projectFilePath(ps *pkgState) string {
	if ps.pkg.Rel == "" {
		return "dbt_project.yml"
	}
	return ps.pkg.Rel + "/dbt_project.yml"
}

// resourcePathsExist says, for each resource path the root dbt_project.yml sets, whether it is
// a directory (readAllFiles warns about those that are not).
func (l *loader) resourcePathsExist() []bool {
	var out []bool
	for _, kp := range l.explicitResourcePaths() {
		for _, d := range kp.paths {
			st, err := l.dir.Stat(d)
			out = append(out, err == nil && st.IsDir())
		}
	}
	return out
}

// restoreSnapshot loads the project from its snapshot when one is stored and still holds.
func (l *loader) restoreSnapshot() bool {
	if l.opts.Cache == nil || l.env != nil || l.opts.Throwaway {
		return false
	}
	key, ok := l.snapshotKey()
	if !ok {
		return false
	}
	l.snapKey = &key
	overlap := l.opts.Threads != 1 && runtime.GOMAXPROCS(0) > 1
	// The decode's allocations, 1.3 to 2.7 times the payload (spellbook's subprojects, 7,000
	// synthetic models), are most of what a restore touches: the heap is readied for them
	// (what is reserved and not used is never touched), with the collector paused until the
	// decode ends (below). Readying it runs a collection, which leaves cores idle: when the
	// entry's size is known before it is read, that runs while the entry is authenticated and
	// its header decoded, on one core.
	var resume func()
	var reserved chan struct{}
	if size, ok := l.opts.Cache.StoredSize(key); ok && overlap {
		resume, reserved = pauseGC(), make(chan struct{})
		go func() {
			gctune.Reserve(3 * size)
			close(reserved)
		}()
	}
	// giveUp is the way out before the decode starts.
	giveUp := func() bool {
		if reserved != nil {
			<-reserved
			resume()
		}
		return false
	}
	// The project's strings are views of the payload, which the cache keeps mapped for the
	// rest of the process (Keep): the HMAC checked is of the very bytes decoded.
	data, found := l.opts.Cache.Keep(key)
	if !found {
		return giveUp()
	}
	l.snapFound = true
	r := &valueReader{b: data, share: true}
	var hdr snapHeader
	if snapDecode(r, &hdr) != nil || hdr.Version != snapshotVersion {
		return giveUp()
	}
	// The body is decoded while the files are checked (on more than one worker), and given up
	// when they say the snapshot does not hold. Nearly all the decode allocates is the project,
	// which stays: a collection meanwhile would find little to free, and its write barriers
	// slow every pointer the decode stores.
	var body snapBody
	var stop atomic.Bool
	decoded := make(chan error, 1)
	if reserved != nil {
		<-reserved
	} else {
		resume = pauseGC()
		gctune.Reserve(3 * int64(len(data)))
	}
	decode := func() { decoded <- decodeBody(r.b, &body, l.opts.Threads, &stop) }
	if overlap {
		go decode()
	}
	changed, files, ok := l.snapshotCurrent(&hdr)
	if !ok || !patchable(changed) {
		stop.Store(true)
		if overlap {
			<-decoded
		}
		resume()
		return false
	}
	if !overlap {
		decode()
	}
	err := <-decoded
	resume()
	if err != nil {
		return false
	}
	p := l.p
	p.Nodes, p.Sources, p.Exposures, p.Macros, p.Docs = body.Nodes, body.Sources, body.Exposures, body.Macros, body.Docs
	p.Unparsed, p.ParentMap, p.ChildMap, p.Disabled, p.DisabledSources = body.Unparsed, body.ParentMap, body.ChildMap, body.Disabled, body.DisabledSources
	diags := len(l.diags)
	if len(changed) > 0 {
		// The nodes of the changed files are built again (partial.go).
		t0 := time.Now()
		unstable := l.unstable.Load()
		ok := l.patchSnapshot(changed, files, &body)
		l.timings["patch"] = time.Since(t0)
		if !ok {
			// What the attempt noted is not the full load's.
			l.unstable.Store(unstable)
			l.resetAfterProjects(diags)
			return false
		}
	} else {
		// The environment renders tests, hooks and inline SQL for the commands after the load;
		// a run that renders none does not compile the macros.
		jopts := l.jinjaOptions(body.MacroFiles)
		jopts.Index = body.MacroIndex
		env := jinja.NewDeferred(jopts)
		l.env, p.Jinja = env, env
	}
	if !l.rerender(body.Volatile) {
		l.resetAfterProjects(diags)
		return false
	}
	l.diags = append(l.diags[:diags], body.Diagnostics...)
	if l.restamped != nil {
		l.restamped()
	}
	p.snapshot, p.snapshotID, p.patched = key, hdr.ID, l.patched
	ids := make([]string, len(body.Volatile))
	for i, v := range body.Volatile {
		ids[i] = v.ID
	}
	p.volatileSum = volatileSum(p, ids)
	// Its manifest is the stored load's only while those renders say the same (today's date
	// does for a day; run_started_at never does).
	p.templated = p.volatileSum == hdr.VolatileSum && int64(len(data)) <= l.opts.Cache.Limit()/8 && l.patched == 0
	return true
}

// snapshotCurrent checks a snapshot's header against the project as it is now: false when an
// env var, a resource path or the list of files differs. It returns the files, and those whose
// content differs, read again (ok false when one cannot be read).
func (l *loader) snapshotCurrent(hdr *snapHeader) (changed []changedFile, files []*srcFile, ok bool) {
	for _, e := range hdr.Env {
		v, set := l.env0.get(e.Name)
		if set != e.Set || envSum(v, set) != e.Sum {
			return nil, nil, false
		}
	}
	if !slices.Equal(l.resourcePathsExist(), hdr.Paths) {
		return nil, nil, false
	}
	files, listed := l.listedAsBefore(hdr)
	if !listed {
		for _, ps := range l.pkgs {
			files = append(files, walkPackage(ps, l.root.pf.PackagesInstallPath, nil)...)
		}
		if len(files) != len(hdr.Files) {
			return nil, nil, false
		}
		for i, f := range files {
			if f.rootRel != hdr.Files[i].Path || f.kind != hdr.Files[i].Kind {
				return nil, nil, false
			}
		}
	}
	racy := hdr.Stamped - int64(snapshotSlack)
	at := now() // before the stats: a stamp noted below was taken after it
	noted := l.restamps(hdr)
	bad := make([]bool, len(files))
	diff := make([]bool, len(files))
	read := make([][]byte, len(files))
	trusted := make([]*restamped, len(files))
	var total atomic.Int64
	l.parallel(len(files), func(i int) {
		f, want := files[i], &hdr.Files[i]
		// A plain stat: a file that now leads outside the project has another inode, and is
		// then read through the confined directory below, which refuses it.
		st, err := os.Stat(f.abs)
		if err != nil {
			bad[i] = true
			return
		}
		s := stampOf(st)
		if s == want.Stamp && want.Stamp.Mtime < racy && want.Stamp.Ctime < racy {
			return
		}
		if n, ok := noted[i]; ok && s == n.Stamp && settled(s, n.At) {
			trusted[i] = &n
			return
		}
		filesReadByCheck.Add(1)
		data, _, err := readSource(l.dir, f, &total)
		if err != nil {
			bad[i] = true
			return
		}
		if data = trimBOM(data); cache.Sum256(data) != want.Sum {
			diff[i], read[i] = true, data
		} else if settled(s, at) {
			trusted[i] = &restamped{I: i, Stamp: s, At: at}
		}
	})
	if slices.Contains(bad, true) {
		return nil, nil, false
	}
	var kept []restamped
	fresh := 0 // noted by this check: the stamps taken at its clock, at
	for _, r := range trusted {
		if r != nil {
			kept = append(kept, *r)
			if r.At == at {
				fresh++
			}
		}
	}
	l.restamped = func() { l.noteRestamps(hdr, kept, fresh) }
	for i, d := range diff {
		if d {
			changed = append(changed, changedFile{f: files[i], data: read[i]})
		}
	}
	return changed, files, true
}

// resetAfterProjects undoes what a restore that failed halfway set, so the load goes on as if
// it had not been tried.
func (l *loader) resetAfterProjects(diags int) {
	p := l.p
	p.Nodes, p.Sources, p.Exposures = map[string]*Node{}, map[string]*Source{}, map[string]*ExposureNode{}
	p.Macros, p.Docs, p.Unparsed = map[string]*Macro{}, map[string]*Doc{}, map[string][]map[string]any{}
	p.ParentMap, p.ChildMap, p.Disabled, p.DisabledSources = map[string][]string{}, map[string][]string{}, map[string][]*Node{}, nil
	p.Jinja, l.env, l.ix = nil, nil, nil
	l.diags = l.diags[:diags]
	l.volatiles, l.patched = nil, 0
}

// storeSnapshot stores what a full load produced, when nothing it depended on is missing from
// the snapshot's key and header, and either no snapshot was under its key (a cold cache, new
// vars or target: the first load under a key, which the next run, the same command again,
// restores, as dbt writes its partial-parse file on a first parse) or the load stored no entry
// of its own (writesBefore is the cache's count of writes when it started). A load that stored
// renders or parses where a snapshot already was follows an edit of a file other than a SQL
// model, and the next run is as likely to follow another edit: storing the snapshot there, and
// making the manifest template with it, would cost about a quarter of the load for nothing. A
// load that found everything cached (renders that read the clock are never stored, so they
// count for nothing here) is a run on an unchanged project, and the next one likely is too.
func (l *loader) storeSnapshot(writesBefore int64) {
	c := l.opts.Cache
	if c == nil || l.cache == nil || l.snapKey == nil || l.unstable.Load() || l.ctx.Err() != nil {
		return
	}
	if l.snapFound && c.Stats().Writes > writesBefore {
		return
	}
	files := 0
	for _, ps := range l.pkgs {
		files += len(ps.files)
	}
	if refusedBefore(c, *l.snapKey, files) {
		return
	}
	hdr := snapHeader{Version: snapshotVersion, ID: newSnapshotID(), Stamped: l.stamped.UnixNano(), Paths: l.pathsExist,
		Dirs: l.dirs.list()}
	for i, ps := range l.pkgs {
		for _, f := range ps.files {
			if f.readErr != nil || !f.stamped {
				return
			}
			hdr.Files = append(hdr.Files, snapFile{Path: f.rootRel, Kind: f.kind, Stamp: f.stamp, Sum: cache.Sum256(f.data), Pkg: i, Res: f.resDir})
		}
		hdr.Ignores = append(hdr.Ignores, ps.ignoreSum)
	}
	l.env0.mu.Lock()
	for _, name := range slices.Sorted(maps.Keys(l.env0.seen)) {
		v := l.env0.seen[name]
		hdr.Env = append(hdr.Env, snapEnv{Name: name, Sum: envSum(v.Value, v.Set), Set: v.Set})
	}
	l.env0.mu.Unlock()
	p := l.p
	body := snapBody{
		Nodes: p.Nodes, Sources: p.Sources, Exposures: p.Exposures, Macros: p.Macros, Docs: p.Docs,
		Unparsed: p.Unparsed, ParentMap: p.ParentMap, ChildMap: p.ChildMap, Disabled: p.Disabled, DisabledSources: p.DisabledSources,
		Diagnostics: l.diags[l.projectDiags:], MacroFiles: l.macroFiles, EnvDiags: l.envDiags, MacroIndex: l.env.Index(),
	}
	var ok bool
	if body.Volatile, ok = l.snapVolatiles(); !ok {
		return
	}
	ids := make([]string, len(body.Volatile))
	for i, v := range body.Volatile {
		ids[i] = v.ID
	}
	hdr.VolatileSum = volatileSum(p, ids)
	w := &entryWriter{}
	if snapEncode(w, &hdr) != nil {
		return
	}
	snapshotsEncoded.Add(1)
	// Written to the cache's file as it is encoded: the snapshot of a large project is hundreds
	// of megabytes, and the project it encodes is still in memory.
	sp := c.Spill(*l.snapKey, c.Limit()/4)
	err := writeBody(sp, w.b.Bytes(), &body, func() spoolFile {
		if s := sp.Scratch(); s != nil {
			return s
		}
		return nil
	})
	if sp.TooLarge() {
		// One entry may not crowd out the rest of the cache; a refusal is kept in its place, so
		// that the next runs do not encode the project again only to drop it.
		sp.Abort()
		c.Put(*l.snapKey, refusal(c.Limit(), files))
		return
	}
	if err != nil {
		sp.Abort()
		return
	}
	// The project as loaded holds what its renders printed: one that printed a secret stays
	// out, as its render does.
	var allow func([]byte) bool
	if m := l.opts.Secrets; m != nil && m.Len() > 0 {
		allow = func(data []byte) bool { return bytes.Equal(m.Mask(data), data) }
	}
	size := sp.Len()
	if !sp.Commit(allow) {
		return
	}
	// A manifest template takes about one and a half times the snapshot: past what the cache
	// would keep, it is not made (restoreSnapshot agrees).
	p.snapshotID, p.volatileSum, p.templated = hdr.ID, hdr.VolatileSum, size <= c.Limit()/8
}

// snapshotsEncoded counts the snapshots encoded by this process (tests read it).
var snapshotsEncoded atomic.Int64

// refusalMagic opens the entry kept under a snapshot's key when the snapshot was too large
// for the cache: the bound it was refused under and the project's file count follow.
const refusalMagic = "dataops snapshot refused\n"

func refusal(limit int64, files int) []byte {
	b := append([]byte(refusalMagic), make([]byte, 16)...)
	binary.LittleEndian.PutUint64(b[len(refusalMagic):], uint64(limit))
	binary.LittleEndian.PutUint64(b[len(refusalMagic)+8:], uint64(files))
	return b
}

// refusedBefore says a snapshot of this project was refused for its size under the same
// bound (or a larger one) while it had about as many files: making it again would be lost
// work. A project that lost a tenth of its files, or a larger bound, is tried again.
func refusedBefore(c *cache.Cache, key cache.Key, files int) bool {
	data, ok := c.Peek(key)
	if !ok || len(data) != len(refusalMagic)+16 || string(data[:len(refusalMagic)]) != refusalMagic {
		return false
	}
	limit := int64(binary.LittleEndian.Uint64(data[len(refusalMagic):]))
	was := int(binary.LittleEndian.Uint64(data[len(refusalMagic)+8:]))
	return c.Limit() <= limit && files*10 >= was*9
}

// pauseGC pauses the collector until every pauser has resumed; it returns the resume.
func pauseGC() func() { return gctune.Pause() }
