package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/pipeline"
)

func init() { register(newDiffCmd) }

// changeFlags are the flags of commands that compare a base with a head.
type changeFlags struct {
	Base    string
	Head    string
	BaseDir string
	Trust   string // --trust: base or worktree ("" picks by environment, see trust.go)
}

func (c *changeFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.Base, "base", "", "git ref of the base to compare with (e.g. main, origin/main, a commit)")
	cmd.Flags().StringVar(&c.Head, "head", "", "git ref of the head (default: the work tree as it is, uncommitted changes included)")
	cmd.Flags().StringVar(&c.BaseDir, "base-dir", "", "compare with the project in this directory instead of a git ref")
	cmd.Flags().StringVar(&c.Trust, "trust", "", "whose settings to believe: base (.dataops.yml, the project's profiles.yml, SQLFluff files and the dictionary from the base; the default in CI with a git --base) or worktree (the default elsewhere)")
}

func (c *changeFlags) set() bool { return c.Base != "" || c.BaseDir != "" }

// warnChange says on stderr what the comparison met (a side whose columns could not be
// inferred, a base without the project): every command comparing two versions says it.
func warnChange(env *Env, cs *change.ChangeSet) {
	for _, w := range cs.Warnings {
		env.warnOnce(w)
	}
}

// detectChange loads base and head and computes the ChangeSet. The caller must Close it.
func detectChange(env *Env, pf *projectFlags, cf *changeFlags) (*change.ChangeSet, error) {
	if c := cf; c.BaseDir != "" && (c.Base != "" || c.Head != "") {
		return nil, usageError("--base-dir compares two directories: it does not go with --base or --head")
	}
	if cf.Head != "" && cf.Base == "" {
		return nil, usageError("--head needs --base")
	}
	if _, err := os.Stat(filepath.Join(pf.Project, "dbt_project.yml")); err != nil {
		return nil, usageError("%s: no dbt_project.yml (give the project directory with --project)", pf.Project)
	}
	load := func(ctx context.Context, dir string, roots []string, temporary bool) (*dbt.Project, error) {
		opts, err := pf.options(env, false)
		if err != nil {
			return nil, err
		}
		opts.Dir, opts.Roots = dir, append(opts.Roots, roots...)
		// A side built for this run keeps no snapshot: the next run builds it elsewhere.
		opts.Throwaway = temporary
		opts.Lenient = change.IsBase(ctx)
		p, err := dbt.Load(ctx, opts)
		if p != nil && env.Getenv("DATAOPS_DEBUG_TIMINGS") != "" {
			fmt.Fprintf(env.Stderr, "timing load %s (temporary %v): %v\n", dir, temporary, p.Timings)
		}
		return p, err
	}
	copts := pf.columnsOptions(env, pf.Project, pf.Dialect)
	if cat := projectFile(pf.Project, "target/catalog.json"); cat != "" {
		// The catalog describes what was built before the change: it is used for what the
		// change reads, never as the columns of a changed model (inference comes first).
		if c, err := columns.ReadCatalog(cat); err == nil {
			copts.Catalog = c
		} else {
			fmt.Fprintf(env.Stderr, "dataops: %v (ignored)\n", err)
		}
	}
	var kept string
	if c := pf.open(env, pf.Project); c != nil {
		kept = filepath.Join(c.Dir(), keptTreesDir)
	}
	var known *change.KnownRefs
	if t := pf.trust; t != nil && t.known != nil && t.knownBase == cf.Base && t.knownHead == cf.Head && cf.BaseDir == "" {
		known = t.known
	}
	cs, err := change.Detect(env.Ctx, change.Options{
		Dir:     pf.Project,
		BaseRef: cf.Base,
		HeadRef: cf.Head,
		BaseDir: cf.BaseDir,
		Load:    load,
		Infer:   change.ColumnsInferrer(copts),
		// The light base's tree of a change run again on the same work tree is built once.
		KeptTrees: kept,
		Known:     known,
	})
	if err != nil {
		var ee *ExitError
		var ie *dbt.InputError
		switch {
		case errors.As(err, &ee):
			return nil, err
		case errors.As(err, &ie):
			return nil, &ExitError{Code: ExitUsage, Err: err}
		case errors.Is(err, context.Canceled):
			return nil, &ExitError{Code: ExitInternal, Err: err}
		}
		// Unknown refs, a directory outside git: bad input.
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	if env.Getenv("DATAOPS_DEBUG_TIMINGS") != "" {
		for _, k := range []string{"load-head", "load", "compare", "infer"} {
			fmt.Fprintf(env.Stderr, "timing %s %v\n", k, cs.Timings[k])
		}
		fmt.Fprintf(env.Stderr, "light base: %v, nodes inferred: %d\n", cs.LightBase, cs.Inferred)
	}
	return cs, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// projectFile is the path of rel under the project directory root when it is a file there that
// resolves inside the project, else "". A pull request may commit target/catalog.json as a
// link to any file on the runner.
func projectFile(root, rel string) string {
	if st, err := fsconfine.Stat(root, rel); err != nil || st.IsDir() {
		return ""
	}
	return filepath.Join(root, filepath.FromSlash(rel))
}

func newDiffCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var cf changeFlags
	var format string
	cmd := &cobra.Command{
		Use:   "diff --base REF [--head REF]",
		Short: "What a change did to the project: models and columns added, removed, renamed, modified, and what it reaches downstream",
		Long: `diff compares the project at a base git ref with the work tree (or --head REF, or the
project in --base-dir) without touching the work tree: models added, removed, renamed (matched
by how alike their SQL is) and modified; their output columns added, removed, renamed and
retyped (from column inference); config and property changes; and the impact: downstream
models and exposures, and the downstream columns that read a removed, renamed or retyped column.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cf.set() {
				return usageError("diff needs --base REF (or --base-dir DIR)")
			}
			if format != "text" && format != "json" {
				return usageError("--format: want text or json, got %q", format)
			}
			tr, err := resolveTrust(env, &pf, &cf)
			if err != nil {
				return err
			}
			defer tr.close()
			cs, err := detectChange(env, &pf, &cf)
			if err != nil {
				return err
			}
			defer cs.Close()
			warnChange(env, cs)
			tr.printNotes(env)
			if format == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(cs)
			}
			writeChangeText(env.Stdout, cs)
			return nil
		},
	}
	pf.bind(cmd)
	cf.bind(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func writeChangeText(w io.Writer, cs *change.ChangeSet) {
	if len(cs.Models) == 0 && len(cs.PropertyFiles) == 0 {
		fmt.Fprintln(w, "no model changes")
		return
	}
	for _, m := range cs.Models {
		line := fmt.Sprintf("%-8s %s", m.Change, m.UniqueID)
		switch {
		case m.Change == change.Renamed:
			line += fmt.Sprintf("  (from %s, %s -> %s, similarity %.2f)", m.From, m.FromPath, m.Path, m.Similarity)
		case m.Path != "":
			line += "  (" + m.Path + ")"
		}
		fmt.Fprintln(w, line)
		for _, c := range m.Columns {
			switch c.Change {
			case change.Added:
				fmt.Fprintf(w, "    + column %s%s\n", c.Name, typeSuffix(c.DataType))
			case change.Removed:
				fmt.Fprintf(w, "    - column %s\n", c.Name)
			case change.Renamed:
				fmt.Fprintf(w, "    ~ column %s renamed to %s\n", c.From, c.To)
			case change.Retyped:
				fmt.Fprintf(w, "    ~ column %s type %s -> %s\n", c.Name, c.From, c.To)
			}
		}
		for _, c := range m.Config {
			fmt.Fprintf(w, "    ~ config %s: %s -> %s\n", c.Key, pipeline.ShowValue(c.From), pipeline.ShowValue(c.To))
		}
		for _, p := range m.Properties {
			if p.Column != "" {
				fmt.Fprintf(w, "    ~ properties: %s %s\n", p.What, p.Column)
			} else {
				fmt.Fprintf(w, "    ~ properties: %s\n", p.What)
			}
		}
		if len(m.Impact) > 0 {
			fmt.Fprintf(w, "    impact: %s\n", strings.Join(m.Impact, ", "))
		}
		for _, ci := range m.ColImpact {
			fmt.Fprintf(w, "    column %s is read by %s.%s\n", ci.Column, ci.Node, ci.NodeColumn)
		}
	}
	for _, f := range cs.PropertyFiles {
		fmt.Fprintf(w, "%-8s %s\n", f.Change, f.Path)
	}
}

func typeSuffix(t string) string {
	if t == "" {
		return ""
	}
	return " (" + t + ")"
}
