package columns

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// Models switched off by a var are inferred from their rendered SQL, a star over another model
// that is off expanding from what was inferred for it; only when asked (Options.Off, or by id).
func TestInferOffModels(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"dbt_project.yml":               "name: p\nprofile: none\nmodels:\n  p:\n    v2:\n      +enabled: \"{{ var('using_v2', false) }}\"\n",
		"models/orders.sql":             "select 1 as order_id",
		"models/src.yml":                "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: accounts\n        columns:\n          - name: id\n          - name: name\n",
		"models/v2/stg_v2_accounts.sql": "select id as account_id, name as account_name from {{ source('raw', 'accounts') }}",
		"models/v2/v2_accounts.sql":     "select a.*, o.order_id from {{ ref('stg_v2_accounts') }} a cross join {{ ref('orders') }} o",
	} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: dir, Compile: true,
		Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	const id = "model.p.v2_accounts"
	if res := Infer(p, Options{}); res.Node(id) != nil || res.Node("model.p.stg_v2_accounts") != nil {
		t.Error("a run over the project infers models that are off only when asked")
	}
	for _, opts := range []Options{{Off: true}, {Models: []string{id}}} {
		got := Infer(p, opts).Node(id)
		if got == nil {
			t.Fatalf("%+v: no columns for %s", opts, id)
		}
		if s := format(got.Columns); s != "account_id:?, account_name:?, order_id:integer" {
			t.Errorf("%+v: columns %s (unresolved %v)", opts, s, got.Unresolved)
		}
		if c := got.Column("account_name"); c == nil || len(c.Lineage) != 1 || c.Lineage[0].Node != "model.p.stg_v2_accounts" {
			t.Errorf("%+v: lineage of account_name: %+v", opts, c)
		}
		expectResolved(t, got)
	}
}
