package dbt

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// projectFile is a parsed dbt_project.yml (of the root project or of an installed package).
type projectFile struct {
	Name                string
	Version             string
	ConfigVersion       int
	Profile             string
	RequireDbtVersion   []string
	ModelPaths          []string
	SeedPaths           []string
	TestPaths           []string
	AnalysisPaths       []string
	MacroPaths          []string
	SnapshotPaths       []string
	DocsPaths           []string
	PackagesInstallPath string
	Vars                map[string]any
	// Config trees by resource key: models, seeds, snapshots, tests (data_tests merged in),
	// sources, analyses, exposures.
	Trees    map[string]map[string]any
	Dispatch []map[string]any
	Quoting  map[string]any
	File     string // relative path of dbt_project.yml (for messages)
	// Explicit lists the `*-paths` keys and packages-install-path the file sets, with the
	// position of each.
	Explicit map[string]Pos
}

// projectDefaults are dbt's defaults for the `*-paths` settings.
var projectDefaults = map[string][]string{
	"model-paths":    {"models"},
	"seed-paths":     {"seeds"},
	"test-paths":     {"tests"},
	"analysis-paths": {"analyses"},
	"macro-paths":    {"macros"},
	"snapshot-paths": {"snapshots"},
}

// noRenderKeys are project settings dbt keeps as written: hooks run later, with a full context.
var noRenderKeys = map[string]bool{
	"pre-hook": true, "post-hook": true, "+pre-hook": true, "+post-hook": true,
	"pre_hook": true, "post_hook": true, "+pre_hook": true, "+post_hook": true,
	"on-run-start": true, "on-run-end": true, "query-comment": true,
}

// readProjectFile parses a dbt_project.yml read with read, which is given rel: the file's path
// relative to the root project, also the path shown in messages. Strings with Jinja are
// rendered through render (env_var, var from --vars, target), as dbt does.
func readProjectFile(read func(rel string) ([]byte, error), rel string, render func(pos Pos, s string) any) (*projectFile, error) {
	data, err := read(rel)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, &InputError{Pos: Pos{Path: rel}, Msg: "no dbt_project.yml found (not a dbt project directory)"}
		}
		if refused(err) {
			return nil, &InputError{Pos: Pos{Path: rel}, Msg: msgOutside}
		}
		return nil, &InputError{Pos: Pos{Path: rel}, Msg: err.Error()}
	}
	root, err := parseYAML(rel, trimBOM(data))
	if err != nil {
		return nil, err
	}
	if root.Kind != yMap {
		return nil, &InputError{Pos: root.Pos, Msg: "dbt_project.yml must be a mapping"}
	}
	rendered := renderTree(root, rel, render)
	pf := &projectFile{File: rel, Trees: map[string]map[string]any{}, Explicit: map[string]Pos{}}
	get := func(k string) *ynode { return root.get(k) }
	pf.Name = get("name").str()
	if pf.Name == "" {
		return nil, &InputError{Pos: root.Pos, Msg: "dbt_project.yml has no `name:`"}
	}
	if !validProjectName(pf.Name) {
		return nil, &InputError{Pos: root.keyPos("name"), Msg: fmt.Sprintf("project name %q is not a valid identifier (letters, digits and underscores)", pf.Name)}
	}
	pf.Version = get("version").str()
	if cv := get("config-version"); cv != nil {
		pf.ConfigVersion, _ = strconv.Atoi(cv.str())
	}
	pf.Profile = get("profile").str()
	pf.RequireDbtVersion = get("require-dbt-version").strList()
	paths := func(key string, legacy ...string) ([]string, error) {
		n := get(key)
		def := projectDefaults[key]
		for _, l := range legacy {
			if n == nil && get(l) != nil {
				n = get(l)
				key = l
			}
		}
		if n == nil {
			return append([]string(nil), def...), nil
		}
		pf.Explicit[key] = root.keyPos(key)
		v := rendered[key]
		var out []string
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if e != nil {
					out = append(out, fmt.Sprint(e))
				}
			}
		case string:
			out = []string{x}
		case nil:
		default:
			return nil, &InputError{Pos: root.keyPos(key), Msg: key + " must be a list of directories"}
		}
		for i, p := range out {
			out[i] = cleanRel(p)
		}
		return out, nil
	}
	var perr error
	set := func(dst *[]string, key string, legacy ...string) {
		if perr != nil {
			return
		}
		*dst, perr = paths(key, legacy...)
	}
	set(&pf.ModelPaths, "model-paths", "source-paths")
	set(&pf.SeedPaths, "seed-paths", "data-paths")
	set(&pf.TestPaths, "test-paths")
	set(&pf.AnalysisPaths, "analysis-paths")
	set(&pf.MacroPaths, "macro-paths")
	set(&pf.SnapshotPaths, "snapshot-paths")
	if perr != nil {
		return nil, perr
	}
	if get("docs-paths") != nil {
		set(&pf.DocsPaths, "docs-paths")
		if perr != nil {
			return nil, perr
		}
	} else {
		// dbt looks for docs blocks in every resource path when docs-paths is not set.
		for _, l := range [][]string{pf.ModelPaths, pf.SeedPaths, pf.TestPaths, pf.AnalysisPaths, pf.MacroPaths, pf.SnapshotPaths} {
			pf.DocsPaths = appendUnique(pf.DocsPaths, l...)
		}
	}
	pf.PackagesInstallPath = "dbt_packages"
	if v, ok := rendered["packages-install-path"].(string); ok && v != "" {
		pf.PackagesInstallPath = cleanRel(v)
		pf.Explicit["packages-install-path"] = root.keyPos("packages-install-path")
	}
	if v, ok := rendered["vars"].(map[string]any); ok {
		pf.Vars = v
	}
	for _, key := range []string{"models", "seeds", "snapshots", "tests", "data_tests", "sources", "analyses", "exposures", "unit_tests"} {
		n := get(key)
		if n == nil || n.isNull() {
			continue
		}
		m, ok := rendered[key].(map[string]any)
		if !ok {
			return nil, &InputError{Pos: root.keyPos(key), Msg: key + ": must be a mapping of configs and folders"}
		}
		dst := key
		if key == "data_tests" {
			dst = "tests"
		}
		if prev := pf.Trees[dst]; prev != nil {
			m = mergeTrees(prev, m)
		}
		pf.Trees[dst] = m
	}
	if l, ok := rendered["dispatch"].([]any); ok {
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				pf.Dispatch = append(pf.Dispatch, m)
			}
		}
	}
	if q, ok := rendered["quoting"].(map[string]any); ok {
		pf.Quoting = q
	}
	return pf, nil
}

