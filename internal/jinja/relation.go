package jinja

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/dataops-dev/dataops/internal/secret"
)

// relationValue is what ref(), source(), this and api.Relation.create() return. It prints the
// way dbt prints a relation for the adapter, or, when there is no resolver, the way SQLFluff's
// dbt builtins do (the bare model name, source_name.table_name), so unresolved SQL still lints.
type relationValue struct {
	Relation
	bare   string // set when unresolved: printed as is
	kind   string // "table", "view", "cte", ...
	quote  QuotePolicy
	quoter byte
	// include says which parts print (relation.include(database=false)).
	incDB, incSchema, incIdent bool
}

func (e *Env) newRelation(r Relation) *relationValue {
	q := e.quotePolicy()
	if r.Quote != nil {
		q = *r.Quote
	}
	return &relationValue{Relation: r, quote: q, quoter: quoteChar(e.opts.Adapter), incDB: true, incSchema: true, incIdent: true, kind: "table"}
}

func (r *relationValue) String() string {
	if r.bare != "" {
		return r.bare
	}
	if r.Ephemeral {
		return "__dbt__cte__" + r.Identifier
	}
	var parts []string
	add := func(s string, include, quote bool) {
		if s == "" || !include {
			return
		}
		if quote {
			s = QuoteIdent(s, r.quoter)
		}
		parts = append(parts, s)
	}
	add(r.Database, r.incDB, r.quote.Database)
	add(r.Schema, r.incSchema, r.quote.Schema)
	add(r.Identifier, r.incIdent, r.quote.Identifier)
	return strings.Join(parts, ".")
}

// QuoteIdent quotes a name with the quote character q, doubling any q inside it.
func QuoteIdent(s string, q byte) string {
	qs := string(q)
	return qs + strings.ReplaceAll(s, qs, qs+qs) + qs
}

// bareName prints one part of an unresolved relation: as written when it is a plain
// identifier, else quoted as the adapter quotes (a BigQuery table named my-orders), so the
// rendered SQL still parses.
func (r *relationValue) bareName(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c == '$' && i > 0 || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' && i > 0 || c >= 0x80 {
			continue
		}
		return QuoteIdent(s, r.quoter)
	}
	return s
}

func (r *relationValue) clone() *relationValue {
	c := *r
	return &c
}

func (r *relationValue) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "database", "schema", "identifier", "name", "table", "path":
		if r.PartRead != nil {
			*r.PartRead = true
		}
	}
	switch name {
	case "database":
		return exec.AsValue(r.Database), true
	case "schema":
		return exec.AsValue(r.Schema), true
	case "identifier", "name", "table":
		return exec.AsValue(r.Identifier), true
	case "type":
		return exec.AsValue(r.kind), true
	case "is_table":
		return exec.AsValue(r.kind == "table"), true
	case "is_view":
		return exec.AsValue(r.kind == "view"), true
	case "is_cte":
		return exec.AsValue(r.kind == "cte"), true
	case "is_materialized_view":
		return exec.AsValue(r.kind == "materialized_view"), true
	case "path":
		return exec.AsValue(map[string]any{"database": r.Database, "schema": r.Schema, "identifier": r.Identifier}), true
	case "quote_policy":
		return exec.AsValue(map[string]any{"database": r.quote.Database, "schema": r.quote.Schema, "identifier": r.quote.Identifier}), true
	case "render":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value { return exec.AsValue(r.String()) }), true
	case "include":
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			c := r.clone()
			c.incDB = kwBool(va, "database", c.incDB)
			c.incSchema = kwBool(va, "schema", c.incSchema)
			c.incIdent = kwBool(va, "identifier", c.incIdent)
			return exec.AsValue(c)
		}), true
	case "quote":
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			c := r.clone()
			c.quote.Database = kwBool(va, "database", c.quote.Database)
			c.quote.Schema = kwBool(va, "schema", c.quote.Schema)
			c.quote.Identifier = kwBool(va, "identifier", c.quote.Identifier)
			return exec.AsValue(c)
		}), true
	case "incorporate", "replace_path", "replace":
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			c := r.clone()
			if p, ok := va.KwArgs["path"]; ok {
				if d, ok := p.GetItem("database"); ok {
					c.Database = d.String()
				}
				if s, ok := p.GetItem("schema"); ok {
					c.Schema = s.String()
				}
				if i, ok := p.GetItem("identifier"); ok {
					c.Identifier = i.String()
				}
			}
			for _, k := range []string{"database", "schema", "identifier"} {
				if v, ok := va.KwArgs[k]; ok {
					switch k {
					case "database":
						c.Database = v.String()
					case "schema":
						c.Schema = v.String()
					case "identifier":
						c.Identifier = v.String()
					}
				}
			}
			if t, ok := va.KwArgs["type"]; ok && !t.IsNil() {
				c.kind = t.String()
			}
			if c.bare != "" {
				c.bare = ""
			}
			return exec.AsValue(c)
		}), true
	case "without_identifier":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value {
			c := r.clone()
			c.incIdent = false
			c.bare = ""
			return exec.AsValue(c)
		}), true
	case "get":
		// Relations are mappings in dbt; dbt_utils checks obj.get('metadata', {}).get('type').
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			key, _ := argString(va, 0, "key")
			if key == "metadata" {
				return exec.AsValue(map[string]any{"type": "Relation"})
			}
			if v, ok := r.GetAttribute(key); ok {
				return v
			}
			if def, ok := argValue(va, 1, "default"); ok {
				return def
			}
			return exec.AsValue(nil)
		}), true
	case "metadata":
		return exec.AsValue(map[string]any{"type": "Relation"}), true
	case "get_relation_type":
		return exec.AsValue(func(*exec.VarArgs) *exec.Value { return exec.AsValue(r.kind) }), true
	}
	return exec.AsValue(nil), false
}

