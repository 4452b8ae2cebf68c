package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/memory"
)

// Options say what to ingest and how to report it.
type Options struct {
	// Dir is the project directory.
	Dir string
	// RepoTop is the top of the git work tree holding Dir ("" when there is none): sources
	// are named relative to it, and its README and docs/ are read too.
	RepoTop string
	// Repo gives the history; nil reads none.
	Repo *change.Repo
	// Project is the dbt project's name (Metadata.Project); a manifest's nodes of this
	// package are left to the property files.
	Project    string
	TargetPath string // dbt's target-path ("" = target)
	Dictionary string // schema.dictionary, relative to Dir
	// Paths and Playbooks are the memory settings' paths, relative to Dir.
	Paths, Playbooks []string
	// Args are paths given on the command line: relative to the working directory or
	// absolute, inside the project or not.
	Args []string
	// Skip lists folders never walked (the embedded store's).
	Skip []string
	// History reads the git history; HistoryCommits caps the commits read (0: all).
	History        bool
	HistoryCommits int
	// Comments lists a repository's review comments; nil reads none.
	Comments Comments
	// StatePath is the state file; a lock file is kept beside it.
	StatePath string
	// Mask replaces the run's secret values in every text stored.
	Mask func(string) string
	// Warn receives a warning about one source: "path:line: message".
	Warn func(string)
	// Progress receives the progress of each phase.
	Progress func(Progress)
	// Workers bounds parsing and embedding in parallel (0: the CPUs).
	Workers int
	// BatchSize is the number of records per upsert (0: 4096).
	BatchSize int
}

// Progress is how far one phase of an ingest is.
type Progress struct {
	Phase       string // reading, parsing, history, comments, embedding
	Done, Total int
}

// Result says what an ingest did.
type Result struct {
	Sources  int // sources the store holds records of after the ingest
	Changed  int // sources read anew: new or changed files, pull requests with new comments
	Added    int // records new to the store
	Updated  int // records replaced with a new text or metadata
	Removed  int // records deleted (their source changed or disappeared)
	Skipped  int // files skipped: unreadable, binary, invalid
	Read     int // files read (the others' size and modification time had not changed)
	Embedded int // texts embedded
	Written  int // records upserted
	Commits  int // commits of history read
	Comments int // review comments fetched
	Elapsed  time.Duration
}

// ServerError is a failure of a server the ingest talks to: the store, the embedder or
// GitHub. Err names the server with its credentials masked.
type ServerError struct {
	Service string
	Err     error
}

func (e *ServerError) Error() string { return e.Service + ": " + e.Err.Error() }
func (e *ServerError) Unwrap() error { return e.Err }

// ingestedKinds are the kinds ingestion writes; the other kinds (proposals, outcomes) are
// written by the agents and never touched here.
var ingestedKinds = []memory.Kind{memory.KindDocChunk, memory.KindModelDoc, memory.KindColumnDoc,
	memory.KindTest, memory.KindReviewComment, memory.KindPlaybookRule}

// Target opens the store an ingest writes to. Run opens it only when there is something to
// write: loading a large embedded store costs more than finding that nothing changed. emptied
// says the store was found corrupt and emptied on opening, so every source must be ingested
// again. An error is returned by Run as it is.
type Target func(ctx context.Context) (store memory.Store, emb memory.Embedder, emptied bool, err error)

// Opened is the Target of a store already open.
func Opened(store memory.Store, emb memory.Embedder) Target {
	return func(context.Context) (memory.Store, memory.Embedder, bool, error) { return store, emb, false, nil }
}

