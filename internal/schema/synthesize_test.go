package schema

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// A small project written out for each test; column inference is given explicitly so these
// tests pin the synthesizer's decisions alone.
var fixture = map[string]string{
	"dbt_project.yml":          "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\nrequire-dbt-version: '>=1.8.0'\n",
	"models/staging/stg_a.sql": "select id, name, email, created_at from {{ source('raw', 'a') }}\n",
	"models/staging/stg_b.sql": "select id, a_id from {{ source('raw', 'b') }}\n",
	"models/staging/_staging.yml": `version: 2

sources:
  - name: raw
    tables:
      - name: a
        columns:
          - name: email
            description: Email of the person, as typed.
      - name: b

models:
  - name: stg_a
    description: People.
    columns:
      - name: id
        description: Key.
        data_tests: [unique, not_null]
      # the display name
      - name: full_name
        description: Name shown in the app.
        data_tests:
          - not_null
      - name: created_at
  - name: stg_b
`,
	"models/marts/mart_a.sql": "select id, email from {{ ref('stg_a') }}\n",
}

func loadFixture(t *testing.T, extra map[string]string) *dbt.Project {
	t.Helper()
	dir := t.TempDir()
	for _, files := range []map[string]string{fixture, extra} {
		for rel, s := range files {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: dir, Adapter: "duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func direct(name, node, col string) change.Column {
	return change.Column{Name: name, Kind: "direct", Lineage: []change.Upstream{{Node: node, Column: col}}}
}

func readFn(p *dbt.Project) func(string) ([]byte, error) {
	return func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(p.Root, filepath.FromSlash(rel))) }
}

func run(t *testing.T, p *dbt.Project, in Input) (map[string]string, []Note) {
	t.Helper()
	in.Project = p
	if in.ReadFile == nil {
		in.ReadFile = readFn(p)
	}
	if in.Config.Columns == "" {
		in.Config = DefaultConfig()
	}
	// These tests pin the edits' structure; descriptions written from names have their own
	// tests (describe_test.go).
	in.Config.DescribeFromName = false
	plan := Synthesize(in)
	edits, notes := Apply(p.Root, plan.Ops, FormsFor(Version{1, 8, 0}))
	out := map[string]string{}
	for _, e := range edits {
		out[e.Path] = string(e.New)
	}
	return out, append(plan.Notes, notes...)
}

func TestSynthesizeWholeProject(t *testing.T) {
	p := loadFixture(t, nil)
	src := "source.p.raw.a"
	cols := map[string]*change.ModelColumns{
		"model.p.stg_a": {Origin: "sql", Columns: []change.Column{
			direct("id", src, "id"), direct("name", src, "name"), direct("email", src, "email"), direct("created_at", src, "created_at")}},
		"model.p.stg_b":  {Origin: "sql", Columns: []change.Column{direct("id", "source.p.raw.b", "id"), direct("a_id", "source.p.raw.b", "a_id")}},
		"model.p.mart_a": {Origin: "sql", Columns: []change.Column{direct("id", "model.p.stg_a", "id"), direct("email", "model.p.stg_a", "email")}},
	}
	files, notes := run(t, p, Input{Columns: cols})
	got := files["models/staging/_staging.yml"]
	// name and email are added in SQL order; email inherits the source's description.
	want := `      - name: id
        description: Key.
        data_tests: [unique, not_null]
      - name: name
      - name: email
        description: Email of the person, as typed.
      # the display name
      - name: full_name
        description: Name shown in the app.
        data_tests:
          - not_null
      - name: created_at
  - name: stg_b
    columns:
      - name: id
      - name: a_id
`
	if !strings.Contains(got, want) {
		t.Errorf("_staging.yml:\n%s\nwant it to contain:\n%s", got, want)
	}
	// full_name is gone from the SQL: reported, kept.
	found := false
	for _, n := range notes {
		if n.Rule == "stale-column" && n.Column == "full_name" && n.Line > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("no stale-column note for full_name: %+v", notes)
	}
	// mart_a has no entry: a new file in its folder, description inherited through stg_a
	// (whose email is undocumented) from the source.
	mart := files["models/marts/_marts__models.yml"]
	if !strings.Contains(mart, "- name: mart_a") || !strings.Contains(mart, "description: Email of the person, as typed.") {
		t.Errorf("new file:\n%s", mart)
	}
}

