package mcp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
)

type memorySearchInput struct {
	Query  string   `json:"query" jsonschema:"what to look for, in words or identifiers"`
	Kinds  []string `json:"kinds,omitempty" jsonschema:"only records of these kinds: doc_chunk, model_doc, column_doc, test, review_comment, playbook_rule, proposal, outcome"`
	Model  string   `json:"model,omitempty" jsonschema:"only records about this model"`
	Column string   `json:"column,omitempty" jsonschema:"only records about this column"`
	Limit  int      `json:"limit,omitempty" jsonschema:"hits to return (default 10, at most 50)"`
}

// MemoryHits is what memory_search answers.
type MemoryHits struct {
	Hits []MemoryHit `json:"hits"`
	Note string      `json:"note,omitempty"`
}

// MemoryHit is one remembered record, best first.
type MemoryHit struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"`
	Text     string          `json:"text"`
	Metadata memory.Metadata `json:"metadata"`
	Score    float64         `json:"score"`
}

type memoryIngestInput struct {
	Records []memoryRecordInput `json:"records" jsonschema:"what to remember, at most 100 records"`
}

type memoryRecordInput struct {
	Text   string `json:"text"`
	Kind   string `json:"kind,omitempty" jsonschema:"doc_chunk (default), model_doc, column_doc, test, review_comment, playbook_rule, proposal or outcome"`
	Source string `json:"source,omitempty" jsonschema:"where it comes from (a file, a URL, a pull request); records of one source are replaced together by dataops memory ingest"`
	Model  string `json:"model,omitempty"`
	Column string `json:"column,omitempty"`
}

// MemoryIngested is what memory_ingest answers.
type MemoryIngested struct {
	IDs []string `json:"ids" jsonschema:"the records' ids: ingesting the same text from the same source again replaces it"`
}

var memoryKinds = map[memory.Kind]bool{memory.KindDocChunk: true, memory.KindModelDoc: true, memory.KindColumnDoc: true,
	memory.KindTest: true, memory.KindReviewComment: true, memory.KindPlaybookRule: true, memory.KindProposal: true, memory.KindOutcome: true}

func (s *Server) addMemoryTools() {
	addTool(s, tool{name: "memory_search", title: "Search the team's memory", readOnly: true,
		description: "Search what the team wrote down (design docs, dictionaries, playbooks, past reviews) by meaning and keywords."},
		s.memorySearch)
	addTool(s, tool{name: "memory_ingest", title: "Remember", readOnly: false,
		description: "Add texts to the team's memory (a decision, a definition, a review rule) so later searches and reviews find them."},
		s.memoryIngest)
}

func (s *Server) memorySearch(ctx context.Context, in memorySearchInput) (*MemoryHits, error) {
	if strings.TrimSpace(in.Query) == "" {
		return nil, fmt.Errorf("give a query")
	}
	limit := in.Limit
	if limit <= 0 {
		limit = 10
	}
	q := memory.Query{Text: in.Query, Limit: min(limit, 50), Filter: memory.Filter{Model: in.Model, Column: in.Column}}
	for _, k := range in.Kinds {
		if !memoryKinds[memory.Kind(k)] {
			return nil, fmt.Errorf("kind %q: want one of doc_chunk, model_doc, column_doc, test, review_comment, playbook_rule, proposal, outcome", k)
		}
		q.Filter.Kinds = append(q.Filter.Kinds, memory.Kind(k))
	}
	hits, err := s.eng.MemorySearch(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &MemoryHits{Hits: []MemoryHit{}}
	var ns notes
	for _, h := range hits {
		out.Hits = append(out.Hits, MemoryHit{ID: h.ID, Kind: string(h.Kind), Text: ns.clipField(h.Text, maxTextChars, "the text of "+h.ID),
			Metadata: h.Metadata, Score: h.Score})
	}
	if len(hits) == 0 {
		ns.add("Nothing found. The memory holds what `dataops memory ingest` or memory_ingest put there.")
	}
	out.Note = ns.String()
	return out, nil
}

func (s *Server) memoryIngest(ctx context.Context, in memoryIngestInput) (*MemoryIngested, error) {
	if len(in.Records) == 0 {
		return nil, fmt.Errorf("give at least one record")
	}
	if len(in.Records) > 100 {
		return nil, fmt.Errorf("%d records: at most 100 at once", len(in.Records))
	}
	now := time.Now().UTC()
	var recs []memory.Record
	out := &MemoryIngested{IDs: []string{}}
	for i, r := range in.Records {
		if strings.TrimSpace(r.Text) == "" {
			return nil, fmt.Errorf("records[%d]: empty text", i)
		}
		kind := memory.Kind(r.Kind)
		if kind == "" {
			kind = memory.KindDocChunk
		}
		if !memoryKinds[kind] {
			return nil, fmt.Errorf("records[%d]: kind %q is not one the memory keeps", i, r.Kind)
		}
		source := r.Source
		if source == "" {
			source = "mcp"
		}
		sum := sha256.Sum256([]byte(source + "\x00" + string(kind) + "\x00" + r.Text))
		id := "mcp-" + hex.EncodeToString(sum[:12])
		recs = append(recs, memory.Record{ID: id, Kind: kind, Text: r.Text,
			Metadata: memory.Metadata{Model: r.Model, Column: r.Column, Source: source, Time: now}})
		out.IDs = append(out.IDs, id)
	}
	if err := s.eng.MemoryIngest(ctx, recs); err != nil {
		return nil, err
	}
	return out, nil
}
