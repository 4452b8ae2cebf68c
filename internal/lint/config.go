package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Config is the effective configuration for one file: SQLFluff's files from the project root
// down to the file's directory, then in-file directives, then command-line overrides.
type Config struct {
	raw rawConfig
}

// newConfig wraps raw values.
func newConfig(rc rawConfig) *Config { return &Config{raw: rc} }

// Core returns an option of the [sqlfluff] section.
func (c *Config) Core(key string) (string, bool) { return c.Get("", key) }

// Get returns a raw value; "None" and empty values count as unset.
func (c *Config) Get(section, key string) (string, bool) {
	v, ok := c.raw[section][key]
	if !ok || isNone(v) {
		return "", false
	}
	return v, true
}

// Section returns a copy of one section's options.
func (c *Config) Section(section string) map[string]string {
	out := map[string]string{}
	for k, v := range c.raw[section] {
		out[k] = v
	}
	return out
}

func isNone(v string) bool {
	v = strings.TrimSpace(v)
	return v == "" || strings.EqualFold(v, "none")
}

// Dialect is the configured dialect, lower-cased, or "".
func (c *Config) Dialect() string {
	d, _ := c.Core("dialect")
	return strings.ToLower(strings.TrimSpace(d))
}

// List returns a comma-separated core option as trimmed items.
func (c *Config) List(key string) []string {
	v, ok := c.Core(key)
	if !ok {
		return nil
	}
	return splitList(v)
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Options are the options one rule sees: its declared defaults, then [sqlfluff:rules], then
// [sqlfluff:rules:<code, name or alias>].
type Options struct {
	vals map[string]string
}

// sharedOptions are rule options that SQLFluff 2.0 moved out of the rules sections: a rule
// reads them from [sqlfluff] or [sqlfluff:indentation] unless a rules section says otherwise
// (the 1.x places, still honoured).
var sharedOptions = map[string]string{
	"max_line_length": "",
	"tab_space_size":  "indentation",
	"indent_unit":     "indentation",
}

// RuleOptions resolves a rule's options: its defaults, the shared sections for the options
// SQLFluff keeps there, [sqlfluff:rules], then the rule's own section.
func (c *Config) RuleOptions(m *Meta) Options {
	vals := map[string]string{}
	for _, o := range m.Options {
		vals[o.Name] = o.Default
		if sec, ok := sharedOptions[o.Name]; ok {
			if v, set := c.raw[sec][o.Name]; set {
				vals[o.Name] = v
			}
		}
	}
	for k, v := range c.raw["rules"] {
		vals[k] = v
	}
	refs := append([]string{m.Name}, m.Aliases...)
	refs = append(refs, m.Code)
	for _, r := range refs {
		for k, v := range c.raw["rules:"+strings.ToLower(r)] {
			vals[k] = v
		}
	}
	return Options{vals: vals}
}

// Str returns an option, "" when unset or None.
func (o Options) Str(name string) string {
	v := o.vals[name]
	if isNone(v) {
		return ""
	}
	return strings.TrimSpace(v)
}

// Int returns an integer option, def when unset or not a number.
func (o Options) Int(name string, def int) int {
	v := o.Str(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return n
}

// Bool returns a boolean option (Python's spelling: True/False).
func (o Options) Bool(name string) bool {
	v := strings.ToLower(o.Str(name))
	return v == "true" || v == "1" || v == "yes" || v == "on"
}

// List returns a comma-separated option.
func (o Options) List(name string) []string { return splitList(o.Str(name)) }

// WithOptions builds Options from plain values (for tests and callers with no config files).
func WithOptions(m *Meta, vals map[string]string) Options {
	out := map[string]string{}
	for _, o := range m.Options {
		out[o.Name] = o.Default
	}
	for k, v := range vals {
		out[k] = v
	}
	return Options{vals: out}
}

// ConfigLoader reads and caches configuration files per directory. Safe for concurrent use.
type ConfigLoader struct {
	// Root is where the search for configuration files starts (SQLFluff: the working
	// directory). Files outside it start at the deepest directory they share with it.
	Root string
	// Overrides come from the command line and win over every file.
	Overrides map[string]string
	// ReadFile reads a configuration file by its absolute path; nil reads the file system. A
	// missing file is an error matching fs.ErrNotExist. It lets a review take the files from
	// the base of a change.
	ReadFile func(path string) ([]byte, error)

	mu    sync.Mutex
	canon map[string]string    // rule reference (name, alias) -> code, lower-cased
	dirs  map[string]rawConfig // one directory's files, merged in precedence order
	stack map[string]rawConfig // everything from the root down to a directory
	notes []string
}

// NewConfigLoader starts a loader at root.
func NewConfigLoader(root string, overrides map[string]string) *ConfigLoader {
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = root
	}
	return &ConfigLoader{Root: abs, Overrides: overrides, dirs: map[string]rawConfig{}, stack: map[string]rawConfig{}}
}

// ForDir returns the configuration of files in dir.
func (l *ConfigLoader) ForDir(dir string) (*Config, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	rc, err := l.stackFor(abs)
	if err != nil {
		return nil, err
	}
	rc = rc.clone()
	for k, v := range l.Overrides {
		rc.set("", k, v)
	}
	return newConfig(rc), nil
}

func (l *ConfigLoader) stackFor(dir string) (rawConfig, error) {
	l.mu.Lock()
	if rc, ok := l.stack[dir]; ok {
		l.mu.Unlock()
		return rc, nil
	}
	l.mu.Unlock()
	out := defaultRaw()
	for _, d := range dirsBetween(l.Root, dir) {
		rc, err := l.dirConfig(d)
		if err != nil {
			return nil, err
		}
		out.merge(rc)
	}
	l.mu.Lock()
	l.stack[dir] = out
	l.mu.Unlock()
	return out, nil
}

func (l *ConfigLoader) dirConfig(dir string) (rawConfig, error) {
	l.mu.Lock()
	rc, ok := l.dirs[dir]
	l.mu.Unlock()
	if ok {
		return rc, nil
	}
	rc = rawConfig{}
	for _, name := range configFileNames {
		f, notes, err := readConfigFile(filepath.Join(dir, name), l.ReadFile)
		if err != nil {
			return nil, err
		}
		l.addNotes(notes)
		rc.merge(l.canonical(moveLegacyOptions(f)))
	}
	l.mu.Lock()
	l.dirs[dir] = rc
	l.mu.Unlock()
	return rc, nil
}

// dirsBetween lists directories from the deepest common ancestor of root and dir down to dir.
func dirsBetween(root, dir string) []string {
	common := root
	for {
		rel, err := filepath.Rel(common, dir)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(os.PathSeparator)) {
			break
		}
		parent := filepath.Dir(common)
		if parent == common {
			break
		}
		common = parent
	}
	out := []string{common}
	rel, err := filepath.Rel(common, dir)
	if err != nil || rel == "." {
		return out
	}
	cur := common
	for _, part := range strings.Split(rel, string(os.PathSeparator)) {
		cur = filepath.Join(cur, part)
		out = append(out, cur)
	}
	return out
}

