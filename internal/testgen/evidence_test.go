package testgen

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
)

func TestGraphEvidence(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/evidence")
	models := p.Models()
	sigs := make([]*sqlSignals, len(models))
	for i, m := range models {
		sigs[i] = safeSignals(m.CompiledCode, "duckdb", nil, nil, nil)
	}
	existing := existingTests(p)
	keys := newKeyIndex(p, models, sigs, inf, existing, keyOwners(models, sigs, inf))
	g := newSQLGraph(p, models, "duckdb", Options{}.sqlOf, nil)
	id := func(name string) string { return "model.cases." + name }
	node := func(name string) *dbt.Node { return p.Nodes[id(name)] }

	// Values: a CASE in stg_events, through first_value in int_events and a coalesce default.
	tr := g.traceOutput(id("fct_events"), "event_type")
	if tr == nil || !reflect.DeepEqual(tr.lits, []string{"click", "view"}) || !reflect.DeepEqual(tr.extra, []string{"unknown"}) || tr.where != id("stg_events") {
		t.Errorf("trace fct_events.event_type = %+v", tr)
	}
	if tr := g.traceOutput(id("fct_events"), "event_id"); tr == nil || len(tr.lits) != 0 || tr.from.node != "seed.cases.raw_events" {
		t.Errorf("trace fct_events.event_id = %+v, want a plain copy of the seed's column", tr)
	}

	// Joins: stg_sessions.account_ref meets dim_accounts.account_id in rpt_sessions, through a CTE.
	var found bool
	for _, e := range g.joins[colRef{id("stg_sessions"), "account_ref"}] {
		found = found || e.other == colRef{id("dim_accounts"), "account_id"} && e.inner && e.in == id("rpt_sessions")
	}
	if !found {
		t.Errorf("joins of stg_sessions.account_ref = %+v", g.joins[colRef{id("stg_sessions"), "account_ref"}])
	}
	if o, n, inner := keys.joinTarget(g, node("stg_sessions"), "account_ref", nil); o == nil || o.model.Name != "dim_accounts" || o.column != "account_id" || n != 1 || !inner {
		t.Errorf("joinTarget = %+v %d %v", o, n, inner)
	}
	// The key side of a join is no foreign key.
	if o, _, _ := keys.joinTarget(g, node("dim_accounts"), "account_id", nil); o != nil {
		t.Errorf("joinTarget of a key = %+v", o)
	}

	// Keys: the key the team tests, found by the entity the column names.
	if o := keys.entityOwner(node("fct_events"), "feed_key", nil); o == nil || o.model.Name != "dim_schedule_feeds" || o.column != "key" {
		t.Errorf("entityOwner(feed_key) = %+v", o)
	}
	if o := keys.entityOwner(node("fct_events"), "event_name", nil); o != nil {
		t.Errorf("entityOwner(event_name) = %+v, want none", o)
	}
	if o := keys.lookupOwner(inf, node("stg_events"), "source_code", nil); o == nil || o.model.Name != "terminology__source_code" || o.column != "source_code" {
		t.Errorf("lookupOwner(source_code) = %+v", o)
	}
	if o := keys.phraseTarget(inf, node("stg_events"), "poa_1", "Present on admission code for the first diagnosis."); o == nil || o.model.Name != "terminology__present_on_admission" || o.column != "present_on_admit_code" {
		t.Errorf("phraseTarget = %+v", o)
	}
	if o := keys.phraseTarget(inf, node("stg_events"), "poa_desc", "Present on admission description."); o != nil {
		t.Errorf("phraseTarget without `code` = %+v", o)
	}
	if o := keys.docTarget(p, inf, node("stg_sessions"), "owner_ref", refsIn("Foreign key to `dim_accounts`.")); o == nil || o.model.Name != "dim_accounts" || o.column != "account_id" {
		t.Errorf("docTarget = %+v", o)
	}
}