func TestSynthesizeChange(t *testing.T) {
	p := loadFixture(t, map[string]string{".dataops.yml": "schema:\n  remove_stale: true\n"})
	src := "source.p.raw.a"
	cols := map[string]*change.ModelColumns{
		"model.p.stg_a": {Origin: "sql", Columns: []change.Column{
			direct("id", src, "id"), direct("display_name", src, "full_name"), direct("created_at", src, "created_at"), direct("updated_at", src, "updated_at")}},
	}
	cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.stg_a", Change: change.Modified, SQLChanged: true,
		Columns: []change.ColumnChange{
			{Name: "display_name", Change: change.Renamed, From: "full_name", To: "display_name"},
			{Name: "updated_at", Change: change.Added},
		}}}}
	cfg := DefaultConfig()
	cfg.RemoveStale = true // as the fixture's .dataops.yml says
	files, notes := run(t, p, Input{Columns: cols, Change: cs, Config: cfg})
	got := files["models/staging/_staging.yml"]
	want := `      # the display name
      - name: display_name
        description: Name shown in the app.
        data_tests:
          - not_null
      - name: created_at
      - name: updated_at
  - name: stg_b
`
	if !strings.Contains(got, want) {
		t.Errorf("_staging.yml:\n%s\nwant it to contain:\n%s\nnotes: %+v", got, want, notes)
	}
	// stg_b was not changed: left alone.
	if strings.Contains(got, "a_id") {
		t.Errorf("an unchanged model was edited:\n%s", got)
	}
}

func TestSynthesizeUnknownColumns(t *testing.T) {
	p := loadFixture(t, nil)
	cols := map[string]*change.ModelColumns{
		"model.p.stg_a": {Origin: "sql", Unresolved: []string{"models/staging/stg_a.sql:1:8: star over a relation with unknown columns"}},
	}
	files, notes := run(t, p, Input{Columns: cols, Select: func(id string) bool { return id == "model.p.stg_a" }})
	if len(files) != 0 {
		t.Errorf("edits without known columns: %v", files)
	}
	if len(notes) != 1 || notes[0].Rule != "unknown-columns" {
		t.Errorf("notes = %+v", notes)
	}
}

// Names the parser recovered past a select item it could not read are not written.
func TestSynthesizeUnreadableSelectList(t *testing.T) {
	p := loadFixture(t, nil)
	parseErr := "models/staging/stg_a.sql:1:22: SQL parse error: expected alias after AS, found number \"1688\""
	cols := map[string]*change.ModelColumns{
		"model.p.stg_a": {Origin: "sql", Columns: []change.Column{{Name: "id"}, {Name: "name"}, {Name: "id"}},
			Unresolved: []string{parseErr}, Unreadable: parseErr},
	}
	files, notes := run(t, p, Input{Columns: cols, Select: func(id string) bool { return id == "model.p.stg_a" }})
	if len(files) != 0 {
		t.Errorf("edits from recovered names: %v", files)
	}
	if len(notes) != 1 || notes[0].Rule != "unknown-columns" || !strings.Contains(notes[0].Message, "expected alias after AS") {
		t.Errorf("notes = %+v", notes)
	}
}

func TestSynthesizeContract(t *testing.T) {
	p := loadFixture(t, map[string]string{
		"models/staging/stg_b.sql": "{{ config(contract={'enforced': true}) }}\nselect id, a_id from {{ source('raw', 'b') }}\n",
	})
	b := "source.p.raw.b"
	cols := map[string]*change.ModelColumns{
		"model.p.stg_b": {Origin: "sql", Columns: []change.Column{
			{Name: "id", DataType: "integer", Kind: "direct", Lineage: []change.Upstream{{Node: b, Column: "id"}}},
			{Name: "a_id", DataType: "integer", Kind: "direct", Lineage: []change.Upstream{{Node: b, Column: "a_id"}}}}},
	}
	// The change only touched the config, yet a contract needs every column with its type.
	cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.stg_b", Change: change.Modified,
		Config: []change.ConfigChange{{Key: "contract.enforced", From: nil, To: true}}, Columns: []change.ColumnChange{}}}}
	files, notes := run(t, p, Input{Columns: cols, Change: cs})
	got := files["models/staging/_staging.yml"]
	want := "  - name: stg_b\n    columns:\n      - name: id\n        data_type: integer\n      - name: a_id\n        data_type: integer\n"
	if !strings.HasSuffix(got, want) {
		t.Errorf("_staging.yml:\n%s\nwant it to end with:\n%s\nnotes %+v", got, want, notes)
	}
}

