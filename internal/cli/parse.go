package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/review"
)

func init() { register(newParseCmd) }

func newParseCmd(env *Env) *cobra.Command {
	var pf projectFlags
	var format, out string
	var noCompile, indent bool
	cmd := &cobra.Command{
		Use:   "parse",
		Short: "Load a dbt project and write its manifest.json, or summarise it",
		Long: "parse loads the dbt project the way dbt parses it (packages, property files, Jinja, refs) and\n" +
			"either summarises it (--format text) or writes a dbt manifest.json (--format json, to --out or stdout).\n\n" +
			"Exit status: 0 parsed; 2 bad input: a file that cannot be read as dbt reads it, or a dependency\n" +
			"cycle among refs (the summary or manifest is still written; the cycle is named with the file and\n" +
			"line of each ref on it).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError("--format must be text or json, not %q", format)
			}
			t0 := time.Now()
			p, err := pf.load(env, !noCompile)
			if err != nil {
				return err
			}
			// Written as the load that stored the project's snapshot wrote it, but for the time.
			write := func(w io.Writer, p *dbt.Project) error { return dbt.WriteManifestCached(w, p, pf.cache, indent) }
			elapsed := time.Since(t0)
			if format == "json" {
				for _, d := range p.Diagnostics {
					if d.Severity == "error" {
						fmt.Fprintf(env.Stderr, "%s: error: %s\n", diagPos(d.Pos), d.Message)
					}
				}
				if out == "" {
					err = write(env.Stdout, p)
				} else {
					err = writeFileAtomic(out, env.maskedFile(func(w io.Writer) error { return write(w, p) }))
				}
				if err != nil {
					return err
				}
				return parseExit(p)
			}
			if out != "" {
				if err := writeFileAtomic(out, env.maskedFile(func(w io.Writer) error { return write(w, p) })); err != nil {
					return err
				}
			}
			writeParseSummary(env.Stdout, p, elapsed)
			return parseExit(p)
		},
	}
	pf.bind(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json (the manifest)")
	cmd.Flags().StringVar(&out, "out", "", "write the manifest.json to this file (atomically)")
	cmd.Flags().BoolVar(&noCompile, "no-compile", false, "leave compiled_code out (refs are still resolved into depends_on)")
	cmd.Flags().BoolVar(&indent, "indent", false, "indent the JSON manifest")
	return cmd
}

// errorFindings turns the project's error diagnostics (a dependency cycle) into review
// findings, located at the cycle's first ref in a file the change touched (changed), so the
// finding sits on the diff, else where the diagnostic is.
func errorFindings(p *dbt.Project, changed map[string]bool) []review.Finding {
	var out []review.Finding
	for _, d := range p.Diagnostics {
		if d.Severity != "error" {
			continue
		}
		pos := d.Pos
		for _, s := range d.Steps {
			if changed[s.Path] {
				pos = s
				break
			}
		}
		out = append(out, review.Finding{Agent: "project", Rule: d.Kind, Severity: review.SeverityError,
			Path: pos.Path, Line: max(pos.Line, 1), Column: pos.Column, Message: d.Message})
	}
	return out
}

// parseExit is exit 2 when the project has an error diagnostic (a dependency cycle): dbt
// refuses to parse such a project, so it is bad input, reported after the summary or manifest
// has been written.
func parseExit(p *dbt.Project) error {
	for _, d := range p.Diagnostics {
		if d.Severity == "error" {
			return silentExit(ExitUsage)
		}
	}
	return nil
}

func diagPos(p dbt.Pos) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d:%d", p.Path, p.Line, p.Column)
	}
	return p.Path
}

// writeParseSummary prints counts per resource type and the diagnostics grouped by kind.
func writeParseSummary(w io.Writer, p *dbt.Project, elapsed time.Duration) {
	counts := map[string]int{}
	for _, n := range p.Nodes {
		counts[n.ResourceType]++
	}
	disabled := 0
	for _, l := range p.Disabled {
		disabled += len(l)
	}
	fmt.Fprintf(w, "project %s (%d package", p.Name, len(p.Packages))
	if len(p.Packages) != 1 {
		fmt.Fprint(w, "s")
	}
	fmt.Fprintf(w, ", adapter %s", p.Adapter)
	if p.AdapterFrom != "" {
		fmt.Fprintf(w, " named in %s; no profile found", p.AdapterFrom)
	}
	fmt.Fprintf(w, ") parsed in %.2fs\n", elapsed.Seconds())
	rows := []struct {
		label string
		n     int
	}{
		{"models", counts[dbt.Model]}, {"seeds", counts[dbt.Seed]}, {"snapshots", counts[dbt.Snapshot]},
		{"tests", counts[dbt.Test]}, {"analyses", counts[dbt.Analysis]}, {"sources", len(p.Sources)},
		{"exposures", len(p.Exposures)}, {"macros", len(p.Macros)}, {"docs", len(p.Docs)}, {"disabled", disabled},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %-10s %d\n", r.label, r.n)
	}
	if len(p.Diagnostics) == 0 {
		fmt.Fprintln(w, "no warnings")
		return
	}
	byKind := map[string][]dbt.Diagnostic{}
	errors := 0
	for _, d := range p.Diagnostics {
		key := d.Severity + " " + d.Kind
		byKind[key] = append(byKind[key], d)
		if d.Severity == "error" {
			errors++
		}
	}
	keys := make([]string, 0, len(byKind))
	for k := range byKind {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ei, ej := strings.HasPrefix(keys[i], "error"), strings.HasPrefix(keys[j], "error")
		if ei != ej {
			return ei
		}
		if len(byKind[keys[i]]) != len(byKind[keys[j]]) {
			return len(byKind[keys[i]]) > len(byKind[keys[j]])
		}
		return keys[i] < keys[j]
	})
	fmt.Fprintf(w, "%d error(s), %d warning(s)\n", errors, len(p.Diagnostics)-errors)
	const show = 3
	for _, k := range keys {
		ds := byKind[k]
		fmt.Fprintf(w, "  %s: %d\n", k, len(ds))
		for i, d := range ds {
			if i == show {
				fmt.Fprintf(w, "    ... and %d more\n", len(ds)-show)
				break
			}
			fmt.Fprintf(w, "    %s: %s\n", diagPos(d.Pos), d.Message)
		}
	}
}

// writeFileAtomic writes a file the runner named (--out) through a temporary file in the same
// directory renamed into place, so a reader never sees a half-written file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	return fsconfine.WriteStream(filepath.Dir(path), filepath.Base(path), write)
}
