package dbt

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// testTarget is what a generic test is attached to: a node or a source table.
type testTarget struct {
	node   *Node
	source *Source
	pkg    string   // package of the property file
	file   *srcFile // the property file
}

func (t testTarget) id() string {
	if t.node != nil {
		return t.node.UniqueID
	}
	return t.source.UniqueID
}

// name is the target part of a generic test name: the model name, or source_table.
func (t testTarget) name() string {
	if t.node != nil {
		if t.node.Version != "" {
			return t.node.Name + "_v" + t.node.Version
		}
		return t.node.Name
	}
	return t.source.SourceName + "_" + t.source.Name
}

// fileKey is dbt's file_key_name: the property-file section and entry the test sits in.
func (t testTarget) fileKey() string {
	if t.node != nil {
		return treeKey(t.node.ResourceType) + "." + t.node.Name
	}
	return "sources." + t.source.SourceName
}

// modelArg is the `model` kwarg dbt passes to a generic test.
func (t testTarget) modelArg() string {
	if t.node != nil {
		if t.node.Version != "" {
			return fmt.Sprintf("{{ get_where_subquery(ref('%s', version='%s')) }}", t.node.Name, t.node.Version)
		}
		return fmt.Sprintf("{{ get_where_subquery(ref('%s')) }}", t.node.Name)
	}
	return fmt.Sprintf("{{ get_where_subquery(source('%s', '%s')) }}", t.source.SourceName, t.source.Name)
}

// buildTests creates sources and exposures, then one test node per generic test declared in
// property files, named as dbt names them.
func (l *loader) buildTests() error {
	l.buildSources()
	l.buildExposures()
	for _, n := range sortedNodes(l.p.Nodes) {
		if n.ResourceType != Model && n.ResourceType != Seed && n.ResourceType != Snapshot {
			continue
		}
		if n.Patch == nil {
			continue
		}
		pt := l.patches[n.Package][n.Patch.Key+":"+n.Name]
		if pt == nil {
			continue
		}
		tgt := testTarget{node: n, pkg: n.Package, file: pt.File}
		tests := pt.Tests
		if n.Version != "" {
			for _, vp := range pt.Versions {
				if vp.V == n.Version {
					tests = append(append([]*TestDef(nil), tests...), vp.Tests...)
				}
			}
		}
		for _, td := range tests {
			l.addTest(tgt, td, "")
		}
		for _, c := range n.Columns {
			for _, td := range c.Tests {
				l.addTest(tgt, td, c.Name)
			}
		}
	}
	yamlFiles := map[string]*srcFile{}
	for _, ps := range l.pkgs {
		for _, f := range ps.files {
			if f.kind == fileYAML {
				yamlFiles[ps.pkg.Name+"\x00"+f.rel] = f
			}
		}
	}
	for _, s := range sortedSources(l.p.Sources) {
		f := yamlFiles[s.Package+"\x00"+s.OriginalFilePath]
		if f == nil {
			continue
		}
		tgt := testTarget{source: s, pkg: s.Package, file: f}
		for _, td := range s.Tests {
			l.addTest(tgt, td, "")
		}
		for _, c := range s.Columns {
			for _, td := range c.Tests {
				l.addTest(tgt, td, c.Name)
			}
		}
	}
	return nil
}

func (l *loader) addTest(tgt testTarget, td *TestDef, column string) {
	args := make(map[string]any, len(td.Args)+1)
	for k, v := range td.Args {
		args[k] = v
	}
	if column != "" {
		args["column_name"] = column
	}
	testType := td.Name
	if td.Namespace != "" {
		testType = strings.ReplaceAll(td.Namespace, ".", "_") + "_" + td.Name
	}
	if tgt.source != nil {
		testType = "source_" + testType
	}
	short, full := GenericTestName(testType, tgt.name(), args)
	name := short
	if td.CustomName != "" {
		name = td.CustomName
	}
	f := tgt.file
	pkg := tgt.pkg
	hash := testHash(pkg, full, args)
	n := &Node{
		UniqueID: "test." + pkg + "." + name + "." + hash, ResourceType: Test, Package: pkg, Name: name,
		Path: name + ".sql", OriginalFilePath: f.rel, FilePath: f.abs, RelPath: f.rootRel,
		FQN: fqnFor(pkg, f.pathRel, name, false), Language: "sql", Meta: map[string]any{},
	}
	macro := "test_" + td.Name
	if td.Namespace != "" {
		macro = td.Namespace + "." + macro
	}
	n.RawCode = "{{ " + macro + "(**_dbt_generic_test_kwargs) }}"
	kwargs := make(map[string]any, len(args)+1)
	for k, v := range args {
		kwargs[k] = v
	}
	kwargs["model"] = tgt.modelArg()
	n.TestMeta = &TestMetadata{Name: td.Name, Namespace: td.Namespace, Kwargs: kwargs, AttachedNode: tgt.id(), ColumnName: column}
	n.Patch = &PropertyEntry{File: f.rootRel, Pos: td.Pos, Key: td.Key, FileKey: tgt.fileKey()}
	n.Config = l.projectConfig(l.byName[pkg], Test, n.FQN)
	mergeConfig(n.Config, l.renderConfig(pkg, td.Pos, td.Config))
	if sev, ok := n.Config["severity"].(string); ok {
		n.Config["severity"] = strings.ToUpper(sev)
	}
	// Refs and sources in the arguments (relationships' `to:`) are dependencies too.
	n.DependsOn.Nodes = []string{tgt.id()}
	for _, v := range flattenStrings(args) {
		refs, srcs := callsIn(v)
		n.Refs = append(n.Refs, refs...)
		n.SourceRefs = append(n.SourceRefs, srcs...)
	}
	for i := range n.Refs {
		n.Refs[i].Pos.Line, n.Refs[i].Pos.Column = td.Pos.Line, td.Pos.Column
	}
	for i := range n.SourceRefs {
		n.SourceRefs[i].Pos.Line, n.SourceRefs[i].Pos.Column = td.Pos.Line, td.Pos.Column
	}
	if id := l.testMacro(pkg, td); id != "" {
		n.DependsOn.Macros = []string{id}
	} else {
		n.DependsOn.Macros = []string{}
	}
	l.finalize(n)
	l.shareConfig(n)
	n.Alias = name
	l.checkTestName(f, td, !n.Disabled)
	if n.Disabled {
		l.p.Disabled[n.UniqueID] = append(l.p.Disabled[n.UniqueID], n)
		return
	}
	if _, dup := l.p.Nodes[n.UniqueID]; dup {
		l.warn(Pos{Path: f.rootRel, Line: td.Pos.Line, Column: td.Pos.Column}, "duplicate-test", "test %s is declared twice on %s", name, tgt.id())
		return
	}
	l.p.Nodes[n.UniqueID] = n
}