// Descriptions follow a column's meaning, not its lineage alone: a cast kept under the same
// name passes its upstream description through (staging models cast nearly every column),
// while "Primary key" is not copied onto a column that is only a reference in its model, nor
// "Foreign key to x" onto the key of x itself.
func TestSynthesizeDescriptionRoles(t *testing.T) {
	p := loadFixture(t, map[string]string{
		"models/roles/stg_customers.sql":    "select 1 as customer_id, 2 as region_id\n",
		"models/roles/stg_orders.sql":       "select 1 as order_id, 1 as customer_id, now() as ingested_at, 100 as amount_cents\n",
		"models/roles/fct_orders.sql":       "select o.order_id, c.customer_id, o.ingested_at, o.amount_cents / 100 as amount_usd from x\n",
		"models/roles/dim_customers.sql":    "select customer_id, region_id from x\n",
		"models/roles/dim_customer_ids.sql": "select customer_id from x\n",
		"models/roles/_roles.yml": `version: 2
models:
  - name: stg_customers
    columns:
      - name: customer_id
        description: Primary key of the customers table.
      - name: region_id
        description: Foreign key to regions.
  - name: stg_orders
    columns:
      - name: order_id
        description: Unique identifier of an order.
      - name: customer_id
        description: Foreign key to stg_customers.
      - name: ingested_at
        description: When the row landed in the warehouse.
      - name: amount_cents
        description: Order amount in cents.
  - name: fct_orders
  - name: dim_customers
  - name: dim_customer_ids
`,
	})
	cust, ord := "model.p.stg_customers", "model.p.stg_orders"
	transform := func(name, node, col string) change.Column {
		c := direct(name, node, col)
		c.Kind = "transform"
		return c
	}
	cols := map[string]*change.ModelColumns{
		"model.p.fct_orders": {Origin: "sql", Columns: []change.Column{
			direct("order_id", ord, "order_id"), direct("customer_id", cust, "customer_id"),
			transform("ingested_at", ord, "ingested_at"), transform("amount_usd", ord, "amount_cents")}},
		"model.p.dim_customers": {Origin: "sql", Columns: []change.Column{
			direct("customer_id", cust, "customer_id"), direct("region_id", cust, "region_id")}},
		// The orders' reference, read as the key of a list of customers: not a foreign key here.
		"model.p.dim_customer_ids": {Origin: "sql", Columns: []change.Column{direct("customer_id", ord, "customer_id")}},
	}
	sel := func(id string) bool {
		return strings.HasPrefix(id, "model.p.fct_") || strings.HasPrefix(id, "model.p.dim_")
	}
	files, _ := run(t, p, Input{Columns: cols, Select: sel})
	got := files["models/roles/_roles.yml"]
	for _, want := range []string{
		"  - name: fct_orders\n    columns:\n      - name: order_id\n        description: Unique identifier of an order.\n      - name: customer_id\n        description: Foreign key to stg_customers.\n      - name: ingested_at\n        description: When the row landed in the warehouse.\n      - name: amount_usd\n",
		"  - name: dim_customers\n    columns:\n      - name: customer_id\n        description: Primary key of the customers table.\n      - name: region_id\n        description: Foreign key to regions.\n",
		"  - name: dim_customer_ids\n    columns:\n      - name: customer_id\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("_roles.yml:\n%s\nwant it to contain:\n%s", got, want)
		}
	}
}

// An entry that documents its model without columns (a staging model described in one line) is
// left so when a change adds a column: one entry listing a single column is not the team's way.
// A new model still gets all its columns.
func TestSynthesizeEntryWithoutColumns(t *testing.T) {
	p := loadFixture(t, nil)
	b := "source.p.raw.b"
	cols := map[string]*change.ModelColumns{
		"model.p.stg_b": {Origin: "sql", Columns: []change.Column{direct("id", b, "id"), direct("a_id", b, "a_id"), direct("loaded_at", b, "loaded_at")}},
	}
	cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.stg_b", Change: change.Modified, SQLChanged: true,
		Columns: []change.ColumnChange{{Name: "loaded_at", Change: change.Added}}}}}
	files, _ := run(t, p, Input{Columns: cols, Change: cs})
	if got, ok := files["models/staging/_staging.yml"]; ok && strings.Contains(got, "loaded_at") {
		t.Errorf("a column list was started for stg_b:\n%s", got)
	}
	cs.Models[0].Change = change.Added
	files, _ = run(t, p, Input{Columns: cols, Change: cs})
	if got := files["models/staging/_staging.yml"]; !strings.Contains(got, "  - name: stg_b\n    columns:\n      - name: id\n      - name: a_id\n      - name: loaded_at\n") {
		t.Errorf("new model's entry:\n%s", got)
	}
}

// A column fed by the same column of several relations (a union of two telemetry sources, a
// coalesce of two staging models) takes their description when they agree, and none when they
// do not: the shape of license feature flags unioned from two sources.
func TestSynthesizeDescriptionFromSeveralSources(t *testing.T) {
	p := loadFixture(t, map[string]string{
		"models/lic/stg_a__license.sql":    "select 1 as license_id, true as is_feature_ldap_enabled, 1 as seats\n",
		"models/lic/stg_b__license.sql":    "select 1 as license_id, true as is_feature_ldap_enabled, 1 as seats\n",
		"models/lic/int_license_daily.sql": "select * from x\n",
		"models/lic/_lic.yml": `version: 2
models:
  - name: stg_a__license
    columns:
      - name: is_feature_ldap_enabled
        description: Whether feature "ldap" is enabled.
      - name: seats
        description: Licensed seats.
  - name: stg_b__license
    columns:
      - name: is_feature_ldap_enabled
        description: Whether feature "ldap" is enabled.
      - name: seats
        description: Seats bought, as the billing system counts them.
  - name: int_license_daily
`,
	})
	a, b := "model.p.stg_a__license", "model.p.stg_b__license"
	both := func(name string) change.Column {
		return change.Column{Name: name, Kind: "direct", Lineage: []change.Upstream{{Node: a, Column: name}, {Node: b, Column: name}}}
	}
	cols := map[string]*change.ModelColumns{
		"model.p.int_license_daily": {Origin: "sql", Columns: []change.Column{both("is_feature_ldap_enabled"), both("seats")}},
	}
	files, _ := run(t, p, Input{Columns: cols, Select: func(id string) bool { return id == "model.p.int_license_daily" }})
	want := "  - name: int_license_daily\n    columns:\n      - name: is_feature_ldap_enabled\n        description: Whether feature \"ldap\" is enabled.\n      - name: seats\n"
	if got := files["models/lic/_lic.yml"]; !strings.Contains(got, want) {
		t.Errorf("_lic.yml:\n%s\nwant it to contain:\n%s", got, want)
	}
}

