package mcp

import (
	"context"
	"fmt"
	"strings"

	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

const (
	defaultRows = 10
	maxRows     = 500
)

type showInput struct {
	SQL   string `json:"sql,omitempty" jsonschema:"one SELECT to run (Jinja allowed: refs and sources resolve to the project's relations)"`
	Model string `json:"model,omitempty" jsonschema:"run this model's compiled SQL instead"`
	Limit int    `json:"limit,omitempty" jsonschema:"rows to return (default 10, at most 500)"`
}

// ShowAnswer is what show answers.
type ShowAnswer struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	More    bool     `json:"more" jsonschema:"the query returns more rows than the limit"`
	SQL     string   `json:"sql" jsonschema:"the SQL that ran"`
	Note    string   `json:"note,omitempty"`
}

type runTestsInput struct {
	Select  []string `json:"select,omitempty" jsonschema:"dbt node selection of the tests to run, or of models whose tests run (default: every test)"`
	Exclude []string `json:"exclude,omitempty"`
}

// TestRunAnswer is what run_tests answers.
type TestRunAnswer struct {
	Results []runner.Result `json:"results" jsonschema:"one per test: pass, warn, fail or error, the failing count and a few failing rows"`
	Counts  map[string]int  `json:"counts"`
	Note    string          `json:"note,omitempty"`
}

func (s *Server) addDataTools() {
	addTool(s, tool{name: "show", title: "Query the embedded DuckDB", readOnly: true,
		description: "Run one read-only SELECT (or a model's compiled SQL) on the project's embedded DuckDB and return the first rows."},
		s.show)
	addTool(s, tool{name: "run_tests", title: "Run data tests", readOnly: true,
		description: "Run the project's data tests (or a selection) on the embedded DuckDB, read-only, with failing rows."},
		s.runTests)
}

func (s *Server) show(ctx context.Context, in showInput) (*ShowAnswer, error) {
	if (in.SQL == "") == (in.Model == "") {
		return nil, fmt.Errorf("give either sql or model")
	}
	limit := in.Limit
	if limit <= 0 {
		limit = defaultRows
	}
	limit = min(limit, maxRows)
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	var ns notes
	sql := in.SQL
	if in.Model != "" {
		id, err := resolve(snap.p, in.Model)
		if err != nil {
			return nil, err
		}
		n := snap.p.Nodes[id]
		if n == nil || n.CompiledCode == "" {
			return nil, fmt.Errorf("%s has no compiled SQL to run", id)
		}
		sql = n.CompiledCode
		if strings.Contains(sql, "__dbt__cte__") {
			ns.add("The model reads ephemeral models, which only run inside dbt's CTE injection: query its built relation %s instead.", n.RelationName)
		}
	} else if sql, err = compileInline(snap.p, sql); err != nil {
		return nil, err
	}
	rows, err := s.eng.Query(ctx, snap.p, sql, limit+1)
	if err != nil {
		return nil, err
	}
	out := &ShowAnswer{Columns: nonNilSlice(rows.Columns), Rows: [][]any{}, SQL: ns.clipField(sql, maxSQLChars, "sql")}
	values := rows.Values
	if len(values) > limit {
		values, out.More = values[:limit], true
	}
	clipped := false
	for _, r := range values {
		row := make([]any, len(r))
		for i, v := range r {
			if str, ok := v.(string); ok {
				if c, cut := clip(str, maxCellChars); cut {
					v, clipped = c+"…", true
				}
			}
			row[i] = v
		}
		out.Rows = append(out.Rows, row)
	}
	if clipped {
		ns.add("Values longer than %d bytes were cut.", maxCellChars)
	}
	out.Note = ns.String()
	return out, nil
}

func (s *Server) runTests(ctx context.Context, in runTestsInput) (*TestRunAnswer, error) {
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	results, err := s.eng.RunTests(ctx, snap.p, in.Select, in.Exclude)
	if err != nil {
		return nil, err
	}
	out := &TestRunAnswer{Results: []runner.Result{}, Counts: map[string]int{}}
	var ns notes
	for _, r := range results {
		out.Counts[r.Status]++
	}
	for i, r := range results {
		if i == maxPage {
			ns.add("%d of %d results shown; select fewer tests to see the rest.", maxPage, len(results))
			break
		}
		r.Message, _ = clip(r.Message, maxTextChars)
		if r.Sample != nil {
			r.Sample = clipRows(r.Sample)
		}
		out.Results = append(out.Results, r)
	}
	if len(results) == 0 {
		ns.add("The selection matched no test.")
	}
	out.Note = ns.String()
	return out, nil
}

func clipRows(r *warehouse.Rows) *warehouse.Rows {
	out := &warehouse.Rows{Columns: r.Columns}
	for _, row := range r.Values {
		c := make([]any, len(row))
		for i, v := range row {
			if str, ok := v.(string); ok {
				str, _ = clip(str, maxCellChars)
				v = str
			}
			c[i] = v
		}
		out.Values = append(out.Values, c)
	}
	return out
}
