package dbt

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/secret"
)

// Target is the profile output a project runs against: what `target` is in Jinja, and what a
// warehouse connects to (internal/warehouse turns it into a connection).
type Target struct {
	Name     string         // target name (dev, prod, ...)
	Type     string         // adapter type: duckdb, postgres, snowflake, ...
	Database string         // database / dbname / project / catalog, by adapter
	Schema   string         // schema / dataset
	Threads  int            // the output's threads; 1, dbt's default, when unset
	Fields   map[string]any // every key of the output, rendered (may hold secrets: never print)
	File     string         // profiles.yml it came from; "" when defaulted
	Profile  string         // profile name

	// InProject says File lies in the project directory: content a pull request can change,
	// unlike a profile the runner chose outside it (~/.dbt, a --profiles-dir elsewhere).
	InProject bool
	// FieldPos is where each key of the output is written, for errors about its value.
	FieldPos map[string]Pos
	// Outputs are the profile's outputs and their adapter types, in file order, for hints.
	Outputs []Output
}

// Output is one output of a profile.
type Output struct {
	Name string
	Type string
}

// ProfileOptions say where to look for profiles.yml and which target to take.
type ProfileOptions struct {
	ProjectDir  string
	ProfilesDir string // --profiles-dir
	Profile     string // profile name from dbt_project.yml
	Target      string // --target; "" = the profile's `target:`, else "default"
	Getenv      func(string) (string, bool)
	Home        string // the directory holding .dbt/ (default: the user's home)
	// Render renders Jinja in profile values (env_var, var). nil renders env_var() alone and
	// strictly: a variable that is unset and has no default, or any other expression, is an
	// error at the value. What a warehouse connection needs.
	Render func(pos Pos, s string) (any, error)
	// ReadOnly is for a load that only reads the project (it names relations and picks a
	// dialect, it connects to nothing): where dbt would stop on a setting such a load does not
	// use, it goes on. Without --target, a profile whose target is not among its outputs gives
	// its first output; an output without a type gives Type ""; threads that are not a number
	// give 1; a profiles.yml the search found (not one the runner named) that is not YAML is
	// passed over and reported to Skipped.
	ReadOnly bool
	// Skipped hears of each profiles.yml a read-only search passed over, with why.
	Skipped func(error)
}

// profilesFiles are the profiles.yml files dbt would read, in its order: --profiles-dir, else
// DBT_PROFILES_DIR (either must hold one: an error names the file), else the project
// directory's, else ~/.dbt's, those that exist. explicit is true when the runner named the file.
func profilesFiles(o ProfileOptions) (files []string, explicit bool, err error) {
	dir, why := o.ProfilesDir, "--profiles-dir"
	if dir == "" && o.Getenv != nil {
		if d, ok := o.Getenv("DBT_PROFILES_DIR"); ok && d != "" {
			dir, why = d, "DBT_PROFILES_DIR"
		}
	}
	if dir != "" {
		path := filepath.Join(dir, "profiles.yml")
		if _, err := os.Stat(path); err != nil {
			return nil, true, &InputError{Pos: Pos{Path: path}, Msg: why + ": no profiles.yml there"}
		}
		return []string{path}, true, nil
	}
	home := o.Home
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	var dirs []string
	if o.ProjectDir != "" {
		dirs = append(dirs, o.ProjectDir)
	}
	if home != "" {
		dirs = append(dirs, filepath.Join(home, ".dbt"))
	}
	for _, d := range dirs {
		path := filepath.Join(d, "profiles.yml")
		if st, err := os.Stat(path); err == nil && !st.IsDir() {
			files = append(files, path)
		}
	}
	return files, false, nil
}

// ProfilePaths are the profiles.yml files the search reads, in its order, those that exist
// (none when a named folder holds none).
func ProfilePaths(o ProfileOptions) []string {
	files, _, _ := profilesFiles(o)
	return files
}

