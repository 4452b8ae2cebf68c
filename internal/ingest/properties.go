package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/memory"
)

// docsLookup finds a docs block's content by name, for {{ doc() }} in descriptions.
type docsLookup func(name string) (string, bool)

// propertyRecords turns the declarations of one property file into records: a model_doc per
// described entry, a column_doc per described column and a test record per test.
func propertyRecords(b *builder, decls []*dbt.Declaration, docs docsLookup, md memory.Metadata, origin string) {
	for _, d := range decls {
		emitDecl(b, d, docs, md, origin, nil)
	}
}

// declFilter, when set, says which parts of a declaration to emit (history emits what a
// commit added); nil emits everything.
type declFilter struct {
	model  bool
	column func(c *dbt.Column) bool
	test   func(column string, t *dbt.TestDef) bool
}

// resources names what an entry is, by the key it is listed under; models are the default
// and carry no name.
var resources = map[string]string{"seeds": "seed", "snapshots": "snapshot", "analyses": "analysis", "macros": "macro", "sources": "source"}

func emitDecl(b *builder, d *dbt.Declaration, docs docsLookup, base memory.Metadata, origin string, f *declFilter) {
	extra := func(kv ...string) map[string]string {
		m := map[string]string{"origin": origin}
		if r := resources[d.Key]; r != "" {
			m["resource"] = r
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	at := func(line int, column string, kv ...string) memory.Metadata {
		md := base
		md.Model, md.Column, md.Line = d.Name, strings.ToLower(column), line
		md.Extra = extra(kv...)
		return md
	}
	if d.Description != "" && (f == nil || f.model) {
		b.add(memory.KindModelDoc, "model\x00"+d.Key+"\x00"+d.Name,
			d.Name+": "+resolveDocs(d.Description, docs),
			at(d.Pos.Line, "", "description", d.Description))
	}
	for _, c := range d.Columns {
		if c.Description != "" && (f == nil || f.column(c)) {
			b.add(memory.KindColumnDoc, "column\x00"+d.Key+"\x00"+d.Name+"\x00"+strings.ToLower(c.Name),
				d.Name+"."+c.Name+": "+resolveDocs(c.Description, docs),
				at(c.Pos.Line, c.Name, "description", c.Description, "data_type", c.DataType))
		}
		for _, t := range c.Tests {
			if f != nil && !f.test(c.Name, t) {
				continue
			}
			emitTest(b, d, c.Name, t, at(t.Pos.Line, c.Name, "test", testName(t), "args", compactJSON(t.Args), "config", compactJSON(t.Config), "data_type", c.DataType))
		}
	}
	for _, t := range d.Tests {
		if f != nil && !f.test("", t) {
			continue
		}
		col, _ := t.Args["column_name"].(string)
		emitTest(b, d, col, t, at(t.Pos.Line, col, "test", testName(t), "args", compactJSON(t.Args), "config", compactJSON(t.Config)))
	}
}

func emitTest(b *builder, d *dbt.Declaration, column string, t *dbt.TestDef, md memory.Metadata) {
	subject := d.Name
	if column != "" {
		subject += "." + column
	}
	name := testName(t)
	key := "test\x00" + d.Key + "\x00" + d.Name + "\x00" + strings.ToLower(column) + "\x00" + name + "\x00" + md.Extra["args"]
	b.add(memory.KindTest, key, subject+": test "+name+testArgsText(t.Args), md)
}

// testName is the test as the team writes it: not_null, or package.test.
func testName(t *dbt.TestDef) string {
	if t.Namespace != "" {
		return t.Namespace + "." + t.Name
	}
	return t.Name
}

// testArgsText renders arguments for reading: (field: customer_id, to: ref('customers')).
func testArgsText(args map[string]any) string {
	if len(args) == 0 {
		return ""
	}
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+argText(args[k]))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func argText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = argText(e)
		}
		return "[" + strings.Join(s, ", ") + "]"
	case nil:
		return "null"
	case map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// resolveDocs puts the text of the docs blocks a description names in place of the calls,
// so that retrieval matches what the description says.
func resolveDocs(desc string, docs docsLookup) string {
	if docs != nil {
		desc = dbt.ReplaceDocCalls(desc, docs)
	}
	return oneLine(desc)
}

// looksLikeProperties says whether a YAML file declares dbt resources: a top-level models:,
// sources:, seeds:, snapshots:, analyses: or macros: key. Other YAML (CI settings, compose
// files) is not read as a property file and its syntax is not our business.
func looksLikeProperties(data []byte) bool {
	for _, key := range [][]byte{[]byte("models:"), []byte("sources:"), []byte("seeds:"), []byte("snapshots:"), []byte("analyses:"), []byte("macros:")} {
		for i := 0; ; {
			j := bytes.Index(data[i:], key)
			if j < 0 {
				break
			}
			at := i + j
			if at == 0 || data[at-1] == '\n' {
				return true
			}
			i = at + len(key)
		}
	}
	return false
}
