package dbt

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// Most dbt projects keep profiles.yml outside the repository (~/.dbt, a CI secret), so a
// checkout alone says nothing of the warehouse, and rendering as DuckDB then picks the wrong
// dispatch (automate_dv has no default__ for its escape characters) and the wrong SQL
// dialect. The repository still says which adapter it installs: requirements files,
// pyproject.toml, Pipfile, a Dockerfile, CI workflows. GuessAdapter reads those.

// adapterPackage finds a pip package named dbt-<word>; adapterNames says which are adapters
// (dbt-core, dbt-utils and the like are not).
var adapterPackage = lazyregexp.New(`(?i)dbt-([a-z]+)`)

// profileType finds an output's `type:` line in a profiles.yml read as text: repositories
// commit profile templates whose placeholders are not YAML (`project: <TODO: fill in>`),
// and their adapter type is still the warehouse the project runs on.
var profileType = lazyregexp.New(`(?m)^\s+type:\s*["']?([A-Za-z]+)["']?\s*(?:#.*)?$`)

var adapterNames = map[string]string{"snowflake": "snowflake", "bigquery": "bigquery", "redshift": "redshift",
	"postgres": "postgres", "databricks": "databricks", "spark": "spark", "trino": "trino",
	"starburst": "trino", // dbt-trino's former name
	"duckdb":    "duckdb", "sqlserver": "sqlserver", "synapse": "synapse", "fabric": "fabric", "athena": "athena",
	"clickhouse": "clickhouse", "oracle": "oracle", "teradata": "teradata", "exasol": "exasol",
	"materialize": "materialize", "glue": "glue", "vertica": "vertica", "greenplum": "greenplum",
	"firebolt": "firebolt", "dremio": "dremio", "impala": "impala", "hive": "hive", "doris": "doris",
	"singlestore": "singlestore", "mysql": "mysql", "sqlite": "sqlite", "risingwave": "risingwave"}

// namePart says whether c may continue a package name: dbt-postgres-helper is not dbt-postgres.
func namePart(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// adapterFiles are the files read in each folder from the project up to the repository root.
var adapterFiles = []string{"requirements.txt", "requirements-dev.txt", "requirements_dev.txt", "dev-requirements.txt",
	"pyproject.toml", "Pipfile", "setup.py", "setup.cfg", "environment.yml", "Dockerfile", "Makefile"}

// adapterFileMax bounds what is read of one file: the names sit near the top of all of them.
const adapterFileMax = 256 << 10

// GuessAdapter names the adapter the repository installs, for a project without a profile:
// the adapter named in the most files among the project's folder and its parents up to root
// (the repository's work tree; the project's folder alone when root is ""), and the CI
// workflows at root. DuckDB counts only when nothing else is named: projects install it
// beside their warehouse's adapter to run locally. A tie between two others is no answer.
// from names the files that said it. Only regular files are read, each to a bound.
func GuessAdapter(projectDir, root string) (adapter, from string) {
	dirs := []string{}
	dir, err := filepath.Abs(projectDir)
	if err != nil {
		return "", ""
	}
	projectDir = dir
	top := dir
	if root != "" {
		if r, err := filepath.Abs(root); err == nil {
			top = r
		}
	}
	for {
		dirs = append(dirs, dir)
		if dir == top || !strings.HasPrefix(dir, top+string(filepath.Separator)) {
			break
		}
		dir = filepath.Dir(dir)
	}
	var files []string
	for _, d := range dirs {
		for _, name := range adapterFiles {
			files = append(files, filepath.Join(d, name))
		}
		if m, _ := filepath.Glob(filepath.Join(d, "requirements*.txt")); len(m) > 0 {
			files = append(files, m...)
		}
	}
	for _, ext := range []string{"yml", "yaml"} {
		m, _ := filepath.Glob(filepath.Join(dirs[len(dirs)-1], ".github", "workflows", "*."+ext))
		files = append(files, m...)
	}
	votes := map[string][]string{}
	// A committed profiles.yml, and the profile_template.yml `dbt init` reads, whose `fixed:`
	// part names the adapter (its prompts' `type: string` names none).
	for _, name := range []string{"profiles.yml", "profile_template.yml"} {
		text := readBounded(filepath.Join(projectDir, name), adapterFileMax)
		named := map[string]bool{}
		for _, m := range profileType.FindAllStringSubmatch(text, -1) {
			if a, ok := adapterNames[strings.ToLower(m[1])]; ok {
				named[a] = true
			}
		}
		for a := range named {
			votes[a] = append(votes[a], name)
		}
	}
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f] {
			continue
		}
		seen[f] = true
		text := readBounded(f, adapterFileMax)
		if text == "" {
			continue
		}
		named := map[string]bool{}
		for _, m := range adapterPackage.FindAllStringSubmatchIndex(text, -1) {
			if m[0] > 0 && namePart(text[m[0]-1]) || m[1] < len(text) && namePart(text[m[1]]) {
				continue
			}
			if a, ok := adapterNames[strings.ToLower(text[m[2]:m[3]])]; ok {
				named[a] = true
			}
		}
		rel, err := filepath.Rel(projectDir, f)
		if err != nil {
			rel = f
		}
		for a := range named {
			votes[a] = append(votes[a], filepath.ToSlash(rel))
		}
	}
	var names []string
	for a := range votes {
		if a != "duckdb" {
			names = append(names, a)
		}
	}
	if len(names) == 0 {
		if fs := votes["duckdb"]; len(fs) > 0 {
			return "duckdb", strings.Join(fs, ", ")
		}
		return "", ""
	}
	sort.Slice(names, func(i, j int) bool {
		if len(votes[names[i]]) != len(votes[names[j]]) {
			return len(votes[names[i]]) > len(votes[names[j]])
		}
		return names[i] < names[j]
	})
	if len(names) > 1 && len(votes[names[0]]) == len(votes[names[1]]) {
		return "", ""
	}
	sort.Strings(votes[names[0]])
	return names[0], strings.Join(votes[names[0]], ", ")
}

// readBounded reads up to max bytes of a regular file; "" for anything else (a link to a
// device or a FIFO a pull request placed would otherwise block the read).
func readBounded(path string, max int64) string {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(f, max))
	if err != nil {
		return ""
	}
	return string(b)
}
