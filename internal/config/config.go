// Package config reads dataops' own settings: `.dataops.yml` in the project directory (or the
// file given with --config), then DATAOPS_* environment variables, over built-in defaults.
// Every section lives in its own file as a plain struct; fields carry a `yaml` name and an
// optional `default` tag, and each scalar field is also settable from the environment as
// DATAOPS_<SECTION>_<FIELD> (upper case, dashes as underscores). It never reads dbt files and
// never touches the network.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// FileName is the settings file looked for in the project directory.
const FileName = ".dataops.yml"

// Config is every section of .dataops.yml.
type Config struct {
	Warehouse Warehouse `yaml:"warehouse"`
	Schema    Schema    `yaml:"schema"`
	Tests     Tests     `yaml:"tests"`
	Lint      Lint      `yaml:"lint"`
	Review    Review    `yaml:"review"`
	Security  Security  `yaml:"security"`
	Limits    Limits    `yaml:"limits"`
	Memory    Memory    `yaml:"memory"`
	LLM       LLM       `yaml:"llm"`
	Service   Service   `yaml:"service"`

	// Path is the file the settings came from; "" when only defaults and the environment apply.
	Path string `yaml:"-"`
}

// Options say where to look.
type Options struct {
	Dir    string                      // project directory: Dir/.dataops.yml is read when present
	Path   string                      // --config: this file must exist
	Getenv func(string) (string, bool) // nil: os.LookupEnv
	// ReadFile, when set, reads the settings file of Dir instead of the file system: name is
	// FileName or its .yaml spelling, and a missing file is an error matching fs.ErrNotExist.
	// It takes the settings from another version of the project (a pull request's base
	// commit). An explicit Path is still read from the file system.
	ReadFile func(name string) ([]byte, error)
}

