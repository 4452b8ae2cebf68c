package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// Sampler reads a few distinct values of a column from the warehouse, read-only and bounded.
type Sampler interface {
	Sample(ctx context.Context, uniqueID, column string, limit int) ([]string, error)
}

// Searcher retrieves the team's knowledge (design docs, dictionaries, past descriptions).
type Searcher interface {
	Search(ctx context.Context, query, model, column string, limit int) ([]string, error)
}

// Facts are what the engine knows that agents may read: the head project, the inferred columns
// of the models in question and their upstream, the change, the lines it changed, and
// optionally the warehouse and the memory.
type Facts struct {
	Project *dbt.Project
	Columns map[string]*change.ModelColumns
	Change  *change.ChangeSet // nil outside a change
	// Changed holds, per file relative to the project, the lines the change added or modified.
	Changed    map[string]map[int]bool
	Sampler    Sampler  // nil: no warehouse
	Memory     Searcher // nil: no memory
	SampleRows int
}

// node finds a model, seed, snapshot or source by name or unique id.
func (f *Facts) node(name string) (id string, n *dbt.Node, src *dbt.Source) {
	if n, ok := f.Project.Nodes[name]; ok {
		return name, n, nil
	}
	if s, ok := f.Project.Sources[name]; ok {
		return name, nil, s
	}
	if n := f.Project.NodeByName(name); n != nil {
		return n.UniqueID, n, nil
	}
	for id, s := range f.Project.Sources {
		if strings.EqualFold(s.SourceName+"."+s.Name, name) {
			return id, nil, s
		}
	}
	return "", nil, nil
}

// Known reports whether a name written in an answer is a node, a source or a column the
// engine knows in this project.
func (f *Facts) Known(name string) bool {
	name = strings.ToLower(strings.Trim(name, "`\"'"))
	if id, _, _ := f.node(name); id != "" {
		return true
	}
	parts := strings.Split(name, ".")
	last := parts[len(parts)-1]
	for _, mc := range f.Columns {
		if mc.Find(last) != nil {
			return true
		}
	}
	for _, n := range f.Project.Nodes {
		if strings.EqualFold(n.Name, last) {
			return true
		}
		for _, c := range n.Columns {
			if strings.EqualFold(c.Name, last) {
				return true
			}
		}
	}
	for _, s := range f.Project.Sources {
		if strings.EqualFold(s.Name, last) || strings.EqualFold(s.SourceName, last) {
			return true
		}
		for _, c := range s.Columns {
			if strings.EqualFold(c.Name, last) {
				return true
			}
		}
	}
	return false
}

// numbered prefixes each line with its number, so answers can cite lines.
func numbered(src string, first int) string {
	var b strings.Builder
	for i, l := range strings.Split(strings.TrimRight(src, "\n"), "\n") {
		fmt.Fprintf(&b, "%4d| %s\n", first+i, l)
	}
	return b.String()
}

