package warehouse

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// Target is the warehouse connection a profiles.yml output describes, resolved and rendered.
type Target struct {
	Profile string `json:"profile"`
	Name    string `json:"name"`
	Type    string `json:"type"` // duckdb or postgres
	Schema  string `json:"schema"`
	// Database is the catalog: the DuckDB file's stem, or PostgreSQL's dbname.
	Database string `json:"database"`
	Threads  int    `json:"threads"`

	// DuckDB: the database file (absolute), or ":memory:".
	Path string `json:"path,omitempty"`
	// Root is the directory Path must stay inside (the project's, when the profile is project
	// content or the embedded default); "" when the runner's own profile may point anywhere.
	Root       string   `json:"-"`
	Extensions []string `json:"extensions,omitempty"`

	// PostgreSQL.
	Host           string `json:"host,omitempty"`
	Port           int    `json:"port,omitempty"`
	User           string `json:"user,omitempty"`
	Password       string `json:"-"`
	DBName         string `json:"dbname,omitempty"`
	SSLMode        string `json:"sslmode,omitempty"`
	ConnectTimeout int    `json:"connect_timeout,omitempty"`

	// Source is the profiles.yml the target came from; "" for the embedded default.
	Source string `json:"source,omitempty"`
	// Warnings are things in the profile dataops ignores (e.g. DuckDB extensions not built in).
	Warnings []string `json:"warnings,omitempty"`
}

// DefaultDuckDBPath is where the embedded warehouse lives when no profile names one.
const DefaultDuckDBPath = ".dataops/dataops.duckdb"

// TargetOptions say where to look for profiles.yml and which output to use.
type TargetOptions struct {
	ProjectDir  string
	Profile     string // the project's `profile:`; read from dbt_project.yml when empty
	ProfilesDir string // --profiles-dir
	Target      string // --target
	Getenv      func(string) (string, bool)
	Home        string // home directory for ~/.dbt (default: the user's)
	// ProjectContent treats the profiles.yml found as project content wherever it lies (a
	// base commit's copy in a scratch directory): its DuckDB path must stay in ProjectDir.
	ProjectContent bool
}

// TargetError is a problem with profiles.yml, located in the file.
type TargetError struct {
	Path string
	Line int
	Msg  string
	Err  error // the cause, when there is one to test for (ErrOutside)
}

func (e *TargetError) Unwrap() error { return e.Err }

func (e *TargetError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// DefaultTarget is the embedded DuckDB file under the project's .dataops directory.
func DefaultTarget(projectDir string) *Target {
	abs, err := filepath.Abs(projectDir)
	if err != nil {
		abs = projectDir
	}
	return &Target{Name: "default", Type: "duckdb", Schema: "main", Database: "dataops", Threads: 4,
		Path: filepath.Join(abs, DefaultDuckDBPath), Root: abs}
}

// ResolveTarget finds profiles.yml (--profiles-dir, then $DBT_PROFILES_DIR, then the project
// directory, then ~/.dbt), picks the project's profile and the --target output (else the
// profile's `target:`), renders env_var() and checks the adapter type. With no profiles.yml,
// or none holding the project's profile, it returns DefaultTarget.
//
// A profiles.yml inside the project directory is project content, which a pull request can
// change: its DuckDB path must stay inside the project (a *TargetError at the path's line
// otherwise). One outside the project (~/.dbt, or a --profiles-dir elsewhere) is the runner's
// own and may name any file.
func ResolveTarget(opts TargetOptions) (*Target, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	profile := opts.Profile
	if profile == "" {
		profile = projectProfile(opts.ProjectDir)
	}
	var dirs []string
	explicit := false
	if opts.ProfilesDir != "" {
		dirs, explicit = []string{opts.ProfilesDir}, true
	} else if d, ok := getenv("DBT_PROFILES_DIR"); ok && d != "" {
		dirs, explicit = []string{d}, true
	} else {
		dirs = append(dirs, opts.ProjectDir)
		home := opts.Home
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		if home != "" {
			dirs = append(dirs, filepath.Join(home, ".dbt"))
		}
	}
	for _, d := range dirs {
		path := filepath.Join(d, "profiles.yml")
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, &TargetError{Path: path, Msg: err.Error()}
		}
		t, found, err := targetFromFile(path, data, profile, opts, getenv, opts.ProjectContent || projectContent(opts.ProjectDir, d))
		if err != nil || found {
			return t, err
		}
		if explicit {
			return nil, &TargetError{Path: path, Msg: fmt.Sprintf("no profile %q", profile)}
		}
	}
	if explicit {
		return nil, &TargetError{Path: filepath.Join(dirs[0], "profiles.yml"), Msg: "not found"}
	}
	if opts.Target != "" {
		return nil, &TargetError{Msg: fmt.Sprintf("--target %s: no profiles.yml holds profile %q (without one, dataops uses the embedded DuckDB at %s)", opts.Target, profile, DefaultDuckDBPath)}
	}
	return DefaultTarget(opts.ProjectDir), nil
}

