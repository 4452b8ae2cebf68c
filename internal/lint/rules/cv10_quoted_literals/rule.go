// Package cv10_quoted_literals implements CV10 (convention.quoted_literals): string literals use one quote style, where the dialect accepts both ('...' and \"...\"). Only for BigQuery, Hive, MySQL and Spark SQL unless force_enable is set.
package cv10_quoted_literals

import (
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/sql/token"
	"strings"
)

// Rule is CV10.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "CV10", Name: "convention.quoted_literals", Description: "Consistent usage of preferred quotes for quoted literals.",
	Groups: []string{"convention"}, Aliases: []string{"L064"}, Fixable: true, Layout: false,
	Options: []lint.Option{
		{Name: "preferred_quoted_literal_style", Default: "consistent", Doc: "consistent, single_quotes or double_quotes"},
		{Name: "force_enable", Default: "False", Doc: "run for dialects where double quotes are identifiers"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	switch c.Dialect {
	case "bigquery", "hive", "mysql", "sparksql", "databricks":
	default:
		if !c.Opts.Bool("force_enable") {
			return
		}
	}
	d := c.Doc
	style := c.Opts.Str("preferred_quoted_literal_style")
	for i := range d.Toks {
		t := &d.Toks[i]
		if t.Kind != token.String || t.Templated {
			continue
		}
		body := strings.TrimLeft(t.Text, "rRbB")
		if len(body) < 2 || (body[0] != '\'' && body[0] != '"') {
			continue
		}
		got := "single_quotes"
		if body[0] == '"' {
			got = "double_quotes"
		}
		if style == "consistent" {
			style = got
			continue
		}
		if got != style {
			want := "'"
			if style == "double_quotes" {
				want = "\""
			}
			inner := body[1 : len(body)-1]
			if strings.Contains(inner, want) {
				continue // changing quotes would need escaping
			}
			c.Report(i, "Inconsistent use of preferred quote style '"+style+"'. Use "+want+"...+"+want+" instead of "+body[:1]+"..."+body[:1]+".", c.Replace(i, t.Text[:len(t.Text)-len(body)]+want+inner+want))
		}
	}
}