// renderTree converts the root mapping to values, rendering Jinja in strings except in hooks.
func renderTree(root *ynode, rel string, render func(pos Pos, s string) any) map[string]any {
	var conv func(n *ynode, key string) any
	conv = func(n *ynode, key string) any {
		if n == nil {
			return nil
		}
		switch n.Kind {
		case yMap:
			m := make(map[string]any, len(n.Keys))
			for i, k := range n.Keys {
				if noRenderKeys[k] || (n == root && k == "vars") {
					m[k] = n.Vals[i].value()
					continue
				}
				m[k] = conv(n.Vals[i], k)
			}
			return m
		case ySeq:
			l := make([]any, len(n.Vals))
			for i, v := range n.Vals {
				l[i] = conv(v, key)
			}
			return l
		default:
			if s, ok := n.Scalar.(string); ok && render != nil && hasJinja(s) {
				return render(n.Pos, s)
			}
			return n.Scalar
		}
	}
	m, _ := conv(root, "").(map[string]any)
	return m
}

// mergeTrees deep-merges b over a (used when both `tests:` and `data_tests:` are present).
func mergeTrees(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeTrees(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

func hasJinja(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%")
}

func validProjectName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// cleanRel normalises a project-relative directory ("./models/" → "models").
func cleanRel(p string) string {
	p = filepath.ToSlash(filepath.Clean(filepath.FromSlash(strings.TrimSpace(p))))
	return strings.TrimPrefix(p, "./")
}

func appendUnique(dst []string, items ...string) []string {
	for _, it := range items {
		found := false
		for _, d := range dst {
			if d == it {
				found = true
				break
			}
		}
		if !found {
			dst = append(dst, it)
		}
	}
	return dst
}

// trimBOM drops a UTF-8 byte-order mark at the start of a file. Editors on Windows write one;
// dbt's YAML reader skips it, and left in place it becomes part of the first key or of the
// first SQL token.
func trimBOM(data []byte) []byte { return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) }
