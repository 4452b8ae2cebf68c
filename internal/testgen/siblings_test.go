package testgen

import "testing"

func TestSiblingNamed(t *testing.T) {
	p, inf, keys := loadKeys(t, "testdata/siblings")
	node := func(name string) string { return "model.cases." + name }
	grades := p.Nodes[node("stg__app__grades")]
	for _, c := range []struct{ col, desc, model, field string }{
		// The source table's name, resolved within the model's own source prefix: the app's
		// auth_user, not the CRM's.
		{"user_id", "int, foreign key to auth_user representing a single user", "stg__app__auth_user", "user_id"},
		{"course_id", "int, foreign key to courses_course", "stg__app__courses_course", "course_id"},
		{"course_id", "int, foreign key to courses_program", "", ""},
	} {
		o := keys.docTarget(p, inf, grades, c.col, refsIn(c.desc))
		switch {
		case c.model == "" && o != nil:
			t.Errorf("docTarget(%q) = %s.%s, want none", c.desc, o.model.Name, o.column)
		case c.model != "" && (o == nil || o.model.Name != c.model || o.column != c.field):
			t.Errorf("docTarget(%q) = %+v, want %s.%s", c.desc, o, c.model, c.field)
		}
	}
	// Another prefix names another system's tables: int__grades has no int__auth_user.
	if o := keys.docTarget(p, inf, p.Nodes[node("int__grades")], "user_id", refsIn("int, foreign key to auth_user")); o != nil {
		t.Errorf("docTarget from int__grades = %s.%s, want none", o.model.Name, o.column)
	}
	for name, want := range map[string]string{"stg__app__grades": "stg__app__", "stg_stripe__customers": "stg_stripe__", "orders": "", "__x": ""} {
		if got := sourcePrefix(name); got != want {
			t.Errorf("sourcePrefix(%q) = %q, want %q", name, got, want)
		}
	}
}
