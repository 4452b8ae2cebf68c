package ingest

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/dataops-dev/dataops/internal/fsconfine"
)

// stateFormat is the layout of the state file; recordsVersion changes whenever the records
// made from a source change (their text, keys or metadata), so that a state written by
// another version re-ingests every source instead of trusting hashes of other records.
const (
	stateFormat    = 1
	recordsVersion = "1"
)

// State is what the last ingest saw: each source's content hash and the records it made, the
// last commit of history ingested, and the review comments seen. It lives next to the store
// (the embedded store's directory) so that a second ingest of an unchanged project reads,
// hashes and compares, but parses, embeds and writes nothing.
type State struct {
	Format  int                     `json:"format"`
	Version string                  `json:"version"`
	Time    time.Time               `json:"time"`    // when the last ingest finished
	Seconds float64                 `json:"seconds"` // how long it took
	Sources map[string]*SourceState `json:"sources"`
	History *HistoryState           `json:"history,omitempty"`
	GitHub  *GitHubState            `json:"github,omitempty"`
}

// SourceState is one ingested file.
type SourceState struct {
	Hash string `json:"hash"`          // of the content, and of the docs blocks its descriptions name
	Sig  string `json:"sig,omitempty"` // size, modification time and mode when it was hashed
	// Blocks is the hash of a markdown file's docs blocks: when it is unchanged, property
	// files need not be read to know they show the same docs.
	Blocks string `json:"blocks,omitempty"`
	Kind   string `json:"kind"` // property, docs, playbook, dictionary, manifest, catalog
	// Root is the path given on the command line that the file was found under; "" for the
	// project's own files and the configured paths. A file of a root not given again is kept
	// as it is; one missing from a root given again is forgotten.
	Root    string            `json:"root,omitempty"`
	Records map[string]string `json:"records"` // record ID → content hash
	// Error is why this content was skipped (a syntax error at a line): it is reported again
	// at every ingest until the file changes, and the records of its last good content stay.
	Error string `json:"error,omitempty"`
}

// HistoryState is the git history ingested so far.
type HistoryState struct {
	Head    string         `json:"head"`    // the newest commit ingested
	Commits int            `json:"commits"` // commits read so far
	Sources map[string]int `json:"sources"` // git:<path> → records
}

// GitHubState is the review comments ingested so far.
type GitHubState struct {
	Repo     string            `json:"repo"`
	Since    time.Time         `json:"since"`    // the newest update seen: the next fetch asks from there
	Comments map[string]string `json:"comments"` // comment ID → content hash
	Sources  map[string]int    `json:"sources"`  // github:owner/repo#N → records
}

func newState() *State {
	return &State{Format: stateFormat, Version: recordsVersion, Sources: map[string]*SourceState{}}
}

// Records counts the records the state says the store holds from ingestion.
func (s *State) Records() int {
	n := 0
	for _, src := range s.Sources {
		n += len(src.Records)
	}
	if s.History != nil {
		for _, c := range s.History.Sources {
			n += c
		}
	}
	if s.GitHub != nil {
		for _, c := range s.GitHub.Sources {
			n += c
		}
	}
	return n
}

// AllSources lists every source the state knows: files, history and pull requests.
func (s *State) AllSources() []string {
	var out []string
	for k := range s.Sources {
		out = append(out, k)
	}
	if s.History != nil {
		for k := range s.History.Sources {
			out = append(out, k)
		}
	}
	if s.GitHub != nil {
		for k := range s.GitHub.Sources {
			out = append(out, k)
		}
	}
	return out
}

// Forget drops a source from the state; it reports whether the state knew it.
func (s *State) Forget(source string) bool {
	if _, ok := s.Sources[source]; ok {
		delete(s.Sources, source)
		return true
	}
	if s.History != nil {
		if _, ok := s.History.Sources[source]; ok {
			delete(s.History.Sources, source)
			return true
		}
	}
	if s.GitHub != nil {
		if _, ok := s.GitHub.Sources[source]; ok {
			delete(s.GitHub.Sources, source)
			return true
		}
	}
	return false
}

// ReadState reads the state file at path. A missing file is an empty state; so is a file
// that does not parse or was written by another version (ok is then false: everything the
// old state knew must be ingested again).
func ReadState(path string) (st *State, ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), true, nil
	}
	if err != nil {
		return nil, false, err
	}
	st = newState()
	if json.Unmarshal(data, st) != nil || st.Format != stateFormat || st.Version != recordsVersion {
		return st.stale(), false, nil
	}
	if st.Sources == nil {
		st.Sources = map[string]*SourceState{}
	}
	return st, true, nil
}

// stale is a state that trusts nothing of s but the names of its sources: each is deleted
// from the store (files still there are ingested again, history is read again).
func (s *State) stale() *State {
	st := newState()
	for _, k := range s.AllSources() {
		st.Sources[k] = &SourceState{Hash: "stale"}
	}
	return st
}

// WriteState replaces the state file atomically.
func WriteState(path string, st *State) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return fsconfine.WriteFile(dir, filepath.Base(path), data)
}
