package dialect

import (
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	for name, want := range map[string]string{
		"snowflake": "snowflake", "Postgres": "postgres", "postgresql": "postgres", "spark": "databricks",
		"athena": "trino", "sqlserver": "tsql", "fabric": "tsql", "duckdb": "duckdb", "bigquery": "bigquery",
		"redshift": "redshift", "mysql": "mysql", "sqlite": "sqlite", "ansi": "ansi", "trino": "trino",
	} {
		d, ok := Lookup(name)
		if !ok || d.Name != want || d.Reason != "" {
			t.Errorf("Lookup(%q) = %q, %v, %q; want %q", name, d.Name, ok, d.Reason, want)
		}
	}
	for _, name := range Names() {
		if d, ok := Lookup(name); !ok || d.Name != name {
			t.Errorf("Names() lists %q but Lookup gives %q, %v", name, d.Name, ok)
		}
	}
	d, ok := Lookup("oracle")
	if ok || d.Name != "ansi" || !strings.Contains(d.Reason, `unknown dialect "oracle"`) {
		t.Errorf("Lookup(oracle) = %+v, %v", d, ok)
	}
}
