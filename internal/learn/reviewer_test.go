package learn

import (
	"context"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

func TestForReview(t *testing.T) {
	stores(t, func(t *testing.T, s memory.Store) {
		ctx := context.Background()
		rule := func(id, heading, text string, line int) memory.Record {
			return memory.Record{ID: id, Kind: memory.KindPlaybookRule, Text: heading + ": " + text,
				Metadata: memory.Metadata{Project: "shop", Source: "docs/playbook.md", Line: line, Extra: map[string]string{"heading": heading}}}
		}
		comment := func(id, text, model, path string, hour int) memory.Record {
			return memory.Record{ID: id, Kind: memory.KindReviewComment, Text: text,
				Metadata: memory.Metadata{Project: "shop", Model: model, Source: "github:acme/shop#" + id, Time: t0.Add(timeHours(hour)),
					Extra: map[string]string{"path": path, "author": "dana", "pr": id}}}
		}
		upsert(t, s,
			rule("r1", "Staging", "Every new staging model gets a unique test on its key.", 3),
			rule("r2", "Renames", "A renamed column in fct_orders needs a note to the finance team.", 9),
			rule("r3", "Style", "Use lower case keywords.", 14),
			rule("r4", "Marts", "Marts models are documented in full.", 20),
			comment("11", "Please test order_id here.", "fct_orders", "models/marts/fct_orders.sql", 1),
			comment("12", "Why is this a left join?", "", "models/marts/fct_orders.sql", 2),
			comment("13", "Unrelated model.", "dim_users", "models/marts/dim_users.sql", 3),
			memory.Record{ID: "other", Kind: memory.KindPlaybookRule, Text: "Staging models of another project: every new one needs a test.",
				Metadata: memory.Metadata{Project: "elsewhere", Source: "x.md", Line: 1}},
		)
		k, err := ForReview(ctx, s, "shop", []ChangedModel{
			{Name: "stg_payments", Path: "models/staging/stg_payments.sql", Change: "added", Columns: []string{"payment_id"}},
			{Name: "fct_orders", Path: "models/marts/fct_orders.sql", Change: "modified", Columns: []string{"order_total"}, ColumnChanges: []string{"renamed"}, Classification: "partial"},
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, r := range k.Rules {
			got[r.Source] = true
		}
		// r1: a new staging model (layer and kind of change); r2: names fct_orders and a
		// rename; r4: the layer alone is not enough; r3 concerns nothing here.
		if !got["docs/playbook.md:3"] || !got["docs/playbook.md:9"] || got["docs/playbook.md:14"] || got["docs/playbook.md:20"] || got["x.md:1"] || len(k.Rules) != 2 {
			t.Errorf("rules = %+v", k.Rules)
		}
		if k.Rules[0].Source != "docs/playbook.md:9" || k.Rules[0].Heading != "Renames" || k.Rules[0].Text != "A renamed column in fct_orders needs a note to the finance team." {
			t.Errorf("first rule = %+v", k.Rules[0])
		}
		if len(k.Comments) != 2 || k.Comments[0].Source != "github:acme/shop#12" || k.Comments[1].Author != "dana" || k.Comments[1].Models[0] != "fct_orders" {
			t.Errorf("comments = %+v", k.Comments)
		}
	})
}
