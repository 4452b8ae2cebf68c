package testgen

import (
	"path"
	"strings"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// column is one (model, column) pair with the signals every heuristic reads.
type column struct {
	model   *dbt.Node
	name    string // as the user wrote it
	lower   string
	pattern string
	layer   string
	pk      string // "sql", "combo", "name", "first", "" — how the column is the model's key
	// listed: the model's property file lists the column.
	listed bool
	// alt is the suffix by which a column that is not the key names another identifier of
	// the model's entity (altkey.go), or "".
	alt string
	// unlisted: the SQL outputs it but the model's property file, which lists others, does
	// not; learned from as untested, not proposed on.
	unlisted bool
	fkTo     *keyOwner
	fkArgs   map[string]any  // relationships arguments the team gave the same column elsewhere
	up       map[string]bool // tests on the upstream column it is a plain copy of
	upArgs   map[string]map[string]any
	notNull  string // why the SQL guarantees a value (a filter, a coalesce), or ""
	// computedNotNull is why the expression computing the column cannot give null, or "".
	computedNotNull string
	lits            []string // values the SQL produces or keeps
	litWhy          string
	joinKey         bool
	// keyWhy says how the column became the model's key when its SQL alone does not show it
	// (a declared unique_key).
	keyWhy string
	// nullable says why the column may be null (an outer join, its documentation); a not_null
	// test would contradict it.
	nullable string
	// stale: the property file lists it but the model no longer outputs it.
	stale bool
	// historyKey: the entity key of a history table, unique only together with the validity
	// start.
	historyKey bool
	tests      map[string]bool // tests it already has
	pos        dbt.Pos
	dataType   string
	ev         *evidence // documents, the project's graph and data (evidence.go)
}

// keyOwner is the model that owns a key column.
type keyOwner struct {
	model  *dbt.Node
	column string
}

// columnPattern names the shape of a column name, so what the team does with one
// `*_id` column says something about another.
func columnPattern(c string) string {
	for _, p := range []string{"is_", "has_", "was_", "should_", "can_"} {
		if strings.HasPrefix(c, p) {
			return "is_*"
		}
	}
	for _, s := range []string{"_id", "_key", "_sk", "_pk", "_fk", "_at", "_ts", "_timestamp", "_time", "_date", "_day", "_month", "_year",
		"_count", "_cnt", "_number", "_num", "_amount", "_amt", "_usd", "_price", "_cost", "_revenue", "_total",
		"_name", "_type", "_status", "_state", "_category", "_code", "_flag", "_email", "_url", "_pct", "_percent", "_rate"} {
		if strings.HasSuffix(c, s) {
			return "*" + s
		}
	}
	if c == "id" || c == "key" {
		return "id"
	}
	return "other"
}

var knownLayers = map[string]bool{
	"stg": true, "staging": true, "base": true, "src": true, "raw": true, "int": true, "intermediate": true,
	"fct": true, "fact": true, "facts": true, "dim": true, "dims": true, "mart": true, "marts": true, "rpt": true,
	"report": true, "agg": true, "obt": true, "snap": true, "ez": true, "bi": true, "prep": true, "util": true,
}

// modelLayer guesses the layer of a model from its name prefix, else from its folders.
func modelLayer(n *dbt.Node) string {
	name := strings.ToLower(n.Name)
	if i := strings.IndexByte(name, '_'); i > 0 && knownLayers[name[:i]] {
		return name[:i]
	}
	dir := path.Dir(strings.ReplaceAll(n.OriginalFilePath, "\\", "/"))
	for _, part := range strings.Split(dir, "/") {
		if knownLayers[strings.ToLower(part)] {
			return strings.ToLower(part)
		}
	}
	return "other"
}

// entityOf strips a model name's layer prefix and source prefix: stg_stripe__customers →
// customers; dim_customer → customer.
func entityOf(model string) string {
	m := strings.ToLower(model)
	if i := strings.Index(m, "__"); i >= 0 {
		m = m[i+2:]
	} else if i := strings.IndexByte(m, '_'); i > 0 && knownLayers[m[:i]] {
		m = m[i+1:]
	}
	return m
}

// singular is a plain English singular, enough to match customers ↔ customer_id.
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 4:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"), strings.HasSuffix(s, "ches"), strings.HasSuffix(s, "shes"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss") && len(s) > 3:
		return s[:len(s)-1]
	}
	return s
}