// A model the team never documented gets no entry because a change touched it (the shape of
// metric models in a project that documents a few of them); a new model does.
func TestSynthesizeUndocumentedModelLeftAlone(t *testing.T) {
	p := loadFixture(t, nil)
	cols := map[string]*change.ModelColumns{
		"model.p.mart_a": {Origin: "sql", Columns: []change.Column{direct("id", "model.p.stg_a", "id"), direct("email", "model.p.stg_a", "email")}},
	}
	cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.mart_a", Change: change.Modified, SQLChanged: true,
		Columns: []change.ColumnChange{{Name: "email", Change: change.Added}}}}}
	if files, _ := run(t, p, Input{Columns: cols, Change: cs}); len(files) != 0 {
		t.Errorf("an entry was made for a modified, undocumented model: %v", files)
	}
	cs.Models[0].Change = change.Added
	if files, _ := run(t, p, Input{Columns: cols, Change: cs}); !strings.Contains(files["models/marts/_marts__models.yml"], "- name: mart_a") {
		t.Errorf("new model without an entry: %v", files)
	}
}

// A team that documents every model of a folder gets an entry for the one it left out, once a
// change touches it; in a folder it documents half of, the model is left alone.
func TestSynthesizeUndocumentedModelInADocumentedFolder(t *testing.T) {
	extra := map[string]string{}
	yml := "version: 2\nmodels:\n"
	for i := 1; i <= 5; i++ {
		m := fmt.Sprintf("mart_%d", i+1)
		extra["models/marts/"+m+".sql"] = "select 1 as id\n"
		if i <= 4 {
			yml += "  - name: " + m + "\n    description: Mart " + m + ".\n"
		}
	}
	cols := map[string]*change.ModelColumns{
		"model.p.mart_a": {Origin: "sql", Columns: []change.Column{direct("id", "model.p.stg_a", "id"), direct("email", "model.p.stg_a", "email")}},
	}
	cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.mart_a", Change: change.Modified, SQLChanged: true}}}
	extra["models/marts/_marts.yml"] = yml
	p := loadFixture(t, extra)
	if files, _ := run(t, p, Input{Columns: cols, Change: cs}); len(files) != 0 {
		t.Errorf("4 of 5 other models documented: an entry was made: %v", files)
	}
	extra["models/marts/_marts.yml"] = yml + "  - name: mart_6\n"
	p = loadFixture(t, extra)
	files, _ := run(t, p, Input{Columns: cols, Change: cs})
	if got := files["models/marts/_marts.yml"]; !strings.Contains(got, "  - name: mart_a\n    columns:\n      - name: id\n") {
		t.Errorf("5 of 5 other models documented: no entry for mart_a: %v", files)
	}
}

// Three documented neighbours are a habit; two are not yet.
func TestSynthesizeUndocumentedModelInASmallDocumentedFolder(t *testing.T) {
	cols := map[string]*change.ModelColumns{
		"model.p.hub_a": {Origin: "sql", Columns: []change.Column{direct("id", "model.p.stg_a", "id")}},
	}
	cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.hub_a", Change: change.Modified, SQLChanged: true}}}
	for _, others := range []int{2, 3} {
		extra := map[string]string{"models/hub/hub_a.sql": "select id from {{ ref('stg_a') }}\n"}
		yml := "version: 2\nmodels:\n"
		for i := 1; i <= others; i++ {
			m := fmt.Sprintf("hub_%d", i)
			extra["models/hub/"+m+".sql"] = "select 1 as id\n"
			yml += "  - name: " + m + "\n    description: Hub " + m + ".\n"
		}
		extra["models/hub/_hub.yml"] = yml
		if got, files := entryMade(t, extra, cols, cs, "hub_a"); got != (others >= 3) {
			t.Errorf("%d documented neighbours: entry made %v: %v", others, got, files)
		}
	}
}

