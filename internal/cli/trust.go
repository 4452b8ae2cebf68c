package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// Trust modes (--trust): which version of the project's own settings a run believes.
const (
	// trustWorktree takes settings from the work tree: a local run, where the person running
	// dataops wrote the change.
	trustWorktree = "worktree"
	// trustBase takes them from the base only: a run on someone else's pull request (CI, the
	// service), where the change itself is untrusted input.
	trustBase = "base"
)

// sqlfluffConfigNames are the SQLFluff configuration files the linter reads in each folder.
var sqlfluffConfigNames = []string{"setup.cfg", "tox.ini", "pep8.ini", ".sqlfluff", "pyproject.toml"}

// trust is the resolved --trust of one run. With trustBase, .dataops.yml, the project's
// profiles.yml, the SQLFluff configuration files and the schema dictionary are read from the
// base commit (or --base-dir), never from the change; profiles the runner chose
// (--profiles-dir, DBT_PROFILES_DIR, ~/.dbt) stay trusted. Whatever the mode, a DuckDB file
// the change added or modified in git is never opened.
type trust struct {
	mode string
	ctx  context.Context
	proj string // the project in the work tree, absolute

	repo    *change.Repo
	commit  string          // base commit
	touched map[string]bool // tracked files the change touches, relative to the repository top
	baseDir string          // --base-dir
	// known is what git said of the refs, for the change's detection (change.Options.Known);
	// base and head are the refs it was asked of.
	known                *change.KnownRefs
	knownBase, knownHead string

	tmp   string
	notes []review.Finding
	noted map[string]bool
}

// onCI reports a CI runner (GITHUB_ACTIONS or CI is "true"), where the work tree may be a
// pull request's.
func onCI(env *Env) bool {
	return env.Getenv("GITHUB_ACTIONS") == "true" || env.Getenv("CI") == "true"
}

// resolveTrust reads --trust: the default is base inside CI (GITHUB_ACTIONS or CI is "true")
// when --base is a git ref, else worktree. It sets pf to the trusted profiles and remembers
// the mode on pf for the warehouse. The caller must close it.
func resolveTrust(env *Env, pf *projectFlags, cf *changeFlags) (*trust, error) {
	mode := cf.Trust
	if mode == "" {
		mode = trustWorktree
		if onCI(env) && cf.Base != "" {
			mode = trustBase
		}
	}
	if mode != trustBase && mode != trustWorktree {
		return nil, usageError("--trust: want base or worktree, got %q", mode)
	}
	proj, err := filepath.Abs(pf.Project)
	if err != nil {
		return nil, &ExitError{Code: ExitInternal, Err: err}
	}
	t := &trust{mode: mode, ctx: env.Ctx, proj: proj, noted: map[string]bool{}}
	switch {
	case cf.Base != "" && !strings.HasPrefix(cf.Base, "-") && !strings.HasPrefix(cf.Head, "-"):
		repo, err := change.FindRepo(env.Ctx, pf.Project)
		if err != nil {
			if mode == trustBase {
				return nil, usageError("--trust base: %v", err)
			}
			break // not a repository: the change detection says so
		}
		commit, err := repo.ResolveRef(env.Ctx, cf.Base)
		if err != nil {
			return nil, usageError("%v", err)
		}
		head := ""
		if cf.Head != "" {
			if head, err = repo.ResolveRef(env.Ctx, cf.Head); err != nil {
				return nil, usageError("%v", err)
			}
		}
		files, err := repo.TouchedFiles(env.Ctx, commit, head)
		if err != nil {
			return nil, &ExitError{Code: ExitInternal, Err: err}
		}
		t.repo, t.commit, t.touched = repo, commit, map[string]bool{}
		for _, f := range files {
			t.touched[f] = true
		}
		if files == nil {
			files = []string{} // nothing differs, which is known
		}
		t.known = &change.KnownRefs{Repo: repo, BaseCommit: commit, HeadCommit: head, Touched: files}
		t.knownBase, t.knownHead = cf.Base, cf.Head
	case cf.BaseDir != "":
		t.baseDir = cf.BaseDir
	}
	if mode == trustBase && t.repo == nil && t.baseDir == "" {
		return nil, usageError("--trust base needs --base REF (a git ref) or --base-dir DIR")
	}
	pf.trust = t
	if mode == trustBase {
		dir, err := t.profilesDir(env, pf)
		if err != nil {
			t.close()
			return nil, err
		}
		pf.ProfilesDir = dir
		// The security settings (which env vars project code reads, what is masked) are
		// settings too: the base's, before anything of the project is rendered.
		c, err := t.config(env, pf)
		if err != nil {
			t.close()
			return nil, err
		}
		env.useSecurity(pf.Project, c)
		env.useRenderTime(c.Limits.RenderTime)
	}
	return t, nil
}

