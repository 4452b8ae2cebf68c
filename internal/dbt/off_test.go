package dbt

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// A family of models switched off by a var: what they read resolves among themselves, they get
// a render with their refs resolved, and dbt's view of them (no links, no compiled code, no
// diagnostics, listed under `disabled`) is unchanged.
func TestOffModelsReadEachOther(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":               "name: p\nprofile: none\nmodels:\n  p:\n    v2:\n      +enabled: \"{{ var('using_v2', false) }}\"\n",
		"models/orders.sql":             "select 1 as order_id",
		"models/v2/stg_v2_accounts.sql": "select id as account_id, name from {{ source('raw', 'accounts') }}",
		"models/v2/v2_accounts.sql":     "select a.account_id, a.name, o.order_id from {{ ref('stg_v2_accounts') }} a cross join {{ ref('orders') }} o",
		"models/v2/v2_gone.sql":         "select * from {{ ref('nowhere') }}",
		"models/src.yml":                "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: accounts\n",
	})
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Getenv: envOf(nil), Compile: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Diagnostics {
		t.Errorf("unexpected diagnostic: %s", d.Message)
	}
	off := p.OffNode("model.p.v2_accounts")
	if off == nil {
		t.Fatalf("v2_accounts is not off: %#v", p.Nodes["model.p.v2_accounts"].Config["enabled"])
	}
	if p.OffNode("model.p.orders") != nil || p.AnyNode("model.p.orders") != p.Nodes["model.p.orders"] {
		t.Error("an enabled model is no OffNode, and AnyNode finds it")
	}
	eq(t, "OffDependsOn", off.OffDependsOn, []string{"model.p.stg_v2_accounts", "model.p.orders"})
	eq(t, "Reads", off.Reads(), off.OffDependsOn)
	eq(t, "DependsOn", len(off.DependsOn.Nodes), 0)
	if stg := p.OffNode("model.p.stg_v2_accounts"); !slices.Equal(stg.OffDependsOn, []string{"source.p.raw.accounts"}) {
		t.Errorf("stg OffDependsOn = %v", stg.OffDependsOn)
	}
	if !strings.Contains(off.Render.Output, `"stg_v2_accounts"`) || strings.ContainsRune(off.Render.Output, phOpen) {
		t.Errorf("render of a model that is off has its refs resolved: %q", off.Render.Output)
	}
	if off.CompiledCode != "" || off.Compiled {
		t.Error("a model that is off is never compiled, as in dbt")
	}
	var names []string
	for _, n := range p.OffModels("p") {
		names = append(names, n.Name)
	}
	eq(t, "OffModels", names, []string{"stg_v2_accounts", "v2_accounts", "v2_gone"})
	// The manifest lists them under disabled, unlinked, as dbt's does.
	var m struct {
		Disabled map[string][]struct {
			DependsOn    DependsOn `json:"depends_on"`
			CompiledCode *string   `json:"compiled_code"`
		} `json:"disabled"`
		ChildMap map[string][]string `json:"child_map"`
	}
	var buf bytes.Buffer
	if err := WriteManifest(&buf, p); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if d := m.Disabled["model.p.v2_accounts"]; len(d) != 1 || len(d[0].DependsOn.Nodes) != 0 || d[0].CompiledCode != nil {
		t.Errorf("manifest disabled entry: %+v", d)
	}
	if len(m.ChildMap["model.p.orders"]) != 0 {
		t.Errorf("an enabled model gains no child that is off: %v", m.ChildMap["model.p.orders"])
	}
}