// moveLegacyOptions moves options SQLFluff 1.x kept in [sqlfluff:rules] to where SQLFluff 2.0
// reads them (max_line_length to [sqlfluff], tab_space_size and indent_unit to
// [sqlfluff:indentation]), within one file, as SQLFluff does when it reads a file: a file that
// sets both keeps the new place's value, and a deeper file's setting, in either place, wins.
func moveLegacyOptions(rc rawConfig) rawConfig {
	rules := rc["rules"]
	for key, sec := range sharedOptions {
		v, ok := rules[key]
		if !ok {
			continue
		}
		delete(rules, key)
		if _, set := rc[sec][key]; !set {
			rc.set(sec, key, v)
		}
	}
	return rc
}

// addNotes keeps what a configuration file said that was read otherwise than written, once.
func (l *ConfigLoader) addNotes(notes []string) {
	if len(notes) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range notes {
		if !slices.Contains(l.notes, n) {
			l.notes = append(l.notes, n)
		}
	}
}

// Notes lists what configuration files said that was read otherwise than written (a comment
// after a value), each naming file:line, in the order found.
func (l *ConfigLoader) Notes() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.notes)
}

// defaultRaw holds the defaults that are not options of a single rule.
func defaultRaw() rawConfig {
	rc := rawConfig{}
	rc.set("", "templater", "jinja")
	rc.set("", "rules", "all")
	rc.set("", "large_file_skip_byte_limit", "20000")
	rc.set("", "ignore_templated_areas", "True")
	rc.set("templater:jinja", "apply_dbt_builtins", "True")
	rc.set("indentation", "indented_joins", "False")
	rc.set("indentation", "indented_ctes", "False")
	rc.set("indentation", "indented_using_on", "True")
	rc.set("indentation", "indented_on_contents", "True")
	rc.set("indentation", "template_blocks_indent", "True")
	rc.set("layout:type:comma", "line_position", "trailing")
	rc.set("layout:type:binary_operator", "line_position", "leading")
	rc.set("layout:type:comparison_operator", "line_position", "leading")
	rc.set("layout:type:set_operator", "line_position", "alone:strict")
	return rc
}

