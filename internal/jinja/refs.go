package jinja

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

func refFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOfEval(e)
	if st == nil {
		return exec.AsValue("")
	}
	var pkg, name string
	switch len(va.Args) {
	case 0:
		name, _ = argString(va, -1, "model_name")
	case 1:
		name, _ = argString(va, 0, "")
	default:
		pkg, _ = argString(va, 0, "")
		name, _ = argString(va, 1, "")
	}
	version := ""
	for _, k := range []string{"version", "v"} {
		if v, ok := va.KwArgs[k]; ok && !v.IsNil() {
			version, _ = argString(va, -1, k)
		}
	}
	if name == "" {
		st.warnHere("render-error", "ref() needs a model name")
		return exec.AsValue("")
	}
	if err := st.collect(pkg, name, version); err != nil {
		return exec.AsValue(err)
	}
	st.refs = append(st.refs, Ref{Package: pkg, Name: name, Version: version, Pos: st.argPos(name)})
	var rel *relationValue
	if r, ok := st.resolved(func(res Resolver) (Relation, bool) { return res.Ref(pkg, name, version) }); ok {
		rel = st.env.newRelation(r)
	} else {
		rel = st.env.newRelation(Relation{Identifier: name})
		rel.bare = rel.bareName(name)
	}
	return st.name(rel, name)
}

// name records a relation the render asked for by name (for adapter.get_relation) and
// returns it.
func (st *renderState) name(rel *relationValue, name string) *exec.Value {
	st.named = append(st.named, namedRelation{rel: rel, name: name})
	return exec.AsValue(rel)
}

// resolved asks the render's resolver, when it has one.
func (st *renderState) resolved(ask func(Resolver) (Relation, bool)) (Relation, bool) {
	if st.in.Resolver == nil {
		return Relation{}, false
	}
	return ask(st.in.Resolver)
}

func sourceFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOfEval(e)
	if st == nil {
		return exec.AsValue("")
	}
	src, _ := argString(va, 0, "source_name")
	table, _ := argString(va, 1, "table_name")
	if src == "" || table == "" {
		st.warnHere("render-error", "source() needs a source name and a table name")
		return exec.AsValue("")
	}
	if err := st.collect(src, table); err != nil {
		return exec.AsValue(err)
	}
	st.sources = append(st.sources, SourceRef{Source: src, Table: table, Pos: st.argPos(table)})
	var rel *relationValue
	if r, ok := st.resolved(func(res Resolver) (Relation, bool) { return res.Source(src, table) }); ok {
		rel = st.env.newRelation(r)
	} else {
		rel = st.env.newRelation(Relation{Schema: src, Identifier: table})
		rel.bare = rel.bareName(src) + "." + rel.bareName(table)
	}
	return st.name(rel, table)
}

// argPos is where a ref or source argument is written: the quoted name inside the model
// statement being executed, or the statement itself (e.g. when the ref is made by a macro).
func (st *renderState) argPos(name string) Position {
	f := st.model
	if f == nil {
		return Position{Line: 1, Column: 1}
	}
	start := st.modelPos
	if start > len(f.norm) {
		start = len(f.norm)
	}
	end := len(f.norm)
	rest := f.norm[start:]
	for _, closer := range []string{"}}", "%}"} {
		if i := strings.Index(rest, closer); i >= 0 && start+i < end {
			end = start + i
		}
	}
	best := -1
	for _, q := range []string{"'" + name + "'", `"` + name + `"`} {
		if i := strings.Index(f.norm[start:end], q); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return f.position(start)
	}
	return f.position(start + best)
}

func (st *renderState) thisRelation() *relationValue {
	r := st.in.This
	if r.Identifier == "" {
		r.Identifier = st.in.Name
	}
	rel := st.env.newRelation(r)
	if st.in.Resolver == nil && st.in.This == (Relation{}) {
		rel.bare = rel.bareName(r.Identifier)
	}
	return rel
}

func (st *renderState) modelObject() map[string]any {
	in := st.in
	rt := in.ResourceType
	if rt == "" {
		rt = "model"
	}
	this := st.thisRelation()
	return map[string]any{
		"name":               in.Name,
		"alias":              this.Identifier,
		"schema":             this.Schema,
		"database":           this.Database,
		"resource_type":      rt,
		"package_name":       in.Package,
		"unique_id":          rt + "." + in.Package + "." + in.Name,
		"original_file_path": in.Path,
		"path":               in.Path,
		"config":             st.config,
		"raw_code":           in.Source,
		"raw_sql":            in.Source,
		"tags":               []any{},
		"meta":               map[string]any{},
		"columns":            map[string]any{},
		"refs":               []any{},
		"sources":            []any{},
		"depends_on":         map[string]any{"nodes": []any{}, "macros": []any{}},
		"fqn":                []any{in.Package, in.Name},
	}
}

// collect counts a ref or source against what one render may record: names are short, and a
// loop making a million refs (or refs to a megabyte name) would only cost every later step.
func (st *renderState) collect(names ...string) error {
	for _, n := range names {
		if len(n) > maxNameSize {
			return fmt.Errorf("a name longer than %d bytes", maxNameSize)
		}
	}
	st.collected++
	if st.collected > maxCollected {
		st.limitExceeded("render stopped: more than %d refs and sources", maxCollected)
		return errAborted
	}
	return nil
}

// namedRelation is a relation the render asked for by name, with ref() or source().
type namedRelation struct {
	rel  *relationValue
	name string // the model's or the source table's name
}

// namedRelationFn is adapter.get_relation(database, schema, identifier). There is no warehouse
// to ask, but a relation the template itself named with ref() or source() is one the project
// declares, and dbt finds it once the project has run: Fivetran's packages ask
// get_relation(source(s, t).database, source(s, t).schema, t) before `select * from` it, and
// fall back to an empty one-column select when it is missing. Any other relation (this, a
// table known only to the warehouse) is still none, as dbt sees it at parse time.
func namedRelationFn(ev *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOfEval(ev)
	if st == nil {
		return exec.AsValue(nil)
	}
	// The database is not compared: a template often takes it from another call of source()
	// than the schema, and while parsing each call's parts are placeholders of their own.
	schema, _ := argString(va, 1, "schema")
	ident, _ := argString(va, 2, "identifier")
	if schema == "" || ident == "" {
		return exec.AsValue(nil)
	}
	for _, n := range st.named {
		r := n.rel.Relation
		if !strings.EqualFold(r.Schema, schema) || !(strings.EqualFold(r.Identifier, ident) || strings.EqualFold(n.name, ident)) {
			continue
		}
		return exec.AsValue(n.rel)
	}
	return exec.AsValue(nil)
}
