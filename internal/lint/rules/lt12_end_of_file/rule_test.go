package lt12_end_of_file

import (
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/lint/linttest"
)

func TestRule(t *testing.T) { linttest.Run(t, Rule) }

// A file ending in a comment without a newline is reported at the comment's start, as SQLFluff
// anchors it; one ending in code at its end.
func TestEndingCommentPosition(t *testing.T) {
	for src, want := range map[string][2]int{
		"select a\nfrom t":               {2, 7},
		"select a\nfrom t\n--order by 1": {3, 1},
		"select a\nfrom t /* x */":       {2, 8},
	} {
		l := &lint.Linter{Rules: []lint.Rule{Rule}, Loader: lint.NewConfigLoader(t.TempDir(), nil), DefaultDialect: "ansi"}
		res := l.LintFile(lint.File{Path: "m.sql", AbsPath: filepath.Join(t.TempDir(), "m.sql"), Source: src})
		if len(res.Violations) != 1 || res.Violations[0].Line != want[0] || res.Violations[0].Col != want[1] {
			t.Errorf("%q: %+v, want line %d column %d", src, res.Violations, want[0], want[1])
		}
	}
}
