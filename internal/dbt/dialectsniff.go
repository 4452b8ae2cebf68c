package dbt

import (
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// A project with no profile in the repository and no adapter named in its requirements or
// CI still says which warehouse it runs on: in its SQL. BigQuery's SAFE_CAST and INT64,
// Snowflake's LATERAL FLATTEN and TIMESTAMP_NTZ, Redshift's DISTKEY and SORTKEY, Spark's
// EXPLODE, Trino's DATE_PARSE: functions and types each warehouse alone has. SniffAdapter
// counts the models that use them. Markers several warehouses share (QUALIFY, `::`, IFF,
// backquotes, DATEDIFF) count for none; macros are not read, since packages and
// cross-database macros carry every adapter's SQL.

// sniffWord is what a word of a model's SQL says of its warehouse.
type sniffWord struct {
	adapter string
	call    bool   // only as a function call: the word followed by "("
	after   string // only after this word ("lateral flatten")
	cast    bool   // only as a cast target: after "::"
}

// dialectWords are, per word (lower case), SQL only one warehouse accepts.
var dialectWords = func() map[string][]sniffWord {
	m := map[string][]sniffWord{}
	add := func(adapter string, w sniffWord, words ...string) {
		w.adapter = adapter
		for _, x := range words {
			m[x] = append(m[x], w)
		}
	}
	add("bigquery", sniffWord{call: true}, "safe_cast", "safe_divide", "format_date", "format_timestamp", "format_datetime",
		"timestamp_diff", "timestamp_sub", "timestamp_add", "datetime_diff", "parse_date", "parse_timestamp", "generate_uuid",
		"regexp_contains", "countif", "logical_or", "logical_and", "array_concat_agg")
	add("bigquery", sniffWord{}, "int64", "float64", "bignumeric", "_table_suffix")
	add("snowflake", sniffWord{call: true}, "zeroifnull", "try_to_number", "try_to_decimal", "try_to_numeric", "try_to_double",
		"try_to_date", "try_to_timestamp", "try_to_timestamp_ntz", "try_to_boolean", "to_varchar", "object_construct",
		"array_construct", "to_timestamp_ntz", "to_timestamp_ltz", "div0", "array_size", "object_keys")
	add("snowflake", sniffWord{}, "timestamp_ntz", "timestamp_ltz", "timestamp_tz")
	add("snowflake", sniffWord{after: "lateral"}, "flatten")
	add("snowflake", sniffWord{cast: true}, "variant")
	// (GETDATE() and JSON_EXTRACT_PATH_TEXT() are Snowflake's too: no marker.)
	add("redshift", sniffWord{}, "distkey", "sortkey", "diststyle")
	add("redshift", sniffWord{call: true, after: "approximate"}, "count")
	add("postgres", sniffWord{cast: true}, "jsonb")
	add("postgres", sniffWord{call: true}, "jsonb_build_object", "jsonb_agg", "jsonb_array_elements", "jsonb_extract_path_text",
		"jsonb_object_agg", "jsonb_each", "jsonb_typeof", "jsonb_array_length")
	add("databricks", sniffWord{call: true}, "explode", "posexplode", "explode_outer", "collect_list", "collect_set",
		"get_json_object", "named_struct", "from_json")
	add("trino", sniffWord{call: true}, "from_iso8601_timestamp", "from_iso8601_date", "date_parse", "approx_distinct", "to_unixtime")
	return m
}()

// sniffFile lists the adapters whose words one model's SQL uses, outside Jinja and comments
// (a macro call such as dbt.safe_cast is not SQL the model wrote). One pass over the text.
func sniffFile(text string, found map[string]bool) {
	prev := ""         // the word before the one being read
	start := -1        // where the word being read starts
	afterCast := false // the word being read follows "::"
	castNext := false  // the last punctuation was "::"
	i, n := 0, len(text)
	flush := func(end int, next byte) {
		if start < 0 {
			return
		}
		word := ""
		if end-start <= maxSniffWord {
			word = strings.ToLower(text[start:end])
			for _, w := range dialectWords[word] {
				if (!w.call || next == '(') && (w.after == "" || w.after == prev) && (!w.cast || afterCast) {
					found[w.adapter] = true
				}
			}
		}
		prev, start = word, -1
	}
	blank := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for i < n {
		c := text[i]
		switch {
		case c == '{' && i+1 < n && (text[i+1] == '{' || text[i+1] == '%' || text[i+1] == '#'):
			closer := "}}"
			switch text[i+1] {
			case '%':
				closer = "%}"
			case '#':
				closer = "#}"
			}
			flush(i, ' ')
			j := strings.Index(text[i+2:], closer)
			if j < 0 {
				return
			}
			i += j + 4
			prev = ""
			continue
		case c == '-' && i+1 < n && text[i+1] == '-':
			flush(i, ' ')
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				return
			}
			i += j
			continue
		case c == '/' && i+1 < n && text[i+1] == '*':
			flush(i, ' ')
			j := strings.Index(text[i+2:], "*/")
			if j < 0 {
				return
			}
			i += j + 4
			continue
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_':
			if start < 0 {
				start, afterCast, castNext = i, castNext, false
			}
		case blank(c):
			// A call may put blanks before its parenthesis: the word waits for what follows.
			j := i
			for j < n && blank(text[j]) {
				j++
			}
			next := byte(' ')
			if j < n {
				next = text[j]
			}
			flush(i, next)
			i = j
			continue
		default:
			flush(i, c)
			castNext = c == ':' && i > 0 && text[i-1] == ':'
			if c != ':' {
				prev = ""
			}
		}
		i++
	}
	flush(n, ' ')
}

// maxSniffWord is the longest word looked up (the longest marker is shorter).
const maxSniffWord = 32

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
			if files >= sniffMaxFiles {
				return filepath.SkipAll
			}
			if err != nil {
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
			found := map[string]bool{}
			sniffFile(readBounded(p, sniffMaxBytes), found)
			for a := range found {
				votes[a]++
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
