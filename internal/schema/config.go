package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"
)

// Config is the `schema:` section of .dataops.yml. Every key is optional; the defaults are
// chosen so that a pull request's diff shows only what the change made necessary.
type Config struct {
	// RemoveStale removes the entries of documented columns the model no longer outputs. Off by
	// default: they are reported instead, because an entry carries tests and prose that a
	// human should decide about. Entries of models the change deleted are always removed.
	RemoveStale bool `yaml:"remove_stale"`
	// DataType: "auto" (default) writes data_type only where the project already does (the
	// model's entry or file has typed columns, or the model enforces a contract); "always";
	// "never".
	DataType string `yaml:"data_type"`
	// DescriptionPlaceholder is what a new column gets when no description is inherited or
	// found in the dictionary; "" (default) writes no description key.
	DescriptionPlaceholder string `yaml:"description_placeholder"`
	// ModelDescriptionPlaceholder is the same for a new model entry.
	ModelDescriptionPlaceholder string `yaml:"model_description_placeholder"`
	// Dictionary is a CSV (`column,description`) or YAML mapping file, relative to the project.
	Dictionary string `yaml:"dictionary"`
	// NewFile names the property file created for a folder that has none; {folder} is the
	// folder's name. Default: the pattern most of the project's files follow, else
	// `_{folder}__models.yml`.
	NewFile string `yaml:"new_file"`
	// InheritDescriptions copies the description of the upstream column a column passes
	// through unchanged (default true).
	InheritDescriptions *bool `yaml:"inherit_descriptions"`
	// Columns, with --base: "changed" (default) adds the columns the change added or renamed
	// (every column of a new model); "all" adds every undocumented column of a changed model.
	Columns string `yaml:"columns"`
	// DbtVersion overrides the dbt version the files are written for.
	DbtVersion string `yaml:"dbt_version"`
}

// ConfigFile is the name of the project configuration file.
const ConfigFile = ".dataops.yml"

// LoadConfig reads the schema section of .dataops.yml in dir (a missing file gives defaults).
// Errors name the file and line.
func LoadConfig(dir string) (Config, error) {
	path := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return Config{}.withDefaults(), nil
	}
	if err != nil {
		return Config{}, err
	}
	var doc struct {
		Schema Config `yaml:"schema"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Config{}, fmt.Errorf("%s: %v", path, err)
	}
	c := doc.Schema.withDefaults()
	if err := c.validate(); err != nil {
		return Config{}, fmt.Errorf("%s: schema: %v", path, err)
	}
	return c, nil
}

func (c Config) withDefaults() Config {
	if c.DataType == "" {
		c.DataType = "auto"
	}
	if c.Columns == "" {
		c.Columns = "changed"
	}
	if c.InheritDescriptions == nil {
		t := true
		c.InheritDescriptions = &t
	}
	return c
}

func (c Config) validate() error {
	switch c.DataType {
	case "auto", "always", "never":
	default:
		return fmt.Errorf("data_type: want auto, always or never, got %q", c.DataType)
	}
	switch c.Columns {
	case "changed", "all":
	default:
		return fmt.Errorf("columns: want changed or all, got %q", c.Columns)
	}
	if c.NewFile != "" && (strings.Contains(c.NewFile, "/") || !strings.HasSuffix(c.NewFile, ".yml") && !strings.HasSuffix(c.NewFile, ".yaml")) {
		return fmt.Errorf("new_file: want a file name ending in .yml, got %q", c.NewFile)
	}
	return nil
}

func (c Config) inherit() bool { return c.InheritDescriptions == nil || *c.InheritDescriptions }
