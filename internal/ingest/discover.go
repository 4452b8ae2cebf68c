package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
)

// Kinds of source files.
const (
	kindProperty   = "property"
	kindDocs       = "docs"
	kindPlaybook   = "playbook"
	kindDictionary = "dictionary"
	kindManifest   = "manifest"
	kindCatalog    = "catalog"
)

// Size limits: a design doc or dictionary larger than maxDocBytes is not prose a reviewer
// wrote (a data dump, a generated file) and is skipped with a warning; artifacts may be
// large, but not without bound.
const (
	maxDocBytes      = 8 << 20
	maxArtifactBytes = 1 << 30
)

// source is one file to ingest.
type source struct {
	name string // Metadata.Source: the path relative to the repository's top
	kind string
	root string // the command-line path it was found under; "" otherwise
	// explicit is set for a file under a path the settings or the command line name: what
	// that path says it is wins over what walking the project guessed.
	explicit bool
	abs      string // where it is, for the stat that tells whether it changed
	read     func() ([]byte, error)
	data     []byte
	hash     string
	sig      string // size, modification time and mode; "" when unknown (a link)
	blocks   string // markdown: the hash of its docs blocks
	// reused says the file was not read: its signature is the one the state recorded, so
	// its hash is the state's too. It is read only if it must be parsed after all.
	reused bool
	// skipped says it could not be read or is not text.
	skipped bool
}

// skipDirs are folders never walked: version control, installed packages, build output,
// virtual environments. Hidden folders (.git, .dataops, .venv, .github) are skipped too.
var skipDirs = map[string]bool{
	"node_modules": true, "dbt_packages": true, "dbt_modules": true, "target": true, "logs": true,
	"venv": true, "__pycache__": true, "site-packages": true,
}

// skipYAML are the YAML files of a dbt project that are not property files.
var skipYAML = map[string]bool{
	"dbt_project.yml": true, "packages.yml": true, "dependencies.yml": true, "package-lock.yml": true,
	"profiles.yml": true, "selectors.yml": true, "dbt_project.yaml": true, "profiles.yaml": true,
}

// notProse says whether a .txt or .rst file is tooling rather than writing: pinned
// requirements, licences.
func notProse(base string) bool {
	b := strings.ToLower(base)
	for _, p := range []string{"requirements", "constraints", "license", "licence", "copying", "notice", "robots"} {
		if strings.HasPrefix(b, p) {
			return true
		}
	}
	return false
}

func isDictionaryName(base string) bool {
	b := strings.ToLower(base)
	return strings.Contains(b, "dictionary") || strings.Contains(b, "glossary")
}

// classify says what a file found by walking is, "" for nothing to ingest. explicit is set
// for files under a path the settings or the command line name, where every data file is a
// dictionary; playbook for files under a playbook path.
func classify(name string, explicit, playbook bool) string {
	base := path.Base(name)
	ext := strings.ToLower(path.Ext(base))
	switch ext {
	case ".md", ".markdown":
		if playbook || strings.Contains(strings.ToLower(base), "playbook") {
			return kindPlaybook
		}
		return kindDocs
	case ".rst", ".txt":
		if notProse(base) {
			return ""
		}
		if playbook {
			return kindPlaybook
		}
		return kindDocs
	case ".yml", ".yaml":
		if skipYAML[strings.ToLower(base)] {
			return ""
		}
		if isDictionaryName(base) {
			return kindDictionary
		}
		// A YAML file named explicitly that declares no dbt resources is a dictionary; this
		// is decided when it is read.
		return kindProperty
	case ".csv", ".json":
		if explicit && !playbook || isDictionaryName(base) {
			switch strings.ToLower(base) {
			case "manifest.json":
				return kindManifest
			case "catalog.json":
				return kindCatalog
			}
			return kindDictionary
		}
	}
	return ""
}

// discovery collects the sources of one ingest.
type discovery struct {
	opts    *Options
	sources map[string]*source
	warn    func(string)
	skipped int
	// prefix is the project directory relative to the repository's top ("" at the top).
	prefix  string
	skipAbs []string // absolute folders never walked (the store)

	closers []*fsconfine.Dir

	mu       sync.Mutex // skip may be called while sources are parsed in parallel
	reads    int        // files read
	docsOnce sync.Once
	docsMap  map[string]string
}

func (d *discovery) close() {
	for _, c := range d.closers {
		c.Close()
	}
}

func (d *discovery) add(s *source) {
	if old, ok := d.sources[s.name]; ok && old.explicit && !s.explicit {
		return
	}
	d.sources[s.name] = s
}

