package schema

import (
	"strings"
	"testing"
)

// A new property file in a folder with no documented neighbour above it takes the style of a
// documented folder beside it (quoted descriptions, data_type first), not the default.
func TestNewFileTakesCousinStyle(t *testing.T) {
	p := loadFixture(t, map[string]string{
		"models/gold/sales/fct_sales.sql": "select 1 as sale_id\n",
		"models/gold/sales/_sales.yml": "version: 2\nmodels:\n  - name: fct_sales\n    description: \"Sales.\"\n    columns:\n" +
			"      - name: sale_id\n        data_type: int\n        description: \"The sale.\"\n",
		"models/gold/stock/fct_stock.sql": "select 1 as item_id\n",
	})
	ops := []Op{{Kind: OpAddModel, File: "models/gold/stock/_stock.yml", Model: "fct_stock", Entry: &ModelSpec{Name: "fct_stock",
		Columns: []ColumnSpec{{Name: "item_id", DataType: "int", Description: "The item."}}}}}
	edits, notes := Apply(p.Root, ops, FormsFor(Version{1, 8, 0}))
	if len(edits) != 1 {
		t.Fatalf("edits %+v, notes %+v", edits, notes)
	}
	got := string(edits[0].New)
	if !strings.Contains(got, "        data_type: int\n        description: \"The item.\"\n") {
		t.Errorf("new file not in its cousin's style:\n%s", got)
	}
}
