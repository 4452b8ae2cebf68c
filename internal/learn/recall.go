package learn

import (
	"context"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/schema"
)

// Recall answers the Schema Synthesizer's questions from memory (schema.Knowledge). It is
// made for one run: errors of the store end the recall (the run goes on without memory) and
// are kept for the caller to report.
type Recall struct {
	ctx     context.Context
	store   memory.Store
	project string
	// Err is the first error the store returned, if any.
	Err error
	// outcomes: the team's versions of earlier description proposals, by folded column.
	outcomes map[string][]schema.Candidate
	// docsRead says dictionary and chunks are known: dictionary holds the dictionary
	// entries, chunks says the store holds doc chunks.
	docsRead   bool
	dictionary []memory.Record
	chunks     bool
}

// NewRecall prepares the recall of a project's descriptions.
func NewRecall(ctx context.Context, s memory.Store, project string) *Recall {
	return &Recall{ctx: ctx, store: s, project: project}
}

func (r *Recall) fail(err error) {
	if r.Err == nil {
		r.Err = err
	}
}

// loadOutcomes indexes the descriptions the team kept (accepted as proposed, or its edited
// version, the better example) by column name.
func (r *Recall) loadOutcomes() {
	if r.outcomes != nil {
		return
	}
	r.outcomes = map[string][]schema.Candidate{}
	outs, err := Outcomes(r.ctx, r.store, r.project)
	if err != nil {
		r.fail(err)
		return
	}
	sort.SliceStable(outs, func(i, j int) bool { return outs[i].Time.After(outs[j].Time) })
	for _, o := range outs {
		if o.Kind != KindDescription {
			continue
		}
		text := ""
		switch o.State {
		case Edited:
			text = o.Final
		case Accepted:
			text = o.Value
		}
		if text == "" {
			continue
		}
		k := strings.ToLower(o.Column)
		r.outcomes[k] = append(r.outcomes[k], schema.Candidate{Text: text, Model: o.Model, Source: o.File, Commit: o.Resolved})
	}
}

// Earlier implements schema.Knowledge: the team's own versions of earlier proposals first,
// then what engineers wrote for columns of the name in the project's history, newest first.
func (r *Recall) Earlier(column string) []schema.Candidate {
	if r == nil || r.Err != nil {
		return nil
	}
	r.loadOutcomes()
	out := append([]schema.Candidate(nil), r.outcomes[strings.ToLower(column)]...)
	hist, err := recordsAbout(r.ctx, r.store, r.project, column, memory.Filter{Kinds: []memory.Kind{memory.KindColumnDoc},
		Extra: map[string]string{"origin": "history"}})
	if err != nil {
		r.fail(err)
		return out
	}
	sort.SliceStable(hist, func(i, j int) bool { return hist[i].Metadata.Time.After(hist[j].Metadata.Time) })
	for _, rec := range hist {
		out = append(out, schema.Candidate{Text: descriptionOf(&rec), Model: rec.Metadata.Model,
			Source: strings.TrimPrefix(rec.Metadata.Source, "git:"), Line: rec.Metadata.Line, Commit: rec.Metadata.Commit})
	}
	return out
}

// loadDocs reads the dictionary entries once (every one is scored against each column: the
// score reads names, which a ranking would only approximate) and notes whether the store
// holds doc chunks to retrieve.
func (r *Recall) loadDocs() {
	if r.docsRead || r.Err != nil {
		return
	}
	r.docsRead = true
	recs, err := r.store.List(r.ctx, memory.Filter{Kinds: []memory.Kind{memory.KindColumnDoc}, Extra: map[string]string{"origin": "dictionary"}})
	if err != nil {
		r.fail(err)
		return
	}
	for _, rec := range recs {
		if sameProject(rec.Metadata.Project, r.project) {
			r.dictionary = append(r.dictionary, rec)
		}
	}
	st, err := r.store.Stats(r.ctx)
	r.chunks = err != nil || st.ByKind[memory.KindDocChunk] > 0
}

// descriptionOf is the raw description of a column_doc record (its text is prefixed with the
// column's name for retrieval).
func descriptionOf(r *memory.Record) string {
	if d := r.Metadata.Extra["description"]; d != "" {
		return d
	}
	if _, after, ok := strings.Cut(r.Text, ": "); ok {
		return after
	}
	return r.Text
}

// retrieveDepth is how many hits of the hybrid query are scored.
const retrieveDepth = 12

// Retrieve implements schema.Knowledge: dictionary entries and doc chunks about a column,
// scored by EntryScore and ChunkScore, best first. Every dictionary entry goes to the score;
// doc chunks are ranked by a hybrid query on the column's name.
func (r *Recall) Retrieve(model, column string) []schema.Candidate {
	if r == nil || r.Err != nil {
		return nil
	}
	if r.loadDocs(); r.Err != nil {
		return nil
	}
	var out []schema.Candidate
	for i := range r.dictionary {
		d := &r.dictionary[i]
		if sc := EntryScore(column, d.Metadata.Column); sc > 0 {
			out = append(out, r.candidate(d, descriptionOf(d), sc))
		}
	}
	if r.chunks {
		q := strings.Join(append(nameParts(column), strings.ToLower(column)), " ")
		hits, err := r.store.Query(r.ctx, memory.Query{Text: q, Limit: retrieveDepth, Filter: memory.Filter{Kinds: []memory.Kind{memory.KindDocChunk}}})
		if err != nil {
			r.fail(err)
			return nil
		}
		for i := range hits {
			h := &hits[i].Record
			if !sameProject(h.Metadata.Project, r.project) {
				continue
			}
			if text, score := ChunkScore(column, h.Text); text != "" {
				out = append(out, r.candidate(h, text, score))
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

func (r *Recall) candidate(rec *memory.Record, text string, score float64) schema.Candidate {
	return schema.Candidate{Text: text, Score: score, Source: strings.TrimPrefix(rec.Metadata.Source, "git:"), Line: rec.Metadata.Line}
}
