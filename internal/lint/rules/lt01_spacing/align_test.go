package lt01_spacing

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/lint"
)

// With aliases aligned by configuration, the aligned ones are silent and a misaligned one is
// reported where it stands (SQLFluff 1.4.5 reports a.sql:4:6 and b.sql:2:6, nothing in c.sql);
// the fix pads it to the column.
func TestAliasesAligned(t *testing.T) {
	dir := t.TempDir()
	cfg := "[sqlfluff]\ndialect = ansi\n\n[sqlfluff:layout:type:alias_expression]\nspacing_before = align\nalign_within = select_clause\nalign_scope = bracketed\n"
	if err := os.WriteFile(filepath.Join(dir, ".sqlfluff"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		src   string
		lines []int
		fixed string
	}{
		{"select\n    a          as x,\n    bbbbbbbbbb as y,\n    c as z\nfrom t\n", []int{4},
			"select\n    a          as x,\n    bbbbbbbbbb as y,\n    c          as z\nfrom t\n"},
		{"select\n    a as x,\n    bb as y\nfrom t\n", []int{2}, "select\n    a  as x,\n    bb as y\nfrom t\n"},
		{"select\n    a  as x,\n    bb as y\nfrom t\n", nil, ""},
	} {
		for _, fix := range []bool{false, true} {
			l := &lint.Linter{Rules: []lint.Rule{Rule}, Loader: lint.NewConfigLoader(dir, nil), Fix: fix, DefaultDialect: "ansi"}
			res := l.LintFile(lint.File{Path: "m.sql", AbsPath: filepath.Join(dir, "m.sql"), Source: c.src})
			if fix {
				if c.fixed != "" && res.Fixed != c.fixed {
					t.Errorf("%q fixed to %q, want %q", c.src, res.Fixed, c.fixed)
				}
				continue
			}
			var got []int
			for _, v := range res.Violations {
				got = append(got, v.Line)
			}
			if len(got) != len(c.lines) || len(got) > 0 && got[0] != c.lines[0] {
				t.Errorf("%q: lines %v, want %v (%+v)", c.src, got, c.lines, res.Violations)
			}
		}
	}
}
