// Package memory is the team's long-term knowledge: design docs, data dictionaries, review
// playbooks, property files, past pull requests and what became of every proposal, kept as
// records that the agents retrieve by meaning and by keyword. It owns the record model, the
// Store and Embedder contracts and the ranking that fuses vector similarity with BM25; the
// stores themselves live in sub-packages, one per engine. It never reads a project or talks to
// GitHub: ingestion hands it records.
package memory

import (
	"context"
	"time"
)

// Kind says what a record remembers.
type Kind string

const (
	KindDocChunk      Kind = "doc_chunk"      // a heading-and-paragraph piece of a design doc or README
	KindModelDoc      Kind = "model_doc"      // a model's description in a property file
	KindColumnDoc     Kind = "column_doc"     // a column's description (property file or dictionary)
	KindTest          Kind = "test"           // a data test the team wrote
	KindReviewComment Kind = "review_comment" // a human's review comment on a pull request
	KindPlaybookRule  Kind = "playbook_rule"  // one rule of a review playbook, with its heading
	KindProposal      Kind = "proposal"       // something dataops proposed
	KindOutcome       Kind = "outcome"        // what became of a proposal: accepted, edited, rejected
)

// Metadata locates a record and what it is about. Empty fields are unknown.
type Metadata struct {
	Project string    `json:"project,omitempty"`
	Model   string    `json:"model,omitempty"`
	Column  string    `json:"column,omitempty"`
	Source  string    `json:"source,omitempty"` // the file (or URL) the record came from; DeleteBySource removes by it
	Line    int       `json:"line,omitempty"`
	Commit  string    `json:"commit,omitempty"`
	Time    time.Time `json:"time,omitzero"`
	// Extra holds kind-specific fields (test name, PR number, outcome, heading...).
	Extra map[string]string `json:"extra,omitempty"`
}

// Record is one remembered piece of knowledge.
type Record struct {
	ID       string    `json:"id"`
	Kind     Kind      `json:"kind"`
	Text     string    `json:"text"`
	Metadata Metadata  `json:"metadata"`
	Vector   []float32 `json:"vector,omitempty"`
}

// Filter restricts a query or a listing to records whose fields equal the non-empty ones
// given.
type Filter struct {
	Kinds   []Kind
	Project string
	Model   string
	Column  string
	// Columns keeps the records about any of these columns (names compare exactly: ingestion
	// lower-cases them); with Column set too, both must hold.
	Columns []string
	Source  string
	// Extra keeps the records whose Metadata.Extra holds each of these values (origin:
	// dictionary). Stores whose server cannot filter on it filter the records they receive.
	Extra map[string]string
}

// Query asks for the records nearest a text (by meaning and by keywords).
type Query struct {
	Text   string
	Vector []float32 // the embedding of Text; stores that embed themselves may ignore it
	Filter Filter
	Limit  int
}

// Hit is a record with its fused score and the ranks that made it.
type Hit struct {
	Record
	Score       float64 `json:"score"`
	VectorRank  int     `json:"vector_rank,omitempty"`  // 1-based; 0 when not among vector results
	KeywordRank int     `json:"keyword_rank,omitempty"` // 1-based; 0 when not among BM25 results
}

// Stats describes a store's contents.
type Stats struct {
	Records   int          `json:"records"`
	ByKind    map[Kind]int `json:"by_kind"`
	Sources   int          `json:"sources"`
	Embedder  string       `json:"embedder"`
	Dimension int          `json:"dimension"`
}

// Store keeps records. Implementations are safe for concurrent use; errors name the store
// and, for remote stores, its URL with credentials masked.
type Store interface {
	// Upsert adds records or replaces those with the same ID.
	Upsert(ctx context.Context, recs []Record) error
	// DeleteBySource removes every record whose Metadata.Source is source.
	DeleteBySource(ctx context.Context, source string) (int, error)
	// Query returns at most q.Limit hits, best first, fusing vector and keyword ranks.
	Query(ctx context.Context, q Query) ([]Hit, error)
	// List returns every record that passes the filter, without vectors, ordered by id: what
	// an agent asks about the columns, models or kinds in scope (unranked, and complete where
	// a ranked query could not promise it).
	List(ctx context.Context, f Filter) ([]Record, error)
	Stats(ctx context.Context) (Stats, error)
	Close() error
}

// Embedder turns texts into vectors of one fixed dimension. Name identifies the model and its
// settings: a store records it, and a different Name or Dimension means re-embedding.
type Embedder interface {
	Name() string
	Dimension() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}
