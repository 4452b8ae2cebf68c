package columns

import (
	"github.com/dataops-dev/dataops/internal/sql/ast"
	sqldialect "github.com/dataops-dev/dataops/internal/sql/dialect"
	"github.com/dataops-dev/dataops/internal/sql/parser"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

type parseError struct {
	pos token.Pos
	msg string
}

// parseSQL parses a model's rendered SQL with the front end's dialect of the same name.
func parseSQL(src, name string) (*ast.File, []parseError) {
	d, _ := sqldialect.Lookup(name)
	f, errs := parser.ParseShared(src, d)
	var out []parseError
	for _, e := range errs {
		out = append(out, parseError{pos: e.Pos, msg: e.Msg})
	}
	return f, out
}