// nameKey reports whether a column's name makes it the key of its model: id or key (the
// surrogate key many projects give every model under one name; _id and _key as a loader or a
// document store writes them, MongoDB's _id), or <entity>_id /
// <entity>_key where the model is about that entity (or id_<entity>, id<entity>: see
// prefixKey). The entity may end with a layer word
// (orders_base is about orders), and a loader's hash of the row names its model behind the
// loader's own prefix (_airbyte_orders_hashid).
func nameKey(model, col string) bool {
	switch col {
	case "id", "key", "_id", "_key":
		return true
	}
	e := entityOf(model)
	entities := []string{e}
	if i := strings.LastIndexByte(e, '_'); i > 0 && knownLayers[e[i+1:]] {
		entities = append(entities, e[:i])
	}
	if base := withoutStep(e); base != "" {
		entities = append(entities, base)
	}
	for _, e := range entities {
		if prefixKey(col, e) {
			return true
		}
	}
	for _, suf := range keySuffixes {
		if !strings.HasSuffix(col, suf) {
			continue
		}
		base := strings.TrimSuffix(col, suf)
		for _, e := range entities {
			// Only the whole entity counts: fct_active_servers is about activity, and its
			// server_id refers to servers.
			if namesEntity(base, e) {
				return true
			}
			// A name that starts with an underscore is a tool's column (_airbyte_,
			// _fivetran_, _dlt_), and the tool names the model after its prefix.
			if strings.HasPrefix(base, "_") && (strings.HasSuffix(base, "_"+e) || strings.HasSuffix(base, "_"+singular(e))) {
				return true
			}
		}
	}
	return false
}

// namesEntity reports whether word is entity e, in the singular or as written (customer or
// customers for customers; the whole entity only).
func namesEntity(word, e string) bool {
	return word == e || word == singular(e) || e == word+"s"
}

// keySuffixes end the names of a model's own key.
var keySuffixes = []string{"_id", "_key", "_sk", "_pk", "_hashid", "_hash_id", "_hashkey", "_hk"}

func isIDLike(c string) bool {
	return c == "id" || strings.HasSuffix(c, "_id") || strings.HasSuffix(c, "_key") || strings.HasSuffix(c, "_sk") || strings.HasSuffix(c, "_pk") || strings.HasSuffix(c, "_fk")
}

// existingTests lists the tests each (node, column) already has, from property files and
// from test nodes (tests written at model level with a column_name argument).
func existingTests(p *dbt.Project) map[string]map[string]map[string]bool {
	out := map[string]map[string]map[string]bool{}
	add := func(id, col, test string) {
		if col == "" || test == "" {
			return
		}
		m := out[id]
		if m == nil {
			m = map[string]map[string]bool{}
			out[id] = m
		}
		c := dbt.ColumnKey(col)
		if m[c] == nil {
			m[c] = map[string]bool{}
		}
		m[c][normalizeTest(test)] = true
	}
	for id, n := range p.Nodes {
		for _, c := range n.Columns {
			for _, t := range c.Tests {
				add(id, c.Name, t.Name)
			}
		}
		if n.ResourceType == dbt.Test && n.TestMeta != nil {
			add(n.TestMeta.AttachedNode, n.TestMeta.ColumnName, n.TestMeta.Name)
		}
	}
	for _, m := range disabledModels(p) {
		for _, c := range m.Columns {
			for _, t := range c.Tests {
				add(m.UniqueID, c.Name, t.Name)
			}
		}
	}
	for id, s := range p.Sources {
		for _, c := range s.Columns {
			for _, t := range c.Tests {
				add(id, c.Name, t.Name)
			}
		}
	}
	return out
}

// normalizeTest maps equivalent tests of common packages onto dbt's four.
func normalizeTest(t string) string {
	// A name dbt cannot read ("`not_null") is an error the review reports at its line; the
	// test it was meant to be is not proposed again beside it.
	t = strings.ToLower(strings.Trim(t, " \t`'\""))
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		t = t[i+1:]
	}
	switch t {
	case "expect_column_values_to_not_be_null":
		return NotNull
	case "expect_column_values_to_be_unique":
		return Unique
	case "expect_column_values_to_be_in_set":
		return AcceptedValues
	}
	return t
}

// columnsOf lists the columns a model's tests are written against: the documented ones when
// the property file lists any (a team documents the columns it cares about), else the
// columns inferred from the SQL. With union, inferred columns the property file does not list
// yet are added (a change's new columns).
func columnsOf(n *dbt.Node, inf *columns.Node, union bool) (names []string, pos []dbt.Pos, types []string) {
	seen := map[string]bool{}
	if len(n.Columns) > 0 {
		for _, c := range n.Columns {
			names = append(names, c.Name)
			pos = append(pos, c.Pos)
			dt := c.DataType
			if dt == "" && inf != nil {
				if ic := inf.Column(c.Name); ic != nil {
					dt = ic.DataType
				}
			}
			types = append(types, dt)
			seen[strings.ToLower(c.Name)] = true
		}
		if !union {
			return
		}
	}
	if inf == nil {
		return
	}
	for _, c := range inf.Columns {
		if c.Unnamed || seen[strings.ToLower(c.Name)] {
			continue
		}
		names = append(names, c.Name)
		pos = append(pos, c.Pos)
		types = append(types, c.DataType)
	}
	return
}