// repoName turns a project-relative path into the repository-relative source name.
func (d *discovery) repoName(rel string) string {
	rel = filepath.ToSlash(rel)
	if d.prefix == "" {
		return rel
	}
	return d.prefix + "/" + rel
}

// walkConfined lists the files under rel (project-relative) in dir. The path given is
// checked through the confinement (a link out of the project is refused); below it, folders
// are listed by name and linked folders are not entered, so the walk stays inside. Files are
// read through the confinement too: nothing outside the project, nothing under .git.
func (d *discovery) walkConfined(dir *fsconfine.Dir, rel string, root string, explicit, playbook bool, name func(string) string) {
	st, err := dir.Stat(rel)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) || explicit {
			d.warnf("%s: %v; skipped", name(rel), cleanErr(err))
			d.skipped++
		}
		return
	}
	add := func(rel, kind string) {
		r := filepath.ToSlash(rel)
		d.add(&source{name: name(r), kind: kind, root: root, explicit: explicit, abs: filepath.Join(dir.Path(), rel),
			read: func() ([]byte, error) { return dir.ReadFile(r) }})
	}
	if !st.IsDir() {
		kind := classify(rel, explicit, playbook)
		if explicit && kind == "" {
			kind = kindDocs
		}
		if kind != "" {
			add(rel, kind)
		}
		return
	}
	if rel != "." && d.skipDir(filepath.Join(dir.Path(), rel), path.Base(filepath.ToSlash(rel))) {
		return
	}
	var walk func(rel string)
	walk = func(rel string) {
		f, err := os.Open(filepath.Join(dir.Path(), rel))
		if err != nil {
			d.warnf("%s: %v", name(rel), cleanErr(err))
			d.skipped++
			return
		}
		names, err := f.Readdirnames(-1)
		f.Close()
		if err != nil {
			d.warnf("%s: %v", name(rel), cleanErr(err))
			d.skipped++
			return
		}
		slices.Sort(names)
		for _, n := range names {
			child := filepath.Join(rel, n)
			kind := classify(n, explicit, playbook)
			if kind == "" && (strings.HasPrefix(n, ".") || plainFile[strings.ToLower(path.Ext(n))]) {
				continue // a file of no interest, or hidden: not even looked at
			}
			st, err := os.Lstat(filepath.Join(dir.Path(), child))
			if err != nil {
				continue
			}
			switch {
			case st.IsDir():
				if !d.skipDir(filepath.Join(dir.Path(), child), n) {
					walk(child)
				}
			case st.Mode().IsRegular():
				if kind != "" {
					add(child, kind)
				}
			case st.Mode()&fs.ModeSymlink != 0:
				// A linked file is read through the confinement; a linked folder is not
				// walked (it may loop or lead out).
				st, err := dir.Stat(child)
				switch {
				case errors.Is(err, fsconfine.ErrOutside):
					d.warnf("%s: a link that leads outside the project; skipped", name(child))
					d.skipped++
				case err == nil && st.Mode().IsRegular() && kind != "":
					add(child, kind)
				}
			}
		}
	}
	walk(rel)
}

// plainFile are extensions of files that are never knowledge (SQL, code, data, images): a
// large project has thousands of them, and skipping them by name saves a stat each.
var plainFile = map[string]bool{
	".sql": true, ".py": true, ".csv": true, ".json": true, ".parquet": true, ".jinja": true, ".j2": true,
	".sh": true, ".toml": true, ".cfg": true, ".ini": true, ".lock": true, ".png": true, ".jpg": true,
	".jpeg": true, ".gif": true, ".svg": true, ".gz": true, ".zip": true, ".pdf": true, ".ipynb": true,
}

func (d *discovery) skipDir(abs, base string) bool {
	if strings.HasPrefix(base, ".") || skipDirs[base] {
		return true
	}
	for _, s := range d.skipAbs {
		if abs == s {
			return true
		}
	}
	return false
}

