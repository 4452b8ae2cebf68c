package learn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/testgen"
)

// Agents whose proposals are recorded.
const (
	AgentSchema = "schema"
	AgentTests  = "tests"
)

// Kinds of proposal.
const (
	KindDescription = "description" // a new column's description; Rule is its source (upstream, project, name...)
	KindTest        = "test"        // a data test on a column; Rule is the test (not_null, unique...)
	KindColumn      = "column"      // a column entry added to a property file
)

// Outcomes of a proposal.
const (
	Open     = "open"
	Accepted = "accepted"
	Edited   = "edited"
	Rejected = "rejected"
)

// Proposal is one thing an agent proposed on one pull request (or one local head).
type Proposal struct {
	Repository string // owner/name, or the repository's folder name for a local run
	PR         string // the pull request's number; "" for a local run
	Head       string // the head commit proposed on
	Project    string // the dbt project (the team whose habits it teaches)
	Agent      string
	Kind       string
	Rule       string
	Model      string
	Column     string
	File       string // the property file the proposal edits, relative to the project
	Line       int
	// Value is what was proposed: the description, or the test as JSON ({"test":..., "args":...}).
	Value string
	// New says the column is one the change added: what the team does with a proposal on it is
	// a verdict on the proposal, while a proposal on a column the change did not touch is often
	// left for another day.
	New bool
	// Documented says the merged result documents the column (or the model, for a model-level
	// test): only then is an absent test a verdict on the test rather than on the column.
	Documented bool
	Time       time.Time
	// LLM names the language agent that wrote the proposal ("describe", "rules"); "" when the
	// engine did.
	LLM string
	// State is Open until resolved, then the outcome; Final is the team's version when edited.
	State string
	Final string
	// Resolved is the commit the outcome was read from.
	Resolved string
}

// Key identifies a proposal across heads of the same pull request: proposing the same thing
// again after a push replaces the open proposal rather than counting it twice.
func (p *Proposal) Key() string {
	scope := p.PR
	if scope == "" {
		scope = "head:" + p.Head
	}
	h := sha256.Sum256([]byte(strings.Join([]string{p.Repository, scope, p.Project, p.Agent, p.Kind, p.Rule,
		strings.ToLower(p.Model), strings.ToLower(p.Column)}, "\x00")))
	return hex.EncodeToString(h[:12])
}

