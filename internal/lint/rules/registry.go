// Package rules holds the registry of every lint rule: one literal table, in SQLFluff's order,
// with the reason each rule is on or off by default. The rules themselves live one per
// package beside this file; this package only lists them.
package rules

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/lint/rules/al01_table"
	"github.com/dataops-dev/dataops/internal/lint/rules/al02_column"
	"github.com/dataops-dev/dataops/internal/lint/rules/al03_expression"
	"github.com/dataops-dev/dataops/internal/lint/rules/al04_unique_table"
	"github.com/dataops-dev/dataops/internal/lint/rules/al05_unused"
	"github.com/dataops-dev/dataops/internal/lint/rules/al06_length"
	"github.com/dataops-dev/dataops/internal/lint/rules/al07_forbid"
	"github.com/dataops-dev/dataops/internal/lint/rules/al08_unique_column"
	"github.com/dataops-dev/dataops/internal/lint/rules/al09_self_alias"
	"github.com/dataops-dev/dataops/internal/lint/rules/am01_distinct"
	"github.com/dataops-dev/dataops/internal/lint/rules/am02_union"
	"github.com/dataops-dev/dataops/internal/lint/rules/am03_order_by"
	"github.com/dataops-dev/dataops/internal/lint/rules/am04_column_count"
	"github.com/dataops-dev/dataops/internal/lint/rules/am05_join"
	"github.com/dataops-dev/dataops/internal/lint/rules/am06_column_references"
	"github.com/dataops-dev/dataops/internal/lint/rules/am07_set_columns"
	"github.com/dataops-dev/dataops/internal/lint/rules/cp01_keywords"
	"github.com/dataops-dev/dataops/internal/lint/rules/cp02_identifiers"
	"github.com/dataops-dev/dataops/internal/lint/rules/cp03_functions"
	"github.com/dataops-dev/dataops/internal/lint/rules/cp04_literals"
	"github.com/dataops-dev/dataops/internal/lint/rules/cp05_types"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv01_not_equal"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv02_coalesce"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv03_select_trailing_comma"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv04_count_rows"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv05_is_null"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv06_terminator"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv07_statement_brackets"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv08_left_join"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv09_blocked_words"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv10_quoted_literals"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv11_casting_style"
	"github.com/dataops-dev/dataops/internal/lint/rules/cv12_join_condition"
	"github.com/dataops-dev/dataops/internal/lint/rules/jj01_padding"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt01_spacing"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt02_indent"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt03_operators"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt04_commas"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt05_long_lines"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt06_functions"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt07_cte_bracket"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt08_cte_newline"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt09_select_targets"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt10_select_modifiers"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt11_set_operators"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt12_end_of_file"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt13_start_of_file"
	"github.com/dataops-dev/dataops/internal/lint/rules/rf01_from"
	"github.com/dataops-dev/dataops/internal/lint/rules/rf02_qualification"
	"github.com/dataops-dev/dataops/internal/lint/rules/rf03_consistent"
	"github.com/dataops-dev/dataops/internal/lint/rules/rf04_keywords"
	"github.com/dataops-dev/dataops/internal/lint/rules/rf05_special_chars"
	"github.com/dataops-dev/dataops/internal/lint/rules/rf06_quoting"
	"github.com/dataops-dev/dataops/internal/lint/rules/st01_else_null"
	"github.com/dataops-dev/dataops/internal/lint/rules/st02_simple_case"
	"github.com/dataops-dev/dataops/internal/lint/rules/st03_unused_cte"
	"github.com/dataops-dev/dataops/internal/lint/rules/st04_nested_case"
	"github.com/dataops-dev/dataops/internal/lint/rules/st05_subquery"
	"github.com/dataops-dev/dataops/internal/lint/rules/st06_column_order"
	"github.com/dataops-dev/dataops/internal/lint/rules/st07_using"
	"github.com/dataops-dev/dataops/internal/lint/rules/st08_distinct"
	"github.com/dataops-dev/dataops/internal/lint/rules/st09_join_condition_order"
)

// entry is one registered rule and why it runs (or not) when no selection is configured.
type entry struct {
	rule lint.Rule
	// on: SQLFluff's default selection is `rules = all`, so every rule runs unless it is one of
	// the few that SQLFluff gates behind force_enable or a dialect check (done in the rule).
	on bool
}

