package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/selection"
	"github.com/dataops-dev/dataops/internal/warehouse"
	_ "github.com/dataops-dev/dataops/internal/warehouse/duckdb" // registers the embedded warehouse
	_ "github.com/dataops-dev/dataops/internal/warehouse/postgres"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

func init() { register(newBuildCmd) }

func newBuildCmd(env *Env) *cobra.Command {
	rf := &runFlags{}
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Load seeds, build models and run their tests in DAG order, like dbt build",
		Long: "build loads the selected seeds, materializes the selected models (view, table, incremental,\n" +
			"ephemeral) and runs their data tests, in dependency order and in parallel where independent.\n" +
			"A model's dependents wait for its tests; a failing model or error-severity test skips them.\n" +
			"The warehouse is the profile's target (duckdb or postgres), else the embedded DuckDB file\n" +
			".dataops/dataops.duckdb. Exit 1 when any node errors or any test fails.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProject(env, rf, []string{dbt.Seed, dbt.Model, dbt.Test, dbt.Snapshot})
		},
	}
	rf.bind(cmd, true)
	return cmd
}

// runFlags are the flags of seed, build and test.
type runFlags struct {
	pf          projectFlags
	selects     []string
	excludes    []string
	fullRefresh bool
	format      string
	sample      int
}

func (rf *runFlags) bind(cmd *cobra.Command, fullRefresh bool) {
	rf.pf.bind(cmd)
	cmd.Flags().StringArrayVarP(&rf.selects, "select", "s", nil, "dbt node selection (repeatable; space-separated selectors are a union)")
	cmd.Flags().StringArrayVar(&rf.excludes, "exclude", nil, "nodes to leave out, in the --select syntax")
	cmd.Flags().StringVar(&rf.format, "format", "text", "output format: text or json")
	cmd.Flags().IntVar(&rf.sample, "sample", 5, "failing rows to show per failing test")
	if fullRefresh {
		cmd.Flags().BoolVar(&rf.fullRefresh, "full-refresh", false, "rebuild incremental models and reload seeds from scratch")
	}
}

// openWarehouse resolves the project's target and connects to it read-only, with SQL reaching
// no file: what every command that only looks at data needs.
func openWarehouse(env *Env, pf *projectFlags, p *dbt.Project) (warehouse.Warehouse, *warehouse.Target, error) {
	return openWarehouseFor(env, pf, p, warehouse.ReadOnly())
}

// openWarehouseFor connects with the given access: warehouse.BuildAccess for the commands that
// load, build and profile.
func openWarehouseFor(env *Env, pf *projectFlags, p *dbt.Project, access warehouse.Access) (warehouse.Warehouse, *warehouse.Target, error) {
	opts, err := pf.options(env, false)
	if err != nil {
		return nil, nil, err
	}
	dir := p.Root
	if dir == "" {
		dir = pf.Project
	}
	t, err := warehouseTarget(pf, p.Profile, dir, opts.Getenv)
	if err != nil {
		return nil, nil, &ExitError{Code: ExitUsage, Err: err}
	}
	env.Secrets.Add(t.Password)
	for _, w := range t.Warnings {
		fmt.Fprintf(env.Stderr, "dataops: warning: %s: %s\n", t.Source, w)
	}
	if t.Type == "duckdb" && pf.trust.changesFile(t.Path) {
		return nil, nil, usageError("%s: %v", t.Path, errDuckDBChanged)
	}
	wh, err := warehouse.Open(env.Ctx, t, access)
	if err != nil {
		where := t.Source
		if where == "" {
			where = t.Path
		}
		return nil, nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("connecting to %s target %q (%s): %w", t.Type, t.Name, where, err)}
	}
	return wh, t, nil
}

// warehouseTarget resolves the project's profile as dbt does, rendering env_var() alone and
// strictly, into the connection to open; with no profile, the embedded DuckDB.
func warehouseTarget(pf *projectFlags, profile, dir string, getenv func(string) (string, bool)) (*warehouse.Target, error) {
	t, err := dbt.ResolveTarget(dbt.ProfileOptions{ProjectDir: dir, Profile: profile, ProfilesDir: pf.ProfilesDir, Target: pf.Target, Getenv: getenv})
	if err != nil {
		return nil, err
	}
	if t == nil && pf.Target != "" {
		return nil, fmt.Errorf("--target %s: no profiles.yml holds profile %q (without one, dataops uses the embedded DuckDB at %s)", pf.Target, profile, warehouse.DefaultDuckDBPath)
	}
	return warehouse.TargetFor(t, dir, false)
}