func TestEvidenceArguments(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/evidence")
	got := map[string]*Suggestion{}
	for _, s := range Suggest(p, inf, Options{Threshold: 0.2}).Suggestions {
		got[s.Model+"."+s.Column+"."+s.Test] = s
	}
	for k, want := range map[string]map[string]any{
		"fct_events.event_type.accepted_values":  {"values": []any{"click", "view", "unknown"}},
		"stg_sessions.channel.accepted_values":   {"values": []any{"web", "app"}},
		"stg_sessions.owner_ref.relationships":   {"to": "ref('dim_accounts')", "field": "account_id"},
		"stg_sessions.account_ref.relationships": {"to": "ref('dim_accounts')", "field": "account_id"},
	} {
		s := got[k]
		if s == nil {
			t.Errorf("missing %s", k)
			continue
		}
		if !reflect.DeepEqual(s.Arguments, want) {
			t.Errorf("%s: arguments %v, want %v", k, s.Arguments, want)
		}
		if len(s.Reasons) == 0 || !strings.Contains(strings.Join(s.Reasons, "; "), strings.Split(k, ".")[1]) {
			t.Errorf("%s: reasons %v", k, s.Reasons)
		}
	}
}

// A dictionary's description is read like a property file's.
func TestDictionaryValues(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/evidence")
	res := Suggest(p, inf, Options{Dictionary: glossary{"source_code": "Where the event came from. One of `x`, `y` or `z`."}})
	for _, s := range res.Suggestions {
		if s.Model == "stg_events" && s.Column == "source_code" && s.Test == AcceptedValues {
			if !reflect.DeepEqual(s.Arguments["values"], []any{"x", "y", "z"}) {
				t.Errorf("arguments = %v", s.Arguments)
			}
			return
		}
	}
	t.Errorf("no accepted_values from the dictionary")
}

type glossary map[string]string

func (g glossary) Lookup(c string) (string, bool) { s, ok := g[strings.ToLower(c)]; return s, ok }

// A name the team tests elsewhere is evidence of its own kind, below what the SQL, the
// documents or the data say.
func TestNameEvidenceClass(t *testing.T) {
	named := &column{ev: &evidence{nameArgs: map[string]any{"values": []any{"a", "b"}}, named: true}}
	if got := evidenceClass(named, AcceptedValues); got != "name" {
		t.Errorf("class = %q, want name", got)
	}
	named.lits = []string{"a", "b"}
	if got := evidenceClass(named, AcceptedValues); got != "lits" {
		t.Errorf("class with literals = %q, want lits", got)
	}
	if got := evidenceClass(&column{ev: &evidence{}}, AcceptedValues); got != "" {
		t.Errorf("class without evidence = %q", got)
	}
}

// The folder habit is read per source of evidence: the team's own tests elsewhere, or what
// the SQL, the documents and the data show.
func TestEvidenceTier(t *testing.T) {
	cases := []struct {
		c    *column
		test string
		want string
	}{
		{&column{up: map[string]bool{AcceptedValues: true}, ev: &evidence{}}, AcceptedValues, "team"},
		{&column{ev: &evidence{nameArgs: map[string]any{"values": []any{"a"}}}}, AcceptedValues, "team"},
		{&column{ev: &evidence{vals: []string{"a", "b"}, valsFrom: "graph", valsTeam: true}}, AcceptedValues, "team"},
		{&column{ev: &evidence{vals: []string{"a", "b"}, valsFrom: "graph"}}, AcceptedValues, "found"},
		{&column{lits: []string{"a", "b"}, ev: &evidence{}}, AcceptedValues, "found"},
		{&column{ev: &evidence{habitTo: map[string]any{"to": "ref('x')"}}}, Relationships, "team"},
		{&column{fkTo: &keyOwner{column: "id"}, ev: &evidence{}}, Relationships, "found"},
		{&column{ev: &evidence{}}, Relationships, "none"},
	}
	for i, tc := range cases {
		if tc.c.up == nil {
			tc.c.up = map[string]bool{}
		}
		if got := evidenceTier(tc.c, tc.test); got != tc.want {
			t.Errorf("case %d: tier = %q, want %q", i, got, tc.want)
		}
	}
}

// A materialization read from a refused env var is unknown, and no reason names the stand-in.
func TestMaterializationFromRefusedEnvVar(t *testing.T) {
	n := &dbt.Node{Config: map[string]any{"materialized": jinja.RefusedEnvVar}}
	if got := materialization(n); got != "unknown" {
		t.Errorf("materialization = %q", got)
	}
	if d := describeKey("n=user_fk|m=unknown|k=no"); strings.Contains(d, "stored as") {
		t.Errorf("describeKey = %q", d)
	}
}