// ResolveTarget finds the project's profile and returns its selected output, as dbt does:
// profiles.yml from --profiles-dir, else DBT_PROFILES_DIR, else the project directory, else
// ~/.dbt; the output named by --target, else by the profile's `target:`, else "default";
// threads 1 when unset; for DuckDB the database is the file's name without extension
// ("memory" without a file) and the schema "main" when unset.
//
// It returns (nil, nil) when there is no profile to use: no profiles.yml, no profile name, or
// one found by the search (not named by the runner) that does not hold the profile; dbt would
// stop there, dataops runs on its defaults. Unlike dbt, a project's profiles.yml without the
// profile does not hide ~/.dbt's. Every other problem is an *InputError naming file and line.
func ResolveTarget(o ProfileOptions) (*Target, error) {
	files, explicit, err := profilesFiles(o)
	if err != nil {
		return nil, err
	}
	if o.Profile == "" {
		return nil, nil
	}
	render := o.Render
	if render == nil {
		render = strictEnvRenderer(o.Getenv)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, &InputError{Pos: Pos{Path: path}, Msg: err.Error()}
		}
		root, err := parseYAML(path, data)
		if err != nil {
			// Repositories commit profiles.yml templates with placeholders that are not
			// YAML (`project: <TODO: fill in>`); a load that connects to nothing goes on
			// without the file rather than stop on a setting it would not use.
			if o.ReadOnly && !explicit {
				if o.Skipped != nil {
					o.Skipped(err)
				}
				continue
			}
			return nil, err
		}
		prof := root.get(o.Profile)
		if prof == nil || prof.Kind != yMap {
			if explicit {
				return nil, &InputError{Pos: root.Pos, Msg: fmt.Sprintf("no profile %q", o.Profile)}
			}
			continue
		}
		t, err := targetOf(o, path, prof, render)
		if err != nil {
			return nil, err
		}
		t.InProject = inDir(o.ProjectDir, filepath.Dir(path))
		return t, nil
	}
	return nil, nil
}

func targetOf(o ProfileOptions, path string, prof *ynode, render func(Pos, string) (any, error)) (*Target, error) {
	var errs []error
	str := func(n *ynode) string {
		s := n.str()
		if !hasJinja(s) {
			return s
		}
		v, err := render(n.Pos, s)
		if err != nil {
			errs = append(errs, err)
			return ""
		}
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	}
	name := o.Target
	if name == "" {
		if tn := prof.get("target"); tn != nil {
			name = str(tn)
		}
	}
	if len(errs) > 0 {
		return nil, errs[0]
	}
	if name == "" {
		name = "default" // dbt's choice when a profile names no target
	}
	outputs := prof.get("outputs")
	var outs []Output
	if outputs != nil && outputs.Kind == yMap {
		for i, k := range outputs.Keys {
			outs = append(outs, Output{Name: k, Type: outputs.Vals[i].get("type").str()})
		}
	}
	out := outputs.get(name)
	if (out == nil || out.Kind != yMap) && o.ReadOnly && o.Target == "" && len(outs) > 0 {
		name, out = outputs.Keys[0], outputs.Vals[0]
	}
	if out == nil || out.Kind != yMap {
		names := make([]string, len(outs))
		for i, x := range outs {
			names[i] = x.Name
		}
		at := prof.keyPos("outputs")
		if outputs == nil {
			at = prof.Pos
		}
		return nil, &InputError{Pos: at, Msg: fmt.Sprintf("profile %q has no target %q (targets: %s)", o.Profile, name, strings.Join(names, ", "))}
	}
	t := &Target{Name: name, File: path, Profile: o.Profile, Threads: 1, Outputs: outs,
		Fields: map[string]any{}, FieldPos: map[string]Pos{}}
	for i, k := range out.Keys {
		v := out.Vals[i].value()
		if s, ok := v.(string); ok && hasJinja(s) {
			var err error
			if v, err = render(out.Vals[i].Pos, s); err != nil {
				errs = append(errs, err)
			}
		}
		t.Fields[k] = v
		t.FieldPos[k] = out.Vals[i].Pos
	}
	if len(errs) > 0 {
		return nil, errs[0]
	}
	t.Type = strField(t.Fields, "type")
	if t.Type == "" && !o.ReadOnly {
		return nil, &InputError{Pos: prof.get("outputs").keyPos(name), Msg: fmt.Sprintf("output %q has no type", name)}
	}
	t.Database = firstField(t.Fields, "database", "dbname", "project", "catalog")
	t.Schema = firstField(t.Fields, "schema", "dataset")
	if t.Type == "duckdb" {
		if t.Database == "" {
			t.Database = duckdbDatabase(strField(t.Fields, "path"))
		}
		if t.Schema == "" {
			t.Schema = "main"
		}
	}
	if s := strField(t.Fields, "threads"); s != "" {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if (err != nil || n < 0) && !o.ReadOnly {
			return nil, &InputError{Pos: t.FieldPos["threads"], Msg: fmt.Sprintf("threads: %q is not a number", s)}
		}
		if n > 0 {
			t.Threads = n
		}
	}
	return t, nil
}

