package change

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
)

// Options say which two versions of a project to compare.
type Options struct {
	// Dir is the project directory (holding dbt_project.yml) in the work tree. It is the head
	// as it is, uncommitted changes included, unless HeadRef is set.
	Dir string
	// BaseRef and HeadRef are git refs; Dir may be any directory of the repository's work tree
	// below its top level (a project in a subdirectory is compared at the same subdirectory).
	BaseRef string
	HeadRef string
	// BaseDir compares two directories instead: BaseDir is the base, Dir the head.
	BaseDir string
	// Load loads one version of the project; both are loaded in parallel. roots are the
	// directories the files of dir may link into (the tree a base built of links reuses):
	// they go to dbt.LoadOptions.Roots, so nothing else outside dir is read. temporary says
	// dir is a tree built for this run from git objects, removed when the change is closed
	// (dbt.LoadOptions.Throwaway). IsBase(ctx) says the call loads the base.
	Load func(ctx context.Context, dir string, roots []string, temporary bool) (*dbt.Project, error)
	// Infer infers output columns of a subset of models. Without it, no column changes are
	// reported.
	Infer Inferrer
	// FullBase loads the whole base project even when a light base would do (tests compare
	// the two).
	FullBase bool
	// KeptTrees is a directory where the light base trees of a work tree's changes are kept
	// between runs (kept.go); "" builds each run's tree in its temporary directory.
	KeptTrees string
	// ImpactDepth bounds how many levels of downstream models get their columns inferred to
	// find the downstream columns a change reaches (default 1: the direct children).
	ImpactDepth int
	// Known is what the caller already asked git of these refs (a review resolves them to
	// decide what it trusts): they are not asked again, each question being a process that
	// reads the repository's index or walks its work tree. Nil asks git.
	Known *KnownRefs
}

// KnownRefs is the repository holding Dir (FindRepo), the commits BaseRef and HeadRef name
// (HeadCommit "" for the work tree) and the tracked files that differ between them anywhere
// in the repository (TouchedFiles), in git's order.
type KnownRefs struct {
	Repo                   *Repo
	BaseCommit, HeadCommit string
	Touched                []string
}