func (t *trust) base() bool { return t != nil && t.mode == trustBase }

func (t *trust) close() {
	if t != nil && t.tmp != "" {
		os.RemoveAll(t.tmp)
		t.tmp = ""
	}
}

// scratch is a private directory for the trusted copies the loaders read.
func (t *trust) scratch(name string) (string, error) {
	if t.tmp == "" {
		dir, err := os.MkdirTemp("", "dataops-trusted-")
		if err != nil {
			return "", err
		}
		t.tmp = dir
	}
	dir := filepath.Join(t.tmp, name)
	return dir, os.MkdirAll(dir, 0o700)
}

// read returns the trusted version of the project file rel (slash-separated): with trust
// base, the base's regular file; a file neither the base nor the change has (one the runner
// made, untracked) comes from the work tree. ok is false when there is none.
func (t *trust) read(rel string) (data []byte, ok bool, err error) {
	rel = path.Clean(filepath.ToSlash(rel))
	if rel == "." || rel == ".." || strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
		return nil, false, nil
	}
	if t.base() && t.repo != nil {
		top := path.Join(t.repo.Prefix, rel)
		if data, ok, err := t.repo.ReadBlob(t.ctx, t.commit, top); err != nil || ok {
			return data, ok, err
		}
		if t.touched[top] {
			return nil, false, nil // the change added it
		}
	} else if t.base() {
		return readRegular(filepath.Join(t.baseDir, filepath.FromSlash(rel)))
	}
	return readRegular(filepath.Join(t.proj, filepath.FromSlash(rel)))
}

// readRegular reads a regular file; a symbolic link or a missing file is no file.
func readRegular(p string) ([]byte, bool, error) {
	st, err := os.Lstat(p)
	if err != nil || !st.Mode().IsRegular() {
		return nil, false, nil
	}
	data, err := os.ReadFile(p)
	return data, err == nil, err
}

// changes reports whether the change touches the project file rel.
func (t *trust) changes(rel string) bool {
	switch {
	case t.repo != nil:
		return t.touched[path.Join(t.repo.Prefix, filepath.ToSlash(rel))]
	case t.baseDir != "":
		a, okA, _ := readRegular(filepath.Join(t.baseDir, filepath.FromSlash(rel)))
		b, okB, _ := readRegular(filepath.Join(t.proj, filepath.FromSlash(rel)))
		return okA != okB || !bytes.Equal(a, b)
	}
	return false
}

// note records, once per file, that the base's version of a file the change edits was used.
func (t *trust) note(rel, what string) {
	if !t.base() || t.noted[rel] || !t.changes(rel) {
		return
	}
	t.noted[rel] = true
	t.notes = append(t.notes, review.Finding{Agent: "trust", Rule: "base-config", Severity: review.SeverityInfo, Path: rel, Line: 1,
		Message: fmt.Sprintf("this change edits %s (%s); the review used the base's version: settings a pull request brings take effect once merged", rel, what)})
}

// config reads .dataops.yml from the trusted side.
func (t *trust) config(env *Env, pf *projectFlags) (*config.Config, error) {
	o := config.Options{Dir: pf.Project, Getenv: func(k string) (string, bool) {
		v := env.Getenv(k)
		return v, v != ""
	}}
	if t.base() {
		t.note(config.FileName, "dataops settings")
		t.note(".dataops.yaml", "dataops settings")
		o.ReadFile = func(name string) ([]byte, error) {
			data, ok, err := t.read(name)
			if err == nil && !ok {
				err = fs.ErrNotExist
			}
			return data, err
		}
	}
	c, err := config.Load(o)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return c, nil
}

// dictionary loads schema.dictionary from the trusted side (trust base only).
func (t *trust) dictionary(rel string) (*schema.Dictionary, error) {
	if filepath.IsAbs(rel) || strings.HasPrefix(path.Clean(filepath.ToSlash(rel)), "../") {
		return nil, usageError("schema.dictionary: %s is outside the project", rel)
	}
	t.note(filepath.ToSlash(rel), "the schema dictionary")
	data, ok, err := t.read(rel)
	if err != nil {
		return nil, &ExitError{Code: ExitInternal, Err: err}
	}
	if !ok {
		return nil, usageError("schema.dictionary: %s: no such file at the base", rel)
	}
	dir, err := t.scratch("dictionary")
	if err != nil {
		return nil, &ExitError{Code: ExitInternal, Err: err}
	}
	p := filepath.Join(dir, filepath.Base(rel))
	if err := os.WriteFile(p, data, 0o600); err != nil {
		return nil, &ExitError{Code: ExitInternal, Err: err}
	}
	d, err := schema.LoadDictionary(dir, filepath.Base(rel))
	if err != nil {
		return nil, usageError("schema.dictionary: %s: %v", rel, strings.ReplaceAll(err.Error(), p, rel))
	}
	return d, nil
}

