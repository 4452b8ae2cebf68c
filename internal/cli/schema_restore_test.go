package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A change that moves a model and drops its property entry (the file that documented it
// deleted, no new one written): the entry is written again from the base's, doc() calls kept.
func TestSchemaRestoresAnEntryTheChangeDropped(t *testing.T) {
	_, proj := shopRepo(t)
	yml := filepath.Join(proj, "models/staging/_staging.yml")
	data, err := os.ReadFile(yml)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	from, to := strings.Index(text, "  - name: stg_orders\n"), strings.Index(text, "  - name: stg_order_items\n")
	if from < 0 || to < from {
		t.Fatalf("the shop's _staging.yml changed:\n%s", text)
	}
	if err := os.WriteFile(yml, []byte(text[:from]+text[to:]), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(proj, "models/core"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(proj, "models/staging/stg_orders.sql"), filepath.Join(proj, "models/core/stg_orders.sql")); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "schema", "--project", proj, "--base", "HEAD")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"+  - name: stg_orders\n", `order_status`, "from base (models/staging/_staging.yml:56)", "+      - name: order_id\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("schema output lacks %q:\n%s", want, out)
		}
	}
}
