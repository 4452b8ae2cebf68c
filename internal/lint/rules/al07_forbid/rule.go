// Package al07_forbid implements AL07 (aliasing.forbid): tables are referred to by name, not by alias (self-joins excepted). Off unless force_enable is set, as SQLFluff ships it since 2.0: most teams alias on purpose.
package al07_forbid

import (
	"github.com/dataops-dev/dataops/internal/lint"
)

// Rule is AL07.
var Rule lint.Rule = rule{}

type rule struct{}

var meta = &lint.Meta{
	Code: "AL07", Name: "aliasing.forbid", Description: "Avoid table aliases in from clauses and join conditions.",
	Groups: []string{"aliasing"}, Aliases: []string{"L031"}, Fixable: false, Layout: false,
	Options: []lint.Option{
		{Name: "force_enable", Default: "False", Doc: "turn the rule on (it is off by default)"},
	},
}

func (rule) Meta() *lint.Meta { return meta }

func (rule) Check(c *lint.Context) {
	if !c.Opts.Bool("force_enable") {
		return
	}
	d := c.Doc
	for _, s := range d.Selects {
		if len(s.Tables) == 0 {
			continue
		}
		base, ok := d.TableName(&s.Tables[0])
		if !ok || s.Tables[0].Sub >= 0 {
			continue
		}
		// Tables joined more than once under different aliases keep them (self-joins).
		count := map[string]int{}
		aliases := map[string]map[string]bool{}
		for i := range s.Tables {
			it := &s.Tables[i]
			name, ok := d.TableName(it)
			if !ok || it.Alias < 0 {
				continue
			}
			count[name]++
			if aliases[name] == nil {
				aliases[name] = map[string]bool{}
			}
			aliases[name][d.Toks[it.Alias].Text] = true
		}
		for i := range s.Tables {
			it := &s.Tables[i]
			name, ok := d.TableName(it)
			if !ok || it.Alias < 0 || it.Sub >= 0 {
				continue
			}
			if i > 0 && name == base {
				continue
			}
			if count[name] > 1 && len(aliases[name]) > 1 {
				continue
			}
			c.Report(it.Alias, "Avoid aliases in from clauses and join conditions.")
		}
	}
}
