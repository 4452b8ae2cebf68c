package rules

import (
	"fmt"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"strings"
)

// Reference renders the rules reference (docs/rules.md) from the registry: code, name,
// groups, legacy aliases, fixability, options with defaults, and the package comment that
// says what each rule checks.
func Reference() string {
	var b strings.Builder
	b.WriteString("# Lint rules\n\n")
	b.WriteString("`dataops lint` implements SQLFluff's rules under today's codes and names. Every rule runs by\n")
	b.WriteString("default (SQLFluff's `rules = all`); a few switch themselves off for dialects where SQLFluff does\n")
	b.WriteString("so, unless `force_enable = True`. Select rules with `rules` / `exclude_rules` in the configuration\n")
	b.WriteString("or `--rules` / `--exclude-rules`, by code (`LT01`), name (`layout.spacing`), group (`core`,\n")
	b.WriteString("`layout`, ...), legacy code (`L001`) or glob (`LT0*`). Options go in `[sqlfluff:rules]` or\n")
	b.WriteString("`[sqlfluff:rules:<code or name>]`. Generated from the rule registry by `go test ./internal/lint/rules -update`.\n\n")
	b.WriteString("| code | name | groups | legacy | fix |\n|---|---|---|---|---|\n")
	for _, r := range All() {
		m := r.Meta()
		fix := ""
		if m.Fixable {
			fix = "yes"
		}
		b.WriteString(fmt.Sprintf("| %s | %s | %s | %s | %s |\n", m.Code, m.Name, strings.Join(append([]string{"all"}, m.Groups...), ", "), strings.Join(m.Aliases, ", "), fix))
	}
	docs := packageDocs()
	for _, r := range All() {
		m := r.Meta()
		b.WriteString(fmt.Sprintf("\n## %s `%s`\n\n%s\n", m.Code, m.Name, m.Description))
		if d := docs[m.Code]; d != "" {
			b.WriteString("\n" + d + "\n")
		}
		if len(m.Options) > 0 {
			b.WriteString("\n| option | default | meaning |\n|---|---|---|\n")
			for _, o := range m.Options {
				b.WriteString(fmt.Sprintf("| `%s` | `%s` | %s |\n", o.Name, o.Default, o.Doc))
			}
		}
	}
	return b.String()
}

// packageDocs reads each rule package's doc comment ("Package x implements CODE (name): ...").
func packageDocs() map[string]string {
	out := map[string]string{}
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return out
	}
	dirs, _ := filepath.Glob(filepath.Join(filepath.Dir(self), "*_*"))
	fset := token.NewFileSet()
	for _, dir := range dirs {
		pkgs, err := parser.ParseDir(fset, dir, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			continue
		}
		for _, p := range pkgs {
			for _, f := range p.Files {
				if f.Doc == nil {
					continue
				}
				text := strings.Join(strings.Fields(f.Doc.Text()), " ")
				i := strings.Index(text, "): ")
				if i < 0 {
					continue
				}
				code := strings.Fields(text)[3]
				s := text[i+3:]
				out[code] = strings.ToUpper(s[:1]) + s[1:]
			}
		}
	}
	return out
}
