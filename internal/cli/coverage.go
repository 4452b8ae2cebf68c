package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/testgen"
)

func init() { register(newCoverageCmd) }

func newCoverageCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var cf changeFlags
	var format string
	var failUnder float64
	cmd := &cobra.Command{
		Use:   "coverage",
		Short: "Documentation and test coverage per model and column, with the change's delta",
		Long: `Lists, for every model, which columns are documented and which are tested (columns come
from the property files and from the models' SQL). With --base, the delta against the base: the
change in percentages and every new column left untested or undocumented. --fail-under N exits 1
when fewer than N percent of columns are tested.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "text", "json", "markdown":
			default:
				return usageError("--format: want text, json or markdown, got %q", format)
			}
			var cov *testgen.Coverage
			if cf.set() {
				cs, err := detectChange(env, &pf, &cf)
				if err != nil {
					return err
				}
				defer cs.Close()
				warnChange(env, cs)
				opts := pf.columnsOptions(env, pf.Project, pf.Dialect)
				cov = testgen.Measure(cs.Head, columns.Infer(cs.Head, opts))
				cov.Compare(testgen.Measure(cs.Base, columns.Infer(cs.Base, opts)))
			} else {
				p, inf, err := inferColumns(env, &pf, "", false, false, nil)
				if err != nil {
					return err
				}
				cov = testgen.Measure(p, inf)
			}
			switch format {
			case "json":
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(cov); err != nil {
					return err
				}
			case "markdown":
				writeCoverageMarkdown(env.Stdout, cov)
			default:
				writeCoverageText(env.Stdout, cov)
			}
			if failUnder > 0 && cov.Totals.ColumnsTestedPct < failUnder {
				fmt.Fprintf(env.Stderr, "dataops: %.1f%% of columns are tested, under --fail-under %.1f\n", cov.Totals.ColumnsTestedPct, failUnder)
				return silentExit(ExitFindings)
			}
			return nil
		},
	}
	pf.bind(cmd)
	cf.bind(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or markdown")
	cmd.Flags().Float64Var(&failUnder, "fail-under", 0, "exit 1 when the share of tested columns (percent) is under this")
	return cmd
}

func writeCoverageText(w io.Writer, cov *testgen.Coverage) {
	unknown := 0
	for _, m := range cov.Models {
		if len(m.Columns) == 0 {
			// No property file lists a column and the SQL could not be read: a model has
			// columns, they are not known here.
			unknown++
			fmt.Fprintf(w, "%-48s columns unknown\n", m.Name)
			continue
		}
		tested, documented := 0, 0
		for _, c := range m.Columns {
			if len(c.Tests) > 0 {
				tested++
			}
			if c.Documented {
				documented++
			}
		}
		fmt.Fprintf(w, "%-48s %3d columns  %3d documented  %3d tested\n", m.Name, len(m.Columns), documented, tested)
	}
	t := cov.Totals
	fmt.Fprintf(w, "\n%d models (%d documented, %d tested); %d columns: %.1f%% documented, %.1f%% tested\n",
		t.Models, t.DocumentedModels, t.TestedModels, t.Columns, t.ColumnsDocumentedPct, t.ColumnsTestedPct)
	if unknown > 0 {
		fmt.Fprintf(w, "columns unknown for %d model(s) (no property entry lists them and the SQL could not be read): not counted above\n", unknown)
	}
	if d := cov.Delta; d != nil {
		fmt.Fprintf(w, "against the base: documented %+.1f points, tested %+.1f points; %d new column(s)\n", d.ColumnsDocumentedPct, d.ColumnsTestedPct, d.NewColumns)
		if len(d.NewUntested) > 0 {
			fmt.Fprintf(w, "new untested columns: %s\n", strings.Join(d.NewUntested, ", "))
		}
		if len(d.NewUndocumented) > 0 {
			fmt.Fprintf(w, "new undocumented columns: %s\n", strings.Join(d.NewUndocumented, ", "))
		}
	}
}

func writeCoverageMarkdown(w io.Writer, cov *testgen.Coverage) {
	t := cov.Totals
	fmt.Fprintf(w, "### Coverage\n\n| | count | documented | tested |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(w, "| models | %d | %d | %d |\n| columns | %d | %.1f%% | %.1f%% |\n", t.Models, t.DocumentedModels, t.TestedModels, t.Columns, t.ColumnsDocumentedPct, t.ColumnsTestedPct)
	unknown := 0
	for _, m := range cov.Models {
		if len(m.Columns) == 0 {
			unknown++
		}
	}
	if unknown > 0 {
		fmt.Fprintf(w, "\nColumns unknown for %d model(s): not counted above.\n", unknown)
	}
	if d := cov.Delta; d != nil {
		fmt.Fprintf(w, "\nAgainst the base: documented **%+.1f** points, tested **%+.1f** points, %d new column(s).\n", d.ColumnsDocumentedPct, d.ColumnsTestedPct, d.NewColumns)
		if len(d.NewUntested) > 0 {
			fmt.Fprintf(w, "\nNew columns without tests: `%s`\n", strings.Join(d.NewUntested, "`, `"))
		}
	}
}
