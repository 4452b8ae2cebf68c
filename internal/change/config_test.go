package change

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/jinja"
)

// A value rendered from an env_var() that was not read is unknown: a change that only adds a
// default to the call (`env_var('DB')` to `env_var('DB', 'PREP')`) moves no relation.
func TestDiffConfigUnknownEnvValue(t *testing.T) {
	base := map[string]any{"database": jinja.RefusedEnvVar, "schema": "a", "materialized": "view"}
	head := map[string]any{"database": "PREP", "schema": "b", "materialized": "view"}
	got := diffConfig(base, head)
	if len(got) != 1 || got[0].Key != "schema" {
		t.Fatalf("diffConfig = %+v, want only the schema change", got)
	}
}
