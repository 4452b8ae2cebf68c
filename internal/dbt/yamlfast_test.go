package dbt

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameTree reports the first difference between two ynode trees (a the fast path's), "" when
// none. goccy misplaces a few nodes (a scalar followed by trailing blanks is placed after them;
// after a comment on a CRLF line, the lines are counted one too many): a position of the fast
// path that differs is taken when it points at the node's text in data.
func sameTree(path string, data []byte, a, b *ynode) string {
	switch {
	case a == nil || b == nil:
		if a != b {
			return path + ": one side is nil"
		}
		return ""
	case a.Kind != b.Kind:
		return fmt.Sprintf("%s: kind %d vs %d", path, a.Kind, b.Kind)
	case a.Pos != b.Pos && !pointsAtText(data, a.Pos) && !(a.Kind == yScalar && a.Scalar == nil && b.Scalar == nil && a.Pos.Line == b.Pos.Line):
		// (an empty value is nowhere: goccy places it a column further)
		return fmt.Sprintf("%s: position %v vs %v", path, a.Pos, b.Pos)
	case !reflect.DeepEqual(a.Keys, b.Keys):
		return fmt.Sprintf("%s: keys %q vs %q", path, a.Keys, b.Keys)
	case !samePositions(data, a.KeyPos, b.KeyPos):
		return fmt.Sprintf("%s: key positions %v vs %v", path, a.KeyPos, b.KeyPos)
	case len(a.Vals) != len(b.Vals):
		return fmt.Sprintf("%s: %d vs %d values", path, len(a.Vals), len(b.Vals))
	case a.Kind == yScalar && !reflect.DeepEqual(a.Scalar, b.Scalar):
		return fmt.Sprintf("%s: scalar %#v vs %#v", path, a.Scalar, b.Scalar)
	}
	for i := range a.Vals {
		p := fmt.Sprintf("%s[%d]", path, i)
		if a.Kind == yMap {
			p = path + "." + a.Keys[i]
		}
		if d := sameTree(p, data, a.Vals[i], b.Vals[i]); d != "" {
			return d
		}
	}
	return ""
}

func samePositions(data []byte, a, b []Pos) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !pointsAtText(data, a[i]) {
			return false
		}
	}
	return true
}

// pointsAtText reports whether p is a place in data where text (not a blank, a comment or
// the end of a line) starts.
func pointsAtText(data []byte, p Pos) bool {
	lines := strings.Split(string(data), "\n")
	if p.Line < 1 || p.Line > len(lines) {
		return false
	}
	r := []rune(strings.TrimRight(lines[p.Line-1], "\r"))
	if p.Column < 1 || p.Column > len(r) {
		return false
	}
	c := r[p.Column-1]
	return c != ' ' && c != '\t' && c != '#' && (p.Column == 1 || r[p.Column-2] == ' ' || r[p.Column-2] == '\t' || strings.ContainsRune("[{,-:", r[p.Column-2]))
}

// checkFast parses data both ways: where the fast path keeps a document, its tree must be the
// goccy path's. It reports whether the fast path kept it.
func checkFast(t *testing.T, name string, data []byte) bool {
	t.Helper()
	fast, ok := parseYAMLFast(name, trimBOM(data))
	slow, err := parseYAMLGoccy(name, trimBOM(data))
	if !ok {
		return false
	}
	if err != nil {
		t.Errorf("%s: the fast path read what goccy's refuses (%v)", name, err)
		return true
	}
	if d := sameTree(name, trimBOM(data), fast, slow); d != "" {
		t.Errorf("fast and goccy trees differ at %s", d)
	}
	return true
}

func TestYAMLFastCases(t *testing.T) {
	for _, c := range []struct {
		name, src string
		fast      bool
	}{
		{"scalars", "a: 1\nb: -2\nc: 1.5\nd: true\ne: False\nf: null\ng: ~\nh: yes\ni: 0x1F\nj: 1e3\nk: .inf\nl: 2024-01-31\nm: '1'\nn: \"x\\ty\"\no: 007\np: 12345678901234567890\nq: 1_000\nr: +5\n", true},
		{"blocks", "a: |\n  one\n  two\nb: >-\n  folded\n  text\nc: plain\n  continued\n", true},
		{"nested", "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        tests: [unique, not_null]\n      - {name: x, description: \"y\"}\n", true},
		{"anchors", "base: &b {a: 1, b: 2}\nuse: *b\nmerged:\n  <<: *b\n  b: 3\nmany:\n  <<: [*b, {c: 4}]\n", true},
		{"duplicate keys", "a: 1\na: 2\nb: [x]\n", true},
		{"null and int keys", "~: 1\n1: 2\ntrue: 3\n", true},
		{"words", "a: t\nb: tru\nc: nul\nd: NULL\ne: Null\nf: fals\ng: nope\nh: TRUE\ni: <<x\nk: .5\nl: +.inf\nm: -.Inf\no: 0b101\np: 0o17\nq: 1.\nr: ~x\n", true},
		{"str tag", "a: !!str 1\nb: !!str true\n", false},
		{"anchored scalar", "a: &x 1\nb: *x\nc: &y\n  d: 2\n", true},
		{"non-ASCII", "naïve: &z [é, ü]\nb: *z\nc: \"ß\"\n", true},
		{"implicit null", "a:\nb: 1\n", true},
		{"custom tag", "a: !ref x\n", false},
		{"self alias", "a: &x [1, *x]\n", false},
		{"empty", "", false},
		{"comments only", "# nothing\n", false},
		{"empty first document", "---\n---\na: 1\n", false},
		{"syntax error", "a: [1, 2\n", false},
		{"complex key", "? [a, b]\n: 1\n", false},
		{"bom", "\ufeffa: 1\n", true},
		{"text after a flow document", "[a]\nb: 1\n", false},
		{"two documents", "a: 1\n---\nb: 2\n", false},
		{"crlf", "a: 1\r\nb:\r\n  - x\r\n", true},
		{"tab in a quoted value", "a: \"x\ty\"\n", true},
		{"multi-line flow", "a: [1,\n  2,\n  3]\nb: {x: 1,\n  y: 2}\n", true},
	} {
		if got := checkFast(t, c.name, []byte(c.src)); got != c.fast {
			t.Errorf("%s: fast path kept it = %v, want %v", c.name, got, c.fast)
		}
	}
}

// TestYAMLFastRepository parses every YAML file of the repository (examples, golden cases,
// testdata) both ways; YAML_CORPUS adds directories (real projects) for a wider check.
func TestYAMLFastRepository(t *testing.T) {
	roots := []string{"../.."}
	if extra := os.Getenv("YAML_CORPUS"); extra != "" {
		roots = append(roots, filepath.SplitList(extra)...)
	}
	files, kept := 0, 0
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if n := d.Name(); n == ".git" || n == ".dataops" || n == "node_modules" || n == "target" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".yml") && !strings.HasSuffix(p, ".yaml") {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil || len(data) > 4<<20 {
				return nil
			}
			files++
			if checkFast(t, p, data) {
				kept++
			}
			return nil
		})
	}
	if files < 50 || kept*10 < files*9 {
		t.Errorf("the fast path kept %d of %d YAML files; it should keep nearly all", kept, files)
	}
	t.Logf("fast path kept %d of %d YAML files", kept, files)
}
