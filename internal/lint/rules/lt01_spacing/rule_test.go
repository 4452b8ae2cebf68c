package lt01_spacing

import (
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/lint/linttest"
	"github.com/dataops-dev/dataops/internal/lint/templating"
)

func TestRule(t *testing.T) { linttest.Run(t, Rule) }

// A Jinja tag indented on its own line renders to whitespace before a newline; the line the
// user wrote does not end in whitespace, so only the real trailing space is reported.
func TestIndentedTagIsNotTrailingWhitespace(t *testing.T) {
	src := "select *\nfrom orders\n    {% if is_incremental() %}\n    where x > 1\n    {% endif %}\nwhere y = 1 \n"
	l := &lint.Linter{Rules: []lint.Rule{Rule}, Loader: lint.NewConfigLoader(t.TempDir(), nil), DefaultDialect: "ansi", Templater: templating.New()}
	res := l.LintFile(lint.File{Path: "m.sql", AbsPath: filepath.Join(t.TempDir(), "m.sql"), Source: src})
	var lines []int
	for _, v := range res.Violations {
		lines = append(lines, v.Line)
	}
	if len(lines) != 1 || lines[0] != 6 {
		t.Errorf("LT01 on lines %v, want only line 6: %+v %v", lines, res.Violations, res.Problems)
	}
}
