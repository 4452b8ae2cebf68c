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

// table lists every rule in SQLFluff's order. SQLFluff's default selection is `rules = all`,
// so every rule runs unless configuration narrows it; the comment beside each says what its
// default amounts to (the `core` group membership, and the dialect gates SQLFluff applies,
// which the rule itself checks).
var table = []lint.Rule{
	lt01_spacing.Rule,               // on: core; spacing is the most common layout finding
	lt02_indent.Rule,                // on: core (indent characters and step size)
	lt03_operators.Rule,             // on: all; operator position follows [sqlfluff:layout:type:binary_operator]
	lt04_commas.Rule,                // on: all; comma position follows [sqlfluff:layout:type:comma]
	lt05_long_lines.Rule,            // on: core; max_line_length 80 by default
	lt06_functions.Rule,             // on: core
	lt07_cte_bracket.Rule,           // on: core
	lt08_cte_newline.Rule,           // on: core
	lt09_select_targets.Rule,        // on: all (not core: a style choice)
	lt10_select_modifiers.Rule,      // on: core
	lt11_set_operators.Rule,         // on: core
	lt12_end_of_file.Rule,           // on: core
	lt13_start_of_file.Rule,         // on: all
	cp01_keywords.Rule,              // on: core; consistent case by default
	cp02_identifiers.Rule,           // on: core; consistent case by default
	cp03_functions.Rule,             // on: core
	cp04_literals.Rule,              // on: core
	cp05_types.Rule,                 // on: core
	al01_table.Rule,                 // on: all; explicit AS by default
	al02_column.Rule,                // on: core; explicit AS by default
	al03_expression.Rule,            // on: core; a lone target may go unaliased (allow_scalar)
	al04_unique_table.Rule,          // on: core
	al05_unused.Rule,                // on: core
	al06_length.Rule,                // on, but inert until min_alias_length or max_alias_length is set
	al07_forbid.Rule,                // off unless force_enable = True, as SQLFluff ships it since 2.0
	al08_unique_column.Rule,         // on: core
	al09_self_alias.Rule,            // on: core
	am01_distinct.Rule,              // on: core
	am02_union.Rule,                 // on only for dialects where a bare UNION means DISTINCT (ansi, hive, mysql, redshift)
	am03_order_by.Rule,              // on: all
	am04_column_count.Rule,          // on: all
	am05_join.Rule,                  // on: all; only bare JOIN by default (fully_qualify_join_types = inner)
	am06_column_references.Rule,     // on: core; consistent by default
	am07_set_columns.Rule,           // on: all
	cv01_not_equal.Rule,             // on: all; consistent by default
	cv02_coalesce.Rule,              // on: all
	cv03_select_trailing_comma.Rule, // on: core; trailing commas forbidden by default
	cv04_count_rows.Rule,            // on: core; COUNT(*) preferred by default
	cv05_is_null.Rule,               // on: core
	cv06_terminator.Rule,            // on: all; a final semicolon is not required by default
	cv07_statement_brackets.Rule,    // on: all
	cv08_left_join.Rule,             // on: all
	cv09_blocked_words.Rule,         // on, but inert until blocked_words or blocked_regex is set
	cv10_quoted_literals.Rule,       // on only where both quote styles are strings (BigQuery, Hive, MySQL, Spark SQL)
	cv11_casting_style.Rule,         // on: all; consistent by default
	cv12_join_condition.Rule,        // on: all
	jj01_padding.Rule,               // on: core
	rf01_from.Rule,                  // on except for BigQuery, Hive, Redshift, SOQL and Spark SQL (struct access looks like a reference)
	rf02_qualification.Rule,         // on: all
	rf03_consistent.Rule,            // on except for BigQuery, Hive and Redshift (struct access)
	rf04_keywords.Rule,              // on: all; aliases only by default
	rf05_special_chars.Rule,         // on: all
	rf06_quoting.Rule,               // on except for Postgres and Snowflake, where quotes make a name case-sensitive
	st01_else_null.Rule,             // on: all
	st02_simple_case.Rule,           // on: all
	st03_unused_cte.Rule,            // on: core
	st04_nested_case.Rule,           // on: all
	st05_subquery.Rule,              // on: all; subqueries forbidden in JOIN only by default
	st06_column_order.Rule,          // on: all
	st07_using.Rule,                 // on: all
	st08_distinct.Rule,              // on: core
	st09_join_condition_order.Rule,  // on: all; earlier table first by default
}

// All returns every rule, in registry order.
func All() []lint.Rule {
	return append([]lint.Rule(nil), table...)
}
