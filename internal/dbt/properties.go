package dbt

import (
	"fmt"
	"slices"
	"strings"
)

// patch is the properties of one model, seed, snapshot, analysis or macro from a property file.
type patch struct {
	Key         string // models, seeds, snapshots, analyses, macros
	Name        string
	File        *srcFile
	Pos         Pos
	Description string
	Config      map[string]any // config: plus top-level meta/tags/docs/access/group/...
	Columns     []*Column
	Tests       []*TestDef // node-level tests
	Versions    []*versionPatch
	Latest      string
	Relation    string // yaml-defined snapshots: `relation: ref('x')`
	used        bool
}

type versionPatch struct {
	V       string
	Pos     Pos
	Config  map[string]any
	Columns []*Column // already resolved against include/exclude
	Tests   []*TestDef
	Desc    string
	Defined string // defined_in: file name without extension
}

// sourceDef is one source with its tables, from a property file.
type sourceDef struct {
	Name      string
	File      *srcFile
	Pos       Pos
	Overrides string
	Fields    map[string]any
	Config    map[string]any
	Tables    []*tableDef
}

type tableDef struct {
	Name    string
	Pos     Pos
	Fields  map[string]any
	Config  map[string]any
	Columns []*Column
	Tests   []*TestDef
}

// properties holds everything read from one property file.
type properties struct {
	Patches   []*patch
	Sources   []*sourceDef
	Exposures []*exposureDef
	Unparsed  map[string][]map[string]any
}

type exposureDef struct {
	Name   string
	File   *srcFile
	Pos    Pos
	Fields map[string]any
	Config map[string]any
	Refs   []string // depends_on entries as written
}

// configKeysAtTop are entry keys dbt folds into the entry's config.
var configKeysAtTop = []string{"meta", "tags", "docs", "access", "group", "contract"}

// parseProperties reads one property file. Shape errors are *InputError at the offending key.
func parseProperties(f *srcFile) (*properties, error) {
	root, err := parseYAML(f.rootRel, f.data)
	if err != nil {
		return nil, err
	}
	out := &properties{Unparsed: map[string][]map[string]any{}}
	if root.isNull() || (root.Kind == yMap && len(root.Keys) == 0) {
		return out, nil
	}
	if root.Kind != yMap {
		return nil, &InputError{Pos: root.Pos, Msg: "a property file must be a mapping (version:, models:, sources:, ...)"}
	}
	for i, key := range root.Keys {
		val := root.Vals[i]
		if val.isNull() {
			continue
		}
		switch key {
		case "version":
		case "models", "seeds", "snapshots", "analyses", "macros":
			if val.Kind != ySeq {
				return nil, &InputError{Pos: root.KeyPos[i], Msg: key + ": must be a list"}
			}
			for _, e := range val.Vals {
				p, err := parsePatch(f, key, e)
				if err != nil {
					return nil, err
				}
				out.Patches = append(out.Patches, p)
			}
		case "sources":
			if val.Kind != ySeq {
				return nil, &InputError{Pos: root.KeyPos[i], Msg: "sources: must be a list"}
			}
			for _, e := range val.Vals {
				s, err := parseSource(f, e)
				if err != nil {
					return nil, err
				}
				out.Sources = append(out.Sources, s)
			}
		case "exposures":
			if val.Kind != ySeq {
				return nil, &InputError{Pos: root.KeyPos[i], Msg: "exposures: must be a list"}
			}
			for _, e := range val.Vals {
				if e.Kind != yMap || e.get("name").str() == "" {
					return nil, &InputError{Pos: e.Pos, Msg: "an exposure needs a name"}
				}
				x := &exposureDef{Name: e.get("name").str(), File: f, Pos: e.Pos, Fields: e.mapValue()}
				x.Config = entryConfig(e)
				x.Refs = e.get("depends_on").strList()
				out.Exposures = append(out.Exposures, x)
			}
		default:
			// groups, semantic_models, metrics, saved_queries, unit_tests, data_tests: kept raw.
			if val.Kind == ySeq {
				for _, e := range val.Vals {
					if m := e.mapValue(); m != nil {
						m["original_file_path"] = f.rel
						m["package_name"] = f.pkg.pkg.Name
						out.Unparsed[key] = append(out.Unparsed[key], m)
					}
				}
			}
		}
	}
	return out, nil
}

func entryConfig(e *ynode) map[string]any {
	cfg := map[string]any{}
	for _, k := range configKeysAtTop {
		if v := e.get(k); v != nil && !v.isNull() {
			mergeConfigKey(cfg, k, v.value())
		}
	}
	if c := e.get("config"); c != nil && c.Kind == yMap {
		mergeConfig(cfg, c.mapValue())
	}
	return cfg
}

