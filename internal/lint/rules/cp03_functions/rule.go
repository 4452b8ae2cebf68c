// Package cp03_functions implements CP03 (capitalisation.functions): function names are
// capitalised consistently.
package cp03_functions

import "github.com/dataops-dev/dataops/internal/lint"

// Rule is CP03.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CP03", Name: "capitalisation.functions", Description: "Inconsistent capitalisation of function names.",
	Groups: []string{"core", "capitalisation"}, Aliases: []string{"L030"}, Fixable: true,
	Options: []lint.Option{
		{Name: "extended_capitalisation_policy", Default: "consistent", Doc: "consistent, upper, lower, pascal, capitalise, snake or camel"},
		{Name: "ignore_words", Default: "None", Doc: "comma-separated words to ignore"},
		{Name: "ignore_words_regex", Default: "None", Doc: "regular expression of words to ignore"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	lint.CheckCapitalisation(c, "Function names", c.Opts.Str("extended_capitalisation_policy"), lint.ExtendedCapPolicies, func(t *lint.Tok) bool {
		return t.Role == lint.RoleFunction || t.Role == lint.RoleBareFunction
	})
}
