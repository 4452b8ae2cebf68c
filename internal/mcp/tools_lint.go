package mcp

import (
	"context"
	"fmt"

	"github.com/dataops-dev/dataops/internal/yamledit"
)

type lintInput struct {
	Path    string `json:"path,omitempty" jsonschema:"a SQL file of the project, relative to it (models/staging/stg_orders.sql)"`
	SQL     string `json:"sql,omitempty" jsonschema:"SQL text to lint instead of a file (Jinja allowed)"`
	Fix     bool   `json:"fix,omitempty" jsonschema:"also return the fixed text and its diff (nothing is written)"`
	Dialect string `json:"dialect,omitempty" jsonschema:"SQL dialect (default: the project's adapter)"`
}

// LintAnswer is what lint answers: SQLFluff's rules, codes and positions.
type LintAnswer struct {
	Path       string          `json:"path"`
	Violations []LintViolation `json:"violations"`
	Fixed      string          `json:"fixed,omitempty" jsonschema:"the text with every safe fix applied"`
	Diff       string          `json:"diff,omitempty"`
	Problems   []string        `json:"problems,omitempty" jsonschema:"why the file could not be linted fully"`
	Note       string          `json:"note,omitempty"`
}

// LintViolation is one rule broken at a place.
type LintViolation struct {
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	EndLine     int    `json:"end_line,omitempty"`
	EndColumn   int    `json:"end_column,omitempty"`
	Code        string `json:"code" jsonschema:"SQLFluff rule code, e.g. LT01"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Warning     bool   `json:"warning,omitempty"`
	Fixable     bool   `json:"fixable,omitempty"`
}

func (s *Server) addLintTools() {
	addTool(s, tool{name: "lint", title: "Lint SQL", readOnly: true,
		description: "Lint a SQL file of the project or a SQL text with SQLFluff's rules and the project's configuration, with fixes."},
		s.lint)
}

func (s *Server) lintResult(ctx context.Context, in lintInput) (*LintAnswer, string, error) {
	if (in.Path == "") == (in.SQL == "") {
		return nil, "", fmt.Errorf("give either path or sql")
	}
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, "", err
	}
	res, err := s.eng.Lint(ctx, snap.p, LintRequest{Path: in.Path, SQL: in.SQL, Fix: in.Fix, Dialect: in.Dialect})
	if err != nil {
		return nil, "", err
	}
	out := &LintAnswer{Path: res.Path, Violations: []LintViolation{}, Problems: res.Problems}
	var ns notes
	for i, v := range res.Violations {
		if i == maxPage {
			ns.add("%d of %d violations shown.", maxPage, len(res.Violations))
			break
		}
		out.Violations = append(out.Violations, LintViolation{Line: v.Line, Column: v.Col, EndLine: v.EndLine, EndColumn: v.EndCol,
			Code: v.Code, Name: v.Name, Description: v.Description, Warning: v.Warning, Fixable: v.Fixable})
	}
	fixed := ""
	if in.Fix && res.Changed {
		fixed = res.Fixed
		out.Diff = ns.clipField(yamledit.Diff(res.Path, res.Source, res.Fixed), maxDiffChars, "the diff")
		out.Fixed = ns.clipField(res.Fixed, maxSQLChars, "fixed")
	}
	out.Note = ns.String()
	return out, fixed, nil
}

func (s *Server) lint(ctx context.Context, in lintInput) (*LintAnswer, error) {
	out, _, err := s.lintResult(ctx, in)
	return out, err
}