func parsePatch(f *srcFile, key string, e *ynode) (*patch, error) {
	if e.Kind != yMap {
		return nil, &InputError{Pos: e.Pos, Msg: fmt.Sprintf("each entry of %s: must be a mapping with a name", key)}
	}
	name := e.get("name").str()
	if name == "" {
		return nil, &InputError{Pos: e.Pos, Msg: fmt.Sprintf("an entry of %s: has no name", key)}
	}
	p := &patch{Key: key, Name: name, File: f, Pos: e.get("name").Pos, Description: e.get("description").str()}
	if p.Pos.Line == 0 {
		p.Pos = e.Pos
	}
	p.Config = entryConfig(e)
	var err error
	if p.Columns, err = parseColumns(f, e.get("columns")); err != nil {
		return nil, err
	}
	if p.Tests, err = parseTestList(f, e, ""); err != nil {
		return nil, err
	}
	p.Relation = e.get("relation").str()
	if lv := e.get("latest_version"); lv != nil && !lv.isNull() {
		p.Latest = versionString(lv)
	}
	if vs := e.get("versions"); vs != nil && vs.Kind == ySeq {
		for _, ve := range vs.Vals {
			if ve.Kind != yMap || ve.get("v").isNull() {
				return nil, &InputError{Pos: ve.Pos, Msg: "each entry of versions: needs a `v:`"}
			}
			vp := &versionPatch{V: versionString(ve.get("v")), Pos: ve.Pos, Desc: ve.get("description").str()}
			vp.Config = entryConfig(ve)
			vp.Defined = ve.get("defined_in").str()
			if vp.Columns, err = versionColumns(f, p.Columns, ve.get("columns")); err != nil {
				return nil, err
			}
			if vp.Tests, err = parseTestList(f, ve, ""); err != nil {
				return nil, err
			}
			p.Versions = append(p.Versions, vp)
		}
	}
	return p, nil
}

func versionString(n *ynode) string {
	switch v := n.Scalar.(type) {
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%f", v), "0"), ".")
	}
	return n.str()
}

// versionColumns applies a version's `columns:` (with include/exclude) to the model's columns.
func versionColumns(f *srcFile, base []*Column, n *ynode) ([]*Column, error) {
	if n == nil || n.isNull() {
		return base, nil
	}
	if n.Kind != ySeq {
		return nil, &InputError{Pos: n.Pos, Msg: "columns: must be a list"}
	}
	var own []*ynode
	include, exclude := []string{"*"}, []string(nil)
	for _, e := range n.Vals {
		if e.Kind == yMap && e.get("include") != nil {
			include = e.get("include").strList()
			exclude = e.get("exclude").strList()
			continue
		}
		own = append(own, e)
	}
	ownCols, err := parseColumns(f, &ynode{Kind: ySeq, Vals: own, Pos: n.Pos})
	if err != nil {
		return nil, err
	}
	all := len(include) == 1 && (include[0] == "*" || include[0] == "all")
	var out []*Column
	for _, c := range base {
		if !all && !containsFold(include, c.Name) {
			continue
		}
		if containsFold(exclude, c.Name) {
			continue
		}
		if hasColumn(ownCols, c.Name) {
			continue
		}
		out = append(out, c)
	}
	return append(out, ownCols...), nil
}

func containsFold(l []string, s string) bool {
	return slices.ContainsFunc(l, func(x string) bool { return strings.EqualFold(x, s) })
}

func hasColumn(cols []*Column, name string) bool {
	for _, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return true
		}
	}
	return false
}