// Directive applies an in-file `-- sqlfluff:a:b:value` comment to a copy of the config.
func (c *Config) withDirectives(ds []directive) *Config {
	if len(ds) == 0 {
		return c
	}
	rc := c.raw.clone()
	for _, d := range ds {
		rc.set(d.section, d.key, d.value)
	}
	return newConfig(rc)
}

type directive struct {
	line                int
	section, key, value string
}

// parseDirective reads the body of a `-- sqlfluff:...` comment (after "sqlfluff:").
func parseDirective(body string, line int) (directive, error) {
	parts := strings.Split(strings.TrimSpace(body), ":")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) < 2 {
		return directive{}, fmt.Errorf("line %d: sqlfluff directive needs `key:value`", line)
	}
	value := parts[len(parts)-1]
	key := parts[len(parts)-2]
	section := strings.ToLower(strings.Join(parts[:len(parts)-2], ":"))
	return directive{line: line, section: section, key: key, value: value}, nil
}

// UseRules lets rule sections be written by name or legacy code ([sqlfluff:rules:L016],
// [sqlfluff:rules:layout.long_lines]) and still override each other in file precedence
// order: sections are renamed to the rule's code as files are read.
func (l *ConfigLoader) UseRules(rules []Rule) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.canon != nil {
		return
	}
	l.canon = map[string]string{}
	for _, r := range rules {
		m := r.Meta()
		code := strings.ToLower(m.Code)
		l.canon[strings.ToLower(m.Name)] = code
		for _, a := range m.Aliases {
			if _, taken := l.canon[strings.ToLower(a)]; !taken {
				l.canon[strings.ToLower(a)] = code
			}
		}
	}
}

func (l *ConfigLoader) canonical(rc rawConfig) rawConfig {
	l.mu.Lock()
	canon := l.canon
	l.mu.Unlock()
	if canon == nil || rc == nil {
		return rc
	}
	out := rawConfig{}
	for sec, kv := range rc {
		if strings.HasPrefix(sec, "rules:") {
			if code, ok := canon[sec[len("rules:"):]]; ok {
				sec = "rules:" + code
			}
		}
		for k, v := range kv {
			out.set(sec, k, v)
		}
	}
	return out
}

// SearchRoot is where the search for configuration files starts for the files under dir (a
// dbt project, or the working directory for paths named on the command line): the top of the
// git work tree holding dir, so a project in a subfolder of a repository reads the
// repository's configuration wherever in it the command runs, as SQLFluff does when run from
// the repository's top (pre-commit, CI); outside a git work tree, the deepest folder dir
// shares with the working directory cwd, which is SQLFluff's own rule.
func SearchRoot(dir, cwd string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		up := filepath.Dir(d)
		if up == d {
			break
		}
		d = up
	}
	if cwd == "" {
		return abs
	}
	if c, err := filepath.Abs(cwd); err == nil {
		return dirsBetween(c, abs)[0]
	}
	return abs
}
