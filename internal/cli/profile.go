package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

func init() { register(newProfileCmd) }

func newProfileCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var format string
	var sample, top int
	var columns []string
	cmd := &cobra.Command{
		Use:   "profile MODEL",
		Short: "Profile the columns of a built model, seed or source",
		Long: "profile reads a model's relation on the warehouse and reports, per column, the row count,\n" +
			"NULLs, distinct values, min and max and the most frequent values, and the candidate keys:\n" +
			"single columns and minimal combinations of 2 or 3 columns that are unique and never NULL.\n" +
			"MODEL is a model or seed name, a unique id, or source_name.table_name for a source.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError("--format must be text or json, not %q", format)
			}
			if sample < 0 || top < 0 {
				return usageError("--sample and --top take a positive number")
			}
			p, err := pf.load(env, false)
			if err != nil {
				return err
			}
			wh, target, err := openWarehouseFor(env, &pf, p, warehouse.BuildAccess(p.Root))
			if err != nil {
				return err
			}
			defer wh.Close()
			id, rel, ok := profileTarget(p, target, args[0])
			if !ok {
				return usageError("profile: no model, seed or source named %q in %s", args[0], p.Root)
			}
			prof, err := wh.Profile(env.Ctx, rel, warehouse.ProfileOptions{Sample: sample, TopN: top, Columns: columns})
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("profile %s: %w", id, err)}
			}
			if format == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					UniqueID string `json:"unique_id"`
					*warehouse.Profile
				}{id, prof})
			}
			writeProfile(env.Stdout, id, prof)
			return nil
		},
	}
	pf.bind(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().IntVar(&sample, "sample", 0, "profile a random sample of this many rows (0: every row)")
	cmd.Flags().IntVar(&top, "top", 5, "most frequent values to show per column")
	cmd.Flags().StringSliceVar(&columns, "columns", nil, "profile only these columns")
	return cmd
}

// profileTarget finds what to profile: a unique id, a model/seed/snapshot name, or a source.
func profileTarget(p *dbt.Project, t *warehouse.Target, arg string) (string, warehouse.Relation, bool) {
	if n := p.Nodes[arg]; n != nil {
		return n.UniqueID, runner.Relation(p, t, n), true
	}
	if s := p.Sources[arg]; s != nil {
		return s.UniqueID, runner.SourceRelation(p, t, s), true
	}
	var ids []string
	for id, n := range p.Nodes {
		switch n.ResourceType {
		case dbt.Model, dbt.Seed, dbt.Snapshot:
			if n.Name == arg {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) > 0 {
		sort.Slice(ids, func(i, j int) bool {
			// The root project's node wins over a package's.
			ri, rj := p.Nodes[ids[i]].Package == p.Name, p.Nodes[ids[j]].Package == p.Name
			if ri != rj {
				return ri
			}
			return ids[i] < ids[j]
		})
		n := p.Nodes[ids[0]]
		return n.UniqueID, runner.Relation(p, t, n), true
	}
	if src, table, ok := strings.Cut(arg, "."); ok {
		for _, s := range p.Sources {
			if s.SourceName == src && s.Name == table {
				return s.UniqueID, runner.SourceRelation(p, t, s), true
			}
		}
	}
	return "", warehouse.Relation{}, false
}

func writeProfile(w io.Writer, id string, p *warehouse.Profile) {
	sampled := ""
	if p.Sampled {
		sampled = " (sample)"
	}
	fmt.Fprintf(w, "%s  %s  %d rows%s\n\n", id, p.Relation.String(), p.Rows, sampled)
	rows := &warehouse.Rows{Columns: []string{"column", "type", "nulls", "distinct", "min", "max", "top values"}}
	for _, c := range p.Columns {
		var top []string
		for _, v := range c.Top {
			top = append(top, fmt.Sprintf("%v (%d)", v.Value, v.Count))
		}
		flag := ""
		if c.Unique {
			flag = " unique"
		}
		rows.Values = append(rows.Values, []any{c.Name, strings.ToLower(c.Type) + flag, c.Nulls, c.Distinct, c.Min, c.Max, strings.Join(top, ", ")})
	}
	writeSample(w, rows, "")
	fmt.Fprintln(w)
	if len(p.CandidateKeys) == 0 {
		fmt.Fprintln(w, "Candidate keys: none")
		return
	}
	var keys []string
	for _, k := range p.CandidateKeys {
		keys = append(keys, "("+strings.Join(k, ", ")+")")
	}
	fmt.Fprintf(w, "Candidate keys: %s\n", strings.Join(keys, ", "))
}