// runProject is seed, build and test: load, select, run, report.
func runProject(env *Env, rf *runFlags, types []string) error {
	if rf.format != "text" && rf.format != "json" {
		return usageError("--format must be text or json, not %q", rf.format)
	}
	start := time.Now()
	rf.pf.noGuess = true
	p, err := rf.pf.load(env, true)
	if err != nil {
		return err
	}
	for _, d := range p.Diagnostics {
		if d.Severity == "error" {
			fmt.Fprintf(env.Stderr, "%s: error: %s\n", diagPos(d.Pos), d.Message)
		}
	}
	text := rf.format == "text"
	var progress io.Writer
	if text {
		progress = env.Stdout
	}
	results, target, err := runSelected(env, rf, p, types, progress)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if text {
		writeRunSummary(env.Stdout, results, elapsed)
	} else {
		if results == nil {
			results = []runner.Result{}
		}
		out := struct {
			Results []runner.Result `json:"results"`
			Elapsed float64         `json:"elapsed"`
			Target  map[string]any  `json:"target"`
		}{results, elapsed.Seconds(), map[string]any{"name": target.Name, "type": target.Type, "schema": target.Schema}}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	for _, r := range results {
		if r.Failed() {
			return silentExit(ExitFindings)
		}
	}
	return nil
}

// runSelected runs the nodes of p that rf selects, of the given types, on the target's
// warehouse; with progress set it says where it runs and prints a line per node as it ends.
func runSelected(env *Env, rf *runFlags, p *dbt.Project, types []string, progress io.Writer) ([]runner.Result, *warehouse.Target, error) {
	selected, err := selection.Select(p, rf.selects, rf.excludes, selection.Options{})
	if err != nil {
		var se *selection.Error
		if errors.As(err, &se) {
			return nil, nil, usageError("%v", err)
		}
		return nil, nil, err
	}
	access := warehouse.ReadOnly()
	if slices.Contains(types, dbt.Seed) || slices.Contains(types, dbt.Model) {
		access = warehouse.BuildAccess(p.Root)
	}
	wh, target, err := openWarehouseFor(env, &rf.pf, p, access)
	if err != nil {
		return nil, nil, err
	}
	defer wh.Close()
	threads := rf.pf.Threads
	if threads <= 0 {
		threads = target.Threads
	}
	cfg := runner.Config{Project: p, Warehouse: wh, Target: target, Selected: selected, Types: types,
		FullRefresh: rf.fullRefresh, Threads: threads, Sample: rf.sample}
	if progress != nil {
		where := target.Path
		if target.Type == "postgres" {
			where = fmt.Sprintf("%s:%d/%s", target.Host, target.Port, target.DBName)
		}
		fmt.Fprintf(progress, "Running on %s (target %s: %s, schema %s)\n\n", target.Type, target.Name, where, target.Schema)
		cfg.OnResult = func(r runner.Result, done, total int) { writeResultLine(progress, r, done, total) }
	}
	return runner.Run(env.Ctx, cfg), target, nil
}

func resultLabel(r runner.Result) (word, detail string) {
	switch r.Status {
	case runner.StatusSuccess:
		word = "OK"
		detail = r.Message
		if r.ResourceType == dbt.Seed {
			detail = strings.Replace(r.Message, "INSERT", "INSERT", 1)
		}
	case runner.StatusPass:
		word, detail = "PASS", "PASS"
	case runner.StatusWarn:
		word, detail = "WARN", fmt.Sprintf("WARN %d", r.Failures)
	case runner.StatusFail:
		word, detail = "FAIL", fmt.Sprintf("FAIL %d", r.Failures)
	case runner.StatusError:
		word, detail = "ERROR", "ERROR"
	default:
		word, detail = "SKIP", "SKIP"
	}
	return word, detail
}

func writeResultLine(w io.Writer, r runner.Result, done, total int) {
	word, detail := resultLabel(r)
	what := r.ResourceType + " " + r.Name
	if r.ResourceType == dbt.Test {
		what = "test " + r.Name
	} else if r.Relation != "" && r.ResourceType == dbt.Model {
		what = "model " + r.Relation
	} else if r.Relation != "" && r.ResourceType == dbt.Seed {
		what = "seed " + r.Relation
	}
	head := fmt.Sprintf("%*d of %d %-5s %s ", len(fmt.Sprint(total)), done, total, word, what)
	dots := 80 - len(head)
	if dots < 3 {
		dots = 3
	}
	if r.Status == runner.StatusSkipped {
		fmt.Fprintf(w, "%s%s [%s]\n", head, strings.Repeat(".", dots), detail)
		return
	}
	if r.Status == runner.StatusSuccess && r.ResourceType == dbt.Model {
		detail = "OK"
	}
	fmt.Fprintf(w, "%s%s [%s in %.2fs]\n", head, strings.Repeat(".", dots), detail, r.Seconds)
}

func writeRunSummary(w io.Writer, results []runner.Result, elapsed time.Duration) {
	counts := map[string]int{}
	byType := map[string]int{}
	for _, r := range results {
		counts[r.Status]++
		byType[r.ResourceType]++
	}
	var kinds []string
	for _, t := range []string{dbt.Seed, dbt.Model, dbt.Snapshot, dbt.Test} {
		if n := byType[t]; n > 0 {
			s := fmt.Sprintf("%d %s", n, t)
			if n != 1 {
				s += "s"
			}
			kinds = append(kinds, s)
		}
	}
	if len(results) == 0 {
		fmt.Fprintln(w, "Nothing to do: the selection matched no nodes of this kind.")
		return
	}
	fmt.Fprintf(w, "\nFinished running %s in %.2fs.\n", strings.Join(kinds, ", "), elapsed.Seconds())
	problems := make([]runner.Result, 0)
	for _, r := range results {
		if r.Failed() || r.Status == runner.StatusWarn {
			problems = append(problems, r)
		}
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Failed() && !problems[j].Failed() })
	if len(problems) > 0 {
		errs := counts[runner.StatusError] + counts[runner.StatusFail]
		fmt.Fprintf(w, "\nCompleted with %d error%s and %d warning%s:\n", errs, plural(errs), counts[runner.StatusWarn], plural(counts[runner.StatusWarn]))
		for _, r := range problems {
			fmt.Fprintln(w)
			kind := map[string]string{runner.StatusFail: "Failure", runner.StatusWarn: "Warning", runner.StatusError: "Error"}[r.Status]
			fmt.Fprintf(w, "%s in %s %s (%s)\n", kind, r.ResourceType, r.Name, r.Path)
			for _, line := range strings.Split(strings.TrimSpace(r.Message), "\n") {
				fmt.Fprintf(w, "  %s\n", line)
			}
			if r.Sample != nil && len(r.Sample.Values) > 0 {
				writeSample(w, r.Sample, "  ")
			}
		}
	}
	fmt.Fprintf(w, "\nDone. PASS=%d WARN=%d ERROR=%d SKIP=%d TOTAL=%d\n",
		counts[runner.StatusPass]+counts[runner.StatusSuccess], counts[runner.StatusWarn],
		counts[runner.StatusError]+counts[runner.StatusFail], counts[runner.StatusSkipped], len(results))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// writeSample prints rows as an aligned table.
func writeSample(w io.Writer, rows *warehouse.Rows, indent string) {
	cells := [][]string{rows.Columns}
	for _, r := range rows.Values {
		line := make([]string, len(r))
		for i, v := range r {
			if v == nil {
				line[i] = "NULL"
			} else {
				line[i] = fmt.Sprint(v)
			}
		}
		cells = append(cells, line)
	}
	widths := make([]int, len(rows.Columns))
	for _, line := range cells {
		for i, c := range line {
			if i < len(widths) && len(c) > widths[i] {
				widths[i] = min(len(c), 40)
			}
		}
	}
	for k, line := range cells {
		var parts []string
		for i, c := range line {
			if len(c) > 40 {
				c = c[:37] + "..."
			}
			if i < len(widths) {
				c += strings.Repeat(" ", widths[i]-len(c))
			}
			parts = append(parts, c)
		}
		fmt.Fprintf(w, "%s%s\n", indent, strings.TrimRight(strings.Join(parts, " | "), " "))
		if k == 0 {
			var seps []string
			for _, wd := range widths {
				seps = append(seps, strings.Repeat("-", wd))
			}
			fmt.Fprintf(w, "%s%s\n", indent, strings.Join(seps, "-+-"))
		}
	}
}
