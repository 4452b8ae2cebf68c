package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// SQLFluffOptions say how to run an external sqlfluff.
type SQLFluffOptions struct {
	Exe     string // executable; "" means "sqlfluff" from PATH
	Dir     string // working directory (where its configuration is found)
	Dialect string
	Rules   []string
	Exclude []string
	Paths   []string
}

// RunSQLFluff runs `sqlfluff lint --format json` and converts its report to our results.
// Legacy codes (L0xx) of SQLFluff 1.x are mapped to today's codes, and both its old
// (line_no/line_pos) and new (start_line_no/...) position fields are read. Names and
// descriptions of our own rules fill in what old versions do not report.
func RunSQLFluff(ctx context.Context, o SQLFluffOptions, known []Rule) ([]FileResult, error) {
	exe := o.Exe
	if exe == "" {
		exe = "sqlfluff"
	}
	// sqlfluff imports the Python modules a configuration's library_path names (its
	// GHSA-jqhc-m2j3-fjrx): where --library-path exists it overrides every configuration;
	// where it does not, a configuration that sets it is refused before sqlfluff starts.
	overrides, err := sqlfluffHasLibraryPath(ctx, exe)
	if err != nil {
		return nil, err
	}
	if err := CheckSQLFluffConfig(o.Dir, o.Paths, overrides); err != nil {
		return nil, err
	}
	args := []string{"lint", "--format", "json", "--nofail"}
	if overrides {
		args = append(args, "--library-path", "none")
	}
	if o.Dialect != "" {
		args = append(args, "--dialect", o.Dialect)
	}
	if len(o.Rules) > 0 {
		args = append(args, "--rules", strings.Join(legacyRefs(o.Rules, known), ","))
	}
	if len(o.Exclude) > 0 {
		args = append(args, "--exclude-rules", strings.Join(legacyRefs(o.Exclude, known), ","))
	}
	args = append(args, o.Paths...)
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir = o.Dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	out := stdout.Bytes()
	start := bytes.IndexByte(out, '[')
	if start < 0 {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 400 {
			msg = msg[len(msg)-400:]
		}
		if runErr != nil {
			return nil, fmt.Errorf("%s: %v: %s", exe, runErr, msg)
		}
		return nil, fmt.Errorf("%s gave no JSON report: %s", exe, msg)
	}
	return ParseSQLFluffJSON(out[start:], known)
}

// sqlfluffHasLibraryPath reports whether exe's lint command takes --library-path (sqlfluff
// 2.1.2 and later). Asking for help reads no configuration and imports nothing of the project.
func sqlfluffHasLibraryPath(ctx context.Context, exe string) (bool, error) {
	cmd := exec.CommandContext(ctx, exe, "lint", "--help")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return false, fmt.Errorf("%s: %w", exe, err)
		}
	}
	return bytes.Contains(out.Bytes(), []byte("--library-path")), nil
}

// legacyRefs translates today's codes to what an old sqlfluff understands when it is 1.x;
// names and groups pass through. Since we cannot know the version cheaply, codes are sent as
// given when they are legacy already and expanded to all legacy aliases otherwise (1.x
// ignores unknown codes; 2.x and later accept both).
func legacyRefs(refs []string, known []Rule) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r)
		for _, k := range known {
			m := k.Meta()
			if strings.EqualFold(m.Code, r) {
				for _, a := range m.Aliases {
					if len(a) == 4 && a[0] == 'L' {
						out = append(out, a)
					}
				}
			}
		}
	}
	return out
}

