package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func init() { register(newDemoCmd) }

func newDemoCmd(env *Env) *cobra.Command {
	var format, dir string
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Review a sample pull request on the bundled shop project, end to end on DuckDB",
		Long: `demo copies examples/shop into a new git repository, commits it on main, makes a pull-request
branch that adds a column, drops a column a mart still reads, tightens a filter, and adds an
untested model with style problems; it seeds and builds the branch in the embedded DuckDB and
prints the review (dataops review --base main). Nothing leaves the machine and no LLM is used.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			src, err := findShop()
			if err != nil {
				return usageError("%v", err)
			}
			work := dir
			if work == "" {
				if work, err = os.MkdirTemp("", "dataops-demo-"); err != nil {
					return &ExitError{Code: ExitInternal, Err: err}
				}
				if !keep {
					defer os.RemoveAll(work)
				}
			}
			t0 := time.Now()
			if err := makeDemoRepo(env.Ctx, src, work); err != nil {
				return &ExitError{Code: ExitInternal, Err: err}
			}
			// Build the branch so proposed tests are checked on data; the dropped column makes
			// one mart fail to build, which the review explains.
			var sink bytes.Buffer
			RunEnv(&Env{Ctx: env.Ctx, Stdin: env.Stdin, Stdout: &sink, Stderr: &sink, Getenv: env.Getenv}, []string{"build", "--project", work})
			fmt.Fprintf(env.Stderr, "demo: pull request branch of examples/shop in %s, built on DuckDB in %.1fs\n", work, time.Since(t0).Seconds())
			code := RunEnv(&Env{Ctx: env.Ctx, Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr, Getenv: env.Getenv},
				[]string{"review", "--project", work, "--base", "main", "--format", format, "--fail-on", "never"})
			if code != ExitOK {
				return silentExit(code)
			}
			if keep || dir != "" {
				fmt.Fprintf(env.Stderr, "demo: kept %s (try: dataops review --project %s --base main --fix)\n", work, work)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "review output format: text, markdown, json, sarif or github")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the demo repository")
	cmd.Flags().StringVar(&dir, "dir", "", "make the demo repository in this (empty or new) directory and keep it")
	return cmd
}

// findShop locates examples/shop: from the working directory upwards (go run from a clone),
// next to the executable, then the source tree this binary was built from.
func findShop() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, s := range starts {
		for d := s; ; d = filepath.Dir(d) {
			cand := filepath.Join(d, "examples", "shop")
			if fileExists(filepath.Join(cand, "dbt_project.yml")) {
				return cand, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("examples/shop not found: run the demo from a clone of the dataops repository")
}

// demoEdits is the sample pull request: path -> edit of the file's content ("" when absent).
var demoEdits = []struct {
	path string
	edit func(string) (string, error)
}{
	// A new column, and a dropped column that dim_customers still reads.
	{"models/staging/stg_customers.sql", replaceAll(
		"        last_name,\n", "",
		"        lower(email) as email,\n", "        lower(email) as email,\n        split_part(lower(email), '@', 2) as email_domain,\n")},
	// A tighter filter: daily revenue now leaves out pending returns too (a grain change).
	{"models/marts/fct_daily_revenue.sql", replaceAll(
		"where status != 'returned'\n", "where status not in ('returned', 'return_pending')\n")},
	// A new model without tests or documentation, written in a hurry.
	{"models/marts/fct_payments_by_method.sql", func(string) (string, error) {
		return `with payments as (
    select * from {{ ref('stg_payments') }}
)

SELECT
    payment_method,
    count(*) as payment_count,
    sum(amount)   as total_amount,
    max(amount) as largest_payment
from payments
group by payment_method
`, nil
	}},
}

func replaceAll(pairs ...string) func(string) (string, error) {
	return func(s string) (string, error) {
		for i := 0; i+1 < len(pairs); i += 2 {
			if !strings.Contains(s, pairs[i]) {
				return "", fmt.Errorf("demo edit: %q not found (examples/shop changed?)", pairs[i])
			}
			s = strings.Replace(s, pairs[i], pairs[i+1], 1)
		}
		return s, nil
	}
}

// makeDemoRepo copies the shop into dir, commits it on main and commits the sample pull
// request on the branch add-payments-mart, which stays checked out.
func makeDemoRepo(ctx context.Context, src, dir string) error {
	if err := copyProject(src, dir); err != nil {
		return err
	}
	git := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=dataops demo", "GIT_AUTHOR_EMAIL=demo@example.com",
			"GIT_COMMITTER_NAME=dataops demo", "GIT_COMMITTER_EMAIL=demo@example.com", "GIT_CONFIG_NOSYSTEM=1")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(out.String()))
		}
		return nil
	}
	steps := [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "--no-gpg-sign", "-m", "shop"},
		{"checkout", "-q", "-b", "add-payments-mart"}}
	for _, s := range steps {
		if err := git(s...); err != nil {
			return err
		}
	}
	if err := applyDemoEdits(dir); err != nil {
		return err
	}
	if err := git("add", "-A"); err != nil {
		return err
	}
	return git("commit", "-q", "--no-gpg-sign", "-m", "Add payments by method mart; email domain on customers")
}

// applyDemoEdits makes the sample pull request's changes to the project in dir.
func applyDemoEdits(dir string) error {
	for _, e := range demoEdits {
		p := filepath.Join(dir, filepath.FromSlash(e.path))
		old, _ := os.ReadFile(p)
		out, err := e.edit(string(old))
		if err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// copyProject copies a dbt project, leaving out local build state and generators.
func copyProject(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			switch rel {
			case ".dataops", "target", "logs", "gen", "dbt_packages":
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
