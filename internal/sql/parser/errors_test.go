package parser

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/sql/lexer"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

var errorMarker = regexp.MustCompile(`^/\* ERROR "(.*)" \*/$`)

// TestErrorFiles checks testdata/errors/<name>_<dialect>.sql: every error the parser reports
// must sit on the token right before an /* ERROR "regexp" */ comment and match it, and every
// such comment must be matched by an error. Unmarked lines must parse without error.
func TestErrorFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.sql")
	if len(files) == 0 {
		t.Fatal("no testdata/errors/*.sql")
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		name := strings.TrimSuffix(filepath.Base(path), ".sql")
		d := lookup(t, name[strings.LastIndexByte(name, '_')+1:])
		want := map[token.Pos]*regexp.Regexp{}
		prev := token.Pos(-1)
		for _, tk := range lexer.Lex(src, d) {
			if tk.Kind == token.BlockComment {
				if m := errorMarker.FindStringSubmatch(tk.Text); m != nil {
					want[prev] = regexp.MustCompile(m[1])
				}
				continue
			}
			if !tk.Kind.Trivia() {
				prev = tk.Pos
			}
		}
		f := token.NewFile(path, src)
		_, errs := Parse(src, d)
		for _, e := range errs {
			re, ok := want[e.Pos]
			if !ok {
				p := f.Position(e.Pos)
				t.Errorf("%s:%d:%d: unexpected error: %s", path, p.Line, p.Column, e.Msg)
				continue
			}
			if !re.MatchString(e.Msg) {
				t.Errorf("%s: error %q does not match %q", path, e.Error(), re)
			}
			delete(want, e.Pos)
		}
		for pos, re := range want {
			p := f.Position(pos)
			t.Errorf("%s:%d:%d: missing error %q", path, p.Line, p.Column, re)
		}
	}
}
