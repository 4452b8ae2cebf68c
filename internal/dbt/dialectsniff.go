package dbt

import (
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// A project with no profile in the repository and no adapter named in its requirements or
// CI still says which warehouse it runs on: in its SQL. BigQuery's SAFE_CAST and INT64,
// Snowflake's LATERAL FLATTEN and TIMESTAMP_NTZ, Redshift's GETDATE() and DISTKEY, Spark's
// EXPLODE, Trino's DATE_PARSE: functions and types each warehouse alone has. SniffAdapter
// counts the models that use them. Markers several warehouses share (QUALIFY, `::`, IFF,
// backquotes, DATEDIFF) count for none; macros are not read, since packages and
// cross-database macros carry every adapter's SQL.

// dialectMarkers are, per adapter, SQL only that warehouse accepts (case-insensitive).
var dialectMarkers = map[string]*regexp.Regexp{
	"bigquery":   regexp.MustCompile(`(?i)\b(?:safe_cast|safe_divide|format_date|format_timestamp|format_datetime|timestamp_diff|timestamp_sub|timestamp_add|datetime_diff|parse_date|parse_timestamp|generate_uuid|regexp_contains|countif|logical_or|logical_and|array_concat_agg)\s*\(|\b(?:int64|float64|bignumeric)\b|\b_table_suffix\b|\bsafe\.\w+\s*\(|\bstruct\s*<`),
	"snowflake":  regexp.MustCompile(`(?i)\b(?:zeroifnull|try_to_(?:number|decimal|numeric|double|date|timestamp|timestamp_ntz|boolean)|to_varchar|object_construct|array_construct|to_timestamp_ntz|to_timestamp_ltz|div0|array_size|object_keys)\s*\(|\blateral\s+flatten\b|\bflatten\s*\(\s*input\s*=>|\btimestamp_(?:ntz|ltz|tz)\b|::\s*variant\b`),
	"redshift":   regexp.MustCompile(`(?i)\bgetdate\s*\(\s*\)|\b(?:distkey|sortkey|diststyle)\b|\bjson_extract_path_text\s*\(|\bapproximate\s+count\s*\(`),
	"postgres":   regexp.MustCompile(`(?i)::\s*jsonb\b|\bjsonb_\w+\s*\(`),
	"databricks": regexp.MustCompile(`(?i)\b(?:explode|posexplode|explode_outer|collect_list|collect_set|get_json_object|named_struct|from_json)\s*\(`),
	"trino":      regexp.MustCompile(`(?i)\b(?:from_iso8601_timestamp|from_iso8601_date|date_parse|approx_distinct|to_unixtime|from_unixtime_nanos)\s*\(`),
}

// jinjaSpan is a Jinja tag, expression or comment: macro calls there (dbt.safe_cast) are
// not SQL the model wrote. sqlComment is a SQL comment.
var (
	jinjaSpan  = regexp.MustCompile(`(?s)\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}`)
	sqlComment = regexp.MustCompile(`(?s)--[^\n]*|/\*.*?\*/`)
)

// Bounds on what the sniff reads: enough models to see a habit, few enough to cost
// milliseconds on a project of thousands.
const (
	sniffMaxFiles = 400
	sniffMaxBytes = 64 << 10
)

// SniffAdapter names the adapter the project's models are written for, and "SQL of N
// models" as where it was read; "" when no warehouse's markers are in at least three models
// and in three times as many as the next one's.
func SniffAdapter(projectDir string) (adapter, from string) {
	votes := sniffVotes(projectDir)
	var names []string
	for a := range votes {
		names = append(names, a)
	}
	sort.Slice(names, func(i, j int) bool {
		if votes[names[i]] != votes[names[j]] {
			return votes[names[i]] > votes[names[j]]
		}
		return names[i] < names[j]
	})
	if len(names) == 0 || votes[names[0]] < 3 || len(names) > 1 && votes[names[0]] < 3*votes[names[1]] {
		return "", ""
	}
	return names[0], fmt.Sprintf("the SQL of %d models", votes[names[0]])
}

// sniffVotes counts, per adapter, the models whose SQL has its markers.
func sniffVotes(projectDir string) map[string]int {
	files := 0
	votes := map[string]int{}
	for _, dir := range modelDirs(projectDir) {
		root := filepath.Join(projectDir, dir)
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || files >= sniffMaxFiles {
				return filepath.SkipDir
			}
			if d.IsDir() {
				if p != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(d.Name(), ".sql") || !d.Type().IsRegular() {
				return nil
			}
			files++
			text := readBounded(p, sniffMaxBytes)
			text = sqlComment.ReplaceAllString(jinjaSpan.ReplaceAllString(text, " "), " ")
			for a, re := range dialectMarkers {
				if re.MatchString(text) {
					votes[a]++
				}
			}
			return nil
		})
	}
	return votes
}

// modelDirs are the project's model folders: dbt_project.yml's model-paths (source-paths
// before dbt 1.0), else models/; only folders inside the project.
func modelDirs(projectDir string) []string {
	var pf struct {
		ModelPaths  []string `yaml:"model-paths"`
		SourcePaths []string `yaml:"source-paths"`
	}
	data := readBounded(filepath.Join(projectDir, "dbt_project.yml"), adapterFileMax)
	_ = yamllimit.Unmarshal(bytes.TrimPrefix([]byte(data), []byte("\xef\xbb\xbf")), &pf)
	dirs := append(pf.ModelPaths, pf.SourcePaths...)
	if len(dirs) == 0 {
		dirs = []string{"models"}
	}
	var out []string
	for _, d := range dirs {
		if d = filepath.Clean(filepath.FromSlash(d)); filepath.IsLocal(d) {
			out = append(out, d)
		}
	}
	return out
}
