package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/dbt"
	sqldialect "github.com/dataops-dev/dataops/internal/sql/dialect"
)

// projectFlags are the flags every command that loads a dbt project shares.
type projectFlags struct {
	Project     string
	Vars        string
	Target      string
	ProfilesDir string
	Dialect     string

	// trust is set by commands that compare with a base (--trust); nil elsewhere.
	trust *trust
	// noGuess keeps the adapter DuckDB when no profile is found: the commands that run the
	// project's SQL on the embedded DuckDB render it for DuckDB.
	noGuess bool
	// guess is the adapter the repository installs, read once per command: options is
	// called for each load and each warehouse connection.
	guess *adapterGuess
	// dialectWarned: the warning about a --dialect without a grammar was given.
	dialectWarned bool
	// profiles is where the project's profile was found (searchProfile), read once.
	profiles *profileSearch

	cacheFlags
}

// adapterGuess is dbt.GuessAdapter's answer.
type adapterGuess struct{ adapter, from string }

func (f *projectFlags) guessAdapter(getenv func(string) (string, bool)) (string, string) {
	if f.noGuess || f.Dialect != "" {
		return "", ""
	}
	if f.guess == nil {
		root := ""
		if r := repositoryRoot(f.Project); len(r) > 0 {
			root = r[0]
		}
		a, from := dbt.GuessAdapter(f.Project, root)
		// The models' SQL is read only when nothing else will say the warehouse: it costs
		// a few hundred file reads, on every run.
		if a == "" && !f.profileFound(getenv) {
			a, from = dbt.SniffAdapter(f.Project)
		}
		f.guess = &adapterGuess{a, from}
	}
	return f.guess.adapter, f.guess.from
}

func (f *projectFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.Project, "project", ".", "directory of the dbt project (holding dbt_project.yml)")
	cmd.Flags().StringVar(&f.Vars, "vars", "", "variables as a YAML mapping, as dbt's --vars")
	cmd.Flags().StringVar(&f.Target, "target", "", "profiles.yml target")
	cmd.Flags().StringVar(&f.ProfilesDir, "profiles-dir", "", "directory holding profiles.yml")
	cmd.Flags().StringVar(&f.Dialect, "dialect", "", "SQL dialect / adapter type (default: the profile's type)")
	f.cacheFlags.bind(cmd)
}

// warnDialect says once that --dialect names no grammar dataops has: a typo
// (`snowflak`) or a warehouse it does not parse (`oracle`) otherwise reads silently as
// generic SQL.
func (f *projectFlags) warnDialect(env *Env) {
	if f.Dialect == "" || f.dialectWarned {
		return
	}
	f.dialectWarned = true
	if _, ok := sqldialect.Lookup(f.Dialect); !ok {
		fmt.Fprintf(env.Stderr, "dataops: warning: --dialect %q: no grammar of that name (known: %s, or a dbt adapter's type); its SQL is read as generic SQL\n",
			f.Dialect, strings.Join(sqldialect.Names(), ", "))
	}
}

func (f *projectFlags) options(env *Env, compile bool) (dbt.LoadOptions, error) {
	f.warnDialect(env)
	getenv := func(k string) (string, bool) {
		if env.Getenv != nil {
			if v := env.Getenv(k); v != "" {
				return v, true
			}
		}
		return os.LookupEnv(k)
	}
	guessed, from := f.guessAdapter(getenv)
	if dir := f.lookForProfile(env, getenv, guessed, from); dir != "" {
		// The loader and the warehouse read the same profile from now on.
		f.ProfilesDir = dir
	}
	opts := dbt.LoadOptions{
		Dir:         f.Project,
		Roots:       repositoryRoot(f.Project),
		Target:      f.Target,
		ProfilesDir: f.ProfilesDir,
		Adapter:     f.Dialect,
		// Used only when no profile is found; from the work tree, so a base loads alike.
		GuessedAdapter: guessed,
		GuessedFrom:    from,
		Compile:        compile,
		Budget:         env.renderBudget(f.Project),
		Getenv:         getenv,
	}
	sec, err := env.security(f.Project)
	if err != nil {
		return opts, usageError("%v", err)
	}
	opts.EnvVars, opts.Secrets = envVars(sec), env.Secrets
	f.cacheFlags.apply(env, f.Project, &opts)
	if f.Vars != "" {
		var vars map[string]any
		if err := yaml.Unmarshal([]byte(f.Vars), &vars); err != nil {
			return opts, usageError("--vars: %v", err)
		}
		opts.Vars = vars
	}
	return opts, nil
}

// load loads the project and maps input errors to exit code 2.
func (f *projectFlags) load(env *Env, compile bool) (*dbt.Project, error) {
	opts, err := f.options(env, compile)
	if err != nil {
		return nil, err
	}
	p, err := dbt.Load(env.Ctx, opts)
	if err != nil {
		var ie *dbt.InputError
		if errors.As(err, &ie) {
			return nil, &ExitError{Code: ExitUsage, Err: err}
		}
		return nil, &ExitError{Code: ExitInternal, Err: fmt.Errorf("loading %s: %w", f.Project, err)}
	}
	return p, nil
}

// repositoryRoot is the git work tree holding the project, when it is not the project itself:
// in a monorepo, `dbt deps` links a local package (`local: ../shared`) into dbt_packages, and
// that link must resolve. The whole work tree is content of the same pull request, so reading
// it adds nothing an attacker could not commit into the project; what lies beyond it, and
// .git directories, stay refused (internal/fsconfine).
func repositoryRoot(project string) []string {
	dir, err := filepath.Abs(project)
	if err != nil {
		return nil
	}
	start := dir
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			if dir == start {
				return nil
			}
			return []string{dir}
		}
		up := filepath.Dir(dir)
		if up == dir {
			return nil
		}
		dir = up
	}
}
