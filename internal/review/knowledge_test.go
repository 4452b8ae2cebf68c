package review

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func knowledgeReview() *Review {
	r := &Review{
		Descriptions: []Description{{Model: "orders", Column: "customer_id", Description: "The customer who placed the order.",
			From: "upstream:model.shop.stg_orders.customer_id", Source: "models/staging/_staging.yml:14", File: "models/marts/_marts.yml"}},
		Knowledge: &Knowledge{
			Rules: []Reference{{Kind: "playbook_rule", Heading: "Staging", Text: "Every new column is documented. Ask @data-team [here](http://x).",
				Source: "docs/playbook.md:7", Models: []string{"stg_orders"}}},
			Comments: []Reference{{Kind: "review_comment", Text: "Keep emails lower-cased\x1b[31m #12", Source: "github:acme/shop#41",
				Author: "dana", Models: []string{"stg_customers"}}},
		},
	}
	r.Finish()
	return r
}

func TestKnowledgeText(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "text", knowledgeReview()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Descriptions written\n  orders.customer_id: from upstream:model.shop.stg_orders.customer_id (models/staging/_staging.yml:14)\n      The customer who placed the order.\n",
		"From the team's memory\n  rule docs/playbook.md:7 (stg_orders): Every new column is documented.",
		"comment github:acme/shop#41 by dana (stg_customers): Keep emails lower-cased [31m #12",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Error("a terminal escape from memory reached the output")
	}
}

func TestKnowledgeMarkdownIsInert(t *testing.T) {
	out := Markdown(knowledgeReview(), MarkdownOptions{PathPrefix: "transform/shop/"})
	for _, want := range []string{
		"### From the team's memory",
		"- Staging: Every new column is documented. Ask @\u200bdata-team \\[here\\](http:\u200b//x). (`transform/shop/docs/playbook.md:7`; `stg_orders`)",
		"Keep emails lower-cased \\[31m #\u200b12 (`github:acme/shop#41` by dana; `stg_customers`)",
		"<details><summary>Descriptions written (1)</summary>",
		"| `orders.customer_id` | The customer who placed the order. | `upstream:model.shop.stg_orders.customer_id` `transform/shop/models/staging/_staging.yml:14` |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
}

func TestKnowledgeJSONAndAbsence(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "json", knowledgeReview()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Descriptions []Description `json:"descriptions"`
		Knowledge    *Knowledge    `json:"knowledge"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Descriptions) != 1 || got.Knowledge == nil || len(got.Knowledge.Rules) != 1 || got.Knowledge.Comments[0].Author != "dana" {
		t.Errorf("json = %+v", got)
	}
	// Without memory and descriptions nothing of it appears.
	plain := &Review{}
	plain.Finish()
	b.Reset()
	Write(&b, "json", plain)
	if strings.Contains(b.String(), "knowledge") || strings.Contains(b.String(), "descriptions") {
		t.Errorf("empty review mentions knowledge:\n%s", b.String())
	}
	if md := Markdown(plain, MarkdownOptions{}); strings.Contains(md, "memory") || strings.Contains(md, "Descriptions") {
		t.Errorf("empty review markdown:\n%s", md)
	}
}
