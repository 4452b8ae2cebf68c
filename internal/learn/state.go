package learn

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// State is what a project's property files hold at one commit: per model, its columns'
// descriptions and tests. Proposals are resolved against it.
type State struct {
	models map[string]*modelState // by lower-cased model name
}

type modelState struct {
	file    string
	columns map[string]*columnState // by lower-cased column name
	tests   map[string]string       // model-level tests: name -> canonical arguments
}

type columnState struct {
	description string
	tests       map[string]string // test name -> canonical arguments (JSON)
}

// NewState reads property files (path -> content, paths relative to the project). A file
// that does not parse is skipped: it cannot hold what a proposal is looked for.
func NewState(files map[string][]byte) *State {
	st := &State{models: map[string]*modelState{}}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		st.add(p, files[p])
	}
	return st
}

func (st *State) add(path string, data []byte) {
	var doc map[string]any
	if err := yamllimit.Unmarshal(data, &doc); err != nil {
		return
	}
	for _, key := range []string{"models", "seeds", "snapshots"} {
		items, _ := doc[key].([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			name, _ := m["name"].(string)
			if name == "" {
				continue
			}
			ms := &modelState{file: path, columns: map[string]*columnState{}, tests: testsOf(m)}
			cols, _ := m["columns"].([]any)
			for _, ci := range cols {
				c, _ := ci.(map[string]any)
				cn, _ := c["name"].(string)
				if cn == "" {
					continue
				}
				d, _ := c["description"].(string)
				ms.columns[strings.ToLower(cn)] = &columnState{description: strings.TrimSpace(d), tests: testsOf(c)}
			}
			if _, dup := st.models[strings.ToLower(name)]; !dup {
				st.models[strings.ToLower(name)] = ms
			}
		}
	}
}

// configKeys are test settings, not arguments: an edited severity is not an edited test.
var configKeys = map[string]bool{"config": true, "severity": true, "where": true, "limit": true, "warn_if": true,
	"error_if": true, "fail_calc": true, "store_failures": true, "tags": true, "meta": true, "name": true,
	"enabled": true, "description": true}

// testsOf reads the tests of an entry (tests: and data_tests:), each as its name without
// namespace and its arguments as canonical JSON.
func testsOf(m map[string]any) map[string]string {
	out := map[string]string{}
	for _, key := range []string{"data_tests", "tests"} {
		list, _ := m[key].([]any)
		for _, t := range list {
			switch v := t.(type) {
			case string:
				out[TestName(v)] = "{}"
			case map[string]any:
				for name, a := range v {
					args := map[string]any{}
					if am, ok := a.(map[string]any); ok {
						if inner, ok := am["arguments"].(map[string]any); ok {
							am = inner
						}
						for k, x := range am {
							if !configKeys[k] {
								args[k] = x
							}
						}
					}
					out[TestName(name)] = CanonicalArgs(args)
				}
			}
		}
	}
	return out
}

// TestName is a test's name without its namespace, lower-cased.
func TestName(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		t = t[i+1:]
	}
	return t
}

// CanonicalArgs writes test arguments as JSON with sorted keys ("{}" for none), so two
// spellings of the same arguments compare equal.
func CanonicalArgs(args map[string]any) string {
	if len(args) == 0 {
		return "{}"
	}
	b, err := json.Marshal(normalize(args))
	if err != nil {
		return "{}"
	}
	return string(b)
}

// normalize makes values of YAML and JSON origin compare equal (numbers as float64, lists of
// any).
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	}
	return v
}

// TestValue is the Value of a test proposal.
func TestValue(test string, args map[string]any) string {
	b, _ := json.Marshal(struct {
		Test string          `json:"test"`
		Args json.RawMessage `json:"args"`
	}{TestName(test), json.RawMessage(CanonicalArgs(args))})
	return string(b)
}

func parseTestValue(v string) (test, args string) {
	var t struct {
		Test string          `json:"test"`
		Args json.RawMessage `json:"args"`
	}
	if json.Unmarshal([]byte(v), &t) != nil {
		return "", ""
	}
	var a map[string]any
	_ = json.Unmarshal(t.Args, &a)
	return t.Test, CanonicalArgs(a)
}

// documents reports whether the state documents what a proposal is on: the column, or the
// model for a model-level proposal.
func (st *State) documents(p *Proposal) bool {
	ms := st.models[strings.ToLower(p.Model)]
	if ms == nil {
		return false
	}
	return p.Column == "" || ms.columns[strings.ToLower(p.Column)] != nil
}

// verdict says what became of a proposal in this state: Open when it is not there yet (the
// caller decides whether that means rejected), and the team's version when edited.
func (st *State) verdict(p *Proposal) (string, string) {
	ms := st.models[strings.ToLower(p.Model)]
	if ms == nil {
		return Open, ""
	}
	var cs *columnState
	if p.Column != "" {
		cs = ms.columns[strings.ToLower(p.Column)]
	}
	switch p.Kind {
	case KindColumn:
		if cs != nil {
			return Accepted, ""
		}
	case KindDescription:
		if cs == nil || cs.description == "" {
			return Open, ""
		}
		if sameText(cs.description, p.Value) {
			return Accepted, ""
		}
		return Edited, cs.description
	case KindTest:
		test, args := parseTestValue(p.Value)
		tests := ms.tests
		if p.Column != "" {
			if cs == nil {
				return Open, ""
			}
			tests = cs.tests
		}
		have, ok := tests[test]
		if !ok {
			return Open, ""
		}
		if have == args || test == "relationships" && sameRelationship(have, args) {
			return Accepted, ""
		}
		return Edited, TestValueJSON(test, have)
	}
	return Open, ""
}

// TestValueJSON is TestValue for arguments already canonical.
func TestValueJSON(test, args string) string {
	var a map[string]any
	_ = json.Unmarshal([]byte(args), &a)
	return TestValue(test, a)
}

// sameRelationship: ref('x') and ref("x") are the same reference.
func sameRelationship(a, b string) bool {
	n := func(s string) string { return strings.NewReplacer(`\"`, "'", " ", "").Replace(s) }
	return n(a) == n(b)
}

func sameText(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}