// A range or a comparison with a number is proposed on numbers only, not on a date the team
// keeps beside its amounts.
func TestNumericTestsStayOnNumbers(t *testing.T) {
	ge := map[string]any{"expression": ">= 0"}
	if !numericTest("dbt_utils.expression_is_true", ge) || numericTest("dbt_utils.expression_is_true", map[string]any{"expression": "> other_col"}) ||
		!numericTest("dbt_utils.accepted_range", map[string]any{"min_value": 0.0}) || numericTest("dbt_utils.not_empty_string", nil) ||
		!numericTest("dbt_utils.accepted_range", map[string]any{"min_value": 0, "max_value": uint64(100)}) {
		t.Error("numericTest")
	}
	for _, c := range []struct {
		name, typ string
		want      bool
	}{{"metric_date", "date", false}, {"metric_date", "", false}, {"revenue", "", true}, {"revenue", "number(38,2)", true}, {"label", "varchar", false},
		{"tag_ids", "array<string>", false}, {"price", "BIGNUMERIC", true}, {"payload", "variant", false}} {
		col := &column{lower: c.name, pattern: columnPattern(c.name), dataType: c.typ}
		if got := mayBeNumber(col); got != c.want {
			t.Errorf("mayBeNumber(%s %s) = %v", c.name, c.typ, got)
		}
	}
}

// The catch-all classes of names and layers ("other") are left out of a reason: "named like
// other, in other models" told a reader nothing.
func TestSimilarColumnsLeavesOutTheCatchAll(t *testing.T) {
	for key, want := range map[string]string{
		"p=other|l=other|pk=|s=": "similar columns (not a key)",
		"p=other|l=other":        "columns",
		"p=*_id|l=stg|pk=|s=":    "similar columns (named like *_id, in stg models, not a key)",
		"n=status|k=no":          "similar columns (named status, not a key)",
	} {
		if got := similarColumns(key); got != want {
			t.Errorf("similarColumns(%q) = %q, want %q", key, got, want)
		}
	}
}

// A list of words in the description of a number names what was counted (kinds of stages),
// not the values: no accepted_values on a byte count, nor on the arithmetic over it, though
// the second's description does not say it is a count.
func TestNoWordValuesOnNumbers(t *testing.T) {
	dir := t.TempDir()
	for rel, s := range map[string]string{
		"dbt_project.yml":        "name: p\nprofile: none\n",
		"models/raw_storage.sql": "select current_date as usage_date, 10 as stage_bytes",
		"models/stg_storage.sql": "select usage_date, stage_bytes, stage_bytes / 1024 as stage_kib, 'named' as stage_kind\nfrom {{ ref('raw_storage') }}",
		"models/stg_storage.yml": "version: 2\nmodels:\n  - name: stg_storage\n    columns:\n" +
			"      - name: stage_bytes\n        description: Bytes of storage used by all internal stages (named, table, and user).\n" +
			"      - name: stage_kib\n        description: Stage storage in KiB, across stage kinds (named, table, user).\n" +
			"      - name: stage_kind\n        description: Kind of stage (named, table, user).\n",
	} {
		full := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, inf := loadCase(t, dir)
	kind := false
	for _, s := range Suggest(p, inf, Options{}).Suggestions {
		if s.Test != AcceptedValues {
			continue
		}
		if s.Column == "stage_kind" {
			kind = true
			continue
		}
		t.Errorf("%s.%s: accepted_values %v on a number", s.Model, s.Column, s.Arguments["values"])
	}
	if !kind {
		t.Error("stage_kind, a text column, lost its accepted_values")
	}

	for _, c := range []struct {
		name, typ, desc string
		vals            []string
		want            bool
	}{
		{"stage_bytes", "bigint", "Storage used.", []string{"named", "table"}, true},
		{"stage_kib", "double", "Storage in KiB.", []string{"named", "table"}, true},
		{"order_count", "", "Orders placed.", []string{"paid", "open"}, true},
		{"stage_usage", "", "Number of bytes in use.", []string{"named", "table"}, true},
		{"status", "integer", "Status (0=open, 1=closed).", []string{"0", "1"}, false},
		{"status", "", "Status (open, closed).", []string{"open", "closed"}, false},
		{"order_count", "varchar", "Orders placed.", []string{"paid", "open"}, false},
	} {
		col := &column{name: c.name, lower: c.name, pattern: columnPattern(c.name), dataType: c.typ}
		if got := measureWords(col, c.desc, c.vals); got != c.want {
			t.Errorf("measureWords(%s %s, %q, %v) = %v", c.name, c.typ, c.desc, c.vals, got)
		}
	}
}