// Run ingests the project into the target's store. Only what changed since the state file was
// written is parsed, embedded and written: a changed source's records are replaced (deleted
// first when some disappeared), a source that disappeared is forgotten, history is read from
// the last commit ingested, review comments from the last update seen. When nothing changed,
// the store is not even opened.
func Run(ctx context.Context, target Target, opts Options) (*Result, error) {
	start := time.Now()
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 4096
	}
	if opts.Mask == nil {
		opts.Mask = func(s string) string { return s }
	}
	warn := opts.Warn
	if warn == nil {
		warn = func(string) {}
	}
	progress := func(phase string, done, total int) {
		if opts.Progress != nil {
			opts.Progress(Progress{Phase: phase, Done: done, Total: total})
		}
	}
	if err := os.MkdirAll(filepath.Dir(opts.StatePath), 0o755); err != nil {
		return nil, err
	}
	// One ingest at a time for the whole run: a second waits for the first and then finds its
	// work done, rather than both reading the same state and writing the same records twice.
	unlock, err := fsconfine.Lock(ctx, opts.StatePath+".lock", true, "another ingest")
	if err != nil {
		return nil, err
	}
	defer unlock()

	st, _, err := ReadState(opts.StatePath)
	if err != nil {
		return nil, err
	}
	res := &Result{}

	// What changed, found without the store: files by their hashes, history by HEAD, comments
	// by what GitHub returns since the last update seen.
	d, err := discover(&opts, warn)
	if err != nil {
		return nil, err
	}
	defer d.close()
	d.read(st, func(done, total int) { progress("reading", done, total) })
	d.hash()
	lookup := func(name string) (string, bool) {
		s, ok := d.docs()[name]
		return s, ok
	}
	res.Skipped = d.skipped
	roots := map[string]bool{"": true}
	for _, a := range opts.Args {
		if abs, err := filepath.Abs(a); err == nil {
			roots[filepath.ToSlash(abs)] = true
		}
	}
	head := ""
	if opts.History && opts.Repo != nil {
		head, _ = opts.Repo.ResolveRef(ctx, "HEAD") // no commits yet: no history
	}
	var fetched *fetchedComments
	if opts.Comments != nil {
		if fetched, err = fetchComments(ctx, &opts, st, progress); err != nil {
			return nil, err
		}
	}
	// A file that did not parse last time and has not changed is reported again, unparsed.
	invalid := func(st *State) int {
		n := 0
		for _, name := range d.names() {
			if old := st.Sources[name]; old != nil && old.Error != "" && old.Hash == d.sources[name].hash && !d.sources[name].skipped {
				warn(old.Error)
				n++
			}
		}
		return n
	}
	p := makePlan(st, d, roots)
	if len(p.changed) == 0 && len(p.removed) == 0 && (head == "" || st.History != nil && st.History.Head == head) &&
		(fetched == nil || !fetched.news(st)) {
		res.Skipped += invalid(st)
		res.Sources = len(st.AllSources())
		res.Comments = fetched.count()
		res.Read = d.reads
		res.Elapsed = time.Since(start)
		if p.touched {
			// Files touched but unchanged (a checkout): remember their new signatures, so
			// the next ingest need not read them.
			if err := WriteState(opts.StatePath, st); err != nil {
				return nil, fmt.Errorf("%s: %w", opts.StatePath, err)
			}
		}
		return res, nil
	}

	store, emb, emptied, err := target(ctx)
	if err != nil {
		return nil, err
	}
	if emptied {
		st = newState()
	} else if n := st.Records(); n > 0 {
		// A store emptied or replaced behind the state's back (deleted by hand, another
		// collection) would make every hash lie: ingest everything again.
		stats, err := store.Stats(ctx)
		if err != nil {
			return nil, &ServerError{"memory store", err}
		}
		have := 0
		for _, k := range ingestedKinds {
			have += stats.ByKind[k]
		}
		if have < n {
			st = st.stale()
		}
	}
	p = makePlan(st, d, roots)
	w := &writer{ctx: ctx, store: store}

	// Files. Everything parsing needs is read first: files not read because their signature
	// had not changed (when the store was emptied), and the docs blocks.
	for _, s := range p.changed {
		d.load(s)
	}
	d.docs()
	res.Skipped = d.skipped + invalid(st)
	parsed := make([][]memory.Record, len(p.changed))
	failed := make([]bool, len(p.changed))
	errs := make([]string, len(p.changed))
	var mu sync.Mutex
	done := 0
	g := errgroup.Group{}
	g.SetLimit(opts.Workers)
	for i, s := range p.changed {
		if s.skipped {
			failed[i] = true
			continue
		}
		g.Go(func() error {
			recs, err := parseSource(s, opts.Project, opts.Mask, lookup)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				warn(err.Error())
				failed[i], errs[i] = true, err.Error()
			}
			parsed[i] = recs
			done++
			progress("parsing", done, len(p.changed))
			return nil
		})
	}
	g.Wait()
	for i, s := range p.changed {
		if s.skipped {
			continue // counted when it was read
		}
		if failed[i] {
			res.Skipped++
			old := st.Sources[s.name]
			keep := &SourceState{Hash: s.hash, Sig: s.sig, Blocks: s.blocks, Kind: s.kind, Root: s.root, Records: map[string]string{}, Error: errs[i]}
			if old != nil && old.Records != nil {
				keep.Records = old.Records
			} else if old != nil {
				// A source of an earlier version that now fails: what it left goes.
				w.remove(s.name, old, res)
			}
			st.Sources[s.name] = keep
			continue
		}
		res.Changed++
		w.replace(s.name, st.Sources[s.name], parsed[i], res)
		st.Sources[s.name] = &SourceState{Hash: s.hash, Sig: s.sig, Blocks: s.blocks, Kind: s.kind, Root: s.root, Records: recordHashes(parsed[i])}
	}
	for _, name := range p.removed {
		w.remove(name, st.Sources[name], res)
		delete(st.Sources, name)
	}

	// History.
	if head != "" {
		if err := ingestHistory(ctx, &opts, head, st, w, res, lookup, progress); err != nil {
			return nil, err
		}
	}
	// Review comments.
	if fetched != nil {
		if err := ingestComments(ctx, &opts, fetched, st, w, res, progress); err != nil {
			return nil, err
		}
	}

	if err := w.flush(emb, opts.Workers, opts.BatchSize, res, func(done, total int) { progress("embedding", done, total) }); err != nil {
		return nil, err
	}
	res.Sources = len(st.AllSources())
	res.Read = d.reads
	res.Elapsed = time.Since(start)
	st.Time = time.Now().UTC()
	st.Seconds = res.Elapsed.Seconds()
	if err := WriteState(opts.StatePath, st); err != nil {
		return nil, fmt.Errorf("%s: %w", opts.StatePath, err)
	}
	return res, nil
}