// lintReader reads SQLFluff configuration files for the linter from the trusted side; nil
// reads the work tree. The linter looks from the repository's top down to each file
// (lint.SearchRoot), so files in the folders above the project are read at the base too.
func (t *trust) lintReader(root string) func(string) ([]byte, error) {
	if !t.base() {
		return nil
	}
	if t.repo != nil {
		above := map[string]bool{} // the folders from the repository top down to the project
		for d := t.repo.Prefix; ; d = path.Dir(d) {
			above[d] = true
			if d == "." || d == "" || d == "/" {
				above["."] = true
				break
			}
		}
		for f := range t.touched {
			if !slices.Contains(sqlfluffConfigNames, path.Base(f)) {
				continue
			}
			inside := t.repo.Prefix == "" || strings.HasPrefix(f, t.repo.Prefix+"/")
			if !inside && !above[path.Dir(f)] {
				continue
			}
			rel, err := filepath.Rel(filepath.FromSlash("/"+t.repo.Prefix), filepath.FromSlash("/"+f))
			if err == nil {
				t.note(filepath.ToSlash(rel), "SQLFluff configuration")
			}
		}
	}
	return func(p string) ([]byte, error) {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil, fs.ErrNotExist
		}
		rel = filepath.ToSlash(rel)
		var data []byte
		var ok bool
		if rel == ".." || strings.HasPrefix(rel, "../") {
			data, ok, err = t.readAbove(rel, p)
		} else {
			data, ok, err = t.read(rel)
		}
		if err == nil && !ok {
			err = fs.ErrNotExist
		}
		return data, err
	}
}

// readAbove is read for a file in a folder above the project (rel climbs with ".."; abs is the
// file in the work tree): the base's version inside the repository, nothing outside it. With
// --base-dir the change is the two project folders, so the folders above are the runner's.
func (t *trust) readAbove(rel, abs string) ([]byte, bool, error) {
	if t.repo == nil {
		return readRegular(abs)
	}
	top := path.Join(t.repo.Prefix, rel)
	if top == ".." || strings.HasPrefix(top, "../") {
		return nil, false, nil
	}
	if data, ok, err := t.repo.ReadBlob(t.ctx, t.commit, top); err != nil || ok {
		return data, ok, err
	}
	if t.touched[top] {
		return nil, false, nil // the change added it
	}
	return readRegular(abs)
}