// walkOutside lists the files under a path given on the command line outside the project:
// the person running the command named it, so it is read where it is.
func (d *discovery) walkOutside(abs string, playbook bool) {
	name := func(p string) string { return filepath.ToSlash(p) }
	if d.opts.RepoTop != "" {
		if rel, err := filepath.Rel(d.opts.RepoTop, abs); err == nil && filepath.IsLocal(rel) {
			name = func(p string) string {
				r, _ := filepath.Rel(d.opts.RepoTop, p)
				return filepath.ToSlash(r)
			}
		}
	}
	root := filepath.ToSlash(abs)
	err := filepath.WalkDir(abs, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			d.warnf("%s: %v", name(p), cleanErr(err))
			d.skipped++
			return nil
		}
		if e.IsDir() {
			if p != abs && d.skipDir(p, e.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			return nil
		}
		kind := classify(p, true, playbook)
		if p == abs && kind == "" {
			kind = kindDocs
		}
		if kind != "" {
			file := p
			d.add(&source{name: name(p), kind: kind, root: root, explicit: true, abs: p, read: func() ([]byte, error) { return os.ReadFile(file) }})
		}
		return nil
	})
	if err != nil {
		d.warnf("%s: %v", name(abs), cleanErr(err))
		d.skipped++
	}
}

func (d *discovery) warnf(format string, args ...any) {
	if d.warn != nil {
		d.warn(fmt.Sprintf(format, args...))
	}
}

// cleanErr drops the absolute path a PathError repeats: messages name the source.
func cleanErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// discover lists every source of the project and of the given paths.
func discover(opts *Options, warn func(string)) (*discovery, error) {
	d := &discovery{opts: opts, sources: map[string]*source{}, warn: warn}
	if opts.RepoTop != "" {
		if rel, err := filepath.Rel(opts.RepoTop, opts.Dir); err == nil && rel != "." && filepath.IsLocal(rel) {
			d.prefix = filepath.ToSlash(rel)
		}
	}
	for _, s := range opts.Skip {
		if abs, err := filepath.Abs(s); err == nil {
			d.skipAbs = append(d.skipAbs, abs)
		}
	}
	dir, err := fsconfine.Open(opts.Dir)
	if err != nil {
		return nil, err
	}
	d.closers = append(d.closers, dir)
	// The project's own files.
	d.walkConfined(dir, ".", "", false, false, d.repoName)
	// The repository's README and docs folder when the project is a folder of it.
	if d.prefix != "" {
		if top, err := fsconfine.Open(opts.RepoTop); err == nil {
			d.closers = append(d.closers, top)
			entries, _ := top.ReadDir(".")
			for _, e := range entries {
				low := strings.ToLower(e.Name())
				if !e.IsDir() && strings.HasPrefix(low, "readme") || e.IsDir() && (low == "docs" || low == "doc") {
					d.walkConfined(top, e.Name(), "", false, false, filepath.ToSlash)
				}
			}
		}
	}
	// Artifacts of the last dbt run.
	target := opts.TargetPath
	if target == "" {
		target = "target"
	}
	for _, a := range []struct{ file, kind string }{{"manifest.json", kindManifest}, {"catalog.json", kindCatalog}} {
		rel := path.Join(filepath.ToSlash(target), a.file)
		if st, err := dir.Stat(rel); err == nil && st.Mode().IsRegular() {
			d.add(&source{name: d.repoName(rel), kind: a.kind, abs: filepath.Join(dir.Path(), rel), read: func() ([]byte, error) { return dir.ReadFile(rel) }})
		}
	}
	// Paths the settings name (inside the project), then the command line's.
	if opts.Dictionary != "" {
		d.walkConfined(dir, opts.Dictionary, "", true, false, d.repoName)
		if s := d.sources[d.repoName(filepath.ToSlash(opts.Dictionary))]; s != nil && s.root == "" {
			s.kind = kindDictionary
		}
	}
	for _, p := range opts.Paths {
		d.walkConfined(dir, p, "", true, false, d.repoName)
	}
	for _, p := range opts.Playbooks {
		d.walkConfined(dir, p, "", true, true, d.repoName)
	}
	for _, a := range opts.Args {
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil, err
		}
		if rel, err := filepath.Rel(opts.Dir, abs); err == nil && filepath.IsLocal(rel) {
			d.walkConfined(dir, rel, filepath.ToSlash(abs), true, false, d.repoName)
			continue
		}
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("%s: %w", a, cleanErr(err))
		}
		d.walkOutside(abs, false)
	}
	return d, nil
}

// signature is what says a file changed without reading it: its size, modification time and
// mode, as a stat (not following links) gives them. A link has none: it is always read.
func signature(abs string) string {
	if abs == "" {
		return ""
	}
	st, err := os.Lstat(abs)
	if err != nil || !st.Mode().IsRegular() {
		return ""
	}
	return fmt.Sprintf("%d:%d:%o", st.Size(), st.ModTime().UnixNano(), st.Mode())
}

