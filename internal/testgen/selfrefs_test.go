package testgen

import "testing"

// A column that names the model's own key with a role before it points at another row of
// the same model: the manager of an employee, the parent of an account or a folder.
func TestSelfOwner(t *testing.T) {
	p, inf := loadCase(t, "testdata/selfrefs")
	models := p.Models()
	sigs := make([]*sqlSignals, len(models))
	for i, m := range models {
		sigs[i] = safeSignals(m.CompiledCode, "duckdb", nil)
	}
	keys := newKeyIndex(p, models, sigs, inf, existingTests(p), keyOwners(models, sigs, inf))
	node := func(name string) string { return "model.cases." + name }
	for _, c := range []struct{ model, col, field string }{
		{"stg_employees", "reports_to_employee_id", "employee_id"},
		// No test guards stg_accounts: its leading id column is its key.
		{"stg_accounts", "parent_account_id", "account_id"},
		{"stg_folders", "parent_id", "id"},
		// A plain id is no suffix of every *_id column; the key itself is no reference.
		{"stg_folders", "account_id", ""},
		{"stg_employees", "employee_id", ""},
		// Columns named after other entities are not the model's own rows.
		{"stg_orders", "account_id", ""},
		{"stg_orders", "employee_id", ""},
	} {
		o := keys.selfOwner(inf, p.Nodes[node(c.model)], c.col)
		switch {
		case c.field == "" && o != nil:
			t.Errorf("selfOwner(%s.%s) = %s.%s, want none", c.model, c.col, o.model.Name, o.column)
		case c.field != "" && (o == nil || o.model.Name != c.model || o.column != c.field):
			t.Errorf("selfOwner(%s.%s) = %+v, want %s.%s", c.model, c.col, o, c.model, c.field)
		}
	}
}
