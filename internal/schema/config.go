package schema

import (
	"fmt"
	"strings"
)

// Config is what the synthesizer is told: internal/cli maps the `schema:` section of
// .dataops.yml to it, so this package reads no settings file. The defaults are chosen so that a pull request's diff shows only what the
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
	// column of a new model); "known" adds those and, in a changed model whose entry lists
	// columns, the undocumented ones the team's words describe (upstream, another model,
	// history, the dictionary, docs); "all" adds every undocumented column of a changed model.
	Columns string
	// DbtVersion overrides the dbt version the files are written for.
	DbtVersion string
	// NewFileAt and DictionaryAt say where NewFile and Dictionary were set, for findings
	// about their values.
	NewFileAt, DictionaryAt Setting
	// Naming is the team's stated naming rules (ProjectConventions).
	Naming Naming
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

// Values of Config.Columns.
const (
	ColumnsChanged = "changed"
	ColumnsKnown   = "known"
	ColumnsAll     = "all"
)

// DefaultConfig is the configuration with nothing set (what the settings file's defaults
// map to: internal/cli checks that they agree).
func DefaultConfig() Config {
	return Config{DataType: "auto", InheritDescriptions: true, DescribeFromName: true, Columns: ColumnsKnown}
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