// testMacro finds the macro implementing a generic test: the namespace's package, else the
// test's package, the root project, then any package. dbt's built-in tests live in dbt itself.
func (l *loader) testMacro(pkg string, td *TestDef) string {
	name := "test_" + td.Name
	if td.Namespace != "" {
		if id := "macro." + td.Namespace + "." + name; l.p.Macros[id] != nil {
			return id
		}
		if td.Namespace == "dbt" && slices.Contains(builtinTests, td.Name) {
			return "macro.dbt." + name
		}
		return ""
	}
	for _, p := range []string{pkg, l.root.pkg.Name} {
		if id := "macro." + p + "." + name; l.p.Macros[id] != nil {
			return id
		}
	}
	for _, ps := range l.pkgs {
		if id := "macro." + ps.pkg.Name + "." + name; l.p.Macros[id] != nil {
			return id
		}
	}
	if slices.Contains(builtinTests, td.Name) {
		return "macro.dbt." + name
	}
	return ""
}

func flattenStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any:
		var out []string
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out = append(out, flattenStrings(x[k])...)
		}
		return out
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, flattenStrings(e)...)
		}
		return out
	}
	return nil
}

var nonIdent = lazyregexp.New(`[^0-9a-zA-Z_]+`)

// GenericTestName names a generic test as dbt does: `<test>_<target>_<args...>` with the
// arguments sorted by name, dicts contributing their values and lists their items, every run
// of other characters replaced by `_`; names of 64 characters or more are cut to the first 30
// characters of `<test>_<target>` plus an md5 of the full name. It returns (name, full name).
func GenericTestName(testType, target string, args map[string]any) (string, string) {
	keys := slices.Sorted(maps.Keys(args))
	var flat []string
	for _, k := range keys {
		if k == "model" {
			continue
		}
		switch v := args[k].(type) {
		case map[string]any:
			for _, kk := range insertionOrder(v) {
				flat = append(flat, pyStr(v[kk]))
			}
		case []any:
			for _, e := range v {
				flat = append(flat, pyStr(e))
			}
		default:
			flat = append(flat, pyStr(v))
		}
	}
	for i, s := range flat {
		flat[i] = nonIdent.ReplaceAllString(s, "_")
	}
	ident := testType + "_" + target
	full := ident + "_" + strings.Join(flat, "__")
	if len(full) >= 64 {
		sum := md5.Sum([]byte(full))
		short := ident
		if len(short) > 30 {
			short = short[:30]
		}
		return short + "_" + hex.EncodeToString(sum[:]), full
	}
	return full, full
}

// insertionOrder: Go maps lose YAML order; sorted keys keep names stable.
func insertionOrder(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// pyStr renders a value as Python's str() would, which is what dbt puts in test names.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	case float64:
		s := strconv.FormatFloat(x, 'f', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

func pyRepr(v any) string {
	if s, ok := v.(string); ok {
		return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
	}
	return pyStr(v)
}

// testHash is a stable 10-hex suffix for a generic test's unique id. It covers what tells two
// tests apart (package, full name, arguments) and nothing else, so a test keeps its id when its
// config changes or it moves to another property file: change detection relies on that.
func testHash(pkg, full string, args map[string]any) string {
	h := sha256.New()
	b, _ := json.Marshal([]any{pkg, full, args})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))[:10]
}
