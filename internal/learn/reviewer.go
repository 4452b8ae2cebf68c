package learn

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/review"
)

// ChangedModel is a model a review is about, as the PR Reviewer asks memory about it.
type ChangedModel struct {
	Name  string
	Path  string // its SQL file, relative to the project
	Files []string
	// Change is added, modified, renamed or removed; ColumnChanges are the kinds of its
	// column changes (added, removed, renamed, retyped); Classification is breaking,
	// partial or non-breaking.
	Change         string
	Columns        []string
	ColumnChanges  []string
	Classification string
}

// Limits of what a review lists: the rules that concern the change most, and the latest
// comments per model.
const (
	maxRules            = 8
	maxCommentsPerModel = 3
	ruleCandidates      = 20
)

// changeWords are the words a playbook uses for each kind of change.
var changeWords = map[string][]string{
	"added":        {"new", "add", "added", "adding", "create", "introduce"},
	"removed":      {"remove", "removed", "removing", "delete", "deleted", "drop", "dropped"},
	"renamed":      {"rename", "renamed", "renaming"},
	"retyped":      {"type", "retype", "cast", "datatype"},
	"modified":     {"change", "changed", "modify", "modified"},
	"breaking":     {"breaking", "grain", "downstream"},
	"partial":      {"downstream", "consumer", "consumers"},
	"non-breaking": {},
}

// layerWords names a model's layer from its name prefix and folders (stg_ and staging/ both
// say staging).
func layerWords(name, path string) []string {
	var out []string
	if i := strings.IndexByte(name, '_'); i > 0 {
		out = append(out, strings.ToLower(name[:i]))
	}
	dirs := strings.Split(path, "/")
	for _, d := range dirs[:max(len(dirs)-1, 0)] {
		if d != "models" && d != "" {
			out = append(out, strings.ToLower(d))
		}
	}
	expand := map[string]string{"stg": "staging", "int": "intermediate", "fct": "fact", "dim": "dimension", "rpt": "report"}
	for _, w := range append([]string(nil), out...) {
		if e, ok := expand[w]; ok {
			out = append(out, e)
		}
	}
	return out
}

// ruleScore says how much a playbook rule concerns a changed model: naming the model (3) or
// one of its changed columns (2) says most, its layer or the kind of change (1 each) less. A
// rule concerns the model at 2 or more: a name, or its layer and its kind of change.
func ruleScore(text string, m *ChangedModel) int {
	terms := map[string]bool{}
	for _, t := range memory.Terms(text) {
		terms[t] = true
	}
	score := 0
	if terms[strings.ToLower(m.Name)] {
		score += 3
	}
	for _, c := range m.Columns {
		if strings.Contains(c, "_") && terms[strings.ToLower(c)] {
			score += 2
			break
		}
	}
	for _, w := range layerWords(m.Name, m.Path) {
		if terms[w] {
			score++
			break
		}
	}
	kinds := append([]string{m.Change, m.Classification}, m.ColumnChanges...)
	hitKind := false
	for _, k := range kinds {
		for _, w := range changeWords[k] {
			if terms[w] {
				hitKind = true
			}
		}
	}
	if hitKind {
		score++
	}
	return score
}