// entryMade runs the synthesizer on the fixture with extra files and says whether it wrote an
// entry for model.
func entryMade(t *testing.T, extra map[string]string, cols map[string]*change.ModelColumns, cs *change.ChangeSet, model string) (bool, map[string]string) {
	t.Helper()
	p := loadFixture(t, extra)
	if p.Nodes["model.p."+model] == nil {
		t.Fatalf("no %s", model)
	}
	files, _ := run(t, p, Input{Columns: cols, Change: cs})
	for _, f := range files {
		if strings.Contains(f, "- name: "+model+"\n") {
			return true, files
		}
	}
	return false, files
}

// A model alone in its folder (renamed into a new mart's folder) follows the folder above:
// documented when the team documents every model beneath it, left alone when it documents
// half of them.
func TestSynthesizeUndocumentedModelAloneInANewFolder(t *testing.T) {
	cols := map[string]*change.ModelColumns{
		"model.p.gold__fees": {Origin: "sql", Columns: []change.Column{direct("id", "model.p.stg_a", "id")}},
	}
	cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.gold__fees", Change: change.Renamed,
		From: "model.p.silver__fees", SQLChanged: true}}}
	for _, documented := range []int{2, 4} {
		extra := map[string]string{"models/gold/intents/gold__fees.sql": "select id from {{ ref('stg_a') }}\n"}
		yml := "version: 2\nmodels:\n"
		for i := 1; i <= 4; i++ {
			m := fmt.Sprintf("gold__m%d", i)
			extra[fmt.Sprintf("models/gold/area_%d/%s.sql", i%2, m)] = "select 1 as id\n"
			if i <= documented {
				yml += "  - name: " + m + "\n    description: Gold " + m + ".\n"
			}
		}
		extra["models/gold/_gold.yml"] = yml
		if made, files := entryMade(t, extra, cols, cs, "gold__fees"); made != (documented == 4) {
			t.Errorf("%d of 4 models under models/gold documented: entry made %v: %v", documented, made, files)
		}
	}
}

// The versions of a versioned model share one property entry: the note that their columns are
// left alone is made once, not once per version.
func TestSynthesizeVersionedModelNotedOnce(t *testing.T) {
	p := loadFixture(t, map[string]string{
		"models/marts/orders_v1.sql": "select 1 as id\n",
		"models/marts/orders_v2.sql": "select 1 as id, 2 as total\n",
		"models/marts/_orders.yml":   "version: 2\nmodels:\n  - name: orders\n    latest_version: 2\n    columns:\n      - name: id\n    versions:\n      - v: 1\n      - v: 2\n",
	})
	cols := map[string]*change.ModelColumns{}
	for _, id := range []string{"model.p.orders.v1", "model.p.orders.v2"} {
		if p.Nodes[id] == nil {
			t.Fatalf("no node %s", id)
		}
		cols[id] = &change.ModelColumns{Origin: "sql", Columns: []change.Column{{Name: "id", Kind: "direct"}, {Name: "total", Kind: "direct"}}}
	}
	_, notes := run(t, p, Input{Columns: cols, Select: func(id string) bool { return strings.HasPrefix(id, "model.p.orders.") }})
	n := 0
	for _, note := range notes {
		if note.Rule == "versioned-model" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d versioned-model notes, want 1: %+v", n, notes)
	}
}

func TestSynthesizeKnownAddsDescribedUntouchedColumns(t *testing.T) {
	p := loadFixture(t, nil)
	src := "source.p.raw.a"
	cols := map[string]*change.ModelColumns{
		"model.p.stg_a": {Origin: "sql", Columns: []change.Column{
			direct("id", src, "id"), direct("name", src, "name"), direct("email", src, "email"),
			direct("created_at", src, "created_at"), direct("updated_at", src, "updated_at")}},
	}
	change1 := func(sqlChanged bool) *change.ChangeSet {
		return &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.stg_a", Change: change.Modified, SQLChanged: sqlChanged,
			Columns: []change.ColumnChange{{Name: "updated_at", Change: change.Added}}}}}
	}
	for _, tc := range []struct {
		columns    string
		sqlChanged bool
		email      bool // the untouched column the source describes is added
	}{
		{ColumnsKnown, true, true},
		{ColumnsChanged, true, false},
		{ColumnsKnown, false, false}, // only the property file changed: nothing to complete
	} {
		cfg := DefaultConfig()
		cfg.Columns = tc.columns
		files, _ := run(t, p, Input{Columns: cols, Change: change1(tc.sqlChanged), Config: cfg})
		got := files["models/staging/_staging.yml"]
		if tc.sqlChanged && !strings.Contains(got, "      - name: created_at\n      - name: updated_at\n") {
			t.Errorf("%s: the added column is missing:\n%s", tc.columns, got)
		}
		if has := strings.Contains(got, "      - name: email\n        description: Email of the person, as typed.\n"); has != tc.email {
			t.Errorf("%s (sql changed %v): email added = %v, want %v:\n%s", tc.columns, tc.sqlChanged, has, tc.email, got)
		}
		// name has no description but its own name: left alone, as the change did not touch it
		if strings.Contains(got, "- name: name\n") {
			t.Errorf("%s: an untouched column without the team's words was added:\n%s", tc.columns, got)
		}
		if strings.Contains(got, "a_id") {
			t.Errorf("%s: an unchanged model was edited:\n%s", tc.columns, got)
		}
	}
}

