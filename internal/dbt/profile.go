package dbt

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dataops-dev/dataops/internal/secret"
)

// Target is the profile output a load renders against: what `target` is in Jinja.
type Target struct {
	Name     string         // target name (dev, prod, ...)
	Type     string         // adapter type: duckdb, postgres, snowflake, ...
	Database string         // database / dbname / project / catalog, by adapter
	Schema   string         // schema / dataset
	Threads  int            // threads (1 when unset)
	Fields   map[string]any // every key of the output, rendered (may hold secrets: never print)
	File     string         // profiles.yml it came from; "" when defaulted
	Profile  string         // profile name
}

// ProfileOptions say where to look for profiles.yml and which target to take.
type ProfileOptions struct {
	ProjectDir  string
	ProfilesDir string // --profiles-dir
	Profile     string // profile name from dbt_project.yml
	Target      string // --target; "" = the profile's `target:`
	Getenv      func(string) (string, bool)
	// Render renders Jinja in profile values (env_var, var); nil keeps them as written.
	Render func(pos Pos, s string) any
}

// ProfilePaths lists the profiles.yml candidates in the order they are tried: --profiles-dir,
// DBT_PROFILES_DIR, the project directory, then ~/.dbt. An explicit flag wins over files that
// merely happen to be present.
func ProfilePaths(o ProfileOptions) []string {
	var dirs []string
	if o.ProfilesDir != "" {
		dirs = append(dirs, o.ProfilesDir)
	}
	if o.Getenv != nil {
		if d, ok := o.Getenv("DBT_PROFILES_DIR"); ok && d != "" {
			dirs = append(dirs, d)
		}
	}
	if o.ProjectDir != "" {
		dirs = append(dirs, o.ProjectDir)
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".dbt"))
	}
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		out = append(out, filepath.Join(d, "profiles.yml"))
	}
	return out
}

// ReadTarget finds profiles.yml and returns the selected target of the named profile. It returns
// (nil, nil) when no profiles.yml holds the profile; a malformed file is an *InputError.
func ReadTarget(o ProfileOptions) (*Target, error) {
	if o.ProfilesDir != "" {
		if _, err := os.Stat(filepath.Join(o.ProfilesDir, "profiles.yml")); err != nil {
			return nil, &InputError{Pos: Pos{Path: filepath.Join(o.ProfilesDir, "profiles.yml")}, Msg: "--profiles-dir: no profiles.yml there"}
		}
	}
	for _, path := range ProfilePaths(o) {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		root, err := parseYAML(path, data)
		if err != nil {
			return nil, err
		}
		prof := root.get(o.Profile)
		if o.Profile == "" || prof == nil || prof.Kind != yMap {
			continue
		}
		name := o.Target
		if name == "" {
			if tn := prof.get("target"); tn != nil {
				name = renderString(o.Render, tn.Pos, tn.str())
			}
		}
		if name == "" {
			name = "default" // dbt's choice when a profile names no target
		}
		outputs := prof.get("outputs")
		out := outputs.get(name)
		if (out == nil || out.Kind != yMap) && o.Target == "" && outputs != nil && len(outputs.Keys) > 0 {
			// No explicit --target: a profile whose default target is missing still tells the
			// adapter; take its first output rather than fail a read-only parse.
			name, out = outputs.Keys[0], outputs.Vals[0]
		}
		if out == nil || out.Kind != yMap {
			var names []string
			if outputs != nil {
				names = outputs.Keys
			}
			return nil, &InputError{Pos: prof.Pos, Msg: fmt.Sprintf("profile %q has no target %q (targets: %s)", o.Profile, name, strings.Join(names, ", "))}
		}
		fields := map[string]any{}
		for i, k := range out.Keys {
			v := out.Vals[i].value()
			if s, ok := v.(string); ok && hasJinja(s) && o.Render != nil {
				v = o.Render(out.Vals[i].Pos, s)
			}
			fields[k] = v
		}
		t := &Target{Name: name, Fields: fields, File: path, Profile: o.Profile, Threads: 1}
		t.Type = strField(fields, "type")
		t.Database = firstField(fields, "database", "dbname", "project", "catalog")
		t.Schema = firstField(fields, "schema", "dataset")
		if t.Type == "duckdb" && t.Database == "" {
			t.Database = duckdbDatabase(strField(fields, "path"))
		}
		if n, ok := fields["threads"].(int64); ok && n > 0 {
			t.Threads = int(n)
		}
		return t, nil
	}
	return nil, nil
}

// DefaultTarget is what a load renders against when no profile is found: DuckDB in memory.
func DefaultTarget(projectName, adapter string) *Target {
	if adapter == "" {
		adapter = "duckdb"
	}
	return &Target{
		Name: "dev", Type: adapter, Schema: "main", Database: projectName, Threads: 1,
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
// project_id), and passwords in URLs: what output must never show.
func (t *Target) Credentials() []string {
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
				out = append(out, x)
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

func renderString(render func(pos Pos, s string) any, pos Pos, s string) string {
	if render == nil || !hasJinja(s) {
		return s
	}
	v := render(pos, s)
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
