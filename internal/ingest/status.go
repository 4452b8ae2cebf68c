package ingest

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/memory"
)

// Staleness compares the work tree with what the last ingest saw.
type Staleness struct {
	Changed []string `json:"changed"` // files whose content changed since
	New     []string `json:"new"`     // files not ingested yet
	Removed []string `json:"removed"` // files ingested that are gone
	// Commits is the number of commits not ingested yet (-1 when unknown: no history read).
	Commits int `json:"commits"`
}

// Stale reports whether anything would be ingested.
func (s *Staleness) Stale() bool {
	return len(s.Changed)+len(s.New)+len(s.Removed) > 0 || s.Commits > 0
}

// Check reads and hashes the project's sources as an ingest would, without parsing or
// writing anything, and says what an ingest would do. Warnings about unreadable files are
// not repeated here.
func Check(ctx context.Context, opts Options) (*State, *Staleness, error) {
	st, _, err := ReadState(opts.StatePath)
	if err != nil {
		return nil, nil, err
	}
	d, err := discover(&opts, nil)
	if err != nil {
		return nil, nil, err
	}
	defer d.close()
	d.read(st, nil)
	d.hash()
	out := &Staleness{Commits: -1}
	for _, name := range d.names() {
		s := d.sources[name]
		if s.skipped {
			continue
		}
		old := st.Sources[name]
		switch {
		case old == nil:
			out.New = append(out.New, name)
		case old.Hash != s.hash:
			out.Changed = append(out.Changed, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(st.Sources)) {
		if _, ok := d.sources[name]; !ok && st.Sources[name].Root == "" {
			out.Removed = append(out.Removed, name)
		}
	}
	if opts.Repo != nil && opts.History {
		out.Commits = 0
		if head, err := opts.Repo.ResolveRef(ctx, "HEAD"); err == nil {
			switch {
			case st.History == nil || st.History.Head == "":
				n, err := opts.Repo.CountCommits(ctx, "", head)
				if err == nil {
					out.Commits = n
				}
			case st.History.Head != head:
				n, err := opts.Repo.CountCommits(ctx, st.History.Head, head)
				if err != nil {
					n = -1
				}
				out.Commits = n
			}
			if opts.HistoryCommits > 0 && st.History == nil {
				out.Commits = min(out.Commits, opts.HistoryCommits)
			}
		}
	}
	return st, out, nil
}

// Forget deletes the records of the sources named (every source the state knows with all)
// from store and from the state, under the ingest lock. It returns the records deleted.
// Records of other kinds (proposals, outcomes) are never touched.
func Forget(ctx context.Context, store memory.Store, statePath string, sources []string, all bool) (int, error) {
	if err := os.MkdirAll(filepath.Dir(statePath), 0o755); err != nil {
		return 0, err
	}
	unlock, err := fsconfine.Lock(ctx, statePath+".lock", true, "another ingest")
	if err != nil {
		return 0, err
	}
	defer unlock()
	st, _, err := ReadState(statePath)
	if err != nil {
		return 0, err
	}
	if all {
		sources = st.AllSources()
		slices.Sort(sources)
	}
	n := 0
	for _, src := range sources {
		k, err := store.DeleteBySource(ctx, src)
		if err != nil {
			return n, &ServerError{"memory store", err}
		}
		n += k
		st.Forget(src)
	}
	if all {
		st = newState()
	}
	return n, WriteState(statePath, st)
}
