package lint

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// configFileNames are the files SQLFluff reads in each directory, lowest precedence first.
var configFileNames = []string{"setup.cfg", "tox.ini", "pep8.ini", ".sqlfluff", "pyproject.toml"}

// rawConfig holds configuration values by section. Section keys are the section path below
// "sqlfluff" joined by ":" and lower-cased ("" for [sqlfluff], "rules", "rules:lt05",
// "templater:jinja:context"); option names keep their case, as SQLFluff's reader does, because
// Jinja context variables are case-sensitive.
type rawConfig map[string]map[string]string

func (rc rawConfig) set(section, key, value string) {
	m := rc[section]
	if m == nil {
		m = map[string]string{}
		rc[section] = m
	}
	m[key] = value
}

// merge copies other over rc (other wins).
func (rc rawConfig) merge(other rawConfig) {
	for s, kv := range other {
		for k, v := range kv {
			rc.set(s, k, v)
		}
	}
}

func (rc rawConfig) clone() rawConfig {
	out := rawConfig{}
	out.merge(rc)
	return out
}

// ConfigError is a malformed configuration file, located at file:line.
type ConfigError struct {
	Path string
	Line int
	Msg  string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg) }

// readConfigFile reads one configuration file through read (nil: the file system); a missing
// file is an empty config. Notes are what was read differently from the letter of the file
// (see parseINIConfig), each naming file:line.
func readConfigFile(path string, read func(string) ([]byte, error)) (rawConfig, []string, error) {
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	// A byte-order mark would make the first section header unreadable.
	text := strings.TrimPrefix(string(data), "\ufeff")
	if filepath.Base(path) == "pyproject.toml" {
		rc, err := parseTOMLConfig(path, text)
		return rc, nil, err
	}
	return parseINIConfig(path, text)
}

// inlineComment matches a one-word value followed by a comment: `max_line_length = 100  # the
// limit`. Python's configparser, as SQLFluff sets it up, keeps the comment in the value, and
// SQLFluff then refuses the value or fails on it; what the author meant is plain.
var inlineComment = lazyregexp.New(`^(\S+)\s+[#;]`)

// sectionKey turns "sqlfluff:rules:LT05" into "rules:lt05"; ok is false for sections that are
// not SQLFluff's. Rule sections keep their rule reference lower-cased; it is resolved to a
// code when options are looked up.
func sectionKey(name string) (string, bool) {
	name = strings.TrimSpace(name)
	lower := strings.ToLower(name)
	if lower == "sqlfluff" {
		return "", true
	}
	if !strings.HasPrefix(lower, "sqlfluff:") {
		return "", false
	}
	return lower[len("sqlfluff:"):], true
}

// parseINIConfig reads the subset of Python's configparser syntax SQLFluff's files use:
// [sections], `key = value` or `key: value`, full-line `#`/`;` comments, and indented
// continuation lines appended to the previous value. A one-word value followed by a comment is
// read as the word, with a note: SQLFluff would stop on it, and a linter that silently fell
// back to the default instead would ignore the team's setting.
func parseINIConfig(path, text string) (rawConfig, []string, error) {
	rc := rawConfig{}
	var notes []string
	section, inSqlfluff := "", false
	lastKey := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			continue
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			if lastKey != "" && inSqlfluff {
				rc[section][lastKey] = strings.TrimSpace(rc[section][lastKey] + "\n" + trimmed)
			}
			continue
		}
		if trimmed[0] == '[' {
			end := strings.IndexByte(trimmed, ']')
			if end < 0 {
				return nil, nil, &ConfigError{path, line, fmt.Sprintf("section header without ']': %q", trimmed)}
			}
			section, inSqlfluff = sectionKey(trimmed[1:end])
			if inSqlfluff && rc[section] == nil {
				rc[section] = map[string]string{}
			}
			lastKey = ""
			continue
		}
		i := strings.IndexAny(trimmed, "=:")
		if i < 0 {
			return nil, nil, &ConfigError{path, line, fmt.Sprintf("expected `key = value`, found %q", trimmed)}
		}
		key := strings.TrimSpace(trimmed[:i])
		val := strings.TrimSpace(trimmed[i+1:])
		if key == "" {
			return nil, nil, &ConfigError{path, line, "empty option name"}
		}
		if m := inlineComment.FindStringSubmatch(val); m != nil && inSqlfluff {
			notes = append(notes, fmt.Sprintf("%s:%d: %s = %q: SQLFluff reads no comment after a value and would refuse it; read as %s", path, line, key, val, m[1]))
			val = m[1]
		}
		if inSqlfluff {
			rc.set(section, key, val)
			lastKey = key
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return rc, notes, nil
}