func projectProfile(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "dbt_project.yml"))
	if err != nil {
		return ""
	}
	var p struct {
		Profile string `yaml:"profile"`
		Name    string `yaml:"name"`
	}
	if yamllimit.Unmarshal(data, &p) != nil {
		return ""
	}
	if p.Profile != "" {
		return p.Profile
	}
	return p.Name
}

func targetFromFile(path string, data []byte, profile string, opts TargetOptions, getenv func(string) (string, bool), inProject bool) (*Target, bool, error) {
	var doc map[string]any
	if err := yamllimit.Unmarshal(data, &doc); err != nil {
		return nil, false, &TargetError{Path: path, Msg: yaml.FormatError(err, false, false)}
	}
	file, _ := parser.ParseBytes(data, 0)
	line := func(keys ...string) int { return lineOf(file, keys...) }
	prof, ok := doc[profile].(map[string]any)
	if !ok {
		return nil, false, nil
	}
	tname := opts.Target
	if tname == "" {
		raw, _ := prof["target"].(string)
		r, err := renderEnv(raw, getenv)
		if err != nil {
			return nil, true, &TargetError{Path: path, Line: line(profile, "target"), Msg: err.Error()}
		}
		tname = r
	}
	outputs, _ := prof["outputs"].(map[string]any)
	if tname == "" {
		return nil, true, &TargetError{Path: path, Line: line(profile), Msg: fmt.Sprintf("profile %q names no target: pass --target", profile)}
	}
	out, ok := outputs[tname].(map[string]any)
	if !ok {
		var names []string
		for k := range outputs {
			names = append(names, k)
		}
		return nil, true, &TargetError{Path: path, Line: line(profile, "outputs"), Msg: fmt.Sprintf("profile %q has no output %q (it has: %s)", profile, tname, strings.Join(sortedStrings(names), ", "))}
	}
	field := func(key string) (string, error) {
		v, ok := out[key]
		if !ok || v == nil {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Sprint(v), nil
		}
		r, err := renderEnv(s, getenv)
		if err != nil {
			return "", &TargetError{Path: path, Line: line(profile, "outputs", tname, key), Msg: err.Error()}
		}
		return r, nil
	}
	intField := func(key string) (int, error) {
		s, err := field(key)
		if err != nil || s == "" {
			return 0, err
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0, &TargetError{Path: path, Line: line(profile, "outputs", tname, key), Msg: fmt.Sprintf("%s: %q is not a number", key, s)}
		}
		return n, nil
	}
	var errs []error
	str := func(key string) string {
		s, err := field(key)
		if err != nil {
			errs = append(errs, err)
		}
		return s
	}
	num := func(key string) int {
		n, err := intField(key)
		if err != nil {
			errs = append(errs, err)
		}
		return n
	}
	t := &Target{Profile: profile, Name: tname, Type: str("type"), Source: path, Threads: num("threads")}
	if t.Threads <= 0 {
		t.Threads = 4
	}
	switch t.Type {
	case "duckdb":
		t.Schema = str("schema")
		if t.Schema == "" {
			t.Schema = "main"
		}
		t.Path = str("path")
		switch {
		case t.Path == "" || t.Path == ":memory:":
			t.Path, t.Database = ":memory:", "memory"
		case strings.HasPrefix(t.Path, "md:") || strings.HasPrefix(t.Path, "motherduck:") || strings.Contains(t.Path, "://"):
			errs = append(errs, &TargetError{Path: path, Line: line(profile, "outputs", tname, "path"), Msg: fmt.Sprintf("DuckDB path %q is remote; dataops opens local DuckDB files only", t.Path)})
		default:
			given := t.Path
			if !filepath.IsAbs(t.Path) {
				t.Path = filepath.Join(absDir(opts.ProjectDir), t.Path)
			}
			t.Path = filepath.Clean(t.Path)
			t.Database = strings.TrimSuffix(filepath.Base(t.Path), filepath.Ext(t.Path))
			if inProject {
				t.Root = absDir(opts.ProjectDir)
				if _, err := Inside(t.Root, t.Path); err != nil {
					errs = append(errs, &TargetError{Path: path, Line: line(profile, "outputs", tname, "path"), Err: err,
						Msg: fmt.Sprintf("DuckDB path %q: %v; a profiles.yml inside the project may only name files inside it (a profile in ~/.dbt or --profiles-dir outside the project may point anywhere)", given, err)})
				}
			}
		}
		if exts, ok := out["extensions"].([]any); ok {
			for _, e := range exts {
				name := fmt.Sprint(e)
				if m, ok := e.(map[string]any); ok {
					name = fmt.Sprint(m["name"])
				}
				t.Extensions = append(t.Extensions, name)
				if !builtinDuckDBExtensions[name] {
					t.Warnings = append(t.Warnings, fmt.Sprintf("DuckDB extension %q is not built in and is ignored (dataops never downloads extensions)", name))
				}
			}
		}
	case "postgres", "postgresql":
		t.Type = "postgres"
		t.Host = str("host")
		t.Port = num("port")
		if t.Port == 0 {
			t.Port = 5432
		}
		t.User = str("user")
		t.Password = str("password")
		if t.Password == "" {
			t.Password = str("pass")
		}
		t.DBName = str("dbname")
		if t.DBName == "" {
			t.DBName = str("database")
		}
		t.Database = t.DBName
		t.Schema = str("schema")
		if t.Schema == "" {
			t.Schema = "public"
		}
		t.SSLMode = str("sslmode")
		t.ConnectTimeout = num("connect_timeout")
	case "":
		errs = append(errs, &TargetError{Path: path, Line: line(profile, "outputs", tname), Msg: fmt.Sprintf("output %q has no type", tname)})
	default:
		var duck []string
		for k, v := range outputs {
			if m, ok := v.(map[string]any); ok && fmt.Sprint(m["type"]) == "duckdb" {
				duck = append(duck, k)
			}
		}
		hint := fmt.Sprintf("or remove the profile to use the embedded DuckDB at %s", DefaultDuckDBPath)
		if len(duck) > 0 {
			hint = fmt.Sprintf("use --target %s (a duckdb output of this profile), %s", sortedStrings(duck)[0], hint)
		} else {
			hint = "add a duckdb output and pass --target NAME, " + hint
		}
		errs = append(errs, &TargetError{Path: path, Line: line(profile, "outputs", tname, "type"),
			Msg: fmt.Sprintf("target %q is type %q: dataops runs seeds, models and tests on duckdb and postgres only; %s", tname, t.Type, hint)})
	}
	if len(errs) > 0 {
		return nil, true, errs[0]
	}
	return t, true, nil
}

