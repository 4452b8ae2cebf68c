package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// Config is what the synthesizer takes from the `schema:` section of .dataops.yml (see
// internal/config). The defaults are chosen so that a pull request's diff shows only what the
// change made necessary.
type Config struct {
	// RemoveStale removes the entries of documented columns the model no longer outputs. Off by
	// default: they are reported instead, because an entry carries tests and prose that a
	// human should decide about. Entries of models the change deleted are always removed.
	RemoveStale bool
	// DataType: "auto" writes data_type only where the project already does (the model's entry
	// or file has typed columns, or the model enforces a contract); "always"; "never".
	DataType string
	// DescriptionPlaceholder is what a new column gets when no description is inherited or
	// found in the dictionary; "" writes no description key.
	DescriptionPlaceholder string
	// ModelDescriptionPlaceholder is the same for a new model entry.
	ModelDescriptionPlaceholder string
	// Dictionary is a CSV (`column,description`) or YAML mapping file, relative to the project.
	Dictionary string
	// NewFile names the property file of a new model's entry ({dir}, {folder} or <folder> is
	// the folder's name, {model} the model's: one file per model). "" follows the project's
	// habit (docs/schema.md), else `_<folder>__models.yml`.
	NewFile string
	// InheritDescriptions copies the description of the upstream column a column passes
	// through unchanged.
	InheritDescriptions bool
	// DescribeFromName writes a description from the column's name when no other source
	// has one (see nameDescription).
	DescribeFromName bool
	// SourceOrder is the order description sources are tried in (DefaultSourceOrder when
	// empty); what the team accepted before reorders it.
	SourceOrder []string
	// Columns, with --base: "changed" adds the columns the change added or renamed (every
	// column of a new model); "all" adds every undocumented column of a changed model.
	Columns string
	// DbtVersion overrides the dbt version the files are written for.
	DbtVersion string
	// NewFileAt and DictionaryAt say where NewFile and Dictionary were set, for findings
	// about their values.
	NewFileAt, DictionaryAt Setting
	// Naming is the team's stated naming rules (ProjectConventions).
	Naming config.Naming
}

// Setting locates a setting: the settings file (relative to the project) and the line of the
// value, or the environment variable that set it. The zero Setting is a default.
type Setting struct {
	Path string
	Line int
}

func (s Setting) String() string {
	if s.Line > 0 {
		return fmt.Sprintf("%s:%d", s.Path, s.Line)
	}
	return s.Path
}

// DefaultConfig is the configuration with nothing set.
func DefaultConfig() Config { return ConfigFrom(config.Default().Schema) }

// ConfigFrom maps the settings file's schema section.
func ConfigFrom(s config.Schema) Config {
	c := Config{
		RemoveStale:                 s.RemoveStale,
		DataType:                    "auto",
		DescriptionPlaceholder:      s.Placeholder,
		ModelDescriptionPlaceholder: s.ModelPlaceholder,
		Dictionary:                  s.Dictionary,
		InheritDescriptions:         s.InheritDescriptions,
		DescribeFromName:            s.DescribeFromName,
		Columns:                     s.Columns,
		DbtVersion:                  s.DbtVersion,
		Naming:                      s.Naming,
	}
	if s.DataTypes {
		c.DataType = "always"
	}
	// The built-in default file name gives way to the project's own convention.
	if s.NewFile != config.Default().Schema.NewFile {
		c.NewFile = s.NewFile
	}
	if c.Columns == "" {
		c.Columns = "changed"
	}
	return c
}

// LoadConfig reads .dataops.yml in dir (defaults when there is none). Errors name the file,
// line and column.
func LoadConfig(dir string) (Config, error) {
	c, err := config.Load(config.Options{Dir: dir})
	if err != nil {
		return Config{}, err
	}
	cfg := ConfigFrom(c.Schema)
	cfg.NewFileAt = LocateSetting(dir, c.Path, "new_file")
	cfg.DictionaryAt = LocateSetting(dir, c.Path, "dictionary")
	return cfg, nil
}

// LocateSetting finds where schema.<key> was set: its environment variable when that is set (it
// wins over the file), else the line of the value in the settings file at file.
func LocateSetting(dir, file, key string) Setting {
	env := "DATAOPS_SCHEMA_" + strings.ToUpper(key)
	if _, ok := os.LookupEnv(env); ok {
		return Setting{Path: env}
	}
	if file == "" {
		return Setting{}
	}
	shown := file
	if rel, err := filepath.Rel(dir, file); err == nil && fsconfine.Local(rel) {
		shown = filepath.ToSlash(rel)
	}
	data, err := fsconfine.ReadFile(filepath.Dir(file), filepath.Base(file))
	if err != nil {
		return Setting{Path: shown}
	}
	f, _, err := yamllimit.Parse(data, yamllimit.MaxNodes)
	if err != nil {
		return Setting{Path: shown}
	}
	yp, err := yaml.PathString("$.schema." + key)
	if err != nil {
		return Setting{Path: shown}
	}
	n, err := yp.FilterFile(f)
	if err != nil || n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return Setting{Path: shown}
	}
	return Setting{Path: shown, Line: n.GetToken().Position.Line}
}

// ReadDictionary loads the data dictionary the settings name; nil when they name none. The
// file must be inside the project at root. Errors start with where the setting was made.
func (c Config) ReadDictionary(root string) (*Dictionary, error) {
	if c.Dictionary == "" {
		return nil, nil
	}
	d, err := LoadDictionary(root, c.Dictionary)
	if err != nil {
		if at := c.DictionaryAt.String(); at != "" {
			return nil, fmt.Errorf("%s: schema.dictionary: %w", at, err)
		}
		return nil, fmt.Errorf("schema.dictionary: %w", err)
	}
	return d, nil
}

func (c Config) inherit() bool { return c.InheritDescriptions }

// fileName expands a new-file pattern for a folder and a model ({model}).
func fileName(pattern, folder, model string) string {
	for _, v := range []string{"{dir}", "{folder}", "<folder>"} {
		pattern = strings.ReplaceAll(pattern, v, folder)
	}
	return strings.ReplaceAll(pattern, "{model}", model)
}