// parseTOMLConfig reads [tool.sqlfluff...] tables of a pyproject.toml: tables (dotted, with
// quoted parts), `key = value` with strings, numbers, booleans and arrays of those. Other
// tables are skipped without being interpreted.
func parseTOMLConfig(path, text string) (rawConfig, error) {
	rc := rawConfig{}
	section, inSqlfluff := "", false
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		trimmed := strings.TrimSpace(stripTOMLComment(lines[i]))
		if trimmed == "" {
			continue
		}
		if strings.HasPrefix(trimmed, "[") {
			if strings.HasPrefix(trimmed, "[[") {
				inSqlfluff = false
				continue
			}
			end := strings.LastIndexByte(trimmed, ']')
			if end < 0 {
				return nil, &ConfigError{path, lineNo, fmt.Sprintf("table header without ']': %q", trimmed)}
			}
			parts, err := splitTOMLKey(trimmed[1:end])
			if err != nil {
				return nil, &ConfigError{path, lineNo, err.Error()}
			}
			inSqlfluff = false
			if len(parts) >= 2 && parts[0] == "tool" && parts[1] == "sqlfluff" {
				inSqlfluff = true
				rest := parts[2:]
				// [tool.sqlfluff.core] is [sqlfluff].
				if len(rest) > 0 && rest[0] == "core" {
					rest = rest[1:]
				}
				// [tool.sqlfluff.rules.capitalisation.keywords] is the rule capitalisation.keywords:
				// TOML reads the dots of a rule name as nested tables.
				if len(rest) > 2 && rest[0] == "rules" {
					rest = []string{"rules", strings.Join(rest[1:], ".")}
				}
				section = strings.ToLower(strings.Join(rest, ":"))
				if rc[section] == nil {
					rc[section] = map[string]string{}
				}
			}
			continue
		}
		eq := strings.IndexByte(trimmed, '=')
		if eq < 0 {
			return nil, &ConfigError{path, lineNo, fmt.Sprintf("expected `key = value`, found %q", trimmed)}
		}
		key := strings.Trim(strings.TrimSpace(trimmed[:eq]), `"'`)
		val := strings.TrimSpace(trimmed[eq+1:])
		// Multi-line arrays: keep reading until the brackets balance.
		if strings.HasPrefix(val, "[") {
			for strings.Count(val, "[") > strings.Count(val, "]") && i+1 < len(lines) {
				i++
				val += " " + strings.TrimSpace(stripTOMLComment(lines[i]))
			}
		}
		v, err := tomlValue(val)
		if err != nil {
			return nil, &ConfigError{path, lineNo, fmt.Sprintf("%s: %v", key, err)}
		}
		if inSqlfluff {
			rc.set(section, key, v)
		}
	}
	return rc, nil
}

func stripTOMLComment(s string) string {
	inStr := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr != 0:
			if c == '\\' && inStr == '"' {
				i++
			} else if c == inStr {
				inStr = 0
			}
		case c == '"' || c == '\'':
			inStr = c
		case c == '#':
			return s[:i]
		}
	}
	return s
}

func splitTOMLKey(s string) ([]string, error) {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated quoted key in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		case ' ', '\t':
		default:
			cur.WriteByte(c)
		}
	}
	parts = append(parts, strings.TrimSpace(cur.String()))
	return parts, nil
}

// tomlValue renders a TOML value as the string SQLFluff's INI files would hold: arrays become
// comma-separated lists.
func tomlValue(v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", fmt.Errorf("missing value")
	case strings.HasPrefix(v, "["):
		if !strings.HasSuffix(v, "]") {
			return "", fmt.Errorf("unterminated array %q", v)
		}
		inner := strings.TrimSpace(v[1 : len(v)-1])
		var items []string
		for _, it := range splitTOMLArray(inner) {
			it = strings.TrimSpace(it)
			if it == "" {
				continue
			}
			s, err := tomlValue(it)
			if err != nil {
				return "", err
			}
			items = append(items, s)
		}
		return strings.Join(items, ","), nil
	case strings.HasPrefix(v, `"""`) || strings.HasPrefix(v, `'''`):
		q := v[:3]
		if !strings.HasSuffix(v, q) || len(v) < 6 {
			return "", fmt.Errorf("unterminated string %q", v)
		}
		return v[3 : len(v)-3], nil
	case v[0] == '"':
		s, err := strconv.Unquote(v)
		if err != nil {
			return "", fmt.Errorf("bad string %s", v)
		}
		return s, nil
	case v[0] == '\'':
		if len(v) < 2 || v[len(v)-1] != '\'' {
			return "", fmt.Errorf("unterminated string %s", v)
		}
		return v[1 : len(v)-1], nil
	case v == "true":
		return "True", nil
	case v == "false":
		return "False", nil
	}
	return v, nil
}

func splitTOMLArray(s string) []string {
	var out []string
	depth, inStr, start := 0, byte(0), 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr != 0:
			if c == '\\' && inStr == '"' {
				i++
			} else if c == inStr {
				inStr = 0
			}
		case c == '"' || c == '\'':
			inStr = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
