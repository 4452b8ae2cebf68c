package schema

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/config"
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
	// NewFile names the property file created for a folder that has none ({dir}, {folder} or
	// <folder> is the folder's name). "" follows the pattern most of the project's files
	// follow, else `_<folder>__models.yml`.
	NewFile string
	// InheritDescriptions copies the description of the upstream column a column passes
	// through unchanged.
	InheritDescriptions bool
	// Columns, with --base: "changed" adds the columns the change added or renamed (every
	// column of a new model); "all" adds every undocumented column of a changed model.
	Columns string
	// DbtVersion overrides the dbt version the files are written for.
	DbtVersion string
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
		Columns:                     s.Columns,
		DbtVersion:                  s.DbtVersion,
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
	return ConfigFrom(c.Schema), nil
}

func (c Config) inherit() bool { return c.InheritDescriptions }

// fileName expands a new-file pattern for a folder.
func fileName(pattern, folder string) string {
	for _, v := range []string{"{dir}", "{folder}", "<folder>"} {
		pattern = strings.ReplaceAll(pattern, v, folder)
	}
	return pattern
}