// inDir says whether dir is root or lies under it, links resolved; when either cannot be
// resolved it answers yes, the stricter choice for a file a pull request may have placed.
func inDir(root, dir string) bool {
	r, err := filepath.Abs(root)
	if err == nil {
		r, err = filepath.EvalSymlinks(r)
	}
	if err != nil {
		return true
	}
	d, err := filepath.Abs(dir)
	if err == nil {
		d, err = filepath.EvalSymlinks(d)
	}
	if err != nil {
		return true
	}
	rel, err := filepath.Rel(r, d)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// DefaultTarget is what a project runs against when no profile is found: the embedded DuckDB
// (internal/warehouse), target dev, schema main, 4 threads; the database, which names
// relations, is the project's name. adapter overrides the type for rendering (--dialect).
func DefaultTarget(projectName, adapter string) *Target {
	if adapter == "" {
		adapter = "duckdb"
	}
	return &Target{
		Name: "dev", Type: adapter, Schema: "main", Database: projectName, Threads: 4,
		Fields: map[string]any{"type": adapter, "schema": "main", "database": projectName},
	}
}

// Map is the target as Jinja's `target` sees it.
func (t *Target) Map() map[string]any {
	m := make(map[string]any, len(t.Fields)+6)
	for k, v := range t.Fields {
		m[k] = v
	}
	m["name"] = t.Name
	m["type"] = t.Type
	m["schema"] = t.Schema
	m["database"] = t.Database
	m["threads"] = t.Threads
	if t.Profile != "" {
		m["profile_name"] = t.Profile
	}
	return m
}

// Credentials are the values of the target's fields named like secrets (password, token,
// private_key, ...), also inside mappings (keyfile_json's private_key, but not its type or
// project_id), and passwords in URLs: what output must never show. A value that is also the
// value of one of the target's plain fields is left out: the target shows it openly already
// (a local profile with `user: trino`, `password: trino`, `type: trino`), and masking it would
// mask every mention of the adapter or the host, and keep every render that names them out of
// the cache.
func (t *Target) Credentials() []string {
	plain := map[string]bool{}
	for k, v := range t.Fields {
		if s, ok := v.(string); ok && !secret.LooksSecret(k) {
			plain[s] = true
		}
	}
	var out []string
	var walk func(k string, v any, secretAbove bool)
	walk = func(k string, v any, secretAbove bool) {
		isSecret := secretAbove || secret.LooksSecret(k)
		switch x := v.(type) {
		case map[string]any:
			for k2, v2 := range x {
				walk(k2, v2, false)
			}
		case []any:
			for _, v2 := range x {
				walk(k, v2, isSecret)
			}
		case string:
			if isSecret {
				if !plain[x] {
					out = append(out, x)
				}
			} else if p := secret.URLPassword(x); p != "" {
				out = append(out, p)
			}
		}
	}
	for k, v := range t.Fields {
		walk(k, v, false)
	}
	return out
}

// duckdbDatabase is the catalog name DuckDB gives a database file: its base name without
// extension, or "memory".
func duckdbDatabase(path string) string {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "md:") {
		return "memory"
	}
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

func strField(m map[string]any, k string) string {
	if v, ok := m[k]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

func firstField(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s := strField(m, k); s != "" {
			return s
		}
	}
	return ""
}

var (
	reProfileJinja  = lazyregexp.New(`\{\{(.*?)\}\}`)
	reProfileEnvVar = lazyregexp.New(`^\s*env_var\(\s*(?:'([^']*)'|"([^"]*)")\s*(?:,\s*(?:'([^']*)'|"([^"]*)"|([^)\s]+))\s*)?\)\s*((?:\|\s*[a-z_]+\s*)*)$`)
)

// strictEnvRenderer renders the env_var() calls a profile value may hold, filters after them
// ignored (the value is text either way). Nothing else is evaluated: any other expression, or
// an unset variable without a default, is an *InputError at the value rather than a guess.
func strictEnvRenderer(getenv func(string) (string, bool)) func(Pos, string) (any, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	return func(pos Pos, s string) (any, error) {
		var firstErr error
		out := reProfileJinja.ReplaceAllStringFunc(s, func(m string) string {
			inner := m[2 : len(m)-2]
			sub := reProfileEnvVar.FindStringSubmatch(inner)
			if sub == nil {
				if firstErr == nil {
					firstErr = &InputError{Pos: pos, Msg: fmt.Sprintf("cannot render %q: only env_var('NAME'[, 'default']) is supported in profiles.yml here", strings.TrimSpace(m))}
				}
				return m
			}
			name := sub[1] + sub[2]
			if v, ok := getenv(name); ok {
				return v
			}
			if sub[3] != "" || sub[4] != "" || sub[5] != "" || strings.Contains(inner, ",") {
				return sub[3] + sub[4] + sub[5]
			}
			if firstErr == nil {
				firstErr = &InputError{Pos: pos, Msg: fmt.Sprintf("environment variable %s is not set and has no default", name)}
			}
			return ""
		})
		if firstErr != nil {
			return nil, firstErr
		}
		return out, nil
	}
}
