package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

func keySet(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// The keys dbt (1.5 to 1.11) reads in a property file, per kind of entry.
var (
	topKeys = keySet("version", "models", "sources", "seeds", "snapshots", "analyses", "macros",
		"exposures", "metrics", "semantic_models", "saved_queries", "groups", "unit_tests", "data_tests")
	modelKeys = keySet("name", "description", "config", "columns", "tests", "data_tests", "docs", "access",
		"group", "latest_version", "versions", "constraints", "meta", "tags", "deprecation_date",
		"time_spine", "freshness")
	versionKeys = keySet("v", "defined_in", "description", "config", "columns", "tests", "data_tests",
		"docs", "access", "constraints", "deprecation_date", "meta", "tags", "group")
	columnKeys = keySet("name", "description", "data_type", "quote", "tests", "data_tests", "constraints",
		"meta", "tags", "config", "granularity", "docs", "policy_tags")
	versionColumnKeys = keySet("name", "description", "data_type", "quote", "tests", "data_tests",
		"constraints", "meta", "tags", "config", "granularity", "docs", "policy_tags", "include", "exclude")
	seedKeys     = keySet("name", "description", "config", "columns", "tests", "data_tests", "docs", "meta", "tags", "group", "access")
	snapshotKeys = keySet("name", "description", "config", "columns", "tests", "data_tests", "docs", "meta", "tags", "group", "relation")
	analysisKeys = keySet("name", "description", "config", "columns", "docs", "meta", "tags", "group")
	sourceKeys   = keySet("name", "description", "database", "schema", "loader", "loaded_at_field", "loaded_at_query",
		"meta", "tags", "config", "overrides", "freshness", "quoting", "tables", "event_time")
	tableKeys = keySet("name", "description", "identifier", "loaded_at_field", "loaded_at_query", "meta", "tags",
		"config", "columns", "tests", "data_tests", "freshness", "quoting", "external", "docs", "event_time")
	macroKeys    = keySet("name", "description", "docs", "meta", "arguments", "config")
	exposureKeys = keySet("name", "label", "type", "owner", "description", "depends_on", "url", "maturity", "meta", "tags", "config")
)

// entryKinds maps a top-level list to the keys its entries may have; nil means entries are
// checked for a name only (their schemas are large and versioned: metrics, semantic models...).
var entryKinds = map[string]map[string]bool{
	"models": modelKeys, "seeds": seedKeys, "snapshots": snapshotKeys, "analyses": analysisKeys,
	"sources": sourceKeys, "macros": macroKeys, "exposures": exposureKeys,
	"metrics": nil, "semantic_models": nil, "saved_queries": nil, "groups": nil, "unit_tests": nil, "data_tests": nil,
}

// the types of values dbt reads, by key, wherever the key is known.
const (
	tString = "a string"
	tMap    = "a mapping"
	tList   = "a list"
	tBool   = "true or false"
	tTags   = "a string or a list of strings"
)

var valueTypes = map[string]string{
	"name": tString, "description": tString, "config": tMap, "meta": tMap, "tags": tTags, "docs": tMap,
	"columns": tList, "tests": tList, "data_tests": tList, "constraints": tList, "versions": tList,
	"tables": tList, "data_type": tString, "quote": tBool, "quoting": tMap, "overrides": tString,
	"identifier": tString, "database": tString, "schema": tString, "loader": tString,
	"access": tString, "group": tString, "owner": tMap, "depends_on": tList, "arguments": tList,
	"external": tMap, "policy_tags": tList, "include": tTags, "exclude": tList, "url": tString,
}

func (v *validator) top(root *vnode) {
	if root.kind != vMap {
		v.add(RuleWrongType, SeverityError, root.line, root.col, "a property file's top level must be a mapping (version:, models:, ...)")
		return
	}
	for _, k := range root.keys {
		if !topKeys[k.name] {
			v.add(RuleUnknownKey, SeverityWarning, k.line, k.col, "unknown top-level key %q: dbt ignores it (dbt 1.10 warns); known keys are %s", k.name, keyList(topKeys))
			continue
		}
		if k.name == "version" {
			if k.val.kind != vScalar || fmt.Sprint(k.val.scalar) != "2" {
				v.add(RuleVersion, SeverityError, k.val.line, k.val.col, "version must be 2")
			}
			continue
		}
		if k.val.isNull() {
			continue
		}
		if k.val.kind != vSeq {
			v.add(RuleWrongType, SeverityError, k.val.line, k.val.col, "%s must be a list of entries", k.name)
			continue
		}
		v.entries(k.name, k.val, entryKinds[k.name])
	}
}

// entries checks a list of named entries of one kind.
func (v *validator) entries(kind string, list *vnode, keys map[string]bool) {
	seen := map[string]*vnode{}
	for _, e := range list.items {
		if e.kind != vMap {
			v.add(RuleWrongType, SeverityError, e.line, e.col, "each entry of %s must be a mapping with a name", kind)
			continue
		}
		name := v.name(kind, e)
		if name != "" && kind != "data_tests" {
			key := name
			if kind == "models" || kind == "seeds" || kind == "snapshots" || kind == "analyses" {
				// Versioned models share a name across entries only through versions:, never twice.
				key = strings.ToLower(name)
			}
			if prev := seen[key]; prev != nil {
				v.add(RuleDuplicateEntry, SeverityError, e.line, e.col, "%s %q is declared twice in this file (first at line %d); dbt refuses duplicate entries", singular(kind), name, prev.line)
			} else {
				seen[key] = e
			}
		}
		if keys == nil {
			continue
		}
		v.keys(singular(kind)+" "+quoteName(name), e, keys)
		switch kind {
		case "models":
			v.columns(name, e, columnKeys)
			v.tests(e)
			if vk := e.get("versions"); vk != nil && vk.val.kind == vSeq {
				for _, ver := range vk.val.items {
					if ver.kind != vMap {
						v.add(RuleWrongType, SeverityError, ver.line, ver.col, "each version must be a mapping with v:")
						continue
					}
					if ver.get("v") == nil {
						v.add(RuleMissingName, SeverityError, ver.line, ver.col, "a version of model %q has no v:", name)
					}
					v.keys("version of "+quoteName(name), ver, versionKeys)
					v.columns(name, ver, versionColumnKeys)
					v.tests(ver)
				}
			}
		case "seeds", "snapshots", "analyses":
			v.columns(name, e, columnKeys)
			v.tests(e)
		case "sources":
			if tk := e.get("tables"); tk != nil && tk.val.kind == vSeq {
				seenT := map[string]*vnode{}
				for _, t := range tk.val.items {
					if t.kind != vMap {
						v.add(RuleWrongType, SeverityError, t.line, t.col, "each table of source %q must be a mapping with a name", name)
						continue
					}
					tn := v.name("tables", t)
					if prev := seenT[tn]; prev != nil && tn != "" {
						v.add(RuleDuplicateEntry, SeverityError, t.line, t.col, "table %q of source %q is declared twice (first at line %d)", tn, name, prev.line)
					} else {
						seenT[tn] = t
					}
					v.keys("table "+quoteName(tn), t, tableKeys)
					v.columns(name+"."+tn, t, columnKeys)
					v.tests(t)
				}
			}
		}
	}
}

// name checks an entry's name: present and a string.
func (v *validator) name(kind string, e *vnode) string {
	nk := e.get("name")
	if nk == nil {
		if kind == "data_tests" || kind == "groups" || kind == "unit_tests" || kind == "saved_queries" || kind == "semantic_models" || kind == "metrics" || kind == "exposures" || kind == "macros" || kind == "tables" || kind == "sources" || kind == "models" || kind == "seeds" || kind == "snapshots" || kind == "analyses" {
			v.add(RuleMissingName, SeverityError, e.line, e.col, "this %s entry has no name", singular(kind))
		}
		return ""
	}
	s, ok := nk.val.str()
	if !ok {
		if nk.val.kind == vScalar && nk.val.scalar != nil {
			// `name: 2020` is read as a number; dbt wants a string.
			v.add(RuleWrongType, SeverityError, nk.val.line, nk.val.col, "name must be a string; quote it")
			return fmt.Sprint(nk.val.scalar)
		}
		v.add(RuleWrongType, SeverityError, nk.val.line, nk.val.col, "name must be a string")
		return ""
	}
	return s
}

// keys reports unknown keys and values of the wrong type in an entry.
func (v *validator) keys(what string, e *vnode, known map[string]bool) {
	for _, k := range e.keys {
		if !known[k.name] {
			v.add(RuleUnknownKey, SeverityWarning, k.line, k.col, "unknown key %q in %s: dbt 1.10 warns and older versions reject it (custom keys belong under meta: or config:)", k.name, what)
			continue
		}
		v.typeOf(k)
	}
}

func (v *validator) typeOf(k vkey) {
	want, ok := valueTypes[k.name]
	if !ok || k.val.isNull() {
		return
	}
	n := k.val
	good := true
	switch want {
	case tString:
		good = n.kind == vScalar
	case tMap:
		good = n.kind == vMap
	case tList:
		good = n.kind == vSeq
	case tBool:
		_, good = n.scalar.(bool)
		good = good && n.kind == vScalar
	case tTags:
		if n.kind == vSeq {
			for _, it := range n.items {
				if it.kind != vScalar {
					good = false
				}
			}
		} else {
			good = n.kind == vScalar
		}
	}
	if !good {
		v.add(RuleWrongType, SeverityError, n.line, n.col, "%s must be %s", k.name, want)
	}
}

// columns checks the columns of an entry: mappings with unique names and known keys.
func (v *validator) columns(owner string, e *vnode, known map[string]bool) {
	ck := e.get("columns")
	if ck == nil || ck.val.kind != vSeq {
		return
	}
	seen := map[string]*vnode{}
	for _, c := range ck.val.items {
		if c.kind != vMap {
			v.add(RuleWrongType, SeverityError, c.line, c.col, "each column of %q must be a mapping with a name", owner)
			continue
		}
		if c.get("include") != nil && c.get("name") == nil {
			v.keys("column of "+quoteName(owner), c, known)
			continue
		}
		name := v.name("columns", c)
		if name == "" {
			if c.get("name") == nil {
				v.add(RuleMissingName, SeverityError, c.line, c.col, "a column of %q has no name", owner)
			}
		} else if prev := seen[strings.ToLower(name)]; prev != nil {
			v.add(RuleDuplicateEntry, SeverityWarning, c.line, c.col, "column %q of %q is declared twice (first at line %d); the later entry replaces the earlier", name, owner, prev.line)
		} else {
			seen[strings.ToLower(name)] = c
		}
		v.keys("column "+quoteName(name), c, known)
		v.tests(c)
	}
}

// tests checks `tests:`/`data_tests:` lists: not both, each item a test name or a one-test
// mapping.
func (v *validator) tests(e *vnode) {
	t, dt := e.get("tests"), e.get("data_tests")
	if t != nil && dt != nil {
		v.add(RuleWrongType, SeverityError, dt.line, dt.col, "tests and data_tests are both set here; dbt refuses that (use data_tests)")
	}
	for _, k := range []*vkey{t, dt} {
		if k == nil || k.val.kind != vSeq {
			continue
		}
		for _, it := range k.val.items {
			switch it.kind {
			case vScalar:
				if name, ok := it.str(); !ok {
					v.add(RuleWrongType, SeverityError, it.line, it.col, "a test must be a test name or a mapping")
				} else {
					v.testName(name, it.line, it.col)
				}
			case vMap:
				if it.get("test_name") == nil && it.get("name") == nil && len(it.keys) != 1 {
					v.add(RuleWrongType, SeverityError, it.line, it.col, "a test mapping must have exactly one key, the test's name (got %d)", len(it.keys))
				}
				if tn := it.get("test_name"); tn != nil {
					if name, ok := tn.val.str(); ok {
						v.testName(name, tn.val.line, tn.val.col)
					}
				} else if len(it.keys) == 1 {
					v.testName(it.keys[0].name, it.keys[0].line, it.keys[0].col)
				}
				if len(it.keys) == 1 {
					if a := it.keys[0].val; !a.isNull() && a.kind != vMap {
						v.add(RuleWrongType, SeverityError, a.line, a.col, "the arguments of test %q must be a mapping", it.keys[0].name)
					}
				}
			default:
				v.add(RuleWrongType, SeverityError, it.line, it.col, "a test must be a test name or a mapping")
			}
		}
	}
}

// testName checks a test's name as dbt reads it: `[package.]name` of identifiers from its
// start, the rest ignored ("not_null`" runs not_null); no such start and dbt parse fails.
func (v *validator) testName(name string, line, col int) {
	read := dbt.TestNameAsRead(name)
	switch {
	case read == "":
		v.add(RuleTestName, SeverityError, line, col, "test name %q is not one dbt can read (it wants [package.]name, of letters, digits and underscores)", name)
	case read != name:
		v.add(RuleTestName, SeverityWarning, line, col, "test name %q: dbt reads it as %s and ignores %q after it; write %s", name, read, name[len(read):], read)
	}
}

func singular(kind string) string {
	switch kind {
	case "analyses":
		return "analysis"
	case "data_tests":
		return "data test"
	}
	return strings.TrimSuffix(kind, "s")
}

func quoteName(n string) string {
	if n == "" {
		return "(unnamed)"
	}
	return fmt.Sprintf("%q", n)
}

func keyList(m map[string]bool) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}