// read reads the sources that may have changed: those whose signature differs from the one
// the state recorded. An unchanged file keeps the state's hash unread, unless it is a property
// file and a markdown file (which may hold the docs blocks it shows) changed. A source that
// cannot be read or is not text is skipped with a warning at its file and line.
func (d *discovery) read(st *State, each func(done, total int)) {
	names := d.names()
	for _, n := range names {
		d.sources[n].sig = signature(d.sources[n].abs)
	}
	reuse := func(s *source) bool {
		old := st.Sources[s.name]
		if old != nil && s.sig != "" && old.Sig == s.sig && old.Hash != "stale" {
			s.hash, s.reused = old.Hash, true
		}
		return s.reused
	}
	// Markdown first: docs blocks live there, and property files show them.
	mdStable := true
	for _, n := range names {
		s := d.sources[n]
		if s.kind != kindDocs || !isMarkdown(n) {
			continue
		}
		if reuse(s) {
			s.blocks = st.Sources[n].Blocks
			continue
		}
		if d.load(s) {
			s.blocks = blocksHash(s.data)
		}
		if old := st.Sources[n]; s.blocks != "" && (old == nil || old.Blocks != s.blocks) || old != nil && old.Blocks != s.blocks {
			mdStable = false
		}
	}
	for n, old := range st.Sources {
		if _, ok := d.sources[n]; !ok && old.Blocks != "" {
			mdStable = false
		}
	}
	for i, n := range names {
		s := d.sources[n]
		if each != nil {
			each(i+1, len(names))
		}
		if s.reused || s.data != nil || s.skipped || (s.kind != kindProperty || mdStable) && reuse(s) {
			continue
		}
		d.load(s)
	}
}

// blocksHash sums the docs blocks of a markdown file ("" when it has none): whether property
// files that show docs blocks must be hashed again.
func blocksHash(data []byte) string {
	blocks := dbt.DocsBlocks(data)
	if len(blocks) == 0 {
		return ""
	}
	h := sha256.New()
	for _, b := range blocks {
		h.Write([]byte(b.Name))
		h.Write([]byte{0})
		h.Write([]byte(b.Content))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// load reads a source; false when it is skipped.
func (d *discovery) load(s *source) bool {
	if s.data != nil || s.skipped {
		return !s.skipped
	}
	data, err := s.read()
	d.mu.Lock()
	d.reads++
	d.mu.Unlock()
	if err != nil {
		return d.skip(s, fmt.Sprintf("%s: %v; skipped", s.name, cleanErr(err)))
	}
	limit := maxDocBytes
	if s.kind == kindManifest || s.kind == kindCatalog {
		limit = maxArtifactBytes
	}
	if len(data) > limit {
		return d.skip(s, fmt.Sprintf("%s:1: larger than %d MiB; skipped", s.name, limit>>20))
	}
	if line, why := notText(data); why != "" {
		return d.skip(s, fmt.Sprintf("%s:%d: %s; skipped", s.name, line, why))
	}
	s.data = data
	if data == nil {
		s.data = []byte{}
	}
	return true
}

func (d *discovery) skip(s *source, msg string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.warnf("%s", msg)
	d.skipped++
	s.skipped, s.data, s.hash = true, nil, ""
	return false
}

// docs collects the docs blocks of the project's markdown, by name, reading markdown that
// was not read.
func (d *discovery) docs() map[string]string {
	d.docsOnce.Do(func() {
		d.docsMap = map[string]string{}
		for _, n := range d.names() {
			s := d.sources[n]
			if s.kind != kindDocs || !isMarkdown(n) || !d.load(s) {
				continue
			}
			for _, b := range dbt.DocsBlocks(s.data) {
				if _, ok := d.docsMap[b.Name]; !ok {
					d.docsMap[b.Name] = b.Content
				}
			}
		}
	})
	return d.docsMap
}

// hash sets the content hash of each source read; a property file's includes the docs blocks
// its descriptions name, so that editing a docs block re-ingests the columns that show it.
func (d *discovery) hash() {
	for _, s := range d.sources {
		if s.data == nil || s.reused {
			continue
		}
		s.hash = contentHashOf(s, d.docs)
	}
}

func contentHashOf(s *source, docs func() map[string]string) string {
	h := sha256.New()
	h.Write([]byte(s.kind))
	h.Write([]byte{0})
	h.Write(s.data)
	if s.kind == kindProperty {
		names := dbt.DocCalls(string(s.data))
		slices.Sort(names)
		for _, n := range slices.Compact(names) {
			h.Write([]byte{0})
			h.Write([]byte(n))
			h.Write([]byte{0})
			h.Write([]byte(docs()[n]))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func (d *discovery) names() []string {
	names := make([]string, 0, len(d.sources))
	for n := range d.sources {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
