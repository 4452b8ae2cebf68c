package testgen

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

func TestSubsetWhere(t *testing.T) {
	cols := []string{"type", "company_name", "service_date", "created_at", "url", "dt"}
	for where, want := range map[string]bool{
		"type = 'schedule'": true,
		"url IS NOT NULL":   true,
		"company_name = 'x' and created_at < '2023-04-01'":         true,
		"service_date >= DATE_SUB(CURRENT_DATE(), INTERVAL 2 DAY)": false,
		"dt = current_date": false,
		"__rt_sampled__":    false,
		"status = 'type'":   false, // a string, not the column
		"":                  false,
	} {
		if got := subsetWhere(where, cols); got != want {
			t.Errorf("subsetWhere(%q) = %v, want %v", where, got, want)
		}
	}
}

func TestTestWhere(t *testing.T) {
	under := &dbt.TestDef{Config: map[string]any{"where": "a = 1"}}
	inArgs := &dbt.TestDef{Args: map[string]any{"values": []any{"x"}, "config": map[string]any{"where": "b = 2"}}}
	if testWhere(under) != "a = 1" || testWhere(inArgs) != "b = 2" || testWhere(&dbt.TestDef{}) != "" {
		t.Errorf("testWhere = %q, %q", testWhere(under), testWhere(inArgs))
	}
}
