// Package rules holds the registry of every lint rule: one literal table, in SQLFluff's order,
// with the reason each rule is on or off by default. The rules themselves live one per
// package beside this file; this package only lists them.
package rules

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/lint/rules/cp01_keywords"
	"github.com/dataops-dev/dataops/internal/lint/rules/cp02_identifiers"
	"github.com/dataops-dev/dataops/internal/lint/rules/cp03_functions"
	"github.com/dataops-dev/dataops/internal/lint/rules/cp04_literals"
	"github.com/dataops-dev/dataops/internal/lint/rules/cp05_types"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt01_spacing"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt05_long_lines"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt09_select_targets"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt12_end_of_file"
	"github.com/dataops-dev/dataops/internal/lint/rules/lt13_start_of_file"
)

// entry is one registered rule and why it runs (or not) when no selection is configured.
type entry struct {
	rule lint.Rule
	// on: SQLFluff's default selection is `rules = all`, so every rule runs unless it is one of
	// the few that SQLFluff gates behind force_enable or a dialect check (done in the rule).
	on bool
}

var table = []entry{
	{lt01_spacing.Rule, true},
	{lt05_long_lines.Rule, true},
	{lt09_select_targets.Rule, true},
	{lt12_end_of_file.Rule, true},
	{lt13_start_of_file.Rule, true},
	{cp01_keywords.Rule, true},    // core: keyword case is the most common style finding
	{cp02_identifiers.Rule, true}, // core
	{cp03_functions.Rule, true},   // core
	{cp04_literals.Rule, true},    // core
	{cp05_types.Rule, true},       // core
}

// All returns every rule, in registry order.
func All() []lint.Rule {
	out := make([]lint.Rule, 0, len(table))
	for _, e := range table {
		out = append(out, e.rule)
	}
	return out
}