func TestSynthesizeKnownLeavesNameOnlyColumns(t *testing.T) {
	p := loadFixture(t, nil)
	src := "source.p.raw.a"
	cols := map[string]*change.ModelColumns{
		"model.p.stg_a": {Origin: "sql", Columns: []change.Column{
			direct("id", src, "id"), direct("nickname", src, "nickname"), direct("email", src, "email"), direct("created_at", src, "created_at")}},
	}
	cfg := DefaultConfig()
	cfg.Columns = ColumnsKnown
	cfg.DescribeFromName = true
	describe := func(cs *change.ChangeSet) []string {
		plan := Synthesize(Input{Project: p, ReadFile: readFn(p), Columns: cols, Change: cs, Config: cfg})
		var got []string
		for _, d := range plan.Descriptions() {
			got = append(got, d.Column+" "+d.From)
		}
		return got
	}
	cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.stg_a", Change: change.Modified, SQLChanged: true,
		Columns: []change.ColumnChange{{Name: "nickname", Change: change.Renamed, From: "name", To: "nickname"}}}}}
	if got := describe(cs); len(got) != 2 || got[0] != "nickname name" || got[1] != "email upstream:source.p.raw.a.email" {
		t.Errorf("descriptions = %q, want the renamed column from its name and email from the source", got)
	}
	// The SQL changed but not its columns (reformatted, a new filter): nothing to complete.
	cs.Models[0].Columns = nil
	if got := describe(cs); len(got) != 0 {
		t.Errorf("descriptions = %q, want none", got)
	}
}

// A column whose documented name carries its warehouse quotes (`Order Total` written as
// "`Order Total`", as BigQuery teams do for names with spaces) is that column: neither added a
// second time nor reported as gone.
func TestSynthesizeQuotedDocumentedNames(t *testing.T) {
	p := loadFixture(t, map[string]string{
		"models/marts/mart_totals.sql": "select id, 1 as `Order Total` from {{ ref('stg_a') }}\n",
		"models/marts/_marts.yml":      "models:\n  - name: mart_totals\n    columns:\n      - name: id\n      - name: \"`Order Total`\"\n        description: Sum of the order.\n",
	})
	m := "model.p.mart_totals"
	cols := map[string]*change.ModelColumns{
		m: {Origin: "sql", Columns: []change.Column{direct("id", "model.p.stg_a", "id"), {Name: "Order Total", Quoted: true, Kind: "transform"}}},
	}
	files, notes := run(t, p, Input{Columns: cols, Select: func(uid string) bool { return uid == m }})
	if got, ok := files["models/marts/_marts.yml"]; ok {
		t.Errorf("the entry was edited:\n%s", got)
	}
	for _, n := range notes {
		if n.Rule == "stale-column" {
			t.Errorf("reported as gone: %+v", n)
		}
	}
}

// A type an engineer wrote is not rewritten with a synonym, nor, outside a change, with an
// inferred guess: only the warehouse's catalog overrules it.
func TestSynthesizeKeepsWrittenTypes(t *testing.T) {
	p := loadFixture(t, map[string]string{
		"models/typed/typed.sql": "select id, name, day from {{ source('raw', 'b') }}\n",
		"models/typed/_typed.yml": "version: 2\nmodels:\n  - name: typed\n    columns:\n      - name: id\n        data_type: number\n" +
			"      - name: name\n        data_type: varchar\n      - name: day\n        data_type: date\n",
	})
	cols := map[string]*change.ModelColumns{
		"model.p.typed": {Origin: "sql", Columns: []change.Column{
			{Name: "id", DataType: "number(38,0)", Kind: "direct"},
			{Name: "name", DataType: "text", Kind: "direct"},
			{Name: "day", DataType: "timestamp_ntz", Kind: "direct"}}},
	}
	only := func(id string) bool { return id == "model.p.typed" }
	if files, notes := run(t, p, Input{Columns: cols, Select: only}); len(files) != 0 {
		t.Errorf("edits without a catalog: %v (notes %+v)", files, notes)
	}
	types := map[string][]TypedColumn{"model.p.typed": {{Name: "ID", DataType: "NUMBER(38,0)"}, {Name: "NAME", DataType: "TEXT"}, {Name: "DAY", DataType: "TIMESTAMP_NTZ"}}}
	files, notes := run(t, p, Input{Columns: cols, Types: types, Select: only})
	got := files["models/typed/_typed.yml"]
	if !strings.Contains(got, "data_type: number\n") || !strings.Contains(got, "data_type: varchar\n") || strings.Contains(got, "data_type: date\n") {
		t.Errorf("with a catalog, only day's type changes:\n%s\nnotes %+v", got, notes)
	}
}