var table = []entry{
	{lt01_spacing.Rule, true},               // all: on by default, as in SQLFluff
	{lt02_indent.Rule, true},                // all: on by default, as in SQLFluff
	{lt03_operators.Rule, true},             // all: on by default, as in SQLFluff
	{lt04_commas.Rule, true},                // all: on by default, as in SQLFluff
	{lt05_long_lines.Rule, true},            // all: on by default, as in SQLFluff
	{lt06_functions.Rule, true},             // all: on by default, as in SQLFluff
	{lt07_cte_bracket.Rule, true},           // all: on by default, as in SQLFluff
	{lt08_cte_newline.Rule, true},           // all: on by default, as in SQLFluff
	{lt09_select_targets.Rule, true},        // all: on by default, as in SQLFluff
	{lt10_select_modifiers.Rule, true},      // all: on by default, as in SQLFluff
	{lt11_set_operators.Rule, true},         // all: on by default, as in SQLFluff
	{lt12_end_of_file.Rule, true},           // all: on by default, as in SQLFluff
	{lt13_start_of_file.Rule, true},         // all: on by default, as in SQLFluff
	{cp01_keywords.Rule, true},              // core: keyword case is the most common style finding
	{cp02_identifiers.Rule, true},           // core
	{cp03_functions.Rule, true},             // core
	{cp04_literals.Rule, true},              // core
	{cp05_types.Rule, true},                 // core
	{al01_table.Rule, true},                 // all: on by default, as in SQLFluff
	{al02_column.Rule, true},                // all: on by default, as in SQLFluff
	{al03_expression.Rule, true},            // all: on by default, as in SQLFluff
	{al04_unique_table.Rule, true},          // all: on by default, as in SQLFluff
	{al05_unused.Rule, true},                // all: on by default, as in SQLFluff
	{al06_length.Rule, true},                // all: on by default, as in SQLFluff
	{al07_forbid.Rule, true},                // all: on by default, as in SQLFluff
	{al08_unique_column.Rule, true},         // all: on by default, as in SQLFluff
	{al09_self_alias.Rule, true},            // all: on by default, as in SQLFluff
	{am01_distinct.Rule, true},              // all: on by default, as in SQLFluff
	{am02_union.Rule, true},                 // all: on by default, as in SQLFluff
	{am03_order_by.Rule, true},              // all: on by default, as in SQLFluff
	{am04_column_count.Rule, true},          // all: on by default, as in SQLFluff
	{am05_join.Rule, true},                  // all: on by default, as in SQLFluff
	{am06_column_references.Rule, true},     // all: on by default, as in SQLFluff
	{am07_set_columns.Rule, true},           // all: on by default, as in SQLFluff
	{cv01_not_equal.Rule, true},             // all: on by default, as in SQLFluff
	{cv02_coalesce.Rule, true},              // all: on by default, as in SQLFluff
	{cv03_select_trailing_comma.Rule, true}, // all: on by default, as in SQLFluff
	{cv04_count_rows.Rule, true},            // all: on by default, as in SQLFluff
	{cv05_is_null.Rule, true},               // all: on by default, as in SQLFluff
	{cv06_terminator.Rule, true},            // all: on by default, as in SQLFluff
	{cv07_statement_brackets.Rule, true},    // all: on by default, as in SQLFluff
	{cv08_left_join.Rule, true},             // all: on by default, as in SQLFluff
	{cv09_blocked_words.Rule, true},         // all: on by default, as in SQLFluff
	{cv10_quoted_literals.Rule, true},       // all: on by default, as in SQLFluff
	{cv11_casting_style.Rule, true},         // all: on by default, as in SQLFluff
	{cv12_join_condition.Rule, true},        // all: on by default, as in SQLFluff
	{jj01_padding.Rule, true},               // all: on by default, as in SQLFluff
	{rf01_from.Rule, true},                  // all: on by default, as in SQLFluff
	{rf02_qualification.Rule, true},         // all: on by default, as in SQLFluff
	{rf03_consistent.Rule, true},            // all: on by default, as in SQLFluff
	{rf04_keywords.Rule, true},              // all: on by default, as in SQLFluff
	{rf05_special_chars.Rule, true},         // all: on by default, as in SQLFluff
	{rf06_quoting.Rule, true},               // all: on by default, as in SQLFluff
	{st01_else_null.Rule, true},             // all: on by default, as in SQLFluff
	{st02_simple_case.Rule, true},           // all: on by default, as in SQLFluff
	{st03_unused_cte.Rule, true},            // all: on by default, as in SQLFluff
	{st04_nested_case.Rule, true},           // all: on by default, as in SQLFluff
	{st05_subquery.Rule, true},              // all: on by default, as in SQLFluff
	{st06_column_order.Rule, true},          // all: on by default, as in SQLFluff
	{st07_using.Rule, true},                 // all: on by default, as in SQLFluff
	{st08_distinct.Rule, true},              // all: on by default, as in SQLFluff
	{st09_join_condition_order.Rule, true},  // all: on by default, as in SQLFluff
}

// All returns every rule, in registry order.
func All() []lint.Rule {
	out := make([]lint.Rule, 0, len(table))
	for _, e := range table {
		out = append(out, e.rule)
	}
	return out
}
