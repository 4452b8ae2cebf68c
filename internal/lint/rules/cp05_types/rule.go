// Package cp05_types implements CP05 (capitalisation.types): data type names are
// capitalised consistently.
package cp05_types

import "github.com/dataops-dev/dataops/internal/lint"

// Rule is CP05.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CP05", Name: "capitalisation.types", Description: "Inconsistent capitalisation of datatypes.",
	Groups: []string{"core", "capitalisation"}, Aliases: []string{"L063"}, Fixable: true,
	Options: []lint.Option{
		{Name: "extended_capitalisation_policy", Default: "consistent", Doc: "consistent, upper, lower, pascal, capitalise, snake or camel"},
		{Name: "ignore_words", Default: "None", Doc: "comma-separated words to ignore"},
		{Name: "ignore_words_regex", Default: "None", Doc: "regular expression of words to ignore"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	lint.CheckCapitalisation(c, "Datatypes", c.Opts.Str("extended_capitalisation_policy"), lint.ExtendedCapPolicies, func(t *lint.Tok) bool {
		return t.Role == lint.RoleType
	})
}