// A project that documents no column yet gets its names in lower case: SQL written in upper
// case names the same columns, and the naming standard wants snake_case.
func TestLearnStyleLowerNamesByDefault(t *testing.T) {
	dir := t.TempDir()
	for rel, s := range map[string]string{
		"dbt_project.yml": "name: p\nprofile: none\n",
		"models/a.sql":    "select ID from x\n",
		"models/a.yml":    "models:\n  - name: a\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: dir, Adapter: "snowflake"})
	if err != nil {
		t.Fatal(err)
	}
	if newSynth(Input{Project: p}).nameCaseFor(nil, "models/a.yml") != lowerCase {
		t.Error("no documented column: names should be written in lower case")
	}
}

// A description that says only what its column's name says (the name source's own text, often
// an earlier --write's, or one marked description_from: name) is not the team's words: it is
// neither inherited nor copied from another model, so it does not make an untouched column one
// the project describes (backfill), and the column a change added is described from its own
// name in its own model, as it was before that text was written.
func TestSynthesizeNameDescriptionsAreNoSource(t *testing.T) {
	for _, marked := range []bool{false, true} {
		described := func(column string) string {
			if marked {
				return "        description: Some " + column + ".\n        meta:\n          description_from: name\n"
			}
			return "        description: " + nameDescription("stg_amounts", column) + "\n"
		}
		p := loadFixture(t, map[string]string{
			"models/marts/_marts.yml": "version: 2\nmodels:\n  - name: mart_a\n    columns:\n      - name: id\n",
			"models/staging/_amounts.yml": "version: 2\nmodels:\n  - name: stg_amounts\n    columns:\n      - name: amount\n" + described("amount") +
				"      - name: fee_amount\n" + described("fee_amount"),
			"models/staging/stg_amounts.sql": "select amount, fee_amount from {{ source('raw', 'a') }}\n",
		})
		cols := map[string]*change.ModelColumns{
			"model.p.mart_a": {Origin: "sql", Columns: []change.Column{direct("id", "model.p.stg_a", "id"),
				direct("amount", "model.p.stg_amounts", "amount"), direct("email", "model.p.stg_a", "email"),
				direct("fee_amount", "model.p.stg_amounts", "fee_amount")}},
		}
		cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.mart_a", Change: change.Modified, SQLChanged: true,
			Columns: []change.ColumnChange{{Name: "email", Change: change.Added}}}}}
		cfg := DefaultConfig()
		cfg.DescribeFromName = true
		plan := Synthesize(Input{Project: p, ReadFile: readFn(p), Columns: cols, Change: cs, Config: cfg})
		var got []string
		for _, d := range plan.Descriptions() {
			got = append(got, d.Column+" "+d.From)
		}
		// email takes its source's words; amount and fee_amount, untouched, have none.
		if strings.Join(got, ", ") != "email project:raw.a.email" {
			t.Errorf("marked %v: descriptions = %q, want email's alone", marked, got)
		}
	}
}

// Names are written in the case the entry writes its columns in (Snowflake teams often write
// the warehouse's ORDER_ID though their SQL says order_id), else the file's, else the
// folder's; where the names mix cases, as the SQL spells them. Entries are matched to the
// SQL's columns whatever their case: a rename and a removal find them.
func TestSynthesizeFollowsTheEntrysCase(t *testing.T) {
	p := loadFixture(t, map[string]string{
		"models/snow/orders.sql":   "select 1\n",
		"models/snow/receipts.sql": "select 1\n",
		"models/snow/mixed.sql":    "select 1\n",
		"models/snow/fresh.sql":    "select 1\n",
		"models/snow/_snow.yml": `version: 2
models:
  - name: orders
    columns:
      - name: ORDER_ID
        description: The order.
      - name: CUSTOMER_ID
      - name: ORDER_TOTAL
  - name: receipts
    columns:
      - name: RECEIPT_OBJECT_ID
`,
		"models/snow/_mixed.yml": `version: 2
models:
  - name: mixed
    columns:
      - name: ORDER_ID
      - name: customer_id
`,
	})
	cols := map[string]*change.ModelColumns{
		"model.p.orders": {Origin: "sql", Columns: []change.Column{direct("order_id", "model.p.stg_b", "x"),
			direct("customer_id", "model.p.stg_b", "x"), direct("amount", "model.p.stg_b", "x")}},
		"model.p.receipts": {Origin: "sql", Columns: []change.Column{direct("receipt_id", "model.p.stg_b", "x")}},
		"model.p.mixed": {Origin: "sql", Columns: []change.Column{direct("order_id", "model.p.stg_b", "x"),
			direct("customer_id", "model.p.stg_b", "x"), direct("Amount", "model.p.stg_b", "x")}},
		"model.p.fresh": {Origin: "sql", Columns: []change.Column{direct("fresh_id", "model.p.stg_b", "x")}},
	}
	cs := &change.ChangeSet{Models: []*change.ModelChange{
		{UniqueID: "model.p.orders", Change: change.Modified, SQLChanged: true, Columns: []change.ColumnChange{
			{Name: "amount", Change: change.Added}, {Name: "order_total", Change: change.Removed}}},
		{UniqueID: "model.p.receipts", Change: change.Modified, SQLChanged: true, Columns: []change.ColumnChange{
			{Name: "receipt_id", Change: change.Renamed, From: "receipt_object_id", To: "receipt_id"}}},
		{UniqueID: "model.p.mixed", Change: change.Modified, SQLChanged: true, Columns: []change.ColumnChange{
			{Name: "Amount", Change: change.Added}}},
		{UniqueID: "model.p.fresh", Change: change.Added, SQLChanged: true},
	}}
	cfg := DefaultConfig()
	cfg.RemoveStale = true
	files, _ := run(t, p, Input{Columns: cols, Change: cs, Config: cfg})
	got := files["models/snow/_snow.yml"]
	want := `  - name: orders
    columns:
      - name: ORDER_ID
        description: The order.
      - name: CUSTOMER_ID
      - name: AMOUNT
  - name: receipts
    columns:
      - name: RECEIPT_ID
  - name: fresh
    columns:
      - name: FRESH_ID
`
	if !strings.Contains(got, want) {
		t.Errorf("_snow.yml:\n%s\nwant it to contain:\n%s", got, want)
	}
	if got, want := files["models/snow/_mixed.yml"], "      - name: ORDER_ID\n      - name: customer_id\n      - name: Amount\n"; !strings.HasSuffix(got, want) {
		t.Errorf("_mixed.yml:\n%s\nwant it to end with:\n%s", got, want)
	}
}

