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

// parseSQL parses a model's rendered SQL with the front end's dialect of the same name, or of
// the fallback's when that reads it with fewer errors ("" for none; see Infer).
func parseSQL(src, name, fallback string) (*ast.File, []parseError) {
	d, _ := sqldialect.Lookup(name)
	var fb *sqldialect.Dialect
	if fallback != "" {
		if f, ok := sqldialect.Lookup(fallback); ok {
			fb = &f
		}
	}
	f, errs := parser.ParseSharedOr(src, d, fb)
	var out []parseError
	for _, e := range errs {
		out = append(out, parseError{pos: e.Pos, msg: e.Msg})
	}
	return f, out
}