// Detect loads the base and head versions and computes the ChangeSet. The caller must Close
// it to remove the temporary directories refs were extracted into. Errors name the ref or the
// directory at fault; a project that fails to load is returned as the loader's error.
func Detect(ctx context.Context, opts Options) (*ChangeSet, error) {
	if opts.Load == nil {
		return nil, errors.New("change.Detect: no loader")
	}
	t0 := time.Now()
	sides, err := resolveSides(ctx, opts)
	if err != nil {
		return nil, err
	}
	cs := &ChangeSet{BaseRef: opts.BaseRef, HeadRef: opts.HeadRef, Timings: map[string]time.Duration{}}
	ok := false
	defer func() {
		if !ok {
			sides.close()
		}
	}()
	// The head loads while git lists what changed; then the base is built and loaded: a light
	// base (see merge.go) when the change allows, else the whole project at the base.
	// A light base's tree is written meanwhile too: what it holds depends on the changed
	// files alone, but for the models a changed property file describes, added once the head
	// says which they are.
	var wg sync.WaitGroup
	var headErr, listErr error
	light := false
	wg.Add(2)
	go func() {
		defer wg.Done()
		cs.Head, headErr = opts.Load(ctx, sides.headDir, sides.headRoots, sides.temporary(sides.headDir))
	}()
	go func() {
		defer wg.Done()
		if listErr = sides.listChanges(ctx); listErr != nil {
			return
		}
		if light = sides.repo != nil && lightEligible(sides.changed) && !opts.FullBase; light {
			listErr = sides.lightTree(ctx, opts.KeptTrees)
		}
	}()
	wg.Wait()
	cs.Timings["load-head"] = time.Since(t0)
	if listErr != nil {
		return nil, listErr
	}
	if headErr != nil {
		return nil, headErr
	}
	var baseErr error
	if light {
		cs.Base, baseErr = sides.lightBase(ctx, opts, cs.Head)
		cs.LightBase = true
	} else {
		if err := sides.buildBase(ctx); err != nil {
			return nil, err
		}
		cs.Base, baseErr = opts.Load(baseSide(ctx), sides.baseDir, sides.baseRoots(), sides.temporary(sides.baseDir))
	}
	cs.Timings["load"] = time.Since(t0)
	cs.cleanup = sides.cleanup
	if baseErr != nil {
		return nil, fmt.Errorf("base %s: %w", baseLabel(opts), baseErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cs.PropertyFiles = sides.propertyFiles
	if sides.newProject {
		cs.Warnings = append(cs.Warnings, "the base "+baseLabel(opts)+" has no dbt_project.yml in this directory: the change creates the project, so everything in it is new")
	}
	t1 := time.Now()
	compare(ctx, cs, opts, sides.changed)
	cs.Timings["compare"] = time.Since(t1)
	ok = true
	return cs, nil
}

// Close removes the temporary directories of the compared versions.
func (cs *ChangeSet) Close() {
	if cs == nil {
		return
	}
	for _, f := range cs.cleanup {
		f()
	}
	cs.cleanup = nil
}

func baseLabel(opts Options) string {
	if opts.BaseDir != "" {
		return opts.BaseDir
	}
	return opts.BaseRef
}

type sides struct {
	baseDir, headDir string
	// headRoots are where the head's links lead: the work tree's installed packages when
	// the head was extracted from a ref.
	headRoots     []string
	propertyFiles []FileChange
	// changed lists the files (relative to the project) that differ; nil when unknown (two
	// directories), which makes every model be compared in depth.
	changed []string
	cleanup []func()

	repo                   *Repo
	baseCommit, headCommit string
	// touched is KnownRefs.Touched: nil when git is to be asked.
	touched []string
	tmp     string
	// lightIncluded says which files the light base's tree holds (lightTree).
	lightIncluded func(rel string) bool
	// newProject: the base commit has no dbt_project.yml where the head has one (buildBase).
	newProject bool
}

// temporary says dir was made for this run under the change's temporary directory.
func (s *sides) temporary(dir string) bool {
	if s.tmp == "" {
		return false
	}
	rel, err := filepath.Rel(s.tmp, dir)
	return err == nil && filepath.IsLocal(rel)
}

func (s *sides) close() {
	for _, f := range s.cleanup {
		f()
	}
	s.cleanup = nil
}

// resolveSides checks the refs and prepares the head directory (extracting it for --head).
func resolveSides(ctx context.Context, opts Options) (*sides, error) {
	s := &sides{}
	if opts.BaseDir != "" {
		if opts.HeadRef != "" || opts.BaseRef != "" {
			return nil, errors.New("compare either two directories or git refs, not both")
		}
		s.baseDir, s.headDir = opts.BaseDir, opts.Dir
		return s, nil
	}
	if opts.BaseRef == "" {
		return nil, errors.New("no base: give a git ref or a base directory")
	}
	if k := opts.Known; k != nil && k.Repo != nil {
		repo := *k.Repo // its shared folders are this change's
		s.repo, s.baseCommit, s.headCommit, s.touched = &repo, k.BaseCommit, k.HeadCommit, k.Touched
	} else {
		repo, err := FindRepo(ctx, opts.Dir)
		if err != nil {
			return nil, err
		}
		s.repo = repo
		if s.baseCommit, err = repo.ResolveRef(ctx, opts.BaseRef); err != nil {
			return nil, err
		}
		if opts.HeadRef != "" {
			if s.headCommit, err = repo.ResolveRef(ctx, opts.HeadRef); err != nil {
				return nil, err
			}
		}
	}
	repo := s.repo
	var err error
	// The folders outside the project that either version reads are listed, extracted and
	// built with it (shared.go).
	repo.Shared = repo.sharedDirs(ctx, s.baseCommit, s.headCommit)
	if s.tmp, err = os.MkdirTemp("", "dataops-change-"); err != nil {
		return nil, err
	}
	tmp := s.tmp
	s.cleanup = append(s.cleanup, func() { _ = os.RemoveAll(tmp) })
	if s.headCommit != "" {
		if s.headDir, err = repo.Extract(ctx, s.headCommit, filepath.Join(tmp, "head")); err != nil {
			s.close()
			return nil, err
		}
		work := filepath.Join(repo.Top, filepath.FromSlash(repo.Prefix))
		linkPackages(work, s.headDir)
		s.headRoots = []string{work}
		if len(repo.Shared) > 0 {
			// The extracted repository holds the shared folders the head reads.
			s.headRoots = append(s.headRoots, filepath.Join(tmp, "head"))
		}
	} else {
		s.headDir = filepath.Join(repo.Top, filepath.FromSlash(repo.Prefix))
		if len(repo.Shared) > 0 {
			s.headRoots = []string{repo.Top}
		}
	}
	return s, nil
}

// baseRoots are where the base tree's links lead: BuildTree links the files the change did not
// touch to the head's, and the packages to the head's packages. With shared folders, the base
// tree's own repository holds them, and the head's files they link to are in the head's.
func (s *sides) baseRoots() []string {
	if s.repo == nil {
		return nil
	}
	roots := append([]string{s.headDir}, s.headRoots...)
	if len(s.repo.Shared) > 0 {
		roots = append(roots, filepath.Join(s.tmp, "base"))
	}
	return roots
}

// listChanges lists the files that differ (git mode) and the property files among them; with
// two directories, the property files that differ.
func (s *sides) listChanges(ctx context.Context) error {
	if s.repo == nil {
		pf, err := diffPropertyDirs(s.baseDir, s.headDir)
		s.propertyFiles = pf
		return err
	}
	changed, err := s.repo.changedFiles(ctx, s.baseCommit, s.headCommit, s.touched)
	if err != nil {
		return err
	}
	s.changed = changed
	return nil
}

// buildBase writes the whole base tree (git mode).
func (s *sides) buildBase(ctx context.Context) error {
	if s.repo == nil {
		return nil
	}
	var err error
	if s.baseDir, err = s.repo.BuildTree(ctx, s.baseCommit, s.headDir, s.changed, filepath.Join(s.tmp, "base")); err != nil {
		return err
	}
	// A change that creates the project (or moves it here) has none at the base. The base is
	// then what the base commit holds there read with the head's project file: nothing, for a
	// new project, so that everything the change brings is added rather than the review
	// failing.
	if s.temporary(s.baseDir) {
		if _, err := os.Lstat(filepath.Join(s.baseDir, "dbt_project.yml")); errors.Is(err, os.ErrNotExist) {
			b, err := os.ReadFile(filepath.Join(s.headDir, "dbt_project.yml"))
			if err != nil {
				return err
			}
			if err := os.MkdirAll(s.baseDir, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(s.baseDir, "dbt_project.yml"), b, 0o644); err != nil {
				return err
			}
			s.newProject = true
		}
	}
	s.listPropertyFiles()
	return nil
}

// lightTree writes the light base's tree: the files lightFilter names. With keep, a tree kept
// from an earlier run of the same change is used, or one is built there.
func (s *sides) lightTree(ctx context.Context, keep string) error {
	s.lightIncluded = lightFilter(s.headDir, s.changed)
	dir, err := s.keptTree(ctx, keep)
	if err != nil {
		return err
	}
	if dir != "" {
		s.baseDir = dir
		return nil
	}
	s.baseDir, err = s.repo.buildTree(ctx, s.baseCommit, s.headDir, s.changed, filepath.Join(s.tmp, "base"), s.lightIncluded)
	return err
}

// lightBase completes the light tree with the models whose entries sit in a changed property
// file (so their base entries are read), loads it and merges it with the head (merge.go).
func (s *sides) lightBase(ctx context.Context, opts Options, head *dbt.Project) (*dbt.Project, error) {
	changedSet := map[string]bool{}
	for _, f := range s.changed {
		changedSet[f] = true
	}
	extra := map[string]bool{}
	for _, n := range append(head.Models(), head.OffModels(rootName(head))...) {
		if n.Patch != nil && changedSet[n.Patch.File] && n.Package == rootName(head) && !s.lightIncluded(n.OriginalFilePath) {
			extra[n.OriginalFilePath] = true
		}
		// A changed model's entry in an unchanged property file elsewhere: without it the
		// light load would miss the entry's `config:`, and the base would seem to lack it.
		if n.Patch != nil && changedSet[n.OriginalFilePath] && n.Package == rootName(head) && !s.lightIncluded(n.Patch.File) {
			extra[n.Patch.File] = true
		}
	}
	if len(extra) > 0 {
		include := func(rel string) bool { return extra[rel] }
		if !s.temporary(s.baseDir) {
			// A kept tree (kept.go): what the head adds is not part of its key, so this run's
			// tree is its own.
			include = func(rel string) bool { return extra[rel] || s.lightIncluded(rel) }
		}
		dir, err := s.repo.buildTree(ctx, s.baseCommit, s.headDir, s.changed, filepath.Join(s.tmp, "base"), include)
		if err != nil {
			return nil, err
		}
		s.baseDir = dir
	}
	s.listPropertyFiles()
	light, err := opts.Load(baseSide(ctx), s.baseDir, s.baseRoots(), s.temporary(s.baseDir))
	if err != nil {
		return nil, err
	}
	return mergeBase(head, light, s.changed), nil
}

// listPropertyFiles classifies the changed property files once the base tree exists.
func (s *sides) listPropertyFiles() {
	for _, f := range s.changed {
		ext := strings.ToLower(filepath.Ext(f))
		if ext != ".yml" && ext != ".yaml" || projectLevelFile(f) {
			continue
		}
		_, errB := os.Stat(filepath.Join(s.baseDir, filepath.FromSlash(f)))
		_, errH := os.Stat(filepath.Join(s.headDir, filepath.FromSlash(f)))
		switch {
		case errB == nil && errH == nil:
			s.propertyFiles = append(s.propertyFiles, FileChange{Path: f, Change: Modified})
		case errB == nil:
			s.propertyFiles = append(s.propertyFiles, FileChange{Path: f, Change: Removed})
		case errH == nil:
			s.propertyFiles = append(s.propertyFiles, FileChange{Path: f, Change: Added})
		}
	}
	sort.Slice(s.propertyFiles, func(i, j int) bool { return s.propertyFiles[i].Path < s.propertyFiles[j].Path })
}

// projectLevelFile: files whose change can reconfigure any model.
func projectLevelFile(f string) bool {
	switch f {
	case "dbt_project.yml", "packages.yml", "profiles.yml", "dependencies.yml", "selectors.yml":
		return true
	}
	return false
}

// diffPropertyDirs lists the .yml files that differ between two project directories.
func diffPropertyDirs(base, head string) ([]FileChange, error) {
	list := func(root string) (map[string]string, error) {
		out := map[string]string{}
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				n := d.Name()
				if p != root && (strings.HasPrefix(n, ".") || n == "target" || n == "dbt_packages" || n == "dbt_modules" || n == "logs") {
					return filepath.SkipDir
				}
				return nil
			}
			ext := strings.ToLower(filepath.Ext(p))
			if ext == ".yml" || ext == ".yaml" {
				rel, _ := filepath.Rel(root, p)
				out[filepath.ToSlash(rel)] = p
			}
			return nil
		})
		return out, err
	}
	b, err := list(base)
	if err != nil {
		return nil, err
	}
	h, err := list(head)
	if err != nil {
		return nil, err
	}
	var out []FileChange
	for rel, p := range h {
		bp, ok := b[rel]
		if !ok {
			out = append(out, FileChange{Path: rel, Change: Added})
			continue
		}
		x, _ := os.ReadFile(bp)
		y, _ := os.ReadFile(p)
		if string(x) != string(y) {
			out = append(out, FileChange{Path: rel, Change: Modified})
		}
	}
	for rel := range b {
		if _, ok := h[rel]; !ok {
			out = append(out, FileChange{Path: rel, Change: Removed})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// compare fills the model changes of cs from its loaded projects.
func compare(ctx context.Context, cs *ChangeSet, opts Options, changed []string) {
	base, head := cs.Base, cs.Head
	// Config and properties can differ only for models whose file or property file changed,
	// unless a project-level file changed; then every model is compared.
	deepAll := changed == nil
	touched := map[string]bool{}
	for _, f := range changed {
		touched[f] = true
		if projectLevelFile(f) {
			deepAll = true
		}
	}
	deep := func(bn, hn *dbt.Node) bool {
		if deepAll || touched[hn.OriginalFilePath] || touched[bn.OriginalFilePath] {
			return true
		}
		return hn.Patch != nil && touched[hn.Patch.File] || bn.Patch != nil && touched[bn.Patch.File]
	}
	isModel := func(n *dbt.Node) bool { return n.ResourceType == dbt.Model && !n.Disabled }
	baseRoot, headRoot := rootName(base), rootName(head)
	var removedC, addedC []renameCandidate
	for id, n := range base.Nodes {
		if !isModel(n) || n.Package != baseRoot {
			continue
		}
		if hn, ok := head.Nodes[id]; !ok || !isModel(hn) {
			removedC = append(removedC, renameCandidate{id: id, path: n.OriginalFilePath, sql: n.RawCode})
		}
	}
	for id, n := range head.Nodes {
		if !isModel(n) || n.Package != headRoot {
			continue
		}
		if bn, ok := base.Nodes[id]; !ok || !isModel(bn) {
			addedC = append(addedC, renameCandidate{id: id, path: n.OriginalFilePath, sql: n.RawCode})
		}
	}
	renames := matchRenames(removedC, addedC)
	renamedFrom := map[string]renamePair{}
	renamedTo := map[string]bool{}
	for _, p := range renames {
		renamedFrom[p.from] = p
		renamedTo[p.to] = true
	}
	var models []*ModelChange
	for _, c := range addedC {
		n := head.Nodes[c.id]
		if renamedTo[c.id] {
			continue
		}
		models = append(models, &ModelChange{UniqueID: c.id, Change: Added, Path: n.OriginalFilePath, SQLChanged: true})
	}
	for _, c := range removedC {
		n := base.Nodes[c.id]
		if p, ok := renamedFrom[c.id]; ok {
			hn := head.Nodes[p.to]
			models = append(models, &ModelChange{UniqueID: p.to, Change: Renamed, From: c.id, Path: hn.OriginalFilePath,
				FromPath: n.OriginalFilePath, Similarity: round2(p.score), SQLChanged: n.RawCode != hn.RawCode,
				Config: diffConfig(n.Config, hn.Config), Relation: relationMove(n, hn)})
			continue
		}
		models = append(models, &ModelChange{UniqueID: c.id, Change: Removed, Path: n.OriginalFilePath})
	}
	for id, hn := range head.Nodes {
		if !isModel(hn) || hn.Package != headRoot {
			continue
		}
		bn, ok := base.Nodes[id]
		if !ok || !isModel(bn) {
			continue
		}
		if mc := modified(bn, hn, deep); mc != nil {
			models = append(models, mc)
		}
	}
	models = append(models, compareOff(base, head, baseRoot, headRoot, deep)...)
	sort.Slice(models, func(i, j int) bool { return models[i].UniqueID < models[j].UniqueID })
	cs.Models = models
	for _, m := range models {
		m.Columns = []ColumnChange{}
		m.Impact = []string{}
	}
	if opts.Infer != nil && len(models) > 0 {
		inferColumns(ctx, cs, opts)
	}
	for _, m := range models {
		impact(cs, m)
	}
}

// compareOff lists the changes of the root project's models that are off (ModelChange.Off):
// one off on both sides whose SQL, config or properties changed, one added off, one removed
// while off. A model off on one side only is absent there for the comparison above.
func compareOff(base, head *dbt.Project, baseRoot, headRoot string, deep func(bn, hn *dbt.Node) bool) []*ModelChange {
	baseOff, headOff := base.OffModels(baseRoot), head.OffModels(headRoot)
	if len(baseOff)+len(headOff) == 0 {
		return nil
	}
	var removedC, addedC []renameCandidate
	for _, n := range baseOff {
		if head.AnyNode(n.UniqueID) == nil {
			removedC = append(removedC, renameCandidate{id: n.UniqueID, path: n.OriginalFilePath, sql: n.RawCode})
		}
	}
	for _, n := range headOff {
		if base.AnyNode(n.UniqueID) == nil {
			addedC = append(addedC, renameCandidate{id: n.UniqueID, path: n.OriginalFilePath, sql: n.RawCode})
		}
	}
	renamedFrom := map[string]renamePair{}
	renamedTo := map[string]bool{}
	for _, p := range matchRenames(removedC, addedC) {
		renamedFrom[p.from] = p
		renamedTo[p.to] = true
	}
	var out []*ModelChange
	for _, c := range addedC {
		if !renamedTo[c.id] {
			out = append(out, &ModelChange{UniqueID: c.id, Change: Added, Path: c.path, SQLChanged: true, Off: true})
		}
	}
	for _, c := range removedC {
		n := base.OffNode(c.id)
		if p, ok := renamedFrom[c.id]; ok {
			hn := head.OffNode(p.to)
			out = append(out, &ModelChange{UniqueID: p.to, Change: Renamed, From: c.id, Path: hn.OriginalFilePath,
				FromPath: n.OriginalFilePath, Similarity: round2(p.score), SQLChanged: n.RawCode != hn.RawCode,
				Config: diffConfig(n.Config, hn.Config), Relation: relationMove(n, hn), Off: true})
			continue
		}
		out = append(out, &ModelChange{UniqueID: c.id, Change: Removed, Path: n.OriginalFilePath, Off: true})
	}
	for _, hn := range headOff {
		bn := base.OffNode(hn.UniqueID)
		if bn == nil || bn.Package != baseRoot {
			continue
		}
		if mc := modified(bn, hn, deep); mc != nil {
			mc.Off = true
			out = append(out, mc)
		}
	}
	return out
}

// modified is the change of a model present at both ends, or nil when neither its SQL, its
// properties nor a config that matters changed. deep says whether the configs and properties
// are worth comparing: only where a file the change touched holds them (or a project-level
// file changed).
func modified(bn, hn *dbt.Node, deep func(a, b *dbt.Node) bool) *ModelChange {
	sqlChanged := bn.RawCode != hn.RawCode
	var cfg []ConfigChange
	var props []PropertyChange
	if deep(bn, hn) {
		cfg = diffConfig(bn.Config, hn.Config)
		props = diffProperties(bn, hn)
	}
	if !sqlChanged && len(props) == 0 && onlyDescriptive(cfg) {
		return nil
	}
	return &ModelChange{UniqueID: hn.UniqueID, Change: Modified, Path: hn.OriginalFilePath,
		SQLChanged: sqlChanged, Config: cfg, Properties: props}
}

// relationMove says whether a renamed model's relation is renamed too: both sides build one
// (an ephemeral model has none) under different identifiers. An alias that keeps the old
// identifier keeps the relation; identifiers that differ only in case name the same
// unquoted relation.
func relationMove(base, head *dbt.Node) *RelationMove {
	if base.RelationName == "" || head.RelationName == "" || strings.EqualFold(base.Alias, head.Alias) {
		return nil
	}
	return &RelationMove{From: base.Alias, To: head.Alias}
}

func rootName(p *dbt.Project) string {
	for _, pk := range p.Packages {
		if pk.IsRoot {
			return pk.Name
		}
	}
	return p.Name
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// diffConfig lists the config keys whose values differ, one level of nesting flattened
// (contract.enforced, docs.show).
func diffConfig(a, b map[string]any) []ConfigChange {
	fa, fb := flatten(a), flatten(b)
	keys := map[string]bool{}
	for k := range fa {
		keys[k] = true
	}
	for k := range fb {
		keys[k] = true
	}
	var out []ConfigChange
	for k := range keys {
		va, vb := fa[k], fb[k]
		if isEmpty(va) && isEmpty(vb) {
			continue
		}
		if UnknownValue(va) || UnknownValue(vb) {
			// An env_var() not read on one side leaves that side's value unknown: adding a
			// default to env_var('X') is no evidence that the value changed.
			continue
		}
		if !reflect.DeepEqual(va, vb) {
			out = append(out, ConfigChange{Key: k, From: va, To: vb})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// UnknownValue reports a config value rendered from an env_var() that was not read: what it
// is where dbt runs is not known, so it cannot be said to differ from another.
func UnknownValue(v any) bool {
	return v != nil && strings.Contains(fmt.Sprint(v), jinja.RefusedEnvVar)
}

// onlyDescriptive reports whether every config change is to tags, meta or docs: they describe
// a model (a catalog, a selector) without changing what it builds or where, so on their own
// they make no model change, wherever they are set.
func onlyDescriptive(cfg []ConfigChange) bool {
	for _, c := range cfg {
		k, _, _ := strings.Cut(c.Key, ".")
		if k != "tags" && k != "meta" && k != "docs" {
			return false
		}
	}
	return true
}

func flatten(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			for k2, v2 := range sub {
				out[k+"."+k2] = v2
			}
			continue
		}
		out[k] = v
	}
	return out
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice, reflect.String:
		return rv.Len() == 0
	}
	return false
}

// diffProperties compares what the property files say about a model. A column listed twice in
// a property file is one column to dbt (the later entry's description and type, the tests of
// both), so each side is folded the same way before comparing: an untouched file that lists a
// column twice must read the same on both sides.
func diffProperties(a, b *dbt.Node) []PropertyChange {
	var out []PropertyChange
	if a.Description != b.Description {
		out = append(out, PropertyChange{What: "description"})
	}
	ac, bc := foldColumns(a.Columns), foldColumns(b.Columns)
	for _, c := range bc.order {
		old, ok := ac.byName[c.key]
		if !ok {
			out = append(out, PropertyChange{What: "column-added", Column: c.name})
			continue
		}
		if old.description != c.description || old.dataType != c.dataType {
			out = append(out, PropertyChange{What: "column-description", Column: c.name})
		}
		if old.tests != c.tests {
			out = append(out, PropertyChange{What: "tests", Column: c.name})
		}
	}
	for _, c := range ac.order {
		if _, ok := bc.byName[c.key]; !ok {
			out = append(out, PropertyChange{What: "column-removed", Column: c.name})
		}
	}
	return out
}

// foldedColumn is what dbt keeps of the entries of one column name.
type foldedColumn struct {
	key, name, description, dataType, tests string
}

type foldedColumnSet struct {
	order  []*foldedColumn
	byName map[string]*foldedColumn
}

// foldColumns merges entries by case-folded name in first-seen order: the later entry's
// description and type win (dbt builds a map from the list), tests add up.
func foldColumns(cols []*dbt.Column) foldedColumnSet {
	set := foldedColumnSet{byName: map[string]*foldedColumn{}}
	tests := map[string][]*dbt.TestDef{}
	for _, c := range cols {
		k := dbt.ColumnKey(c.Name)
		f := set.byName[k]
		if f == nil {
			f = &foldedColumn{key: k, name: c.Name}
			set.byName[k] = f
			set.order = append(set.order, f)
		}
		f.description, f.dataType = c.Description, c.DataType
		tests[k] = append(tests[k], c.Tests...)
	}
	for k, f := range set.byName {
		f.tests = testsKey(tests[k])
	}
	return set
}

func testsKey(ts []*dbt.TestDef) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, fmt.Sprintf("%s.%s%v%v", t.Namespace, t.Name, t.Args, t.Config))
	}
	sort.Strings(parts)
	return strings.Join(parts, "|")
}