// The entry of a model the change adds documents columns the model never output (an entry
// copied from another model): each one is a stale-column warning at its line, as for a
// modified model that stops outputting one.
func TestSynthesizeAddedModelWithPhantomColumns(t *testing.T) {
	p := loadFixture(t, map[string]string{
		"models/marts/mart_b.sql": "select id, amount from {{ ref('stg_a') }}\n",
		"models/marts/_marts.yml": "version: 2\nmodels:\n  - name: mart_b\n    columns:\n      - name: transfer_id\n        description: The transfer.\n      - name: id\n",
	})
	cols := map[string]*change.ModelColumns{
		"model.p.mart_b": {Origin: "sql", Columns: []change.Column{direct("id", "model.p.stg_a", "id"), {Name: "amount", Kind: "direct"}}},
	}
	cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.mart_b", Change: change.Added, SQLChanged: true}}}
	_, notes := run(t, p, Input{Columns: cols, Change: cs})
	var stale []Note
	for _, n := range notes {
		if n.Rule == "stale-column" {
			stale = append(stale, n)
		}
	}
	if len(stale) != 1 || stale[0].Column != "transfer_id" || stale[0].Line != 5 || stale[0].Path != "models/marts/_marts.yml" ||
		!strings.Contains(stale[0].Message, "mart_b does not output it") {
		t.Errorf("stale-column notes = %+v, want one for transfer_id at _marts.yml:5", stale)
	}
}

// An entry written under the model's file name matches no model (dbt drops it): its name is
// renamed, and its columns are the model's docs, with no second entry elsewhere.
func TestSynthesizeEntryNamedLikeItsFile(t *testing.T) {
	p := loadFixture(t, map[string]string{
		"models/marts/mart_b.sql": "select id, email from {{ ref('stg_a') }}\n",
		"models/marts/_marts.yml": "version: 2\nmodels:\n  - name: mart_b.sql\n    columns:\n      - name: id\n        description: The person.\n",
	})
	cols := map[string]*change.ModelColumns{
		"model.p.mart_b": {Origin: "sql", Columns: []change.Column{direct("id", "model.p.stg_a", "id"), direct("email", "model.p.stg_a", "email")}},
	}
	cs := &change.ChangeSet{Models: []*change.ModelChange{{UniqueID: "model.p.mart_b", Change: change.Added, SQLChanged: true}}}
	files, notes := run(t, p, Input{Columns: cols, Change: cs})
	want := "version: 2\nmodels:\n  - name: mart_b\n    columns:\n      - name: id\n        description: The person.\n      - name: email\n        description: Email of the person, as typed.\n"
	if len(files) != 1 || files["models/marts/_marts.yml"] != want {
		t.Errorf("files = %v\nwant _marts.yml:\n%s\nnotes: %+v", files, want, notes)
	}
}

func TestNewColumnQuotedName(t *testing.T) {
	for name, want := range map[string]bool{"order_id": false, "OrderId": false, "_dt": false, "Hour Start - Copy": true, "2024_total": true, "amount$": false, "$x": true, "col1": false} {
		col := toColumn(ColumnSpec{Name: name})
		got := false
		for _, kv := range col.Extra {
			if kv.Key == "quote" && kv.Value == true {
				got = true
			}
		}
		if got != want {
			t.Errorf("%q: quote: true written = %v, want %v", name, got, want)
		}
	}
}
