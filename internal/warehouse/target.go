package warehouse

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
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

// DefaultTarget is the embedded DuckDB file under the project's .dataops directory: the target
// dbt.DefaultTarget names when there is no profile (its database is the project's name, which
// only names relations; this file's catalog is "dataops", which SQL never spells).
func DefaultTarget(projectDir string) *Target {
	abs, err := filepath.Abs(projectDir)
	if err != nil {
		abs = projectDir
	}
	d := dbt.DefaultTarget("", "duckdb")
	return &Target{Name: d.Name, Type: "duckdb", Schema: d.Schema, Database: "dataops", Threads: d.Threads,
		Path: filepath.Join(abs, DefaultDuckDBPath), Root: abs}
}

// TargetFor is the connection a resolved profile target describes (dbt.ResolveTarget); nil,
// no profile, gives DefaultTarget. A relative DuckDB path is taken from projectDir. It checks
// the adapter type: duckdb and postgres.
//
// A profile that is project content, which a pull request can change (t.InProject, or
// projectContent for a base commit's copy in a scratch directory), may name only a DuckDB file
// inside projectDir (a *TargetError at the path's line otherwise). One the runner chose outside
// the project (~/.dbt, a --profiles-dir elsewhere) may name any file.
func TargetFor(t *dbt.Target, projectDir string, projectContent bool) (*Target, error) {
	if t == nil {
		return DefaultTarget(projectDir), nil
	}
	at := func(key string) *TargetError { return &TargetError{Path: t.File, Line: t.FieldPos[key].Line} }
	str := func(key string) string {
		if v, ok := t.Fields[key]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	}
	var errs []error
	num := func(key string) int {
		s := strings.TrimSpace(str(key))
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			e := at(key)
			e.Msg = fmt.Sprintf("%s: %q is not a number", key, s)
			errs = append(errs, e)
		}
		return n
	}
	w := &Target{Profile: t.Profile, Name: t.Name, Type: t.Type, Source: t.File, Threads: t.Threads}
	switch t.Type {
	case "duckdb":
		w.Schema = t.Schema
		w.Path = str("path")
		switch {
		case w.Path == "" || w.Path == ":memory:":
			w.Path, w.Database = ":memory:", "memory"
		case strings.HasPrefix(w.Path, "md:") || strings.HasPrefix(w.Path, "motherduck:") || strings.Contains(w.Path, "://"):
			e := at("path")
			e.Msg = fmt.Sprintf("DuckDB path %q is remote; dataops opens local DuckDB files only", w.Path)
			errs = append(errs, e)
		default:
			given := w.Path
			if !filepath.IsAbs(w.Path) {
				w.Path = filepath.Join(absDir(projectDir), w.Path)
			}
			w.Path = filepath.Clean(w.Path)
			w.Database = strings.TrimSuffix(filepath.Base(w.Path), filepath.Ext(w.Path))
			if t.InProject || projectContent {
				w.Root = absDir(projectDir)
				if _, err := Inside(w.Root, w.Path); err != nil {
					e := at("path")
					e.Err = err
					e.Msg = fmt.Sprintf("DuckDB path %q: %v; a profiles.yml inside the project may only name files inside it (a profile in ~/.dbt or --profiles-dir outside the project may point anywhere)", given, err)
					errs = append(errs, e)
				}
			}
		}
		if exts, ok := t.Fields["extensions"].([]any); ok {
			for _, e := range exts {
				name := fmt.Sprint(e)
				if m, ok := e.(map[string]any); ok {
					name = fmt.Sprint(m["name"])
				}
				w.Extensions = append(w.Extensions, name)
				if !builtinDuckDBExtensions[name] {
					w.Warnings = append(w.Warnings, fmt.Sprintf("DuckDB extension %q is not built in and is ignored (dataops never downloads extensions)", name))
				}
			}
		}
	case "postgres", "postgresql":
		w.Type = "postgres"
		w.Host = str("host")
		w.Port = num("port")
		if w.Port == 0 {
			w.Port = 5432
		}
		w.User = str("user")
		w.Password = str("password")
		if w.Password == "" {
			w.Password = str("pass")
		}
		w.DBName = str("dbname")
		if w.DBName == "" {
			w.DBName = str("database")
		}
		w.Database = w.DBName
		w.Schema = t.Schema
		if w.Schema == "" {
			w.Schema = "public"
		}
		w.SSLMode = str("sslmode")
		w.ConnectTimeout = num("connect_timeout")
	default:
		var duck []string
		for _, o := range t.Outputs {
			if o.Type == "duckdb" {
				duck = append(duck, o.Name)
			}
		}
		slices.Sort(duck)
		hint := fmt.Sprintf("or remove the profile to use the embedded DuckDB at %s", DefaultDuckDBPath)
		if len(duck) > 0 {
			hint = fmt.Sprintf("use --target %s (a duckdb output of this profile), %s", duck[0], hint)
		} else {
			hint = "add a duckdb output and pass --target NAME, " + hint
		}
		e := at("type")
		e.Msg = fmt.Sprintf("target %q is type %q: dataops runs seeds, models and tests on duckdb and postgres only; %s", t.Name, t.Type, hint)
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return w, nil
}

// builtinDuckDBExtensions are linked into the DuckDB library dataops ships.
var builtinDuckDBExtensions = map[string]bool{"json": true, "parquet": true, "icu": true, "core_functions": true}

func absDir(d string) string {
	if a, err := filepath.Abs(d); err == nil {
		return a
	}
	return d
}