// Source is the memory source proposals of one pull request share, so `memory forget
// --source` removes them together.
func (p *Proposal) Source() string {
	if p.PR != "" {
		return "dataops:" + p.Repository + "#" + p.PR
	}
	return "dataops:" + p.Repository + "@" + shortSHA(p.Head)
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// Pattern is the column-name pattern outcomes are learned by (*_id, *_at, is_*...).
func (p *Proposal) Pattern() string { return ColumnPattern(p.Column) }

// ColumnPattern names the family a column belongs to by its name (*_id, *_at, is_*), as the
// Test Enhancer learns by it.
func ColumnPattern(c string) string { return testgen.ColumnPattern(strings.ToLower(c)) }

// recordText is what retrieval matches a proposal or outcome by; it starts with the kind's
// own word, which is also how stores without a listing find them all.
func (p *Proposal) recordText(word string) string {
	target := p.Model
	if p.Column != "" {
		target += "." + p.Column
	}
	s := fmt.Sprintf("%s: %s %s %s for %s: %s", word, p.Agent, p.Kind, p.Rule, target, p.Value)
	if p.Final != "" && p.Final != p.Value {
		s += " (kept as: " + p.Final + ")"
	}
	return s
}

func (p *Proposal) metadata() memory.Metadata {
	extra := map[string]string{
		"repository": p.Repository, "pr": p.PR, "head": p.Head, "agent": p.Agent, "kind": p.Kind, "rule": p.Rule,
		"file": p.File, "proposal": p.Value, "pattern": p.Pattern(), "state": p.State,
	}
	if p.Final != "" {
		extra["final"] = p.Final
	}
	if p.Resolved != "" {
		extra["resolved"] = p.Resolved
	}
	if p.New {
		extra["new"] = "true"
	}
	if p.Documented {
		extra["documented"] = "true"
	}
	if p.LLM != "" {
		extra["llm"] = p.LLM
	}
	for k, v := range extra {
		if v == "" {
			delete(extra, k)
		}
	}
	return memory.Metadata{Project: p.Project, Model: p.Model, Column: p.Column, Source: p.Source(), Line: p.Line,
		Commit: p.Head, Time: p.Time, Extra: extra}
}

func (p *Proposal) proposalRecord() memory.Record {
	if p.State == "" {
		p.State = Open
	}
	return memory.Record{ID: "proposal:" + p.Key(), Kind: memory.KindProposal, Text: p.recordText("proposal"), Metadata: p.metadata()}
}

func (p *Proposal) outcomeRecord() memory.Record {
	m := p.metadata()
	m.Extra["outcome"] = p.State
	return memory.Record{ID: "outcome:" + p.Key(), Kind: memory.KindOutcome, Text: p.recordText("outcome " + p.State), Metadata: m}
}

// proposalOf reads a proposal (or outcome) record back.
func proposalOf(r *memory.Record) Proposal {
	x := r.Metadata.Extra
	return Proposal{Repository: x["repository"], PR: x["pr"], Head: x["head"], Project: r.Metadata.Project,
		Agent: x["agent"], Kind: x["kind"], Rule: x["rule"], Model: r.Metadata.Model, Column: r.Metadata.Column,
		File: x["file"], Line: r.Metadata.Line, Value: x["proposal"], Time: r.Metadata.Time, State: x["state"],
		Final: x["final"], Resolved: x["resolved"], New: x["new"] == "true", Documented: x["documented"] == "true", LLM: x["llm"]}
}

// Record stores proposals as open (an open proposal of the same key is replaced: same pull
// request, newer head). A proposal already resolved keeps its outcome.
func Record(ctx context.Context, s memory.Store, ps []Proposal) error {
	if len(ps) == 0 {
		return nil
	}
	// Only proposals about the same columns (in any case: keys fold it) can share a key.
	var cols []string
	for i := range ps {
		for _, c := range []string{ps[i].Column, strings.ToLower(ps[i].Column)} {
			if !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		}
	}
	resolved := map[string]bool{}
	if have, err := list(ctx, s, memory.KindProposal, memory.Filter{Columns: cols}); err == nil {
		for i := range have {
			if st := have[i].Metadata.Extra["state"]; st != "" && st != Open {
				resolved[have[i].ID] = true
			}
		}
	} else {
		return err
	}
	recs := make([]memory.Record, 0, len(ps))
	for i := range ps {
		p := ps[i]
		p.State, p.Final, p.Resolved = Open, "", ""
		r := p.proposalRecord()
		if resolved[r.ID] {
			continue
		}
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	return s.Upsert(ctx, recs)
}

// list lists the records of a kind that pass f.
func list(ctx context.Context, s memory.Store, kind memory.Kind, f memory.Filter) ([]memory.Record, error) {
	f.Kinds = []memory.Kind{kind}
	return s.List(ctx, f)
}

// Proposals lists the recorded proposals of a project ("" for all), with their states.
func Proposals(ctx context.Context, s memory.Store, project string) ([]Proposal, error) {
	recs, err := list(ctx, s, memory.KindProposal, memory.Filter{Project: project})
	if err != nil {
		return nil, err
	}
	out := make([]Proposal, len(recs))
	for i := range recs {
		out[i] = proposalOf(&recs[i])
	}
	return out, nil
}

// Outcomes lists the outcomes recorded for a project ("" for all).
func Outcomes(ctx context.Context, s memory.Store, project string) ([]Proposal, error) {
	recs, err := list(ctx, s, memory.KindOutcome, memory.Filter{Project: project})
	if err != nil {
		return nil, err
	}
	out := make([]Proposal, len(recs))
	for i := range recs {
		out[i] = proposalOf(&recs[i])
	}
	return out, nil
}

// PRNumber normalises a pull request reference ("#12", "12") to its number; "" when it is none.
func PRNumber(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if _, err := strconv.Atoi(s); err != nil {
		return ""
	}
	return s
}
