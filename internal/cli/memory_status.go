package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/ingest"
	"github.com/dataops-dev/dataops/internal/memory"
)

func init() {
	registerMemory(newMemoryStatusCmd)
	registerMemory(newMemoryForgetCmd)
}

type memoryStatusFlags struct {
	project string
	format  string
}

func newMemoryStatusCmd(env *Env) *cobra.Command {
	f := &memoryStatusFlags{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the memory store, its embedder, its records by kind and sources, and what changed since the last ingest",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runMemoryStatus(env, f) },
	}
	cmd.Flags().StringVar(&f.project, "project", ".", "directory of the dbt project")
	cmd.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
	return cmd
}

// memoryStatus is the JSON shape of `memory status`.
type memoryStatus struct {
	Store     string              `json:"store"`
	Where     string              `json:"where"`
	Embedder  string              `json:"embedder"`
	Dimension int                 `json:"dimension"`
	Records   int                 `json:"records"`
	ByKind    map[memory.Kind]int `json:"by_kind"`
	Sources   int                 `json:"sources"`
	// LastIngest is when the last ingest finished (absent before the first).
	LastIngest *time.Time        `json:"last_ingest,omitempty"`
	Seconds    float64           `json:"seconds,omitempty"`
	History    *historyStatus    `json:"history,omitempty"`
	GitHub     *githubStatus     `json:"github,omitempty"`
	Stale      *ingest.Staleness `json:"stale,omitempty"`
}

type historyStatus struct {
	Head    string `json:"head"`
	Commits int    `json:"commits"`
}

type githubStatus struct {
	Repo  string    `json:"repo"`
	Since time.Time `json:"since"`
}

