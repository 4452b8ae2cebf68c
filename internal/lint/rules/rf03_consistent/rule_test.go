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