func parseColumns(f *srcFile, n *ynode) ([]*Column, error) {
	if n == nil || n.isNull() {
		return nil, nil
	}
	if n.Kind != ySeq {
		return nil, &InputError{Pos: n.Pos, Msg: "columns: must be a list"}
	}
	var out []*Column
	for _, e := range n.Vals {
		if e.Kind != yMap {
			return nil, &InputError{Pos: e.Pos, Msg: "each column must be a mapping with a name"}
		}
		name := e.get("name").str()
		if name == "" {
			return nil, &InputError{Pos: e.Pos, Msg: "a column has no name"}
		}
		c := &Column{Name: name, Description: e.get("description").str(), Pos: e.Pos}
		c.DataType = e.get("data_type").str()
		if c.DataType == "" {
			c.DataType = e.get("type").str()
		}
		if q := e.get("quote"); q != nil && !q.isNull() {
			b := configBool(map[string]any{"q": q.value()}, "q", false)
			c.Quote = &b
		}
		if cs := e.get("constraints"); cs != nil && cs.Kind == ySeq {
			for _, ce := range cs.Vals {
				if m := ce.mapValue(); m != nil {
					c.Constraints = append(c.Constraints, m)
				}
			}
		}
		c.Config = map[string]any{}
		if cfg := e.get("config"); cfg != nil && cfg.Kind == yMap {
			c.Config = cfg.mapValue()
		}
		c.Meta = map[string]any{}
		if m := e.get("meta").mapValue(); m != nil {
			c.Meta = m
		}
		if m, ok := c.Config["meta"].(map[string]any); ok {
			for k, v := range m {
				c.Meta[k] = v
			}
		}
		c.Tags = unionStrings(e.get("tags").strList(), toStrings(c.Config["tags"]))
		var err error
		if c.Tests, err = parseTestList(f, e, name); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// testConfigKeys are the keys of a test entry that configure the test rather than pass an
// argument to it (dbt's old inline form mixes both).
var testConfigKeys = map[string]bool{
	"where": true, "severity": true, "warn_if": true, "error_if": true, "store_failures": true,
	"store_failures_as": true, "limit": true, "enabled": true, "tags": true, "meta": true,
	"fail_calc": true, "database": true, "schema": true, "alias": true,
}

// parseTestList reads `tests:` and `data_tests:` of an entry.
func parseTestList(f *srcFile, e *ynode, column string) ([]*TestDef, error) {
	var out []*TestDef
	for _, key := range []string{"data_tests", "tests"} {
		n := e.get(key)
		if n == nil || n.isNull() {
			continue
		}
		if n.Kind != ySeq {
			return nil, &InputError{Pos: e.keyPos(key), Msg: key + ": must be a list"}
		}
		for _, t := range n.Vals {
			td, err := parseTestDef(t)
			if err != nil {
				return nil, err
			}
			td.Key = key
			out = append(out, td)
		}
	}
	return out, nil
}

func parseTestDef(t *ynode) (*TestDef, error) {
	td := &TestDef{Args: map[string]any{}, Config: map[string]any{}, Pos: t.Pos}
	var body *ynode
	switch t.Kind {
	case yScalar:
		td.Name = t.str()
		if td.Name == "" {
			return nil, &InputError{Pos: t.Pos, Msg: "empty test name"}
		}
	case yMap:
		if tn := t.get("test_name"); tn != nil {
			td.Name = tn.str()
			body = t
		} else if len(t.Keys) == 1 {
			td.Name = t.Keys[0]
			body = t.Vals[0]
			if !body.isNull() && body.Kind != yMap {
				return nil, &InputError{Pos: t.KeyPos[0], Msg: fmt.Sprintf("test %s: arguments must be a mapping", td.Name)}
			}
		} else {
			return nil, &InputError{Pos: t.Pos, Msg: fmt.Sprintf("a test entry must have one key (the test name), found %s", strings.Join(t.Keys, ", "))}
		}
	default:
		return nil, &InputError{Pos: t.Pos, Msg: "a test must be a name or a mapping"}
	}
	// dbt matches its TEST_NAME_PATTERN at the start of the name (Python's re.match), so a
	// stray character after it is dropped without a word: "not_null`" runs not_null. The
	// loader reads it the same way and warns (checkTestName).
	if m := testNameRE.FindStringSubmatch(td.Name); m != nil {
		if m[0] != td.Name {
			td.Written = td.Name
		}
		td.Namespace, td.Name = m[1], m[2]
	} else {
		td.Written = td.Name
	}
	if body != nil && body.Kind == yMap {
		for i, k := range body.Keys {
			v := body.Vals[i]
			switch {
			case k == "test_name":
			case k == "name":
				td.CustomName = v.str()
			case k == "arguments":
				td.Nested = true
				if m := v.mapValue(); m != nil {
					for ak, av := range m {
						td.Args[ak] = av
					}
				}
			case k == "config":
				if m := v.mapValue(); m != nil {
					mergeConfig(td.Config, m)
				}
			case k == "description":
			case testConfigKeys[k]:
				mergeConfigKey(td.Config, k, v.value())
			default:
				td.Args[k] = v.value()
			}
		}
	}
	return td, nil
}

func parseSource(f *srcFile, e *ynode) (*sourceDef, error) {
	if e.Kind != yMap || e.get("name").str() == "" {
		return nil, &InputError{Pos: e.Pos, Msg: "a source needs a name"}
	}
	s := &sourceDef{Name: e.get("name").str(), File: f, Pos: e.Pos, Fields: e.mapValue()}
	s.Overrides = e.get("overrides").str()
	s.Config = entryConfig(e)
	tables := e.get("tables")
	if tables == nil || tables.isNull() {
		return s, nil
	}
	if tables.Kind != ySeq {
		return nil, &InputError{Pos: e.keyPos("tables"), Msg: "tables: must be a list"}
	}
	for _, te := range tables.Vals {
		if te.Kind != yMap || te.get("name").str() == "" {
			return nil, &InputError{Pos: te.Pos, Msg: "a source table needs a name"}
		}
		t := &tableDef{Name: te.get("name").str(), Pos: te.Pos, Fields: te.mapValue()}
		t.Config = entryConfig(te)
		var err error
		if t.Columns, err = parseColumns(f, te.get("columns")); err != nil {
			return nil, err
		}
		if t.Tests, err = parseTestList(f, te, ""); err != nil {
			return nil, err
		}
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}