// ForReview finds the playbook rules that concern the changed models (retrieved by their
// names, columns, layers and kinds of change, kept when ruleScore reaches 2) and the past
// review comments on the same models, newest first, each with its source.
func ForReview(ctx context.Context, s memory.Store, project string, models []ChangedModel) (*review.Knowledge, error) {
	k := &review.Knowledge{Rules: []review.Reference{}, Comments: []review.Reference{}}
	type scored struct {
		ref   review.Reference
		score int
	}
	rules := map[string]*scored{}
	var ruleOrder []string
	for i := range models {
		m := &models[i]
		words := append([]string{m.Name}, m.Columns...)
		words = append(words, layerWords(m.Name, m.Path)...)
		for _, kd := range append([]string{m.Change, m.Classification}, m.ColumnChanges...) {
			words = append(words, changeWords[kd]...)
		}
		hits, err := s.Query(ctx, memory.Query{Text: strings.Join(words, " "), Limit: ruleCandidates,
			Filter: memory.Filter{Kinds: []memory.Kind{memory.KindPlaybookRule}}})
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			if !sameProject(h.Metadata.Project, project) {
				continue
			}
			sc := ruleScore(h.Text, m)
			if sc < 2 {
				continue
			}
			r := rules[h.ID]
			if r == nil {
				r = &scored{ref: review.Reference{Kind: string(memory.KindPlaybookRule), Text: ruleText(&h.Record),
					Heading: h.Metadata.Extra["heading"], Source: where(&h.Record)}}
				rules[h.ID] = r
				ruleOrder = append(ruleOrder, h.ID)
			}
			r.score += sc
			r.ref.Models = appendUnique(r.ref.Models, m.Name)
		}
		comments, err := commentsOn(ctx, s, project, m)
		if err != nil {
			return nil, err
		}
		for _, c := range comments {
			dup := false
			for j := range k.Comments {
				if k.Comments[j].Source == c.Source && k.Comments[j].Text == c.Text {
					k.Comments[j].Models = appendUnique(k.Comments[j].Models, m.Name)
					dup = true
				}
			}
			if !dup {
				k.Comments = append(k.Comments, c)
			}
		}
	}
	sort.SliceStable(ruleOrder, func(i, j int) bool {
		a, b := rules[ruleOrder[i]], rules[ruleOrder[j]]
		if a.score != b.score {
			return a.score > b.score
		}
		return a.ref.Source < b.ref.Source
	})
	for i, id := range ruleOrder {
		if i == maxRules {
			break
		}
		k.Rules = append(k.Rules, rules[id].ref)
	}
	return k, nil
}

// commentsOn finds past review comments on a model: recorded for it, or on its SQL or
// property file.
func commentsOn(ctx context.Context, s memory.Store, project string, m *ChangedModel) ([]review.Reference, error) {
	hits, err := s.Query(ctx, memory.Query{Text: m.Name + " " + m.Path, Limit: 20,
		Filter: memory.Filter{Kinds: []memory.Kind{memory.KindReviewComment}}})
	if err != nil {
		return nil, err
	}
	var recs []memory.Record
	for _, h := range hits {
		if !sameProject(h.Metadata.Project, project) {
			continue
		}
		p := h.Metadata.Extra["path"]
		on := strings.EqualFold(h.Metadata.Model, m.Name) || p != "" && (p == m.Path || strings.HasSuffix(p, "/"+m.Path) || containsPath(m.Files, p))
		if on {
			recs = append(recs, h.Record)
		}
	}
	sort.SliceStable(recs, func(i, j int) bool {
		if !recs[i].Metadata.Time.Equal(recs[j].Metadata.Time) {
			return recs[i].Metadata.Time.After(recs[j].Metadata.Time)
		}
		return recs[i].ID < recs[j].ID
	})
	var out []review.Reference
	for i := range recs {
		if i == maxCommentsPerModel {
			break
		}
		r := &recs[i]
		out = append(out, review.Reference{Kind: string(memory.KindReviewComment), Text: r.Text, Source: where(r),
			Author: r.Metadata.Extra["author"], Models: []string{m.Name}})
	}
	return out, nil
}

func containsPath(files []string, p string) bool {
	for _, f := range files {
		if f == p || strings.HasSuffix(p, "/"+f) {
			return true
		}
	}
	return false
}

func sameProject(rec, project string) bool { return rec == "" || project == "" || rec == project }

// ruleText is a rule without its heading repeated in front.
func ruleText(r *memory.Record) string {
	h := r.Metadata.Extra["heading"]
	if h != "" {
		if rest, ok := strings.CutPrefix(r.Text, h); ok {
			return strings.TrimLeft(rest, " :—-\n")
		}
	}
	return r.Text
}

// where is a record's source as a reader opens it: path:line, or the URL-like source.
func where(r *memory.Record) string {
	src := strings.TrimPrefix(r.Metadata.Source, "git:")
	if r.Metadata.Line > 0 && !strings.Contains(src, "#") {
		return posOf(src, r.Metadata.Line)
	}
	return src
}

func posOf(path string, line int) string { return path + ":" + strconv.Itoa(line) }

func appendUnique(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}