// profilesDir writes the trusted profile to a private directory and returns it: the profiles
// the runner chose (--profiles-dir, else DBT_PROFILES_DIR), else the base's profiles.yml in
// the project, else ~/.dbt, as dbt looks them up; the profile named by the base's
// dbt_project.yml, stored under the names both versions ask for. With none, the embedded
// DuckDB's default. The loaders then never read a profiles.yml the change brings.
func (t *trust) profilesDir(env *Env, pf *projectFlags) (string, error) {
	baseName := t.profileName(true)
	headName := t.profileName(false)
	if headName != baseName {
		t.note("dbt_project.yml", fmt.Sprintf("profile %q instead of %q", headName, baseName))
	}
	type source struct {
		label    string
		data     []byte
		explicit bool
	}
	var sources []source
	fromDir := func(dir string) {
		data, err := os.ReadFile(filepath.Join(dir, "profiles.yml"))
		if err == nil {
			sources = append(sources, source{filepath.Join(dir, "profiles.yml"), data, true})
		}
	}
	switch {
	case pf.ProfilesDir != "":
		fromDir(pf.ProfilesDir)
		if len(sources) == 0 {
			return "", usageError("--profiles-dir %s: no profiles.yml there", pf.ProfilesDir)
		}
	case env.Getenv("DBT_PROFILES_DIR") != "":
		fromDir(env.Getenv("DBT_PROFILES_DIR"))
		if len(sources) == 0 {
			return "", usageError("DBT_PROFILES_DIR %s: no profiles.yml there", env.Getenv("DBT_PROFILES_DIR"))
		}
	default:
		t.note("profiles.yml", "dbt profiles")
		if data, ok, err := t.read("profiles.yml"); err != nil {
			return "", &ExitError{Code: ExitInternal, Err: err}
		} else if ok {
			sources = append(sources, source{"profiles.yml at the base", data, false})
		}
		if home, err := os.UserHomeDir(); err == nil {
			if data, err := os.ReadFile(filepath.Join(home, ".dbt", "profiles.yml")); err == nil {
				sources = append(sources, source{filepath.Join(home, ".dbt", "profiles.yml"), data, false})
			}
		}
		if !slices.ContainsFunc(sources, func(s source) bool { return definesProfile(s.data, baseName) }) {
			// Not where dbt looks: a profiles.yml in the project's folders, as the base has it.
			for _, rel := range profilesInProject(t.proj) {
				if data, ok, err := t.read(rel); err == nil && ok && definesProfile(data, baseName) {
					sources = append(sources, source{rel + " at the base", data, false})
					env.warnOnce(fmt.Sprintf("profile %q is not in a profiles.yml where dbt looks (--profiles-dir, DBT_PROFILES_DIR, the project, ~/.dbt); using %s (pass --profiles-dir to say so)", baseName, rel))
					break
				}
			}
		}
	}
	var entry any
	for _, s := range sources {
		var doc map[string]any
		if err := yamllimit.Unmarshal(bytes.TrimPrefix(s.data, []byte("\xef\xbb\xbf")), &doc); err != nil {
			return "", usageError("%s: %s", s.label, strings.SplitN(err.Error(), "\n", 2)[0])
		}
		if e, ok := doc[baseName]; ok {
			entry = e
			break
		}
		if s.explicit {
			return "", usageError("%s: no profile %q", s.label, baseName)
		}
	}
	if entry == nil {
		if baseName != "" && pf.Dialect == "" {
			env.warnOnce(fmt.Sprintf("no profiles.yml defines profile %q (looked in --profiles-dir, DBT_PROFILES_DIR, the project and its folders, ~/.dbt): SQL is read as DuckDB's and runs on the embedded DuckDB; pass --profiles-dir, or --dialect for the SQL", baseName))
		}
		target := pf.Target
		if target == "" {
			target = "dev"
		}
		entry = map[string]any{"target": target, "outputs": map[string]any{target: map[string]any{
			"type": "duckdb", "schema": "main", "path": filepath.Join(t.proj, warehouse.DefaultDuckDBPath)}}}
	}
	doc := map[string]any{}
	for _, n := range []string{baseName, headName} {
		if n != "" {
			doc[n] = entry
		}
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return "", &ExitError{Code: ExitInternal, Err: err}
	}
	dir, err := t.scratch("profiles")
	if err != nil {
		return "", &ExitError{Code: ExitInternal, Err: err}
	}
	if err := os.WriteFile(filepath.Join(dir, "profiles.yml"), data, 0o600); err != nil {
		return "", &ExitError{Code: ExitInternal, Err: err}
	}
	return dir, nil
}

// profileName is dbt_project.yml's `profile:` (else its `name:`) at the base or in the work
// tree.
func (t *trust) profileName(base bool) string {
	var data []byte
	if base {
		data, _, _ = t.read("dbt_project.yml")
	} else {
		data, _, _ = readRegular(filepath.Join(t.proj, "dbt_project.yml"))
	}
	var p struct {
		Profile string `yaml:"profile"`
		Name    string `yaml:"name"`
	}
	if yamllimit.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &p) != nil {
		return ""
	}
	if p.Profile != "" {
		return p.Profile
	}
	return p.Name
}

// changesFile reports whether the change added or modified, in git, the file at p or a folder
// (a link, say) on the way to it.
func (t *trust) changesFile(p string) bool {
	if t == nil || t.repo == nil || len(t.touched) == 0 {
		return false
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return true
	}
	cands := []string{abs}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		cands = append(cands, r)
	} else if r, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		cands = append(cands, filepath.Join(r, filepath.Base(abs)))
	}
	for _, c := range cands {
		rel, err := filepath.Rel(t.repo.Top, c)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		for rel = filepath.ToSlash(rel); rel != "." && rel != "/"; rel = path.Dir(rel) {
			if t.touched[rel] {
				return true
			}
		}
	}
	return false
}

// sortedNotes are the trust notes in path order.
func (t *trust) sortedNotes() []review.Finding {
	if t == nil {
		return nil
	}
	out := append([]review.Finding(nil), t.notes...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// printNotes shows the trust notes of a command that has no review to carry them.
func (t *trust) printNotes(env *Env) {
	for _, n := range t.sortedNotes() {
		fmt.Fprintf(env.Stderr, "dataops: note: %s\n", n.Message)
	}
}

var errDuckDBChanged = errors.New("the change adds or modifies this DuckDB file in git; dataops does not open a database a change brings")
