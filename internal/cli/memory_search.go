package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/memory"
)

func init() { registerMemory(newMemorySearchCmd) }

type memorySearchFlags struct {
	project string
	kinds   []string
	model   string
	column  string
	limit   int
	format  string
}

var allKinds = []memory.Kind{memory.KindDocChunk, memory.KindModelDoc, memory.KindColumnDoc, memory.KindTest,
	memory.KindReviewComment, memory.KindPlaybookRule, memory.KindProposal, memory.KindOutcome}

func newMemorySearchCmd(env *Env) *cobra.Command {
	f := &memorySearchFlags{}
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Search the memory by meaning and keywords; each hit with its score and path:line",
		Long: `Searches the memory as the agents do: the query's embedding and its keywords each rank the
records, and the two rankings are fused. --kind (repeatable or comma-separated: doc_chunk,
model_doc, column_doc, test, review_comment, playbook_rule, proposal, outcome), --model and
--column restrict the records searched.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runMemorySearch(env, f, args[0]) },
	}
	cmd.Flags().StringVar(&f.project, "project", ".", "directory of the dbt project")
	cmd.Flags().StringSliceVar(&f.kinds, "kind", nil, "only records of these kinds")
	cmd.Flags().StringVar(&f.model, "model", "", "only records about this model")
	cmd.Flags().StringVar(&f.column, "column", "", "only records about this column")
	cmd.Flags().IntVar(&f.limit, "limit", 10, "at most this many hits")
	cmd.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
	return cmd
}

// searchHit is the JSON shape of one hit.
type searchHit struct {
	Score       float64           `json:"score"`
	Kind        memory.Kind       `json:"kind"`
	Source      string            `json:"source"`
	Line        int               `json:"line,omitempty"`
	Model       string            `json:"model,omitempty"`
	Column      string            `json:"column,omitempty"`
	Commit      string            `json:"commit,omitempty"`
	Text        string            `json:"text"`
	Extra       map[string]string `json:"extra,omitempty"`
	ID          string            `json:"id"`
	VectorRank  int               `json:"vector_rank,omitempty"`
	KeywordRank int               `json:"keyword_rank,omitempty"`
}

func runMemorySearch(env *Env, f *memorySearchFlags, query string) error {
	if f.format != "text" && f.format != "json" {
		return usageError("--format %q: want text or json", f.format)
	}
	if f.limit < 1 {
		return usageError("--limit %d: want at least 1", f.limit)
	}
	if strings.TrimSpace(query) == "" {
		return usageError("memory search: the query is empty")
	}
	var kinds []memory.Kind
	for _, k := range f.kinds {
		kind := memory.Kind(strings.TrimSpace(k))
		if !slices.Contains(allKinds, kind) {
			names := make([]string, len(allKinds))
			for i, k := range allKinds {
				names[i] = string(k)
			}
			return usageError("--kind %q: want one of %s", k, strings.Join(names, ", "))
		}
		kinds = append(kinds, kind)
	}
	cfg, err := memoryCommandSettings(env, f.project)
	if err != nil {
		return err
	}
	if cfg.Memory.Store == "none" {
		return usageError("memory.store is none: there is no memory to search")
	}
	k, err := openKnowledge(env, &cfg.Memory, f.project, false)
	if err != nil {
		return err
	}
	if k == nil {
		return usageError("no memory at %s: run dataops memory ingest first", cfg.Memory.Path)
	}
	defer k.Close()
	vecs, err := k.Embedder.Embed(env.Ctx, []string{query})
	if err != nil {
		return usageError("embedder %s: %v", k.Embedder.Name(), err)
	}
	hits, err := k.Store.Query(env.Ctx, memory.Query{Text: query, Vector: vecs[0], Limit: f.limit,
		Filter: memory.Filter{Kinds: kinds, Model: f.model, Column: strings.ToLower(f.column)}})
	if err != nil {
		return usageError("memory store %s: %v", k.Where, err)
	}
	if f.format == "json" {
		out := make([]searchHit, len(hits))
		for i, h := range hits {
			m := h.Metadata
			out[i] = searchHit{Score: h.Score, Kind: h.Kind, Source: m.Source, Line: m.Line, Model: m.Model, Column: m.Column,
				Commit: m.Commit, Text: h.Text, Extra: m.Extra, ID: h.ID, VectorRank: h.VectorRank, KeywordRank: h.KeywordRank}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(hits) == 0 {
		fmt.Fprintln(env.Stdout, "no hits")
		return nil
	}
	for _, h := range hits {
		at := h.Metadata.Source
		if h.Metadata.Line > 0 {
			at += ":" + strconv.Itoa(h.Metadata.Line)
		}
		if c := h.Metadata.Commit; c != "" {
			at += "@" + shortCommit(c)
		}
		fmt.Fprintf(env.Stdout, "%.4f  %-14s %s\n        %s\n", h.Score, h.Kind, at, oneLineClip(h.Text, 200))
	}
	return nil
}

// oneLineClip puts a text on one line of at most n characters.
func oneLineClip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
