package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/pipeline"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/selection"
)

func init() { register(newSchemaCmd) }

type schemaFlags struct {
	check, write bool
	format       string
	selects      []string
	excludes     []string
	dbtVersion   string
	dbtExe       string
	noValidate   bool
}

func newSchemaCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var cf changeFlags
	var sf schemaFlags
	cmd := &cobra.Command{
		Use:   "schema [--base REF] [--check|--write]",
		Short: "Bring property files (schema.yml) in step with the models' SQL, surgically",
		Long: `schema adds the columns a model's SQL outputs to its property entry in SQL order (creating the
entry where there is none), renames entries of renamed columns and models keeping their tests
and descriptions, reports (or with schema.remove_stale removes) entries of columns that are gone,
fills data_type where the project writes it and descriptions from the upstream column a column
passes through unchanged or from the data dictionary. With --base only what the change touched
is synchronised; without it, every model. Edits are printed as unified diffs, validated by
reloading the project with them (and by ` + "`dbt parse`" + ` when dbt is installed), and written only
with --write.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSchema(env, &pf, &cf, &sf) },
	}
	pf.bind(cmd)
	cf.bind(cmd)
	f := cmd.Flags()
	f.BoolVar(&sf.check, "check", false, "exit 1 when edits are needed (writes nothing)")
	f.BoolVar(&sf.write, "write", false, "write the edits (atomically; refused when validation fails)")
	f.StringVar(&sf.format, "format", "text", "output format: text or json")
	f.StringArrayVarP(&sf.selects, "select", "s", nil, "dbt node selection (name, path:, tag:, +graph operators, ...)")
	f.StringArrayVar(&sf.excludes, "exclude", nil, "dbt node selection to leave out")
	f.StringVar(&sf.dbtVersion, "dbt-version", "", "dbt version to write for (default: require-dbt-version, else target/manifest.json)")
	f.StringVar(&sf.dbtExe, "dbt", "", "dbt executable to validate the edits with `dbt parse` (default: dbt on PATH; \"off\" to skip)")
	f.BoolVar(&sf.noValidate, "no-validate", false, "skip reloading the project with the edits")
	return cmd
}

// schemaResult is the JSON contract of `dataops schema`.
type schemaResult struct {
	Edits    []schemaEdit     `json:"edits"`
	Findings []schema.Finding `json:"findings"`
	// Descriptions says where each description the edits write came from.
	Descriptions []schema.Described `json:"descriptions,omitempty"`
}

type schemaEdit struct {
	Path string `json:"path"`
	Diff string `json:"diff"`
}

func runSchema(env *Env, pf *projectFlags, cf *changeFlags, sf *schemaFlags) error {
	if sf.check && sf.write {
		return usageError("--check and --write do not go together")
	}
	if sf.format != "text" && sf.format != "json" {
		return usageError("--format: want text or json, got %q", sf.format)
	}
	if sf.write && cf.Head != "" {
		return usageError("--write edits the work tree: it does not go with --head")
	}
	var sp schemaPlan
	if err := planSchema(env, pf, cf, sf, &sp); err != nil {
		return err
	}
	edits, out, invalid := sp.edits, sp.findings, sp.invalid
	if err := printSchema(env.Stdout, sf.format, edits, out, sp.descriptions); err != nil {
		return err
	}
	if sf.write && len(edits) > 0 {
		if invalid {
			fmt.Fprintln(env.Stderr, "dataops: edits not written: validation failed (see findings)")
			return silentExit(ExitFindings)
		}
		files := make([]fsconfine.File, 0, len(edits))
		for _, e := range edits {
			if data, ok := env.fileContent(e.Path, e.Old, e.New); ok {
				files = append(files, fsconfine.File{Name: e.Path, Data: data})
			}
		}
		if err := fsconfine.WriteFiles(sp.root, files); err != nil {
			return &ExitError{Code: ExitInternal, Err: err}
		}
		for _, f := range files {
			fmt.Fprintf(env.Stderr, "wrote %s\n", f.Name)
		}
	}
	if sf.check && len(edits) > 0 || invalid {
		return silentExit(ExitFindings)
	}
	return nil
}

// schemaPlan is the Synthesizer's validated plan for the project at root.
type schemaPlan struct {
	root     string
	edits    []schema.FileEdit
	findings []schema.Finding
	invalid  bool // validation found an error: the edits must not be written
	// descriptions are the ones the edits write, with their sources.
	descriptions []schema.Described
}

// planSchema plans the property-file edits and validates them into sp, writing nothing.
func planSchema(env *Env, pf *projectFlags, cf *changeFlags, sf *schemaFlags, sp *schemaPlan) error {
	tr, err := resolveTrust(env, pf, cf)
	if err != nil {
		return err
	}
	defer tr.close()
	settings, err := tr.config(env, pf)
	if err != nil {
		return err
	}
	env.useRenderTime(settings.Limits.RenderTime)
	cfg := schemaConfig(settings, pf.Project, tr)
	var (
		p    *dbt.Project
		cols map[string]*change.ModelColumns
		cs   *change.ChangeSet
	)
	if cf.set() {
		if cs, err = detectChange(env, pf, cf); err != nil {
			return err
		}
		defer cs.Close()
		warnChange(env, cs)
		p, cols = cs.Head, cs.HeadColumns
	} else {
		if cf.Head != "" {
			return usageError("--head needs --base")
		}
		if p, err = pf.load(env, false); err != nil {
			return err
		}
		copts := pf.columnsOptions(env, pf.Project, pf.Dialect)
		copts.Off = true // models switched off by a var are documented too
		if cat := projectFile(p.Root, "target/catalog.json"); cat != "" {
			if c, err := columns.ReadCatalog(cat); err == nil {
				copts.Catalog = c
			}
		}
		cols = change.FromColumns(columns.Infer(p, copts))
	}
	catalog := projectCatalog(p.Root)
	si := pipeline.SchemaInputs{Project: p, Columns: cols, Change: cs, Config: cfg, Types: catalogTypesOf(catalog),
		DbtVersion: sf.dbtVersion}
	if len(sf.selects) > 0 || len(sf.excludes) > 0 {
		sel, err := selection.Select(p, sf.selects, sf.excludes, selection.Options{})
		if err != nil {
			return usageError("%v", err)
		}
		si.Select = func(id string) bool { return sel[id] }
	}
	if si.Dictionary, err = schemaDictionary(tr, cfg, p.Root); err != nil {
		return err
	}
	tr.printNotes(env)
	am, err := openAgentMemory(env, &settings.Memory, pf.Project, p, cf.Head)
	if err != nil {
		return err
	}
	defer am.close()
	si.Memory = agentMemoryOf{am}
	if !sf.noValidate {
		si.Reload = reloader(env, pf)
		si.DbtExe, si.ProfilesDir = dbtExecutable(env, sf.dbtExe), pf.ProfilesDir
	}
	si.Timing = func(phase string, since time.Time) { debugTiming(env, phase, since) }
	lr := openLLM(env, settings, llmOptions{project: p, columns: cols, change: cs, pf: pf, command: "schema"})
	si.Describer = lr.describer()
	sch, err := pipeline.PlanSchema(env.Ctx, si)
	lr.close()
	if err != nil {
		return pipelineError(err)
	}
	out := make([]schema.Finding, 0, len(sch.Notes)+len(sch.Conventions))
	for _, n := range sch.Notes {
		out = append(out, n.Finding())
	}
	out = append(out, sch.Conventions...)
	*sp = schemaPlan{root: p.Root, edits: sch.Edits, findings: out, invalid: sch.Invalid, descriptions: sch.Plan.Descriptions()}
	return nil
}

// catalogTypesOf are the exact column types of dbt's catalog.json (nil without one).
func catalogTypesOf(c map[string][]columns.CatalogColumn) map[string][]schema.TypedColumn {
	if c == nil {
		return nil
	}
	out := make(map[string][]schema.TypedColumn, len(c))
	for id, cols := range c {
		for _, col := range cols {
			out[id] = append(out[id], schema.TypedColumn{Name: col.Name, DataType: col.DataType})
		}
	}
	return out
}

// debugTiming prints a phase's duration to stderr when DATAOPS_DEBUG_TIMINGS is set (benchmarks).
func debugTiming(env *Env, phase string, since time.Time) {
	if env.Getenv("DATAOPS_DEBUG_TIMINGS") != "" {
		fmt.Fprintf(env.Stderr, "timing %s %v (at %v)\n", phase, time.Since(since), time.Since(processStart).Round(time.Millisecond))
	}
}

// processStart places each debug timing on the run's clock: what lies between two phases
// (start-up, writing the output) shows as a gap.
var processStart = time.Now()

// dbtExecutable resolves --dbt: a path, "off", or dbt on the PATH of the command's environment
// (so a test's environment decides, not the machine's).
func dbtExecutable(env *Env, flag string) string {
	switch flag {
	case "off", "none", "false":
		return ""
	case "":
		for _, dir := range filepath.SplitList(env.Getenv("PATH")) {
			if dir == "" {
				continue
			}
			p := filepath.Join(dir, "dbt")
			if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
				return p
			}
		}
		return ""
	}
	return flag
}

func printSchema(w io.Writer, format string, edits []schema.FileEdit, findings []schema.Finding, described []schema.Described) error {
	diffs := schema.Diffs(edits)
	if findings == nil {
		findings = []schema.Finding{}
	}
	if format == "json" {
		res := schemaResult{Edits: []schemaEdit{}, Findings: findings, Descriptions: described}
		for i, e := range edits {
			res.Edits = append(res.Edits, schemaEdit{Path: e.Path, Diff: diffs[i]})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	for _, d := range diffs {
		fmt.Fprint(w, d)
	}
	printDescribed(w, described)
	for _, f := range findings {
		loc := f.Path
		if f.Line > 0 {
			loc = fmt.Sprintf("%s:%d", f.Path, f.Line)
		}
		if loc == "" {
			loc = "dataops"
		}
		fmt.Fprintf(w, "%s: %s: %s [%s]\n", loc, f.Severity, f.Message, f.Rule)
	}
	if len(edits) == 0 && len(findings) == 0 {
		fmt.Fprintln(w, "property files are in step with the models")
	}
	return nil
}

// writeAtomic replaces a file the runner named (--report), wherever it is, atomically and
// keeping its mode; its directory is created. Project files go through fsconfine.WriteFiles
// on the project directory instead.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return fsconfine.WriteFile(dir, filepath.Base(path), data)
}

// schemaConfig maps the trusted settings to the Synthesizer's. Settings read from the work tree
// also say at which line new_file and dictionary were set, for findings about their values; a
// base commit's settings are not on disk to point at.
func schemaConfig(c *config.Config, dir string, tr *trust) schema.Config {
	cfg := schemaSettings(c.Schema)
	if !tr.base() {
		cfg.NewFileAt = locateSetting(dir, c.Path, "new_file")
		cfg.DictionaryAt = locateSetting(dir, c.Path, "dictionary")
	}
	return cfg
}