// columnFacts describes a model's columns as the engine inferred and documented them.
func (f *Facts) columnFacts(id string) string {
	var b strings.Builder
	documented := map[string]string{}
	if n := f.Project.Nodes[id]; n != nil {
		for _, c := range n.Columns {
			documented[strings.ToLower(c.Name)] = c.Description
		}
	}
	mc := f.Columns[id]
	if mc == nil {
		return "columns unknown"
	}
	for _, c := range mc.Columns {
		fmt.Fprintf(&b, "- %s", c.Name)
		if c.DataType != "" {
			fmt.Fprintf(&b, " (%s)", c.DataType)
		}
		if c.Expr != "" && !strings.EqualFold(c.Expr, c.Name) {
			fmt.Fprintf(&b, " = %s", clip(c.Expr, 300))
		}
		if d := documented[strings.ToLower(c.Name)]; d != "" {
			fmt.Fprintf(&b, " -- documented: %s", clip(d, 200))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// upstreamFacts describes where a column comes from, a few models up, with the descriptions
// documented there.
func (f *Facts) upstreamFacts(id, column string, depth int) []string {
	mc := f.Columns[id]
	c := mc.Find(column)
	if c == nil || depth > 3 {
		return nil
	}
	var out []string
	for _, u := range c.Lineage {
		line := fmt.Sprintf("%s.%s (%s)", shortID(u.Node), u.Column, c.Kind)
		if d := f.description(u.Node, u.Column); d != "" {
			line += ": " + clip(d, 200)
		}
		out = append(out, line)
		out = append(out, f.upstreamFacts(u.Node, u.Column, depth+1)...)
	}
	return out
}

func (f *Facts) description(id, column string) string {
	var cols []*dbt.Column
	if n, ok := f.Project.Nodes[id]; ok {
		cols = n.Columns
	} else if s, ok := f.Project.Sources[id]; ok {
		cols = s.Columns
	}
	for _, c := range cols {
		if strings.EqualFold(c.Name, column) {
			return strings.TrimSpace(c.Description)
		}
	}
	return ""
}

func shortID(id string) string { return dbt.ShortID(id) }

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Tools returns the engine functions by name; each agent gets only those it needs.
func (f *Facts) Tools(names ...string) []Tool {
	all := map[string]Tool{
		"model_sql": {Name: "model_sql", Description: "The SQL file of a model, with line numbers.",
			Parameters: objectSchema("model", "model name"),
			Run: func(_ context.Context, raw json.RawMessage) (string, error) {
				var a struct{ Model string }
				json.Unmarshal(raw, &a)
				_, n, _ := f.node(a.Model)
				if n == nil {
					return "", fmt.Errorf("no model named %q", a.Model)
				}
				return Quote("sql", numbered(n.RawCode, n.Source().Position(0).Line)), nil
			}},
		"model_columns": {Name: "model_columns", Description: "A model's output columns: type, expression and documented description.",
			Parameters: objectSchema("model", "model name"),
			Run: func(_ context.Context, raw json.RawMessage) (string, error) {
				var a struct{ Model string }
				json.Unmarshal(raw, &a)
				id, _, _ := f.node(a.Model)
				if id == "" {
					return "", fmt.Errorf("no model named %q", a.Model)
				}
				return Quote("columns", f.columnFacts(id)), nil
			}},
		"column_lineage": {Name: "column_lineage", Description: "Where a column comes from (direction up) or which columns read it (down).",
			Parameters: objectSchema("model", "model name", "column", "column name", "direction", "up or down"),
			Run: func(_ context.Context, raw json.RawMessage) (string, error) {
				var a struct{ Model, Column, Direction string }
				json.Unmarshal(raw, &a)
				id, _, _ := f.node(a.Model)
				if id == "" {
					return "", fmt.Errorf("no model named %q", a.Model)
				}
				var lines []string
				if a.Direction == "down" {
					for other, mc := range f.Columns {
						for _, c := range mc.Columns {
							for _, u := range c.Lineage {
								if u.Node == id && strings.EqualFold(u.Column, a.Column) {
									lines = append(lines, shortID(other)+"."+c.Name+" ("+c.Kind+")")
								}
							}
						}
					}
					sort.Strings(lines)
				} else {
					lines = f.upstreamFacts(id, a.Column, 0)
				}
				if len(lines) == 0 {
					return "no lineage known", nil
				}
				return Quote("lineage", strings.Join(lines, "\n")), nil
			}},
		"change_set": {Name: "change_set", Description: "What the change did: models added, removed, renamed or modified and their column changes.",
			Parameters: objectSchema(),
			Run: func(context.Context, json.RawMessage) (string, error) {
				return Quote("change", f.changeSummary()), nil
			}},
		"sample_column": {Name: "sample_column", Description: "A few distinct values of a column, read from the warehouse (read-only, bounded).",
			Parameters: objectSchema("model", "model name", "column", "column name"),
			Run: func(ctx context.Context, raw json.RawMessage) (string, error) {
				var a struct{ Model, Column string }
				json.Unmarshal(raw, &a)
				if f.Sampler == nil {
					return "", fmt.Errorf("no warehouse is available in this run")
				}
				id, _, _ := f.node(a.Model)
				if id == "" {
					return "", fmt.Errorf("no model named %q", a.Model)
				}
				vals, err := f.Sampler.Sample(ctx, id, a.Column, max(f.SampleRows, 1))
				if err != nil {
					return "", err
				}
				return Quote("sample", strings.Join(vals, "\n")), nil
			}},
		"search_memory": {Name: "search_memory", Description: "Search the team's design docs, dictionaries and past descriptions.",
			Parameters: objectSchema("query", "what to look for"),
			Run: func(ctx context.Context, raw json.RawMessage) (string, error) {
				var a struct{ Query string }
				json.Unmarshal(raw, &a)
				if f.Memory == nil {
					return "", fmt.Errorf("no memory is available in this run")
				}
				hits, err := f.Memory.Search(ctx, a.Query, "", "", 5)
				if err != nil {
					return "", err
				}
				return Quote("memory", strings.Join(hits, "\n---\n")), nil
			}},
	}
	var out []Tool
	for _, n := range names {
		if t, ok := all[n]; ok {
			out = append(out, t)
		}
	}
	return out
}

// changeSummary lists the changed models and columns, one line each.
func (f *Facts) changeSummary() string {
	if f.Change == nil {
		return "no change set (the whole project is being synchronised)"
	}
	var b strings.Builder
	for _, m := range f.Change.Models {
		fmt.Fprintf(&b, "%s %s (%s)", m.Change, shortID(m.UniqueID), m.Path)
		if len(m.Impact) > 0 {
			fmt.Fprintf(&b, ", %d downstream", len(m.Impact))
		}
		b.WriteByte('\n')
		for _, c := range m.Columns {
			fmt.Fprintf(&b, "  column %s %s", c.Name, c.Change)
			if c.From != "" || c.To != "" {
				fmt.Fprintf(&b, " (%s -> %s)", c.From, c.To)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// objectSchema is a tool's parameters: string properties given as name, description pairs,
// all required.
func objectSchema(pairs ...string) json.RawMessage {
	props := map[string]any{}
	req := []string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		props[pairs[i]] = map[string]any{"type": "string", "description": pairs[i+1]}
		req = append(req, pairs[i])
	}
	b, _ := json.Marshal(map[string]any{"type": "object", "properties": props, "required": req, "additionalProperties": false})
	return b
}
