package am04_column_count

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/lint/linttest"
)

func TestRule(t *testing.T) { linttest.Run(t, Rule) }

// The usual dbt model selects * from a CTE that selects * from a ref: the select SQLFluff
// anchors the finding on holds Jinja, so neither reports it; a star over a table written in
// the model's own text is still reported, and a CTE of another statement is no CTE here.
func TestStarOverRefIsTemplated(t *testing.T) {
	src := "with src as (\n    select * from {{ ref('orders') }}\n),\n\nraw as (\n    select * from raw_orders\n)\n\nselect * from src;\n\nselect * from raw\n"
	lines, res := linttest.TemplatedLines(t, Rule, src)
	if len(lines) != 1 || lines[0] != 11 {
		t.Errorf("AM04 on lines %v, want only line 11: %+v %v", lines, res.Violations, res.Problems)
	}
}
