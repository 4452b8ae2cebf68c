package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/lineage"
	"github.com/dataops-dev/dataops/internal/warehouse"
)

func init() { register(newColumnsCmd) }

func newColumnsCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var format, catalog string
	var describe bool
	cmd := &cobra.Command{
		Use:   "columns [MODEL...]",
		Short: "Infer the output columns, types and column lineage of models",
		Long: `Infers the output columns of every model (or of the models named) from their SQL: names,
data types where they can be known, the position of each select item, and the upstream columns
each one is computed from. Stars expand from what is known upstream: inferred columns, then
property-file columns, then dbt's catalog.json (target/catalog.json or --catalog), then seed
headers, then (with --describe) the warehouse of the profile's target. Models whose column list
cannot be fully resolved say why under "unresolved". Models switched off by configuration (an
enabled var that defaults to false, as packages write) are inferred too and marked off.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError("--format: want text or json, got %q", format)
			}
			p, res, err := inferColumns(env, &pf, catalog, describe, true, args)
			if err != nil {
				return err
			}
			ids, err := selectedIDs(p, res, args)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeColumnsJSON(env.Stdout, p, res, ids)
			}
			return writeColumnsText(env.Stdout, p, res, ids)
		},
	}
	pf.bind(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&catalog, "catalog", "", "dbt catalog.json to expand stars from (default: target/catalog.json when present)")
	cmd.Flags().BoolVar(&describe, "describe", false, "ask the profile's warehouse for relations whose columns are known nowhere else")
	return cmd
}

// inferColumns loads the project and infers the columns of the named models (all when none).
// off also infers the models switched off by configuration (columns.Options.Off).
func inferColumns(env *Env, pf *projectFlags, catalog string, describe, off bool, names []string) (*dbt.Project, *columns.Result, error) {
	p, err := pf.load(env, true)
	if err != nil {
		return nil, nil, err
	}
	opts := pf.columnsOptions(env, pf.Project, pf.Dialect)
	opts.Off = off
	if describe {
		wh, _, err := openWarehouse(env, pf, p)
		if err != nil {
			return nil, nil, err
		}
		defer wh.Close()
		opts.Describer = warehouseDescriber{wh}
	}
	if catalog == "" {
		catalog = projectFile(p.Root, "target/catalog.json")
	} else if _, err := os.Stat(catalog); err != nil {
		return nil, nil, usageError("--catalog: %v", err)
	}
	if catalog != "" {
		cat, err := columns.ReadCatalog(catalog)
		if err != nil {
			return nil, nil, usageError("%v", err)
		}
		opts.Catalog = cat
	}
	for _, n := range names {
		id, ok := resolveModel(p, n, off)
		if !ok {
			return nil, nil, usageError("unknown model %q", n)
		}
		opts.Models = append(opts.Models, id)
	}
	return p, columns.Infer(p, opts), nil
}

// resolveModel finds a node by id or name, and with off a root-project model switched off by
// configuration when no enabled node goes by that name.
func resolveModel(p *dbt.Project, name string, off bool) (string, bool) {
	if id, ok := lineage.Resolve(p, name); ok || !off {
		return id, ok
	}
	for _, n := range p.OffModels(rootPackageName(p)) {
		if n.UniqueID == name || n.Name == name {
			return n.UniqueID, true
		}
	}
	return "", false
}

// warehouseDescriber answers star expansion's last resort from the warehouse's catalog.
type warehouseDescriber struct{ wh warehouse.Warehouse }

func (d warehouseDescriber) DescribeRelation(ctx context.Context, database, schema, identifier string) ([]columns.CatalogColumn, bool, error) {
	kind, cols, err := d.wh.Describe(ctx, warehouse.Relation{Database: database, Schema: schema, Name: identifier})
	if err != nil || kind == "" {
		return nil, false, err
	}
	out := make([]columns.CatalogColumn, len(cols))
	for i, c := range cols {
		out[i] = columns.CatalogColumn{Name: c.Name, DataType: c.Type}
	}
	return out, true, nil
}

// selectedIDs are the nodes to print: the ones named, else every model, snapshot and seed.
func selectedIDs(p *dbt.Project, res *columns.Result, names []string) ([]string, error) {
	if len(names) > 0 {
		var ids []string
		for _, n := range names {
			id, ok := resolveModel(p, n, true)
			if !ok {
				return nil, usageError("unknown model %q", n)
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	var ids []string
	for _, id := range res.IDs() {
		if _, ok := p.Nodes[id]; ok || p.OffNode(id) != nil {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

type jsonColumn struct {
	Name     string              `json:"name"`
	DataType string              `json:"data_type"`
	Lineage  []columns.ColumnRef `json:"lineage"`
	Kind     columns.Kind        `json:"kind,omitempty"`
	Unnamed  bool                `json:"unnamed,omitempty"`
	Pos      *dbt.Pos            `json:"pos,omitempty"`
}

type jsonNode struct {
	ResourceType string       `json:"resource_type"`
	Origin       string       `json:"origin"`
	Columns      []jsonColumn `json:"columns"`
	Unresolved   []string     `json:"unresolved"`
	Notes        []string     `json:"notes,omitempty"`
	Off          bool         `json:"off,omitempty"` // switched off by configuration
}

func writeColumnsJSON(w io.Writer, p *dbt.Project, res *columns.Result, ids []string) error {
	out := struct {
		Dialect string               `json:"dialect"`
		Models  map[string]*jsonNode `json:"models"`
	}{Dialect: res.Dialect, Models: map[string]*jsonNode{}}
	for _, id := range ids {
		n := res.Node(id)
		if n == nil {
			continue
		}
		jn := &jsonNode{Origin: n.Origin, Columns: []jsonColumn{}, Unresolved: []string{}}
		if pn, ok := p.Nodes[id]; ok {
			jn.ResourceType = pn.ResourceType
		} else if on := p.OffNode(id); on != nil {
			jn.ResourceType, jn.Off = on.ResourceType, true
		} else {
			jn.ResourceType = dbt.SourceRT
		}
		for _, c := range n.Columns {
			jc := jsonColumn{Name: c.Name, DataType: c.DataType, Lineage: c.Lineage, Kind: c.Kind, Unnamed: c.Unnamed}
			if jc.Lineage == nil {
				jc.Lineage = []columns.ColumnRef{}
			}
			if c.Pos.Path != "" {
				pos := c.Pos
				jc.Pos = &pos
			}
			jn.Columns = append(jn.Columns, jc)
		}
		for _, u := range n.Unresolved {
			jn.Unresolved = append(jn.Unresolved, u.String())
		}
		for _, u := range n.Notes {
			jn.Notes = append(jn.Notes, u.String())
		}
		out.Models[id] = jn
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeColumnsText(w io.Writer, p *dbt.Project, res *columns.Result, ids []string) error {
	sort.Strings(ids)
	for i, id := range ids {
		n := res.Node(id)
		if n == nil {
			continue
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		where := ""
		if pn, ok := p.Nodes[id]; ok {
			where = pn.OriginalFilePath
		} else if on := p.OffNode(id); on != nil {
			where = on.OriginalFilePath + "  (switched off by configuration)"
		}
		fmt.Fprintf(w, "%s  %s\n", id, where)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		if len(n.Columns) > 0 {
			fmt.Fprintf(tw, "  line\tcolumn\ttype\tkind\tfrom\n")
		}
		for _, c := range n.Columns {
			var from []string
			for _, l := range c.Lineage {
				from = append(from, dbt.ShortID(l.Node)+"."+l.Column)
			}
			dt := c.DataType
			if dt == "" {
				dt = "?"
			}
			name := c.Name
			if c.Unnamed {
				name += " (unnamed)"
			}
			line := ""
			if c.Pos.Line > 0 {
				line = fmt.Sprintf("%d", c.Pos.Line)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", line, name, dt, c.Kind, strings.Join(from, ", "))
		}
		tw.Flush()
		for _, u := range n.Unresolved {
			fmt.Fprintf(w, "  unresolved: %s\n", u)
		}
		for _, u := range n.Notes {
			fmt.Fprintf(w, "  note: %s\n", u)
		}
	}
	return nil
}
