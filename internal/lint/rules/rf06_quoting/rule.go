// Package rf06_quoting implements RF06 (references.quoting): identifiers are quoted only when they must be (or always, with prefer_quoted_identifiers); a name must be quoted when it is a reserved word of the dialect (BigQuery's and SQL Server's documented lists, where they have one) or not a plain name. Off for Postgres and Snowflake, where quoting changes the name, unless force_enable is set.
package rf06_quoting

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

// Rule is RF06.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "RF06", Name: "references.quoting", Description: "Unnecessary quoted identifier.",
	Groups: []string{"references"}, Aliases: []string{"L059"}, Fixable: true, Layout: false,
	Options: []lint.Option{
		{Name: "prefer_quoted_identifiers", Default: "False", Doc: "require quotes instead"},
		{Name: "prefer_quoted_keywords", Default: "False", Doc: "quote keywords used as identifiers"},
		{Name: "ignore_words", Default: "None", Doc: "words to ignore"},
		{Name: "ignore_words_regex", Default: "None", Doc: "regular expression of words to ignore"},
		{Name: "force_enable", Default: "False", Doc: "run even for dialects where quotes make names case-sensitive"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	if (c.Dialect == "postgres" || c.Dialect == "snowflake") && !c.Opts.Bool("force_enable") {
		return
	}
	d := c.Doc
	preferQuoted := c.Opts.Bool("prefer_quoted_identifiers")
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Templated {
			continue
		}
		if preferQuoted {
			if t.Role == lint.RoleIdentifier && !lint.IgnoredWord(c.Opts, t.Text) {
				c.Report(i, "Missing quoted identifier "+t.Text+".")
			}
			continue
		}
		if t.Kind != token.QuotedIdent {
			continue
		}
		name, _ := d.NameOf(i)
		if lint.IgnoredWord(c.Opts, name) || !plainName(name) || lint.IsReserved(c.Dialect, name) {
			continue
		}
		c.Report(i, "Unnecessary quoted identifier "+t.Text+".", c.Replace(i, name))
	}
}

func plainName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
