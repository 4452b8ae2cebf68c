package dbt

import "testing"

func TestSniffAdapter(t *testing.T) {
	bq := "select safe_cast(x as int64) as x from `p.d.t`\n"
	sf := "select f.value:id::string as id from t, lateral flatten(input => t.items) f\n"
	rs := "create table x diststyle even sortkey (id) as select 1 as id\n"
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"bigquery", map[string]string{"models/a.sql": bq, "models/b.sql": bq, "models/c/d.sql": bq, "models/e.sql": "select 1"}, "bigquery"},
		{"snowflake beside one redshift model", map[string]string{"models/a.sql": sf, "models/b.sql": sf, "models/c.sql": sf, "models/d.sql": rs}, "snowflake"},
		{"two models are not a habit", map[string]string{"models/a.sql": bq, "models/b.sql": bq}, ""},
		{"no clear winner", map[string]string{"models/a.sql": bq, "models/b.sql": bq, "models/c.sql": bq, "models/d.sql": sf, "models/e.sql": sf}, ""},
		{"a macro call or a comment is not the model's SQL", map[string]string{
			"models/a.sql": "select {{ dbt.safe_cast('x', 'int') }}", "models/b.sql": "-- safe_cast(x as int64)\nselect 1",
			"models/c.sql": "/* getdate() */ select {% if target.type == 'bigquery' %}1{% endif %}"}, ""},
		{"macros are not read", map[string]string{"macros/a.sql": bq, "macros/b.sql": bq, "macros/c.sql": bq}, ""},
		{"model-paths", map[string]string{"dbt_project.yml": "name: p\nmodel-paths: [transform]\n", "transform/a.sql": rs, "transform/b.sql": rs, "transform/c.sql": rs, "models/x.sql": bq}, "redshift"},
		// GETDATE() and JSON_EXTRACT_PATH_TEXT() are Snowflake's too.
		{"functions two warehouses share", map[string]string{"models/a.sql": "select getdate() as t", "models/b.sql": "select getdate() as t",
			"models/c.sql": "select json_extract_path_text(p, 'a') as a"}, ""},
		{"source-paths of dbt before 1.0", map[string]string{"dbt_project.yml": "name: p\nsource-paths: [\"src\"]\n", "src/a.sql": sf, "src/b.sql": sf, "src/c.sql": sf}, "snowflake"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, from := SniffAdapter(writeProject(t, c.files))
			if got != c.want || (got != "" && from != "the SQL of 3 models") {
				t.Errorf("SniffAdapter = %q from %q, want %q", got, from, c.want)
			}
		})
	}
}
