package schema

import (
	"fmt"
	"strings"
	"testing"
)

// booleanProject documents n models with one boolean column each, named by names in turn.
func booleanProject(t *testing.T, names []string) map[string]string {
	files := map[string]string{"dbt_project.yml": "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n"}
	var yml strings.Builder
	yml.WriteString("version: 2\nmodels:\n")
	for i, n := range names {
		m := fmt.Sprintf("m%02d", i)
		files["models/core/"+m+".sql"] = "select true as " + n + "\n"
		fmt.Fprintf(&yml, "  - name: %s\n    columns:\n      - name: %s\n        data_type: boolean\n", m, n)
	}
	files["models/core/_core__models.yml"] = yml.String()
	return files
}

func conventionFindings(c Conventions, col string) []Finding {
	return c.Check(ModelFacts{Name: "new_model", Path: "models/core/new_model.sql", Columns: []ColumnFacts{{Name: col, DataType: "boolean", Path: "models/core/_core__models.yml", Line: 9}}})
}

// TestNamingRulesComeFromTheProject is the shape of a real review that told a team
// "`_is_current` should start with is_" although nothing in the project said so: without a
// stated rule or a clear habit there is no boolean naming rule; with a clear habit the finding
// quotes it, with a stated one it names the setting.
func TestNamingRulesComeFromTheProject(t *testing.T) {
	mixed := []string{"active", "enabled", "deleted", "is_paid", "is_test", "current", "verified", "archived", "has_orders", "visible", "locked", "primary"}
	p := loadProject(t, booleanProject(t, mixed))
	c := ProjectConventions(p, nil, Naming{})
	if len(c.BooleanPrefixes) != 0 {
		t.Errorf("no habit, yet boolean prefixes %v (%s)", c.BooleanPrefixes, c.Sources[RuleBooleanPrefix])
	}
	if fs := conventionFindings(c, "current_flag"); len(fs) != 0 {
		t.Errorf("findings without a rule: %+v", fs)
	}

	habit := []string{"is_active", "is_enabled", "is_deleted", "is_paid", "is_test", "is_current", "is_verified", "is_archived", "has_orders", "is_visible", "is_locked", "has_refunds"}
	p = loadProject(t, booleanProject(t, habit))
	c = ProjectConventions(p, nil, Naming{})
	fs := conventionFindings(c, "active")
	if len(fs) != 1 || fs[0].Rule != RuleBooleanPrefix || !strings.HasSuffix(fs[0].Message, "(rule: the project's habit, 12 of 12 boolean columns start with is_ or has_)") {
		t.Errorf("habit: %+v", fs)
	}
	if fs := conventionFindings(c, "_is_current"); len(fs) != 0 {
		t.Errorf("a leading underscore is not part of the question: %+v", fs)
	}

	p = loadProject(t, booleanProject(t, mixed))
	c = ProjectConventions(p, nil, Naming{BooleanPrefixes: []string{"is_"}})
	fs = conventionFindings(c, "active")
	if len(fs) != 1 || !strings.HasSuffix(fs[0].Message, "(rule: schema.naming.boolean_prefixes in .dataops.yml)") {
		t.Errorf("stated: %+v", fs)
	}
	if c := ProjectConventions(p, nil, Naming{Preset: "dbt-labs"}); len(c.BooleanPrefixes) != 2 || c.Sources[RuleSnakeCase] != "schema.naming.preset dbt-labs in .dataops.yml" {
		t.Errorf("preset: %v %v", c.BooleanPrefixes, c.Sources)
	}
}

// TestModelPrefixesFromTheProject: a staging folder whose models all start with stg_ makes a
// rule for that folder; marts named without fct_/dim_ make none.
func TestModelPrefixesFromTheProject(t *testing.T) {
	files := map[string]string{"dbt_project.yml": "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n"}
	for i := 0; i < 6; i++ {
		files[fmt.Sprintf("models/staging/stg_s%d.sql", i)] = "select 1 as id\n"
	}
	// marts/: no clear habit (3 of 6 start with report_).
	for _, m := range []string{"report_a", "report_b", "report_c", "orders", "customers", "payments"} {
		files["models/marts/"+m+".sql"] = "select 1 as id\n"
	}
	p := loadProject(t, files)
	c := ProjectConventions(p, nil, Naming{})
	fs := c.Check(ModelFacts{Name: "orders_raw", Path: "models/staging/orders_raw.sql"})
	if len(fs) != 1 || !strings.HasSuffix(fs[0].Message, "(rule: the project's habit, 6 of 6 models in staging/ start with stg_)") {
		t.Errorf("staging: %+v", fs)
	}
	if fs := c.Check(ModelFacts{Name: "revenue", Path: "models/marts/revenue.sql"}); len(fs) != 0 {
		t.Errorf("marts have no prefix habit, yet: %+v", fs)
	}
}

// TestModelPrefixesOfAFolderNameUsedInTwoLayers: a folder name that holds stg_ models under
// staging/ and wh_ models under warehouse/ (a folder per warehouse, in each layer) is no
// layer: a wh_ model there is not told to start with stg_.
func TestModelPrefixesOfAFolderNameUsedInTwoLayers(t *testing.T) {
	files := map[string]string{"dbt_project.yml": "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n"}
	for i := 0; i < 30; i++ {
		files[fmt.Sprintf("models/staging/s%d/bigquery/stg_s%d.sql", i%6, i)] = "select 1 as id\n"
	}
	for i := 0; i < 6; i++ {
		files[fmt.Sprintf("models/warehouse/bigquery/wh_w%d.sql", i)] = "select 1 as id\n"
	}
	p := loadProject(t, files)
	c := ProjectConventions(p, nil, Naming{})
	if fs := c.Check(ModelFacts{Name: "wh_new", Path: "models/warehouse/bigquery/wh_new.sql"}); len(fs) != 0 {
		t.Errorf("bigquery/ is no layer, yet: %+v", fs)
	}
	if fs := c.Check(ModelFacts{Name: "orders_raw", Path: "models/staging/s1/bigquery/orders_raw.sql"}); len(fs) != 1 {
		t.Errorf("staging/ is still a layer: %+v", fs)
	}
}
