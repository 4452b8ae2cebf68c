package rf03_consistent

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/lint/linttest"
)

func TestRule(t *testing.T) { linttest.Run(t, Rule) }

// An unqualified reference that is the first inconsistent one is reported twice, as SQLFluff
// does: once among the unqualified references, once as the inconsistency.
func TestUnqualifiedAfterQualifiedIsReportedTwice(t *testing.T) {
	l := &lint.Linter{Rules: []lint.Rule{Rule}, Loader: lint.NewConfigLoader(t.TempDir(), nil), DefaultDialect: "snowflake"}
	res := l.LintFile(lint.File{Path: "q.sql", AbsPath: filepath.Join(t.TempDir(), "q.sql"), Source: "select\n    t.a,\n    b\nfrom t\n"})
	var got []string
	for _, v := range res.Violations {
		got = append(got, v.Description)
	}
	want := "Unqualified reference 'b' found in single table select.|Unqualified reference 'b' found in single table select which is inconsistent with previous references."
	if strings.Join(got, "|") != want {
		t.Errorf("got %q", got)
	}
}

// A qualified reference written by Jinja sets the select's style like any other: the plain
// reference after it is inconsistent; the templated one is never reported itself.
func TestTemplatedReferenceSetsTheStyle(t *testing.T) {
	src := "select\n    {{ \"src.a\" }} as x,\n    b\nfrom src\n"
	lines, res := linttest.TemplatedLines(t, Rule, src)
	// Twice at line 3, as SQLFluff does: unqualified, and the first unlike those before it.
	if len(lines) != 2 || lines[0] != 3 || lines[1] != 3 {
		t.Errorf("RF03 on lines %v, want line 3 twice: %+v %v", lines, res.Violations, res.Problems)
	}
}