// Error is a bad setting: in a file (with line and column) or in an environment variable.
type Error struct {
	Path   string // file, or the environment variable's name
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// Default returns the built-in settings.
func Default() *Config {
	c := &Config{}
	applyDefaults(reflect.ValueOf(c).Elem())
	return c
}

// Load reads the settings: defaults, then the file, then the environment. A file with an
// unknown key, a value of the wrong type or malformed YAML is an *Error with its position.
func Load(o Options) (*Config, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	c := Default()
	path := o.Path
	explicit := path != ""
	var data []byte
	if !explicit && o.ReadFile != nil {
		dir := o.Dir
		if dir == "" {
			dir = "."
		}
		for _, name := range []string{FileName, ".dataops.yaml"} {
			b, err := o.ReadFile(name)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			p := filepath.Join(dir, name)
			if err != nil {
				return nil, &Error{Path: p, Msg: err.Error()}
			}
			path, data = p, b
			break
		}
	} else if !explicit {
		dir := o.Dir
		if dir == "" {
			dir = "."
		}
		for _, name := range []string{FileName, ".dataops.yaml"} {
			p := filepath.Join(dir, name)
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	if path != "" {
		if data == nil {
			var err error
			if data, err = os.ReadFile(path); err != nil {
				if explicit && errors.Is(err, os.ErrNotExist) {
					return nil, &Error{Path: path, Msg: "no such settings file"}
				}
				return nil, &Error{Path: path, Msg: err.Error()}
			}
		}
		if err := decode(path, data, c); err != nil {
			return nil, err
		}
		c.Path = path
	}
	if err := applyEnv(reflect.ValueOf(c).Elem(), "DATAOPS", getenv); err != nil {
		return nil, err
	}
	// The short name every service's deployment sets; the long one wins when both are.
	if v, ok := getenv("DATAOPS_REDIS_URL"); ok && v != "" {
		if _, long := getenv("DATAOPS_MEMORY_REDIS_URL"); !long {
			c.Memory.RedisURL = v
		}
	}
	if err := c.Service.fromEnv(getenv); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func decode(path string, data []byte, c *Config) error {
	// A byte-order mark would become part of the first key.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	// A file of comments only (or an explicit null) sets nothing; decoding it into the struct
	// would reset the defaults.
	var probe any
	if err := yamllimit.Unmarshal(data, &probe); err == nil && probe == nil {
		return nil
	}
	err := yamllimit.Unmarshal(data, c, yaml.DisallowUnknownField())
	if err == nil {
		return nil
	}
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{Path: path, Msg: ye.GetMessage()}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
		return e
	}
	return &Error{Path: path, Msg: strings.SplitN(err.Error(), "\n", 2)[0]}
}

// Validate checks values that have a fixed set of choices.
func (c *Config) Validate() error {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if s, ok := v.Field(i).Addr().Interface().(interface{ validate() error }); ok {
			if err := s.validate(); err != nil {
				where := c.Path
				if where == "" {
					where = "settings"
				}
				e := &Error{Path: where, Msg: yamlName(t.Field(i)) + "." + err.Error()}
				var ve *valueError
				if errors.As(err, &ve) && c.Path != "" {
					e.Line, e.Column = locate(c.Path, yamlName(t.Field(i))+"."+ve.Key, ve.Value)
				}
				return e
			}
		}
	}
	return nil
}

// valueError is a bad value at Key (a YAML path below its section, e.g. "env_vars[2]"), so
// the error can name its line.
type valueError struct {
	Key, Value, Msg string
}

func (e *valueError) Error() string { return e.Key + ": " + e.Msg }

// locate finds the line and column of the value at key in the settings file; 0, 0 when the
// file does not hold that value there (it came from the environment).
func locate(path, key, value string) (line, col int) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0
	}
	p, err := yaml.PathString("$." + key)
	if err != nil {
		return 0, 0
	}
	n, err := p.ReadNode(strings.NewReader(string(data)))
	if err != nil || n == nil {
		return 0, 0
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil || tk.Value != value {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

func yamlName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	if i := strings.IndexByte(tag, ','); i >= 0 {
		tag = tag[:i]
	}
	if tag == "" {
		return strings.ToLower(f.Name)
	}
	return tag
}

// applyDefaults sets every field that has a `default` tag.
func applyDefaults(v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		if !f.IsExported() {
			continue
		}
		if fv.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
			applyDefaults(fv)
			continue
		}
		if d, ok := f.Tag.Lookup("default"); ok {
			if err := setScalar(fv, d); err != nil {
				panic(fmt.Sprintf("config: bad default for %s: %v", f.Name, err))
			}
		}
	}
}

// applyEnv overrides fields from DATAOPS_<SECTION>_<FIELD>.
func applyEnv(v reflect.Value, prefix string, getenv func(string) (string, bool)) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("yaml") == "-" {
			continue
		}
		name := prefix + "_" + strings.ToUpper(strings.ReplaceAll(yamlName(f), "-", "_"))
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct {
			if err := applyEnv(fv, name, getenv); err != nil {
				return err
			}
			continue
		}
		val, ok := getenv(name)
		if !ok {
			continue
		}
		if err := setScalar(fv, val); err != nil {
			return &Error{Path: name, Msg: err.Error()}
		}
	}
	return nil
}

// setScalar parses s into a string, bool, number, duration or comma-separated string list.
func setScalar(fv reflect.Value, s string) error {
	if fv.Type() == reflect.TypeOf(time.Duration(0)) {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("not a duration: %q", s)
		}
		fv.SetInt(int64(d))
		return nil
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("not a boolean: %q", s)
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("not an integer: %q", s)
		}
		fv.SetInt(n)
	case reflect.Float64, reflect.Float32:
		n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("not a number: %q", s)
		}
		fv.SetFloat(n)
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("cannot be set from text")
		}
		var parts []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		fv.Set(reflect.ValueOf(parts))
	default:
		return fmt.Errorf("cannot be set from text")
	}
	return nil
}

// oneOf checks a value against its choices ("" always passes: it means "unset").
func oneOf(field, v string, choices ...string) error {
	if v == "" {
		return nil
	}
	for _, c := range choices {
		if v == c {
			return nil
		}
	}
	return fmt.Errorf("%s: %q is not one of %s", field, v, strings.Join(choices, ", "))
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
