package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/lineage"
)

func init() { register(newLineageCmd) }

func newLineageCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var format, catalog string
	var up, down bool
	var depth int
	cmd := &cobra.Command{
		Use:   "lineage MODEL[.COLUMN]",
		Short: "Show what a model or column comes from and what depends on it",
		Long: `Walks the dbt graph from a model (node-level) or from one of its columns (column-level,
from the inferred column lineage). Without --upstream or --downstream both directions are shown.
MODEL is a model, seed or snapshot name, a unique id, or source_name.table_name.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "text", "json", "mermaid":
			default:
				return usageError("--format: want text, json or mermaid, got %q", format)
			}
			if !up && !down {
				up, down = true, true
			}
			p, err := pf.load(env, true)
			if err != nil {
				return err
			}
			id, column, err := splitTarget(p, args[0])
			if err != nil {
				return err
			}
			rep := lineageReport{Node: id, Column: column}
			var dirs []lineage.Direction
			if up {
				dirs = append(dirs, lineage.Upstream)
			}
			if down {
				dirs = append(dirs, lineage.Downstream)
			}
			if column == "" {
				for _, d := range dirs {
					steps, edges := lineage.Subgraph(p, id, d, depth)
					if steps == nil {
						steps = []lineage.Step{}
					}
					if d == lineage.Upstream {
						rep.Upstream = steps
					} else {
						rep.Downstream = steps
					}
					rep.Edges = append(rep.Edges, edges...)
				}
			} else {
				opts := pf.columnsOptions(env, pf.Project, pf.Dialect)
				if catalog != "" {
					cat, err := columns.ReadCatalog(catalog)
					if err != nil {
						return usageError("%v", err)
					}
					opts.Catalog = cat
				}
				res := columns.Infer(p, opts)
				n := res.Node(id)
				ix := lineage.NewIndex(res)
				name := column
				if c := n.Column(column); c != nil {
					name = c.Name
				} else if down, _ := ix.DownstreamGraph(id, column, 1); len(down) == 0 {
					// A column its property file does not declare is still one when a model
					// reads it (see docs/columns.md).
					return usageError("%s has no column %q (known: %s)", id, column, columnList(n))
				}
				rep.Column = name
				for _, d := range dirs {
					var edges []lineage.ColumnEdge
					if d == lineage.Upstream {
						var steps []lineage.ColumnStep
						steps, edges = ix.UpstreamGraph(id, name, depth)
						rep.UpstreamColumns = nonNil(steps)
					} else {
						var steps []lineage.ColumnStep
						steps, edges = ix.DownstreamGraph(id, name, depth)
						rep.DownstreamColumns = nonNil(steps)
					}
					for _, e := range edges {
						rep.Edges = append(rep.Edges, lineage.Edge{From: e.From.String(), To: e.To.String()})
					}
				}
			}
			switch format {
			case "json":
				if rep.Edges == nil {
					rep.Edges = []lineage.Edge{}
				}
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			case "mermaid":
				writeMermaid(env.Stdout, rep)
				return nil
			}
			writeLineageText(env.Stdout, rep)
			return nil
		},
	}
	pf.bind(cmd)
	cmd.Flags().BoolVar(&up, "upstream", false, "show what the model or column comes from")
	cmd.Flags().BoolVar(&down, "downstream", false, "show what depends on the model or column")
	cmd.Flags().IntVar(&depth, "depth", 0, "stop after N levels (0: no limit)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or mermaid")
	cmd.Flags().StringVar(&catalog, "catalog", "", "dbt catalog.json to expand stars from")
	// push sends this lineage to OpenMetadata (lineage_push.go).
	cmd.AddCommand(newLineagePushCmd(env))
	return cmd
}

type lineageReport struct {
	Node              string               `json:"node"`
	Column            string               `json:"column,omitempty"`
	Upstream          []lineage.Step       `json:"upstream,omitempty"`
	Downstream        []lineage.Step       `json:"downstream,omitempty"`
	UpstreamColumns   []lineage.ColumnStep `json:"upstream_columns,omitempty"`
	DownstreamColumns []lineage.ColumnStep `json:"downstream_columns,omitempty"`
	Edges             []lineage.Edge       `json:"edges"`
}

func nonNil(s []lineage.ColumnStep) []lineage.ColumnStep {
	if s == nil {
		return []lineage.ColumnStep{}
	}
	return s
}

// splitTarget reads MODEL or MODEL.COLUMN: a whole argument naming a node wins (sources are
// written source.table), else the part after the last dot is the column.
func splitTarget(p *dbt.Project, arg string) (id, column string, err error) {
	if id, ok := lineage.Resolve(p, arg); ok {
		return id, "", nil
	}
	if i := strings.LastIndexByte(arg, '.'); i > 0 {
		if id, ok := lineage.Resolve(p, arg[:i]); ok {
			return id, arg[i+1:], nil
		}
	}
	return "", "", usageError("unknown model %q", arg)
}

func columnList(n *columns.Node) string {
	if n == nil || len(n.Columns) == 0 {
		return "none"
	}
	var names []string
	for _, c := range n.Columns {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

func writeLineageText(w io.Writer, r lineageReport) {
	title := r.Node
	if r.Column != "" {
		title += " column " + r.Column
	}
	fmt.Fprintln(w, title)
	section := func(name string, steps []lineage.Step) {
		if steps == nil {
			return
		}
		fmt.Fprintf(w, "%s (%d):\n", name, len(steps))
		for _, s := range steps {
			fmt.Fprintf(w, "  %s%s\n", strings.Repeat("  ", s.Depth-1), s.ID)
		}
	}
	colSection := func(name string, steps []lineage.ColumnStep) {
		if steps == nil {
			return
		}
		fmt.Fprintf(w, "%s (%d):\n", name, len(steps))
		for _, s := range steps {
			kind := ""
			if s.Kind != "" {
				kind = "  [" + string(s.Kind) + "]"
			}
			fmt.Fprintf(w, "  %s%s.%s%s\n", strings.Repeat("  ", s.Depth-1), s.Node, s.Column, kind)
		}
	}
	section("upstream", r.Upstream)
	section("downstream", r.Downstream)
	colSection("upstream", r.UpstreamColumns)
	colSection("downstream", r.DownstreamColumns)
}

// writeMermaid writes the walked edges as a Mermaid flowchart, left to right.
func writeMermaid(w io.Writer, r lineageReport) {
	fmt.Fprintln(w, "graph LR")
	ids := map[string]string{}
	var order []string
	idOf := func(label string) string {
		if id, ok := ids[label]; ok {
			return id
		}
		id := fmt.Sprintf("n%d", len(ids))
		ids[label] = id
		order = append(order, label)
		return id
	}
	start := r.Node
	if r.Column != "" {
		start += "." + r.Column
	}
	idOf(start)
	edges := append([]lineage.Edge(nil), r.Edges...)
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].From != edges[j].From {
			return edges[i].From < edges[j].From
		}
		return edges[i].To < edges[j].To
	})
	for _, e := range edges {
		idOf(e.From)
		idOf(e.To)
	}
	for _, label := range order {
		fmt.Fprintf(w, "  %s[\"%s\"]\n", ids[label], strings.ReplaceAll(label, `"`, "#quot;"))
	}
	for _, e := range edges {
		fmt.Fprintf(w, "  %s --> %s\n", ids[e.From], ids[e.To])
	}
	fmt.Fprintf(w, "  style %s stroke-width:3px\n", ids[start])
}
