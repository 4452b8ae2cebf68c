package schema

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

func loader(ctx context.Context, dir string, roots []string) (*dbt.Project, error) {
	return dbt.Load(ctx, dbt.LoadOptions{Dir: dir, Adapter: "duckdb", Roots: roots})
}

func TestCheckEditsAcceptsGoodEdits(t *testing.T) {
	p := loadFixture(t, nil)
	ops := []Op{{Kind: OpAddColumn, File: "models/staging/_staging.yml", Model: "stg_b", Column: ColumnSpec{Name: "a_id"}}}
	edits, notes := Apply(p.Root, ops, FormsFor(Version{1, 8, 0}))
	if len(edits) != 1 || len(notes) != 0 {
		t.Fatalf("edits %v notes %v", edits, notes)
	}
	before, _ := os.ReadFile(filepath.Join(p.Root, "models/staging/_staging.yml"))
	for _, light := range []bool{false, true} {
		_, vnotes, err := checkEdits(context.Background(), p, edits, ops, loader, light)
		if err != nil || len(vnotes) != 0 {
			t.Fatalf("light=%v: valid edits reported: %v %+v", light, err, vnotes)
		}
	}
	after, _ := os.ReadFile(filepath.Join(p.Root, "models/staging/_staging.yml"))
	if string(before) != string(after) {
		t.Fatal("validation changed the project")
	}
	// An op of a file that was not written (its edits conflicted, and were reported) changed
	// nothing: the edits of the other files are checked without it.
	unwritten := append(ops, Op{Kind: OpAddColumn, File: "models/marts/_marts.yml", Model: "stg_a", Column: ColumnSpec{Name: "nope"}})
	if _, vnotes, err := checkEdits(context.Background(), p, edits, unwritten, loader, true); err != nil || len(vnotes) != 0 {
		t.Fatalf("an unwritten file's op blocked the others: %v %+v", err, vnotes)
	}
}

// A column whose description is a docs block of the project (copied from a documented
// column) validates in the light copy too, written with plain or escaped quotes; a docs
// block that exists nowhere is reported.
func TestCheckEditsFindsTheDocsBlocksTheEditsName(t *testing.T) {
	p := loadFixture(t, map[string]string{"models/docs/_docs.md": "{% docs a_key %}The key of a.{% enddocs %}\n"})
	old, _ := os.ReadFile(filepath.Join(p.Root, "models/staging/_staging.yml"))
	plan := func(block string) ([]Op, FileEdit) {
		ops := []Op{{Kind: OpAddColumn, File: "models/staging/_staging.yml", Model: "stg_b",
			Column: ColumnSpec{Name: "a_id", Description: `{{ doc("` + block + `") }}`}}}
		edits, _ := Apply(p.Root, ops, FormsFor(Version{1, 8, 0}))
		if len(edits) != 1 || !strings.Contains(string(edits[0].New), block) {
			t.Fatalf("edits %v", edits)
		}
		return ops, edits[0]
	}
	ops, good := plan("a_key")
	escaped := good
	escaped.New = []byte(strings.Replace(string(good.New), `'{{ doc("a_key") }}'`, `"{{ doc(\"a_key\") }}"`, 1))
	if string(escaped.New) == string(good.New) {
		t.Fatalf("no single-quoted doc() in:\n%s", good.New)
	}
	badOps, bad := plan("no_such_block")
	for _, light := range []bool{false, true} {
		for _, e := range []FileEdit{good, escaped} {
			e.Old = old
			_, notes, err := checkEdits(context.Background(), p, []FileEdit{e}, ops, loader, light)
			if err != nil || len(notes) != 0 {
				t.Errorf("light=%v: a docs block of the project: %v %+v", light, err, notes)
			}
		}
		_, notes, err := checkEdits(context.Background(), p, []FileEdit{bad}, badOps, loader, light)
		if err != nil || len(notes) == 0 || !strings.Contains(notes[0].Message, "no_such_block") {
			t.Errorf("light=%v: a docs block that exists nowhere: %v %+v", light, err, notes)
		}
	}
}

func TestCheckEditsCatchesBrokenEdits(t *testing.T) {
	p := loadFixture(t, nil)
	old, _ := os.ReadFile(filepath.Join(p.Root, "models/staging/_staging.yml"))
	cases := map[string]struct {
		content string
		ops     []Op
		want    string
	}{
		"yaml": {content: string(old) + "  - name: [\n", want: "does not load"},
		"entry without model": {
			content: string(old) + "  - name: stg_nothing\n",
			ops:     []Op{{Kind: OpAddModel, File: "models/staging/_staging.yml", Model: "stg_nothing"}},
			want:    "matches no model",
		},
		"column not written": {
			content: string(old),
			ops:     []Op{{Kind: OpAddColumn, File: "models/staging/_staging.yml", Model: "stg_b", Column: ColumnSpec{Name: "a_id"}}},
			want:    "column a_id is not in the edited entry",
		},
	}
	for key, c := range cases {
		for _, light := range []bool{false, true} {
			name := key
			if light {
				name += " (light)"
			}
			edits := []FileEdit{{Path: "models/staging/_staging.yml", Old: old, New: []byte(c.content)}}
			_, notes, err := checkEdits(context.Background(), p, edits, c.ops, loader, light)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var msgs []string
			for _, n := range notes {
				msgs = append(msgs, n.Path+": "+n.Message)
			}
			if !strings.Contains(strings.Join(msgs, "\n"), c.want) {
				t.Errorf("%s: notes %q, want %q", name, msgs, c.want)
			}
		}
	}
	// A second entry for a model documented in another file.
	dup := []Op{{Kind: OpAddModel, File: "models/marts/_marts.yml", Model: "stg_a"}}
	edits := []FileEdit{{Path: "models/marts/_marts.yml", New: []byte("version: 2\nmodels:\n  - name: stg_a\n")}}
	_, notes, err := checkEdits(context.Background(), p, edits, dup, loader, true)
	if err != nil || len(notes) == 0 || !strings.Contains(notes[0].Message, "already documented") {
		t.Errorf("duplicate entry: %v %+v", err, notes)
	}
}

func TestDbtParseReportsFailure(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "dbt")
	script := "#!/bin/sh\n" +
		"echo '12:00:01  Running with dbt=1.9.4'\n" +
		"echo \"12:00:02  Encountered an error:\" >&2\n" +
		"echo \"Parsing Error in $3/models/staging/_staging.yml, line 7: duplicate key 'name'\" >&2\n" +
		"exit 1\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	proj := t.TempDir()
	notes := DbtParse(context.Background(), fake, proj, "")
	if len(notes) != 1 {
		t.Fatalf("notes = %+v", notes)
	}
	n := notes[0]
	if n.Severity != "error" || n.Path != "models/staging/_staging.yml" || n.Line != 7 || !strings.Contains(n.Message, "duplicate key") {
		t.Errorf("note = %+v", n)
	}
	ok := filepath.Join(dir, "dbt-ok")
	if err := os.WriteFile(ok, []byte("#!/bin/sh\necho parsed\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if notes := DbtParse(context.Background(), ok, proj, ""); len(notes) != 0 {
		t.Errorf("a passing dbt gave notes: %+v", notes)
	}
	if notes := DbtParse(context.Background(), filepath.Join(dir, "missing"), proj, ""); len(notes) != 1 || notes[0].Severity != "warning" {
		t.Errorf("a missing dbt: %+v", notes)
	}
}