// plan is what the files ask of an ingest.
type plan struct {
	changed []*source // new or changed since the state
	removed []string  // in the state, gone from the project or from a path given again
	touched bool      // some unchanged file has a new signature or root
}

func makePlan(st *State, d *discovery, roots map[string]bool) plan {
	var p plan
	for _, name := range d.names() {
		s := d.sources[name]
		if s.skipped {
			continue // what it gave before stays
		}
		if old := st.Sources[name]; old != nil && old.Hash == s.hash {
			if old.Sig != s.sig || old.Root != s.root || old.Blocks != s.blocks {
				old.Sig, old.Root, old.Blocks, p.touched = s.sig, s.root, s.blocks, true
			}
			continue
		}
		p.changed = append(p.changed, s)
	}
	for _, name := range slices.Sorted(maps.Keys(st.Sources)) {
		if _, found := d.sources[name]; !found && roots[st.Sources[name].Root] {
			p.removed = append(p.removed, name)
		}
	}
	return p
}

// parseSource makes the records of one file. Errors name the file and line.
func parseSource(s *source, project string, mask func(string) string, docs docsLookup) ([]memory.Record, error) {
	b := newBuilder(s.name, project, mask)
	fail := func(err error) error {
		var le *lineError
		if errors.As(err, &le) {
			return fmt.Errorf("%s:%d: %s; skipped", s.name, max(le.line, 1), le.msg)
		}
		var ie *dbt.InputError
		if errors.As(err, &ie) {
			return fmt.Errorf("%s:%d: %s; skipped", s.name, max(ie.Pos.Line, 1), ie.Msg)
		}
		return fmt.Errorf("%s: %v; skipped", s.name, err)
	}
	switch s.kind {
	case kindProperty:
		if !looksLikeProperties(s.data) {
			if !s.explicit {
				return nil, nil
			}
			if err := dictionaryRecords(b, s.name, s.data); err != nil {
				return nil, fail(err)
			}
			break
		}
		decls, err := dbt.ParsePropertyFile(s.name, s.data)
		if err != nil {
			return nil, fail(err)
		}
		propertyRecords(b, decls, docs, memory.Metadata{}, OriginPropertyFile)
	case kindDictionary:
		if err := dictionaryRecords(b, s.name, s.data); err != nil {
			return nil, fail(err)
		}
	case kindManifest:
		if err := manifestRecords(b, s.data, project); err != nil {
			return nil, fail(err)
		}
	case kindCatalog:
		if err := catalogRecords(b, s.data); err != nil {
			return nil, fail(err)
		}
	case kindPlaybook:
		playbookRules(b, textBlocks(s.name, s.data, true))
	case kindDocs:
		if blocks := dbt.DocsBlocks(s.data); len(blocks) > 0 && isMarkdown(s.name) {
			for _, bl := range blocks {
				b.add(memory.KindDocChunk, "doc\x00"+bl.Name, bl.Name+": "+bl.Content, memory.Metadata{Line: bl.Line,
					Extra: map[string]string{"origin": OriginDocs, "heading": bl.Name, "doc": bl.Name}})
			}
			break
		}
		docChunks(b, textBlocks(s.name, s.data, false))
	}
	return b.recs, nil
}

func isMarkdown(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".md" || ext == ".markdown"
}

