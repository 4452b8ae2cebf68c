package schema

import (
	"fmt"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
)

// A team that describes its columns in French gets the new column's name as words, not an
// English sentence written from it; an English-writing team gets the sentence, and so does a
// project with too few descriptions to tell.
func TestDescribeFromNameOnlyForATeamWritingEnglish(t *testing.T) {
	french := "Montant de la facture en euros, hors taxes"
	english := "The amount of the invoice in euros, before tax"
	for _, c := range []struct {
		text string
		n    int
		want string
	}{
		{french, 24, "Montant credit."},
		{english, 24, "The montant credit."},
		{french, 5, "The montant credit."},
	} {
		yml := "version: 2\nmodels:\n  - name: stg_factures\n    columns:\n"
		for i := 0; i < c.n; i++ {
			yml += fmt.Sprintf("      - name: col_%d\n        description: %q\n", i, c.text)
		}
		p := loadFixture(t, map[string]string{
			"models/stg_factures.sql": "select 1 as col_0\n",
			"models/_factures.yml":    yml,
			"models/fct_avoirs.sql":   "select 1 as montant_credit\n",
		})
		in := Input{Project: p, ReadFile: readFn(p), Config: DefaultConfig(),
			Columns: map[string]*change.ModelColumns{"model.p.fct_avoirs": {Origin: "sql", Columns: []change.Column{{Name: "montant_credit", Kind: "transform"}}}},
			Select:  func(id string) bool { return id == "model.p.fct_avoirs" }}
		var got *ColumnSpec
		for _, op := range Synthesize(in).Ops {
			if op.Kind == OpAddModel {
				for i := range op.Entry.Columns {
					if op.Entry.Columns[i].Name == "montant_credit" {
						got = &op.Entry.Columns[i]
					}
				}
			}
		}
		if got == nil {
			t.Fatalf("%d descriptions like %q: no entry for fct_avoirs", c.n, c.text)
		}
		if got.DescriptionFrom != FromName || got.Description != c.want {
			t.Errorf("%d descriptions like %q: montant_credit described %q from %q, want %q from the name", c.n, c.text, got.Description, got.DescriptionFrom, c.want)
		}
	}
}
