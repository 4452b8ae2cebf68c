package testgen

import "testing"

// A column that names the model's own key with a role before it points at another row of
// the same model: the manager of an employee, the parent of an account or a folder.
func TestSelfOwner(t *testing.T) {
	p, inf, keys := loadKeys(t, "testdata/selfrefs")
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
		// parent_id holds ids: a model keyed by a surrogate key is no target for it.
		{"stg_payments", "parent_id", ""},
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

// "The user table" names the model keyed by user_id when no model is named after users (an
// application that calls its user table logins); a longer phrase by its last words.
func TestEntityModelByKey(t *testing.T) {
	p, inf, keys := loadKeys(t, "testdata/selfrefs")
	orders := p.Nodes["model.cases.stg_orders"]
	for desc, want := range map[string]string{
		"Foreign key to the user table for the user who entered it": "stg_app_logins.user_id",
		"Foreign key to the application user table":                 "stg_app_logins.user_id",
		"Foreign key to the employees table":                        "stg_employees.employee_id",
		"Foreign key to the vendor table":                           "",
	} {
		o := keys.docTarget(p, inf, orders, "entered_by_id", refsIn(desc))
		got := ""
		if o != nil {
			got = o.model.Name + "." + o.column
		}
		if got != want {
			t.Errorf("docTarget(%q) = %q, want %q", desc, got, want)
		}
	}
}