// textBlocks splits a document by its format: markdown by its structure, reStructuredText and
// plain text by underlined headings and blank lines.
func textBlocks(name string, data []byte, items bool) []block {
	if isMarkdown(name) {
		return markdownBlocks(data, items)
	}
	return plainBlocks(data)
}

func recordHashes(recs []memory.Record) map[string]string {
	m := make(map[string]string, len(recs))
	for i := range recs {
		m[recs[i].ID] = contentHash(&recs[i])
	}
	return m
}

// writer gathers the deletes and upserts of one ingest and performs them: deletes first, then
// upserts in batches with the texts embedded.
type writer struct {
	ctx     context.Context
	store   memory.Store
	deletes []string
	upserts []memory.Record
}

// replace schedules the records of a changed source. Records whose content hash is the same
// as last time are not written again, unless some record disappeared, in which case the
// source is deleted and written whole (stores delete by source, not by record).
func (w *writer) replace(name string, old *SourceState, recs []memory.Record, res *Result) {
	if old == nil {
		res.Added += len(recs)
		w.upserts = append(w.upserts, recs...)
		return
	}
	if old.Records == nil {
		// A source of an earlier version of the records: what it left is unknown.
		w.deletes = append(w.deletes, name)
		res.Added += len(recs)
		w.upserts = append(w.upserts, recs...)
		return
	}
	seen := make(map[string]bool, len(recs))
	var write []memory.Record
	for i := range recs {
		r := &recs[i]
		seen[r.ID] = true
		h, ok := old.Records[r.ID]
		switch {
		case !ok:
			res.Added++
			write = append(write, *r)
		case h != contentHash(r):
			res.Updated++
			write = append(write, *r)
		}
	}
	gone := 0
	for id := range old.Records {
		if !seen[id] {
			gone++
		}
	}
	if gone > 0 {
		res.Removed += gone
		w.deletes = append(w.deletes, name)
		write = recs
	}
	w.upserts = append(w.upserts, write...)
}

func (w *writer) remove(name string, old *SourceState, res *Result) {
	res.Removed += len(old.Records)
	w.deletes = append(w.deletes, name)
}

// flush deletes, embeds and upserts.
func (w *writer) flush(emb memory.Embedder, workers, batch int, res *Result, progress func(done, total int)) error {
	slices.Sort(w.deletes)
	for _, name := range slices.Compact(w.deletes) {
		if _, err := w.store.DeleteBySource(w.ctx, name); err != nil {
			return &ServerError{"memory store", err}
		}
	}
	total := len(w.upserts)
	for lo := 0; lo < total; lo += batch {
		recs := w.upserts[lo:min(lo+batch, total)]
		n, err := embedRecords(w.ctx, emb, recs, workers)
		if err != nil {
			return &ServerError{"embedder " + emb.Name(), err}
		}
		res.Embedded += n
		if err := w.store.Upsert(w.ctx, recs); err != nil {
			return &ServerError{"memory store", err}
		}
		res.Written += len(recs)
		progress(lo+len(recs), total)
		for i := range recs {
			recs[i].Vector = nil // the store has it; free it
		}
	}
	return nil
}

// embedBatch is the number of texts sent to the embedder at once.
const embedBatch = 256