func (r *relationValue) GetItem(key any) (*exec.Value, bool) {
	if s, ok := key.(string); ok {
		return r.GetAttribute(s)
	}
	return exec.AsValue(nil), false
}

func kwBool(va *exec.VarArgs, key string, def bool) bool {
	if v, ok := va.KwArgs[key]; ok {
		return v.IsTrue()
	}
	return def
}

// quoteChar is the identifier quote of the adapter's SQL dialect.
func quoteChar(adapter string) byte {
	switch adapter {
	case "bigquery", "databricks", "spark", "mysql", "clickhouse", "hive", "impala":
		return '`'
	}
	return '"'
}

// quotePolicy is the adapter's default quoting of relation names, as dbt's adapters define
// it (Snowflake and Spark-family adapters quote nothing by default; Postgres-family, DuckDB
// and BigQuery quote every part), unless the project overrides it.
func (e *Env) quotePolicy() QuotePolicy {
	if e.opts.Quoting != nil {
		return *e.opts.Quoting
	}
	switch e.opts.Adapter {
	case "snowflake", "spark", "databricks", "trino", "athena", "oracle":
		return QuotePolicy{}
	}
	return QuotePolicy{Database: true, Schema: true, Identifier: true}
}

// adapterParents says which adapter's macros an adapter falls back to in dispatch, as dbt's
// adapter plugins declare them.
var adapterParents = map[string]string{
	"redshift":    "postgres",
	"databricks":  "spark",
	"materialize": "postgres",
	"synapse":     "fabric",
	"fabric":      "sqlserver",
}

// inherits reports whether adapter is base or built on it (fabric and synapse on sqlserver).
func inherits(adapter, base string) bool {
	for i, a := 0, adapter; a != "" && i < 8; i, a = i+1, adapterParents[a] {
		if a == base {
			return true
		}
	}
	return false
}

func adapterChain(adapter string) []string {
	var out []string
	seen := map[string]bool{}
	for a := adapter; a != "" && !seen[a]; a = adapterParents[a] {
		seen[a] = true
		out = append(out, a)
	}
	return append(out, "default")
}

// targetMap is dbt's `target`: the profile target with the adapter's type filled in.
func targetMap(opts Options) map[string]any {
	t := map[string]any{
		"name":         "dev",
		"type":         opts.Adapter,
		"schema":       "",
		"database":     "",
		"threads":      1,
		"profile_name": opts.RootPackage,
	}
	for k, v := range opts.Target {
		t[k] = v
	}
	if opts.Adapter != "" {
		t["type"] = opts.Adapter
	}
	if _, ok := t["dbname"]; !ok {
		t["dbname"] = t["database"]
	}
	if _, ok := t["project"]; !ok && opts.Adapter == "bigquery" {
		t["project"] = t["database"]
	}
	if _, ok := t["dataset"]; !ok && opts.Adapter == "bigquery" {
		t["dataset"] = t["schema"]
	}
	// Credentials never reach templates: rendered SQL can end up in a pull request comment.
	for k := range t {
		if secret.LooksSecret(k) {
			delete(t, k)
		}
	}
	return t
}

// readsCredential warns when a template asks the target for a credential (target.password,
// target['token'], target.get('private_key')): it is not there, as in dbt, and the template
// gets none.
func readsCredential(e *exec.Evaluator, obj *exec.Value, key string) {
	st := stateOfEval(e)
	if st == nil {
		return
	}
	// Whether obj is the target comes first: it is a pointer comparison, and every .get() and
	// subscript of every dict a macro reads comes through here (a loop over a config dict of
	// a hundred keys), where matching the key against the credential names cost a tenth of
	// such a render.
	v := obj.Val
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Map || v.UnsafePointer() != reflect.ValueOf(st.env.target).UnsafePointer() || !secret.LooksSecret(key) {
		return
	}
	st.warnHere("hidden-credential", fmt.Sprintf("target.%s is a credential: templates never see the profile's credentials; rendered as none", key))
}

// relationFromString reads a relation that went through its string form (a ref used as a dict
// key, or a name a macro was given as text): up to three dotted parts, each without the
// quotes the project's quoting config put on it.
func relationFromString(s string) Relation {
	var parts []string
	cur, quote := strings.Builder{}, rune(0)
	for _, r := range strings.TrimSpace(s) {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '`':
			quote = r
		case r == '.':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	parts = append(parts, cur.String())
	switch len(parts) {
	case 2:
		return Relation{Schema: parts[0], Identifier: parts[1]}
	case 3:
		return Relation{Database: parts[0], Schema: parts[1], Identifier: parts[2]}
	}
	return Relation{Identifier: s}
}
