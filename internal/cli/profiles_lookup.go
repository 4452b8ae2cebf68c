package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// Teams keep profiles.yml where dbt does not look for it (a `profile/` folder, a CI folder) and
// pass --profiles-dir in their scripts. Without it a load falls back to the embedded DuckDB,
// and a Snowflake project would be read as DuckDB SQL without a word. So when no profiles.yml
// where dbt looks defines the project's profile, the project's folders are searched for one
// that does: it is used, with a warning that says so; when there is none, the warning says
// what the SQL is read as.

// profileSearchDepth bounds the folders searched below the project.
const profileSearchDepth = 3

// projectProfile is dbt_project.yml's `profile:` in dir; "" when it has none or cannot be read.
func projectProfile(data []byte) string {
	var p struct {
		Profile string `yaml:"profile"`
	}
	if yamllimit.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &p) != nil {
		return ""
	}
	return p.Profile
}

// definesProfile reports whether a profiles.yml defines the named profile.
func definesProfile(data []byte, name string) bool {
	var doc map[string]any
	if yamllimit.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &doc) != nil {
		return false
	}
	_, ok := doc[name]
	return ok
}

// profilesInProject lists profiles.yml files below the project's top folder (depth-limited,
// outside packages, build output and hidden folders), relative to it, shallowest first.
func profilesInProject(project string) []string {
	var out []string
	root, err := filepath.Abs(project)
	if err != nil {
		return nil
	}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || name == "dbt_packages" || name == "dbt_modules" || name == "target" ||
				name == "logs" || name == "node_modules" || strings.Count(rel, string(filepath.Separator)) >= profileSearchDepth) {
				return filepath.SkipDir
			}
			return nil
		}
		// The project's own profiles.yml is where dbt looks already.
		if d.Name() == "profiles.yml" && rel != "profiles.yml" && d.Type().IsRegular() {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		di, dj := strings.Count(out[i], "/"), strings.Count(out[j], "/")
		return di < dj || di == dj && out[i] < out[j]
	})
	return out
}

// warnings prints each message once per run (a review loads the project more than once).
type warnings struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (e *Env) warnOnce(msg string) {
	if e.warned == nil {
		e.warned = &warnings{}
	}
	w := e.warned
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if w.seen[msg] {
		return
	}
	w.seen[msg] = true
	fmt.Fprintf(e.Stderr, "dataops: warning: %s\n", msg)
}

// profileSearch is where the project's profile is, searched once per command: the adapter
// guess needs to know whether there is one before the load warns about where it is.
type profileSearch struct {
	named    bool   // --profiles-dir or DBT_PROFILES_DIR names the folder: dbt's error if wrong
	name     string // dbt_project.yml's profile; "" when it has none or cannot be read
	whereDbt bool   // a profiles.yml where dbt looks defines it
	inside   string // else, the first profiles.yml in the project's folders that does, relative
}

func (f *projectFlags) searchProfile(getenv func(string) (string, bool)) *profileSearch {
	// --profiles-dir is read each time: --trust base sets it to the base's copy of the profile.
	if d, ok := getenv("DBT_PROFILES_DIR"); f.ProfilesDir != "" || ok && d != "" {
		return &profileSearch{named: true}
	}
	if f.profiles != nil {
		return f.profiles
	}
	ps := &profileSearch{}
	f.profiles = ps
	data, err := os.ReadFile(filepath.Join(f.Project, "dbt_project.yml"))
	if err != nil {
		return ps
	}
	if ps.name = projectProfile(data); ps.name == "" {
		return ps
	}
	for _, p := range dbt.ProfilePaths(dbt.ProfileOptions{ProjectDir: f.Project}) {
		if data, err := os.ReadFile(p); err == nil && definesProfile(data, ps.name) {
			ps.whereDbt = true
			return ps
		}
	}
	for _, rel := range profilesInProject(f.Project) {
		if data, err := os.ReadFile(filepath.Join(f.Project, filepath.FromSlash(rel))); err == nil && definesProfile(data, ps.name) {
			ps.inside = rel
			return ps
		}
	}
	return ps
}

// profileFound says whether a profile will be used: one named by --profiles-dir or
// DBT_PROFILES_DIR, or one defining the project's profile where dbt looks or in the
// project's folders (lookForProfile).
func (f *projectFlags) profileFound(getenv func(string) (string, bool)) bool {
	ps := f.searchProfile(getenv)
	return ps.named || ps.whereDbt || ps.inside != ""
}

// lookForProfile returns the folder of a profiles.yml inside the project that defines its
// profile when none where dbt looks does ("" otherwise), and warns either way when the
// profile is not where dbt looks.
// guessed is the adapter the repository installs (dbt.GuessAdapter), named in from.
func (f *projectFlags) lookForProfile(env *Env, getenv func(string) (string, bool), guessed, from string) string {
	ps := f.searchProfile(getenv)
	if ps.named || ps.name == "" || ps.whereDbt {
		return ""
	}
	name := ps.name
	if rel := ps.inside; rel != "" {
		dir := filepath.Dir(filepath.FromSlash(rel))
		env.warnOnce(fmt.Sprintf("profile %q is not in a profiles.yml where dbt looks (--profiles-dir, DBT_PROFILES_DIR, the project, ~/.dbt); using %s (pass --profiles-dir %s to say so)",
			name, rel, filepath.Join(f.Project, dir)))
		return filepath.Join(f.Project, dir)
	}
	switch {
	case f.Dialect != "":
	case guessed != "" && guessed != "duckdb":
		env.warnOnce(fmt.Sprintf("no profiles.yml defines profile %q (looked in --profiles-dir, DBT_PROFILES_DIR, the project and its folders, ~/.dbt): SQL is read as %s's, the adapter named in %s, and runs on the embedded DuckDB; pass --profiles-dir, or --dialect for the SQL",
			name, guessed, from))
	default:
		env.warnOnce(fmt.Sprintf("no profiles.yml defines profile %q (looked in --profiles-dir, DBT_PROFILES_DIR, the project and its folders, ~/.dbt): SQL is read as DuckDB's and runs on the embedded DuckDB; pass --profiles-dir, or --dialect for the SQL",
			name))
	}
	return ""
}