// embedRecords gives each record the vector of its text, each distinct text embedded once,
// batches embedded in parallel. It returns the number of texts embedded.
func embedRecords(ctx context.Context, emb memory.Embedder, recs []memory.Record, workers int) (int, error) {
	index := map[string]int{}
	var texts []string
	for i := range recs {
		if _, ok := index[recs[i].Text]; !ok {
			index[recs[i].Text] = len(texts)
			texts = append(texts, recs[i].Text)
		}
	}
	vecs := make([][]float32, len(texts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for lo := 0; lo < len(texts); lo += embedBatch {
		hi := min(lo+embedBatch, len(texts))
		g.Go(func() error {
			vs, err := emb.Embed(gctx, texts[lo:hi])
			if err != nil {
				return err
			}
			if len(vs) != hi-lo {
				return fmt.Errorf("%d vectors for %d texts", len(vs), hi-lo)
			}
			copy(vecs[lo:hi], vs)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	for i := range recs {
		recs[i].Vector = vecs[index[recs[i].Text]]
	}
	return len(texts), nil
}

// ingestHistory reads the commits since the last one ingested.
func ingestHistory(ctx context.Context, opts *Options, head string, st *State, w *writer, res *Result, docs docsLookup, progress func(string, int, int)) error {
	repo := opts.Repo
	hs := st.History
	if hs != nil && hs.Head == head {
		return nil
	}
	since := ""
	if hs != nil && hs.Head != "" && repo.IsAncestor(ctx, hs.Head, head) {
		since = hs.Head
	} else if hs != nil {
		// History was rewritten (a rebase, another branch): start again.
		for _, name := range slices.Sorted(maps.Keys(hs.Sources)) {
			res.Removed += hs.Sources[name]
			w.deletes = append(w.deletes, name)
		}
		hs = nil
	}
	if hs == nil {
		hs = &HistoryState{Sources: map[string]int{}}
	}
	commits, err := repo.History(ctx, since, head, opts.HistoryCommits)
	if err != nil {
		return err
	}
	progress("history", 0, len(commits))
	recs, err := historyRecords(ctx, repo, commits, opts.Project, opts.Mask, docs, func(done, total int) { progress("history", done, total) })
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(recs)) {
		rs := recs[name]
		hs.Sources[name] += len(rs)
		res.Added += len(rs)
		w.upserts = append(w.upserts, rs...)
	}
	hs.Head = head
	hs.Commits += len(commits)
	res.Commits = len(commits)
	st.History = hs
	return nil
}

// fetchedComments is what GitHub returned for one since.
type fetchedComments struct {
	repo     string
	since    time.Time
	comments []ReviewComment
}

func (f *fetchedComments) count() int {
	if f == nil {
		return 0
	}
	return len(f.comments)
}

// since is where the next fetch of repo's comments starts: from the last update seen, or
// from the beginning.
func commentsSince(st *State, repo string) time.Time {
	if st.GitHub != nil && st.GitHub.Repo == repo {
		return st.GitHub.Since
	}
	return time.Time{}
}

func fetchComments(ctx context.Context, opts *Options, st *State, progress func(string, int, int)) (*fetchedComments, error) {
	repo := opts.Comments.Repo()
	since := commentsSince(st, repo)
	progress("comments", 0, 0)
	list, err := opts.Comments.ReviewComments(ctx, since)
	if err != nil {
		return nil, &ServerError{"GitHub", err}
	}
	return &fetchedComments{repo: repo, since: since, comments: list}, nil
}

// news reports whether the comments fetched hold anything the state has not seen.
func (f *fetchedComments) news(st *State) bool {
	gs := st.GitHub
	if gs == nil || gs.Repo != f.repo {
		return true
	}
	for _, c := range f.comments {
		b := newBuilder("", "", nil)
		if !commentRecord(b, f.repo, "", c) {
			continue
		}
		if _, ok := gs.Comments[fmt.Sprint(c.ID)]; !ok || c.Updated.After(gs.Since) {
			return true
		}
	}
	return false
}

// ingestComments records the review comments fetched (fetched again from the start when the
// state was reset since).
func ingestComments(ctx context.Context, opts *Options, fetched *fetchedComments, st *State, w *writer, res *Result, progress func(string, int, int)) error {
	repo := fetched.repo
	if since := commentsSince(st, repo); !since.Equal(fetched.since) {
		var err error
		if fetched, err = fetchComments(ctx, opts, st, progress); err != nil {
			return err
		}
	}
	comments := fetched.comments
	gs := st.GitHub
	if gs != nil && gs.Repo != repo {
		for _, name := range slices.Sorted(maps.Keys(gs.Sources)) {
			res.Removed += gs.Sources[name]
			w.deletes = append(w.deletes, name)
		}
		gs = nil
	}
	if gs == nil {
		gs = &GitHubState{Repo: repo, Comments: map[string]string{}, Sources: map[string]int{}}
	}
	res.Comments = len(comments)
	prefix := ""
	if opts.Repo != nil && opts.Repo.Prefix != "" {
		prefix = opts.Repo.Prefix + "/"
	}
	prs := map[string]bool{}
	for _, c := range comments {
		if c.Updated.After(gs.Since) {
			gs.Since = c.Updated.UTC()
		}
		b := newBuilder("", opts.Project, opts.Mask)
		if !commentRecord(b, repo, prefix, c) {
			continue
		}
		r := b.recs[0]
		key := fmt.Sprint(c.ID)
		h := contentHash(&r)
		switch old, ok := gs.Comments[key]; {
		case !ok:
			res.Added++
			gs.Sources[r.Metadata.Source]++
		case old != h:
			res.Updated++
		default:
			continue
		}
		gs.Comments[key] = h
		prs[r.Metadata.Source] = true
		w.upserts = append(w.upserts, r)
	}
	res.Changed += len(prs)
	st.GitHub = gs
	return nil
}
