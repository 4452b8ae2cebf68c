package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/testgen"
)

func init() { register(newTestsCmd) }

func newTestsCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var format, catalog string
	var noHistory bool
	var threshold float64
	cmd := &cobra.Command{
		Use:   "tests [MODEL...]",
		Short: "Propose the tests untested models and columns need, with evidence",
		Long: `Finds models and columns without tests and proposes not_null, unique, accepted_values,
relationships, composite keys and source freshness. Each suggestion carries a confidence and
the reasons behind it: the model's SQL (grain, CASE literals, filters, joins), names, what this
team already tests (learned from the project's property files and their git history).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "text", "json":
			default:
				return usageError("--format: want text or json, got %q", format)
			}
			p, inf, err := inferColumns(env, &pf, catalog, false, nil)
			if err != nil {
				return err
			}
			opts := testgen.Options{Threshold: threshold}
			if len(args) > 0 {
				ids, err := selectedIDs(p, inf, args)
				if err != nil {
					return err
				}
				opts.Models = map[string]bool{}
				for _, id := range ids {
					opts.Models[id] = true
				}
			}
			if !noHistory {
				opts.History = testgen.MineHistory(env.Ctx, p.Root, 400)
			}
			res := testgen.Suggest(p, inf, opts)
			if format == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			writeTestsText(env.Stdout, res)
			return nil
		},
	}
	pf.bind(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&catalog, "catalog", "", "dbt catalog.json to expand stars from")
	cmd.Flags().BoolVar(&noHistory, "no-history", false, "do not read the git history of property files")
	cmd.Flags().Float64Var(&threshold, "threshold", 0.5, "confidence at or above which a test is proposed")
	return cmd
}

func writeTestsText(w io.Writer, res *testgen.Result) {
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintf(tw, "MODEL\tCOLUMN\tTEST\tCONFIDENCE\tSTATUS\tWHY\n")
	for _, s := range res.Suggestions {
		why := ""
		if len(s.Reasons) > 0 {
			why = s.Reasons[0]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%s\t%s\n", s.Model, s.Column, s.Test, s.Confidence, s.Status, why)
	}
	tw.Flush()
	for _, f := range res.Freshness {
		fmt.Fprintf(w, "source %s.%s: freshness on %s (warn after %d %s, error after %d %s)\n", f.Source, f.Table, f.LoadedAtField,
			f.WarnAfter.Count, f.WarnAfter.Period, f.ErrorAfter.Count, f.ErrorAfter.Period)
	}
	fmt.Fprintf(w, "%d test(s) proposed; learned from %d tested model(s)%s\n", len(res.Suggestions), res.Learned.TestedModels,
		map[bool]string{true: " and the repository's history", false: ""}[res.Learned.HistoryAdded+res.Learned.HistoryRemoved > 0])
	_ = strings.TrimSpace
}