func runMemoryStatus(env *Env, f *memoryStatusFlags) error {
	if f.format != "text" && f.format != "json" {
		return usageError("--format %q: want text or json", f.format)
	}
	cfg, err := memoryCommandSettings(env, f.project)
	if err != nil {
		return err
	}
	if cfg.Memory.Store == "none" {
		fmt.Fprintln(env.Stdout, "memory: off (memory.store: none)")
		return nil
	}
	k, err := openKnowledge(env, &cfg.Memory, f.project, false)
	if err != nil {
		return err
	}
	if k == nil {
		fmt.Fprintf(env.Stdout, "memory: none at %s (dataops memory ingest makes it)\n", cfg.Memory.Path)
		return nil
	}
	defer k.Close()
	stats, err := k.Store.Stats(env.Ctx)
	if err != nil {
		return usageError("memory store %s: %v", k.Where, err)
	}
	o, err := ingestOptions(env, cfg, f.project)
	if err != nil {
		return err
	}
	st, stale, err := ingest.Check(env.Ctx, o)
	if err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	out := memoryStatus{Store: cfg.Memory.Store, Where: k.Where, Embedder: stats.Embedder, Dimension: stats.Dimension,
		Records: stats.Records, ByKind: stats.ByKind, Sources: stats.Sources, Stale: stale}
	if !st.Time.IsZero() {
		t := st.Time
		out.LastIngest, out.Seconds = &t, st.Seconds
	}
	if st.History != nil {
		out.History = &historyStatus{Head: st.History.Head, Commits: st.History.Commits}
	}
	if st.GitHub != nil {
		out.GitHub = &githubStatus{Repo: st.GitHub.Repo, Since: st.GitHub.Since}
	}
	if f.format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	w := env.Stdout
	fmt.Fprintf(w, "store:       %s %s\n", out.Store, out.Where)
	fmt.Fprintf(w, "embedder:    %s (dimension %d)\n", out.Embedder, out.Dimension)
	kinds := make([]string, 0, len(out.ByKind))
	for kind, n := range out.ByKind {
		kinds = append(kinds, fmt.Sprintf("%s %d", kind, n))
	}
	slices.Sort(kinds)
	fmt.Fprintf(w, "records:     %d", out.Records)
	if len(kinds) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(kinds, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "sources:     %d\n", out.Sources)
	if out.LastIngest == nil {
		fmt.Fprintln(w, "last ingest: never")
	} else {
		fmt.Fprintf(w, "last ingest: %s (%.1f s)\n", out.LastIngest.Format(time.RFC3339), out.Seconds)
	}
	if h := out.History; h != nil && h.Head != "" {
		fmt.Fprintf(w, "history:     %d commits, to %s\n", h.Commits, shortCommit(h.Head))
	}
	if g := out.GitHub; g != nil {
		fmt.Fprintf(w, "github:      review comments of %s updated to %s\n", g.Repo, g.Since.Format(time.RFC3339))
	}
	if !stale.Stale() {
		fmt.Fprintln(w, "stale:       no, the work tree is as ingested")
		return nil
	}
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{len(stale.Changed), "changed"}, {len(stale.New), "new"}, {len(stale.Removed), "removed"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if stale.Commits > 0 {
		parts = append(parts, fmt.Sprintf("%d commit(s) not ingested", stale.Commits))
	}
	fmt.Fprintf(w, "stale:       yes: %s (dataops memory ingest)\n", strings.Join(parts, ", "))
	for _, l := range []struct {
		mark  string
		names []string
	}{{"~", stale.Changed}, {"+", stale.New}, {"-", stale.Removed}} {
		for i, n := range l.names {
			if i == 10 {
				fmt.Fprintf(w, "  %s ... %d more\n", l.mark, len(l.names)-10)
				break
			}
			fmt.Fprintf(w, "  %s %s\n", l.mark, n)
		}
	}
	return nil
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

type memoryForgetFlags struct {
	project string
	sources []string
	all     bool
}

func newMemoryForgetCmd(env *Env) *cobra.Command {
	f := &memoryForgetFlags{}
	cmd := &cobra.Command{
		Use:   "forget --source PATH... | --all",
		Short: "Delete from memory what was ingested from a source (a file, git:PATH, github:OWNER/REPO#N), or everything ingested",
		Long: `Deletes the records ingested from a source: a file (as a path, or as the memory names it:
relative to the repository's top), the history of a file (git:PATH) or a pull request's review
comments (github:OWNER/REPO#N). A file still in the project comes back at the next ingest.
--all deletes everything ingestion wrote; what the agents recorded (proposals, outcomes) stays.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runMemoryForget(env, f) },
	}
	cmd.Flags().StringVar(&f.project, "project", ".", "directory of the dbt project")
	cmd.Flags().StringArrayVar(&f.sources, "source", nil, "a source to forget (repeatable)")
	cmd.Flags().BoolVar(&f.all, "all", false, "forget every source ingested")
	return cmd
}

func runMemoryForget(env *Env, f *memoryForgetFlags) error {
	if f.all == (len(f.sources) > 0) {
		return usageError("memory forget: give --source PATH or --all")
	}
	cfg, err := memoryCommandSettings(env, f.project)
	if err != nil {
		return err
	}
	if cfg.Memory.Store == "none" {
		return usageError("memory.store is none: there is no memory")
	}
	k, err := openKnowledge(env, &cfg.Memory, f.project, false)
	if err != nil {
		return err
	}
	if k == nil {
		fmt.Fprintf(env.Stdout, "memory: none at %s: nothing to forget\n", cfg.Memory.Path)
		return nil
	}
	defer k.Close()
	o, err := ingestOptions(env, cfg, f.project)
	if err != nil {
		return err
	}
	st, _, err := ingest.ReadState(o.StatePath)
	if err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	known := map[string]bool{}
	for _, s := range st.AllSources() {
		known[s] = true
	}
	var sources []string
	for _, s := range f.sources {
		sources = append(sources, sourceName(s, o.Dir, o.RepoTop, known))
	}
	n, err := ingest.Forget(env.Ctx, k.Store, o.StatePath, sources, f.all)
	if err != nil {
		return ingestError(err, k)
	}
	if !f.all && n == 0 {
		var unknown []string
		for _, s := range sources {
			if !known[s] {
				unknown = append(unknown, s)
			}
		}
		if len(unknown) > 0 {
			return usageError("memory forget: no records of %s (dataops memory status lists what is stale; sources are paths from the repository's top, git:PATH or github:OWNER/REPO#N)", strings.Join(unknown, ", "))
		}
	}
	fmt.Fprintf(env.Stdout, "memory: forgot %d record(s)\n", n)
	return nil
}

// sourceName turns what the user typed into the source the memory names: as typed when the
// memory knows it, else the path relative to the repository's top (or the project).
func sourceName(s, project, top string, known map[string]bool) string {
	if known[s] || strings.HasPrefix(s, "git:") || strings.HasPrefix(s, "github:") {
		return s
	}
	base := top
	if base == "" {
		base = project
	}
	for _, p := range []string{s, filepath.Join(project, s)} {
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		if rel, err := filepath.Rel(base, abs); err == nil && filepath.IsLocal(rel) && known[filepath.ToSlash(rel)] {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(s)
}
