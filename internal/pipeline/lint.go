package pipeline

import (
	"os"
	"path/filepath"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/lint/rules"
	"github.com/dataops-dev/dataops/internal/lint/templating"
	"github.com/dataops-dev/dataops/internal/review"
)

// changedLines maps each changed model's file (relative to the project) to the lines the
// change added or modified, from a diff of the base and head contents.
func changedLines(cs *change.ChangeSet) map[string]map[int]bool {
	out := map[string]map[int]bool{}
	for _, m := range cs.Models {
		if m.Change == change.Removed || m.Path == "" {
			continue
		}
		head, err := os.ReadFile(filepath.Join(cs.Head.Root, filepath.FromSlash(m.Path)))
		if err != nil {
			continue
		}
		var base []byte
		if m.Change != change.Added && cs.Base != nil {
			from := m.Path
			if m.FromPath != "" {
				from = m.FromPath
			}
			base, _ = os.ReadFile(filepath.Join(cs.Base.Root, filepath.FromSlash(from)))
		}
		out[m.Path] = review.ChangedLines(string(base), string(head))
	}
	return out
}

// lintChanged lints the changed models of the head and keeps violations on changed lines.
// What the settings files said that was read otherwise than written goes to warn.
func lintChanged(loader *lint.ConfigLoader, p *dbt.Project, cs *change.ChangeSet, changed map[string]map[int]bool, all bool, dialectFlag string, warn func(string, ...any), progress *dbt.Progress) []review.Finding {
	l := &lint.Linter{Rules: rules.All(), Dialect: dialectFlag, DefaultDialect: "ansi", Templater: templating.New()}
	if p.Adapter != "" {
		l.DefaultDialect = p.Adapter
	}
	l.Loader = loader
	defer func() {
		for _, n := range l.Loader.Notes() {
			warn("%s", n)
		}
	}()
	var files []lint.File
	var paths []string
	for _, m := range cs.Models {
		n := p.Nodes[m.UniqueID]
		if m.Change == change.Removed || n == nil || n.Language == "python" || m.Path == "" || len(changed[m.Path]) == 0 {
			continue
		}
		node, shown := n, m.Path
		files = append(files, lint.File{Path: shown, AbsPath: n.FilePath, Source: n.RawCode,
			Render: func(cfg *lint.Config) lint.Rendered {
				if p.Jinja == nil {
					return lint.RawTemplater{}.Render(shown, node.RawCode, cfg)
				}
				in := jinja.Input{Path: shown, Source: node.RawCode, Package: node.Package, Name: node.Name,
					ResourceType: node.ResourceType, Config: node.Config, Resolver: templating.Builtins{},
					This: templating.This, Incremental: true, Var: templating.Var(cfg)}
				return templating.Render(p.Jinja, in, nil)
			}})
		paths = append(paths, m.Path)
	}
	var out []review.Finding
	stage := progress.Stage("linting", len(files))
	l.Linted = func() { stage.Add(1) }
	results := l.LintFiles(files)
	stage.Done()
	for i, r := range results {
		lines := changed[paths[i]]
		for _, v := range r.Violations {
			if !all && !lines[v.Line] {
				continue
			}
			sev := review.SeverityWarning
			if v.Warning {
				sev = review.SeverityInfo
			}
			sug := ""
			if v.Fixable {
				sug = "dataops lint --fix " + paths[i]
			}
			out = append(out, review.Finding{Agent: review.AgentLint, Rule: v.Code, Severity: sev, Path: paths[i],
				Line: v.Line, Column: v.Col, Message: v.Description + " (" + v.Name + ")", Suggestion: sug})
		}
	}
	return out
}