type sfViolation struct {
	LineNo      int    `json:"line_no"`
	LinePos     int    `json:"line_pos"`
	StartLine   int    `json:"start_line_no"`
	StartPos    int    `json:"start_line_pos"`
	EndLine     int    `json:"end_line_no"`
	EndPos      int    `json:"end_line_pos"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Warning     bool   `json:"warning"`
}

type sfFile struct {
	Filepath   string        `json:"filepath"`
	Violations []sfViolation `json:"violations"`
}

// ParseSQLFluffJSON converts sqlfluff's JSON report.
func ParseSQLFluffJSON(data []byte, known []Rule) ([]FileResult, error) {
	var files []sfFile
	if err := json.Unmarshal(data, &files); err != nil {
		return nil, fmt.Errorf("reading sqlfluff JSON: %w", err)
	}
	byCode := map[string]*Meta{}
	for _, r := range known {
		byCode[r.Meta().Code] = r.Meta()
	}
	out := make([]FileResult, 0, len(files))
	for _, f := range files {
		fr := FileResult{Path: f.Filepath}
		for _, v := range f.Violations {
			line, pos := v.StartLine, v.StartPos
			if line == 0 {
				line, pos = v.LineNo, v.LinePos
			}
			el, ep := v.EndLine, v.EndPos
			if el == 0 {
				el, ep = line, pos
			}
			code := CurrentCode(v.Code)
			name := v.Name
			if m := byCode[code]; m != nil && name == "" {
				name = m.Name
			}
			fr.Violations = append(fr.Violations, Violation{Path: f.Filepath, Line: line, Col: pos, EndLine: el, EndCol: ep,
				Code: code, Name: name, Description: v.Description, Warning: v.Warning})
		}
		sortViolations(fr.Violations)
		out = append(out, fr)
	}
	return out, nil
}

// sqlfluffTemplaters are the templaters an external sqlfluff may use: they render text only.
// dbt's runs dbt on the project (its macros reach the warehouse); python evaluates format
// fields on its context; a plugin's is unknown code.
var sqlfluffTemplaters = map[string]bool{"jinja": true, "raw": true, "placeholder": true}

// sqlfluffEncodings are the file encodings under which the bytes of an ASCII line are that line,
// so the inline-configuration scan below sees what sqlfluff will read.
var sqlfluffEncodings = map[string]bool{"autodetect": true, "utf8": true, "utf8sig": true, "ascii": true,
	"usascii": true, "latin1": true, "iso88591": true, "cp1252": true, "windows1252": true}

var (
	reSFTemplater = lazyregexp.New(`(?:^|[^a-z0-9_])templater["']?\s*=\s*(.*)$`)
	reSFEncoding  = lazyregexp.New(`(?:^|[^a-z0-9_])encoding["']?\s*=\s*(.*)$`)
	reSFExts      = lazyregexp.New(`(?:^|[^a-z0-9_])sql_file_exts["']?\s*=\s*(.*)$`)
	reTOMLEscape  = lazyregexp.New(`\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}`)
)

// CheckSQLFluffConfig refuses, as a *ConfigError naming the file and line, what would make an
// external sqlfluff run code from the project it lints, in every configuration file sqlfluff
// reads for paths (from the deepest directory shared with dir down to each file) and in the
// inline "-- sqlfluff:" lines of every file it would lint: a templater other than jinja, raw
// or placeholder; library_path, unless libraryOverridden (--library-path none is passed) and
// never inline; and a file encoding, or file content, under which sqlfluff could decode an
// inline line this check does not see. The reading is deliberately wider than sqlfluff's
// (options in any section, comments in TOML, looser spacing): a false alarm costs a
// configuration edit, a miss runs code.
func CheckSQLFluffConfig(dir string, paths []string, libraryOverridden bool) error {
	if dir == "" {
		dir = "."
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	c := &sfCheck{root: root, libOK: libraryOverridden, seen: map[string]bool{},
		exts: []string{".sql", ".sql.j2", ".dml", ".ddl"}}
	var given, found []string
	for _, p := range paths {
		ap := p
		if !filepath.IsAbs(ap) {
			ap = filepath.Join(root, ap)
		}
		st, err := os.Stat(ap)
		if err != nil {
			continue // sqlfluff reports a missing path itself
		}
		base := ap
		if !st.IsDir() {
			base = filepath.Dir(ap)
			given = append(given, ap)
		}
		for _, d := range dirsBetween(root, base) {
			if err := c.configDir(d); err != nil {
				return err
			}
		}
		if !st.IsDir() {
			continue
		}
		err = filepath.WalkDir(ap, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if d.Name() == ".git" && fp != ap {
					return filepath.SkipDir
				}
				return c.configDir(fp)
			}
			found = append(found, fp)
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, fp := range given {
		if err := c.sqlFile(fp); err != nil {
			return err
		}
	}
	for _, fp := range found {
		if c.lintable(fp) {
			if err := c.sqlFile(fp); err != nil {
				return err
			}
		}
	}
	return nil
}

type sfCheck struct {
	root     string
	libOK    bool
	seen     map[string]bool
	exts     []string
	allFiles bool // an empty entry in sql_file_exts matches every file
}

func (c *sfCheck) shown(path string) string {
	if rel, err := filepath.Rel(c.root, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

func (c *sfCheck) refuse(path string, line int, format string, args ...any) error {
	line = max(line, 1)
	return &ConfigError{Path: c.shown(path), Line: line, Msg: fmt.Sprintf(format, args...) +
		"; refused before running sqlfluff (use --engine native, or remove it)"}
}

func (c *sfCheck) configDir(dir string) error {
	if c.seen[dir] {
		return nil
	}
	c.seen[dir] = true
	for _, name := range configFileNames {
		if err := c.configFile(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// configFile checks one configuration file line by line. Values are never echoed: the file
// may be a link to something that is not configuration at all.
func (c *sfCheck) configFile(path string) error {
	st, err := os.Stat(path)
	if err != nil || st.IsDir() {
		return nil
	}
	if !st.Mode().IsRegular() {
		return c.refuse(path, 0, "not a regular file")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c.refuse(path, 0, "cannot be read: %v", errors.Unwrap(err))
	}
	toml := filepath.Base(path) == "pyproject.toml"
	lines := strings.Split(strings.ReplaceAll(string(data), "\r", "\n"), "\n")
	for i, raw := range lines {
		line := pyTrim(raw)
		if !toml && (strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";")) {
			continue // configparser's whole-line comments
		}
		if toml {
			// TOML keys may be quoted strings with escapes: read them as the parser will.
			line = reTOMLEscape.ReplaceAllStringFunc(line, func(m string) string {
				n, err := strconv.ParseUint(m[2:], 16, 32)
				if err != nil {
					return m
				}
				return string(rune(n))
			})
		}
		lower := strings.ToLower(line)
		n := i + 1
		if strings.Contains(lower, "library_path") && !c.libOK {
			return c.refuse(path, n, "library_path makes sqlfluff import Python modules from the project, and this sqlfluff has no --library-path option to turn it off")
		}
		if m := reSFTemplater.FindStringSubmatch(lower); m != nil {
			if v := sfValue(m[1]); !sqlfluffTemplaters[v] {
				return c.refuse(path, n, "the %s templater runs code of the project (only jinja, raw and placeholder are allowed)", sfName(v))
			}
		}
		if m := reSFEncoding.FindStringSubmatch(lower); m != nil {
			v := strings.NewReplacer("-", "", "_", "", " ", "").Replace(sfValue(m[1]))
			if !sqlfluffEncodings[v] {
				return c.refuse(path, n, "encoding %s could hide inline configuration from this check (allowed: autodetect, utf-8, ascii, latin-1, cp1252)", sfName(v))
			}
		}
		if m := reSFExts.FindStringSubmatch(lower); m != nil {
			v := strings.Map(func(r rune) rune {
				if r == '"' || r == '\'' || r == '[' || r == ']' {
					return -1
				}
				return r
			}, m[1])
			for _, e := range strings.Split(v, ",") {
				if e = pyTrim(e); e == "" {
					c.allFiles = true
				} else {
					c.exts = append(c.exts, e)
				}
			}
		}
	}
	return nil
}

// sfValue is an option's value without quotes (and, for TOML, what follows its closing quote).
func sfValue(v string) string {
	v = pyTrim(v)
	for _, q := range []string{`"""`, `'''`, `"`, `'`} {
		if strings.HasPrefix(v, q) {
			v = v[len(q):]
			if i := strings.Index(v, q); i >= 0 {
				v = v[:i]
			}
			break
		}
	}
	return pyTrim(v)
}

// sfName shows a value from a file without letting it run on: short and printable.
func sfName(v string) string {
	if len(v) > 24 || strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		return "given"
	}
	if v == "" {
		return "empty"
	}
	return strconv.Quote(v)
}

func (c *sfCheck) lintable(path string) bool {
	if c.allFiles {
		return true
	}
	lower := strings.ToLower(filepath.Base(path))
	for _, e := range c.exts {
		if strings.HasSuffix(lower, e) {
			return true
		}
	}
	return false
}

// sqlFile checks the inline configuration lines of a file sqlfluff would lint. sqlfluff reads
// them after decoding the file in the encoding it guesses; bytes that could make the guess an
// encoding whose ASCII is not plain bytes (UTF-16/32, ISO-2022, HZ) are refused outright.
func (c *sfCheck) sqlFile(path string) error {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c.refuse(path, 0, "cannot be read: %v", errors.Unwrap(err))
	}
	if i := bytes.IndexAny(data, "\x00\x1b\x0e\x0f"); i >= 0 || bytes.Contains(data, []byte("~{")) ||
		bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		line := 1
		if i >= 0 {
			line += bytes.Count(data[:i], []byte{'\n'})
		}
		return c.refuse(path, line, "sqlfluff would guess an encoding for this file (NUL, escape or shift bytes, `~{`, or a UTF-16/32 mark) under which its inline configuration cannot be checked")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for i, raw := range pyLines(data) {
		line := pyTrim(string(raw))
		if !strings.HasPrefix(line, "--") {
			continue
		}
		rest := strings.ToLower(pyTrim(line[2:]))
		if !strings.HasPrefix(rest, "sqlfluff") {
			continue
		}
		parts := strings.Split(rest[len("sqlfluff"):], ":")
		for j := range parts {
			parts[j] = pyTrim(parts[j])
		}
		for _, p := range parts {
			if p == "library_path" {
				return c.refuse(path, i+1, "inline configuration sets library_path, which makes sqlfluff import Python modules from the project")
			}
		}
		if len(parts) == 3 && parts[1] == "templater" && !sqlfluffTemplaters[parts[2]] {
			return c.refuse(path, i+1, "inline configuration selects the %s templater (only jinja, raw and placeholder are allowed)", sfName(parts[2]))
		}
	}
	return nil
}

// pyLines splits as Python's str.splitlines does, and at a few more places (a lone 0x85 byte
// is NEL in latin-1): more lines than Python sees can only add false alarms.
func pyLines(data []byte) [][]byte {
	var out [][]byte
	start := 0
	for i := 0; i < len(data); i++ {
		n := 0
		switch b := data[i]; {
		case b == '\n' || b == '\r' || b == '\v' || b == '\f' || b == 0x1c || b == 0x1d || b == 0x1e || b == 0x85:
			n = 1
		case b == 0xc2 && i+1 < len(data) && data[i+1] == 0x85:
			n = 2
		case b == 0xe2 && i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xa8 || data[i+2] == 0xa9):
			n = 3
		}
		if n > 0 {
			out = append(out, data[start:i])
			start = i + n
			i += n - 1
		}
	}
	return append(out, data[start:])
}

// pyTrim trims what Python's str.strip does (Unicode white space, and the separators 0x1c-0x1f
// it counts as space) and a byte-order mark.
func pyTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f || r == '\ufeff'
	})
}
