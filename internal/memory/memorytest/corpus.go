// Package memorytest holds what tests of long-term stores share: RunStore, the conformance
// suite every engine passes, and a synthetic corpus for benchmarks (records shaped like those
// of a large dbt project with docs and history, and the queries agents ask).
package memorytest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/dataops-dev/dataops/internal/memory"
)

// The corpus stands for a large dbt project with its docs and history: per model
// about a dozen documented columns, its tests, its description, and a share of doc chunks,
// review comments and playbook rules. Names follow dbt habits (stg_/int_/fct_/dim_ prefixes,
// snake_case columns with abbreviations), so token statistics resemble a real project's.
var (
	entities = []string{"customer", "order", "order_item", "product", "payment", "invoice", "subscription",
		"account", "user", "session", "event", "campaign", "shipment", "refund", "store", "supplier",
		"employee", "ticket", "contract", "plan", "transaction", "wallet", "device", "page_view", "lead"}
	sources    = []string{"shopify", "stripe", "salesforce", "hubspot", "zendesk", "segment", "postgres", "netsuite"}
	attributes = []string{"id", "name", "amount", "amt", "date", "dt", "created_at", "updated_at", "ts",
		"status", "type", "count", "cnt", "qty", "quantity", "email", "country", "currency", "price",
		"discount", "total", "is_active", "is_deleted", "category", "description", "desc", "num", "code",
		"region", "revenue", "cost", "margin", "score", "rank", "source", "channel", "balance", "tax"}
	phrases = []string{"in US dollars", "as reported by the source system", "in UTC", "at the time of the event",
		"rounded to two decimals", "null when unknown", "set by the upstream job", "one row per day",
		"deduplicated on the latest load", "excluding test accounts", "used by finance for reconciliation",
		"the grain of this model", "joined from the staging layer", "maintained by the data team"}
	verbs = []string{"aggregated", "joined", "filtered", "pivoted", "enriched", "deduplicated", "unioned"}
)

// Corpus draws records and queries from one seeded stream: the same calls give the same
// records on every run.
type Corpus struct {
	rng    *rand.Rand
	models []string
}

// NewCorpus returns a corpus over the given number of models.
func NewCorpus(models int) *Corpus {
	c := &Corpus{rng: rand.New(rand.NewPCG(1, 2))}
	prefixes := []string{"stg", "int", "fct", "dim"}
	for i := range models {
		e := entities[i%len(entities)]
		p := prefixes[(i/len(entities))%len(prefixes)]
		switch p {
		case "stg":
			c.models = append(c.models, fmt.Sprintf("stg_%s__%s_%d", sources[i%len(sources)], e, i))
		default:
			c.models = append(c.models, fmt.Sprintf("%s_%s_%d", p, e, i))
		}
	}
	return c
}

func (c *Corpus) pick(s []string) string { return s[c.rng.IntN(len(s))] }

func (c *Corpus) column() string {
	if c.rng.IntN(3) == 0 {
		return c.pick(attributes)
	}
	return c.pick(entities) + "_" + c.pick(attributes)
}

func (c *Corpus) sentence() string {
	e, a := strings.ReplaceAll(c.pick(entities), "_", " "), c.pick(attributes)
	switch c.rng.IntN(4) {
	case 0:
		return fmt.Sprintf("The %s of the %s, %s.", a, e, c.pick(phrases))
	case 1:
		return fmt.Sprintf("Each %s is %s with its %s %s.", e, c.pick(verbs), a, c.pick(phrases))
	case 2:
		return fmt.Sprintf("Use %s_%s to join %s to %s; %s.", e, a, e, c.pick(entities), c.pick(phrases))
	}
	return fmt.Sprintf("Total %s per %s %s.", a, e, c.pick(phrases))
}

func (c *Corpus) paragraph(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c.sentence())
	}
	return b.String()
}

// Records returns n records of the mix a project with history holds.
func (c *Corpus) Records(n int) []memory.Record {
	out := make([]memory.Record, 0, n)
	for i := 0; len(out) < n; i++ {
		model := c.models[i%len(c.models)]
		src := "models/" + model + ".yml"
		meta := func(col string, line int) memory.Metadata {
			return memory.Metadata{Project: "big", Model: model, Column: col, Source: src, Line: line}
		}
		var r memory.Record
		switch k := c.rng.IntN(100); {
		case k < 70:
			col := c.column()
			r = memory.Record{Kind: memory.KindColumnDoc, Text: col + ": " + c.sentence(), Metadata: meta(col, 10+i%40)}
		case k < 76:
			r = memory.Record{Kind: memory.KindModelDoc, Text: c.paragraph(2), Metadata: meta("", 3)}
		case k < 88:
			col := c.column()
			r = memory.Record{Kind: memory.KindTest, Text: fmt.Sprintf("%s on %s.%s", c.pick([]string{"not_null", "unique", "accepted_values", "relationships"}), model, col), Metadata: meta(col, 20)}
		case k < 94:
			r = memory.Record{Kind: memory.KindDocChunk, Text: c.paragraph(5), Metadata: memory.Metadata{Project: "big", Source: fmt.Sprintf("docs/guide_%d.md", i%200), Line: i % 500}}
		case k < 98:
			col := c.column()
			r = memory.Record{Kind: memory.KindReviewComment, Text: fmt.Sprintf("Please add a not_null test on %s in %s; %s", col, model, c.sentence()), Metadata: meta(col, 0)}
		default:
			r = memory.Record{Kind: memory.KindPlaybookRule, Text: "Rule: " + c.sentence(), Metadata: memory.Metadata{Project: "big", Source: "docs/playbook.md", Line: i % 100}}
		}
		r.ID = fmt.Sprintf("r%07d", len(out))
		out = append(out, r)
	}
	return out
}

// Queries returns what the agents ask: column names, short phrases, half of them filtered.
func (c *Corpus) Queries(n int) []memory.Query {
	out := make([]memory.Query, n)
	for i := range out {
		q := memory.Query{Limit: 10}
		switch i % 4 {
		case 0:
			q.Text = c.column()
		case 1:
			q.Text = c.pick(attributes) + " of the " + c.pick(entities)
			q.Filter = memory.Filter{Kinds: []memory.Kind{memory.KindColumnDoc}}
		case 2:
			q.Text = c.column()
			q.Filter = memory.Filter{Model: c.pick(c.models)}
		default:
			q.Text = c.sentence()
		}
		out[i] = q
	}
	return out
}
