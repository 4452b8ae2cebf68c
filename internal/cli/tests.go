package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/pipeline"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/yamledit"
)

func init() { register(newTestsCmd) }

func newTestsCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var format, catalog string
	var noHistory, check, write, confirm bool
	var threshold float64
	var outDir string
	var cf changeFlags
	cmd := &cobra.Command{
		Use:   "tests [MODEL...]",
		Short: "Propose the tests untested models and columns need, with evidence",
		Long: `Finds models and columns without tests and proposes not_null, unique, accepted_values,
relationships, composite keys and source freshness. Each suggestion carries a confidence and
the reasons behind it: the model's SQL (grain, CASE literals, filters, joins), the SQL of the
whole project (values traced upstream, keys joined on downstream), names, descriptions and the
data dictionary, what this team already tests (learned from the project's property files and
their git history) and, with a warehouse, the built models' data.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "text", "json", "gx":
			default:
				return usageError("--format: want text, json or gx, got %q", format)
			}
			if check && write {
				return usageError("--check and --write do not go together")
			}
			opts := testgen.Options{Threshold: threshold}
			var added map[string]bool // what the change added, for the memory (knowledge.go)
			var tr *trust
			if cf.set() {
				var err error
				if tr, err = resolveTrust(env, &pf, &cf); err != nil {
					return err
				}
				defer tr.close()
				cs, err := detectChange(env, &pf, &cf)
				if err != nil {
					return err
				}
				warnChange(env, cs)
				opts.Models, opts.Columns = testgen.ChangeScope(cs)
				opts.Dropped = testgen.DroppedTests(cs)
				added = addedColumns(cs)
				cs.Close()
				tr.printNotes(env)
				opts.NewColumns = true
				if len(opts.Models) == 0 {
					return writeTestsResult(env, format, outDir, &testgen.Result{})
				}
			}
			p, inf, err := inferColumns(env, &pf, catalog, false, true, nil)
			if err != nil {
				return err
			}
			if len(args) > 0 {
				ids, err := selectedIDs(p, inf, args)
				if err != nil {
					return err
				}
				picked := map[string]bool{}
				for _, id := range ids {
					if opts.Models == nil || opts.Models[id] {
						picked[id] = true
					}
				}
				opts.Models = picked
			}
			settings, err := trustedSettings(env, &pf)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("threshold") {
				// The team's threshold, as the review reads it: both propose the same tests.
				opts.Threshold = settings.Tests.MinConfidence
			}
			lr := openLLM(env, settings, llmOptions{project: p, columns: change.FromColumns(inf), pf: &pf, command: "tests"})
			defer lr.close()
			res, err := suggestTests(env, &pf, tr, cf.Head, p, inf, opts, added, noHistory, confirm, lr)
			if err != nil {
				return err
			}
			if check || write {
				edits, notes := proposedTestEdits(p, res)
				for _, n := range notes {
					fmt.Fprintf(env.Stderr, "dataops: %s\n", n)
				}
				for _, e := range edits {
					if write {
						data, ok := env.fileContent(e.Path, e.Old, e.New)
						if !ok {
							continue
						}
						// Property files are project content: written only inside the project.
						if err := fsconfine.WriteFile(p.Root, e.Path, data); err != nil {
							return &ExitError{Code: ExitInternal, Err: err}
						}
					} else if format == "text" {
						fmt.Fprint(env.Stdout, yamledit.Diff(e.Path, string(e.Old), string(e.New)))
					}
				}
				if err := writeTestsResult(env, format, outDir, res); err != nil {
					return err
				}
				if check && len(edits) > 0 {
					return silentExit(ExitFindings)
				}
				return nil
			}
			return writeTestsResult(env, format, outDir, res)
		},
	}
	pf.bind(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&catalog, "catalog", "", "dbt catalog.json to expand stars from")
	cmd.Flags().BoolVar(&noHistory, "no-history", false, "do not read the git history of property files")
	cmd.Flags().Float64Var(&threshold, "threshold", 0, "confidence at or above which a test of any kind is proposed; unset, tests.min_confidence of .dataops.yml, else each kind's calibrated threshold")
	cmd.Flags().BoolVar(&check, "check", false, "exit 1 when tests should be added (writes nothing)")
	cmd.Flags().BoolVar(&write, "write", false, "add the proposed tests to the property files")
	cmd.Flags().BoolVar(&confirm, "confirm", false, "read the built models on the profile's warehouse and run each proposed test there (automatic when the embedded DuckDB has been built)")
	cmd.Flags().StringVar(&outDir, "out", "", "with --format gx: directory for one suite JSON per model (default: stdout)")
	cf.bind(cmd)
	return cmd
}

// suggestTests proposes tests for p, learned from the git history of its property files unless
// noHistory, and checks them on data when confirm is set or the embedded DuckDB has been built.
// lr, when set, adds the business-rule tests documents state (checked on data like the rest).
func suggestTests(env *Env, pf *projectFlags, tr *trust, headRef string, p *dbt.Project, inf *columns.Result, opts testgen.Options, added map[string]bool, noHistory, confirm bool, lr *llmRun) (*testgen.Result, error) {
	if !noHistory {
		opts.History = testgen.MineHistory(env.Ctx, p.Root, 400)
	}
	am, err := openTestsMemory(env, pf, headRef, p, inf, &opts)
	if err != nil {
		return nil, err
	}
	defer am.close()
	if opts.Dictionary, err = testsDictionary(env, pf, tr, p); err != nil {
		return nil, err
	}
	var wh warehouse.Warehouse
	var target *warehouse.Target
	if shared, t := lr.warehouse(); shared != nil {
		wh, target = shared, t
		opts.Data = testgen.NewDataEvidence(env.Ctx, pipeline.DataProfiler{Project: p, Warehouse: wh, Target: target})
	} else if confirm || builtDuckDB(env, pf, p) {
		if wh, target, err = openWarehouse(env, pf, p); err != nil {
			return nil, err
		}
		defer wh.Close()
		// The built models' data is evidence too: value sets, keys contained in keys.
		opts.Data = testgen.NewDataEvidence(env.Ctx, pipeline.DataProfiler{Project: p, Warehouse: wh, Target: target})
	}
	res := testgen.Suggest(p, inf, opts)
	lr.ruleTests(p, res, opts.Models, opts.Columns)
	if wh != nil {
		testgen.Confirm(env.Ctx, p, wh, target, res)
	}
	am.record(testProposals(p, res, added))
	return res, nil
}

// proposedTestEdits are the property-file edits that add res's tests, written in the
// project's forms.
// A test the language model read in a document is written only once the data confirmed it.
func proposedTestEdits(p *dbt.Project, res *testgen.Result) ([]testgen.FileEdit, []string) {
	kept := *res
	kept.Suggestions = nil
	var notes []string
	for _, s := range res.Suggestions {
		if s.Source == testgen.SourceLLM && s.Status != testgen.Confirmed {
			notes = append(notes, fmt.Sprintf("%s.%s: the %s test read in a document is not written: it was not confirmed on data", s.Model, s.Column, s.Test))
			continue
		}
		kept.Suggestions = append(kept.Suggestions, s)
	}
	res = &kept
	version, source := schema.DbtVersion("", p.RequireDbtVersion, p.Root)
	forms := schema.ProjectForms(p, version, source)
	edits, more := testgen.Edits(p, res, func(st yamledit.Style) yamledit.Style { return st.Settle(forms.TestsKey, forms.TestArguments) })
	return edits, append(notes, more...)
}

// builtDuckDB reports whether the project's target is a DuckDB file that exists, so
// suggestions can be checked on data without asking (a remote warehouse needs --confirm).
func builtDuckDB(env *Env, pf *projectFlags, p *dbt.Project) bool {
	opts, err := pf.options(env, false)
	if err != nil {
		return false
	}
	t, err := warehouseTarget(pf, p.Profile, p.Root, opts.Getenv)
	if err != nil || t.Type != "duckdb" || t.Path == "" || t.Path == ":memory:" || !fileExists(t.Path) {
		return false
	}
	if pf.trust.changesFile(t.Path) {
		fmt.Fprintf(env.Stderr, "dataops: warning: tests not checked on data: %s: %v\n", t.Path, errDuckDBChanged)
		return false
	}
	return true
}

func writeTestsResult(env *Env, format, outDir string, res *testgen.Result) error {
	switch format {
	case "json":
		if res.Suggestions == nil {
			res.Suggestions = []*testgen.Suggestion{}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "gx":
		suites := testgen.GXSuites(res)
		if outDir == "" {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(suites)
		}
		for _, s := range suites {
			b, err := json.MarshalIndent(s, "", "  ")
			if err != nil {
				return &ExitError{Code: ExitInternal, Err: err}
			}
			data, _ := env.fileContent(s.Name+".json", nil, append(b, '\n'))
			if err := writeAtomic(filepath.Join(outDir, s.Name+".json"), data); err != nil {
				return &ExitError{Code: ExitInternal, Err: err}
			}
		}
		fmt.Fprintf(env.Stdout, "%d suite(s) written to %s\n", len(suites), outDir)
		return nil
	}
	writeTestsText(env.Stdout, res)
	return nil
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
	for _, c := range res.Conflicts {
		fmt.Fprintf(w, "%s:%d: %s\n", c.Pos.Path, c.Pos.Line, c.Message())
	}
	fmt.Fprintf(w, "%d test(s) proposed; learned from %d tested model(s)%s\n", len(res.Suggestions), res.Learned.TestedModels,
		map[bool]string{true: " and the repository's history", false: ""}[res.Learned.HistoryAdded+res.Learned.HistoryRemoved > 0])
}
