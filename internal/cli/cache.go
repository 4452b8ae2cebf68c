package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

func init() { register(newCacheCmd) }

// keptTreesDir is the folder of the cache directory where the light base trees of changes to
// the work tree are kept between runs (change.Options.KeptTrees).
const keptTreesDir = "trees"

// cacheFlags are the cache and parallelism flags of every command that loads a project.
type cacheFlags struct {
	CacheDir string
	NoCache  bool
	Threads  int

	opened   bool
	cache    *cache.Cache
	progress *dbt.Progress
}

func (c *cacheFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.CacheDir, "cache-dir", "", "directory of the cache of renders, property files and columns (default: $DATAOPS_CACHE_DIR, else .dataops/cache in the project)")
	cmd.Flags().BoolVar(&c.NoCache, "no-cache", false, "neither read nor write the cache")
	cmd.Flags().IntVar(&c.Threads, "threads", 0, "parallel workers (default: the CPUs; build and test: the target's threads)")
}

// cacheDir is where the cache of project lives: --cache-dir, $DATAOPS_CACHE_DIR, else
// .dataops/cache under the project. "" when caching is off (--no-cache, DATAOPS_CACHE=off, and
// on CI without a directory named: a fresh checkout's cache is empty, so writing it only costs).
func cacheDir(env *Env, flag, project string) string {
	switch {
	case flag != "":
		return flag
	case env.Getenv("DATAOPS_CACHE") == "off":
		return ""
	case env.Getenv("DATAOPS_CACHE_DIR") != "":
		return env.Getenv("DATAOPS_CACHE_DIR")
	case onCI(env):
		return ""
	}
	return filepath.Join(project, ".dataops", "cache")
}

// apply gives a load the command's cache (opened once, so the loads of one command share it),
// its workers and, on a terminal, its progress line.
func (c *cacheFlags) apply(env *Env, project string, opts *dbt.LoadOptions) {
	opts.Threads = c.Threads
	opts.Cache = c.open(env, project)
	opts.Progress = c.progressLine(env)
}

// progressLine is the command's progress line on a terminal (nil elsewhere): its loads and
// the stages after them (inferring columns, linting) share it.
func (c *cacheFlags) progressLine(env *Env) *dbt.Progress {
	if c.progress == nil && env.Terminal {
		c.progress = dbt.NewProgress(env.Stderr)
	}
	return c.progress
}

// columnsOptions are column inference's options for the command: its cache and its progress
// line.
func (c *cacheFlags) columnsOptions(env *Env, project, dialect string) columns.Options {
	return columns.Options{Ctx: env.Ctx, Dialect: dialect, Cache: c.open(env, project), Progress: c.progressLine(env)}
}

// open opens the command's cache once; nil when caching is off or the directory cannot be
// used. Column inference takes it from here too.
func (c *cacheFlags) open(env *Env, project string) *cache.Cache {
	if !c.opened {
		c.opened = true
		if dir := cacheDir(env, c.CacheDir, project); dir != "" && !c.NoCache {
			if err := confineCacheDir(project, dir); err == nil {
				// A cache that cannot be opened (read-only checkout) costs speed, not the run.
				if c.cache, _ = cache.New(dir, cacheLimit(env)); c.cache != nil && env.Secrets != nil {
					// Nothing holding a secret value is stored, whichever stage computed it
					// (a column named after an env var the project may read, for one).
					m := env.Secrets
					c.cache.Allow = func(p []byte) bool { return m.Len() == 0 || bytes.Equal(m.Mask(p), p) }
				}
			}
		}
	}
	return c.cache
}

// confineCacheDir creates the default cache directory through the project's root, so that a
// .dataops committed as a symbolic link cannot send the cache's writes outside the project. A
// directory given by --cache-dir or DATAOPS_CACHE_DIR is the caller's choice.
func confineCacheDir(project, dir string) error {
	rel, err := filepath.Rel(project, dir)
	if err != nil || !filepath.IsLocal(rel) {
		return nil
	}
	r, err := os.OpenRoot(project)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.MkdirAll(rel, 0o755); err != nil {
		return err
	}
	// The directory as the root resolved it must be the one opened by path.
	a, err1 := r.Stat(rel)
	b, err2 := os.Stat(dir)
	if err1 != nil || err2 != nil || !os.SameFile(a, b) {
		return fmt.Errorf("%s: not inside the project", dir)
	}
	return nil
}

// cacheLimit is DATAOPS_CACHE_MAX_MB in bytes, else the default.
func cacheLimit(env *Env) int64 {
	if mb, err := strconv.ParseInt(env.Getenv("DATAOPS_CACHE_MAX_MB"), 10, 64); err == nil && mb > 0 {
		return mb << 20
	}
	return cache.DefaultLimit
}

func newCacheCmd(env *Env) *cobra.Command {
	var project, dir string
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Show or empty the cache of renders, property files and columns",
		Long: "Every command that loads a project keeps the results of its renders, property-file parses and\n" +
			"column inference in a content-addressed cache (.dataops/cache in the project, or --cache-dir,\n" +
			"or $DATAOPS_CACHE_DIR), so a run costs what changed since the last one. `cache status` shows\n" +
			"its size, `cache clean` empties it. The cache is bounded by $DATAOPS_CACHE_MAX_MB (default 2048);\n" +
			"--no-cache or DATAOPS_CACHE=off turns it off for one run.",
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVar(&project, "project", ".", "directory of the dbt project")
	cmd.PersistentFlags().StringVar(&dir, "cache-dir", "", "cache directory (default: $DATAOPS_CACHE_DIR, else .dataops/cache in the project)")
	where := func() string {
		d := cacheDir(env, dir, project)
		if d == "" {
			d = filepath.Join(project, ".dataops", "cache")
		}
		return d
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "clean",
		Short: "Remove every entry of the cache and the base trees kept for reviews",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			d := where()
			if _, err := change.CleanKeptTrees(filepath.Join(d, keptTreesDir)); err != nil {
				return &ExitError{Code: ExitInternal, Err: err}
			}
			u, err := cache.Clean(d)
			if err != nil {
				return &ExitError{Code: ExitInternal, Err: err}
			}
			fmt.Fprintf(env.Stdout, "cache %s: removed %d entries (%s)\n", d, u.Entries, sizeText(u.Bytes))
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "Show the entries and size of the cache",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			d := where()
			u, err := cache.Status(d)
			if err != nil {
				return &ExitError{Code: ExitInternal, Err: err}
			}
			fmt.Fprintf(env.Stdout, "cache %s: %d entries, %s of %s; %d workers by default\n", d, u.Entries, sizeText(u.Bytes), sizeText(cacheLimit(env)), runtime.GOMAXPROCS(0))
			return nil
		},
	})
	return cmd
}

func sizeText(b int64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}