// builtinDuckDBExtensions are linked into the DuckDB library dataops ships.
var builtinDuckDBExtensions = map[string]bool{"json": true, "parquet": true, "icu": true, "core_functions": true}

func absDir(d string) string {
	if a, err := filepath.Abs(d); err == nil {
		return a
	}
	return d
}

var (
	reJinja  = regexp.MustCompile(`\{\{(.*?)\}\}`)
	reEnvVar = regexp.MustCompile(`^\s*env_var\(\s*(?:'([^']*)'|"([^"]*)")\s*(?:,\s*(?:'([^']*)'|"([^"]*)"|([^)\s]+))\s*)?\)\s*((?:\|\s*[a-z_]+\s*)*)$`)
)

// renderEnv renders the env_var() calls profiles.yml may hold. Nothing else in a profile is
// evaluated: any other expression is an error rather than a guess.
func renderEnv(s string, getenv func(string) (string, bool)) (string, error) {
	var firstErr error
	out := reJinja.ReplaceAllStringFunc(s, func(m string) string {
		inner := m[2 : len(m)-2]
		sub := reEnvVar.FindStringSubmatch(inner)
		if sub == nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("cannot render %q: only env_var('NAME'[, 'default']) is supported in profiles.yml", strings.TrimSpace(m))
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
			firstErr = fmt.Errorf("environment variable %s is not set and has no default", name)
		}
		return ""
	})
	return out, firstErr
}

// lineOf finds the line of the value at a key path in a YAML file (0 when absent).
func lineOf(f *ast.File, keys ...string) int {
	if f == nil || len(f.Docs) == 0 {
		return 0
	}
	node := f.Docs[0].Body
	line := 0
	for _, k := range keys {
		var next ast.Node
		var values []*ast.MappingValueNode
		switch n := node.(type) {
		case *ast.MappingNode:
			values = n.Values
		case *ast.MappingValueNode:
			values = []*ast.MappingValueNode{n}
		}
		for _, mv := range values {
			if mv.Key != nil && strings.Trim(mv.Key.String(), `"'`) == k {
				next = mv.Value
				line = mv.Key.GetToken().Position.Line
				break
			}
		}
		if next == nil {
			return line
		}
		node = next
	}
	return line
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
