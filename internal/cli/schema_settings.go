package cli

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// schemaSettings maps the settings file's schema section to the Synthesizer's own settings
// (internal/schema reads no settings file).
func schemaSettings(s config.Schema) schema.Config {
	c := schema.Config{
		RemoveStale:                 s.RemoveStale,
		DataType:                    "auto",
		DescriptionPlaceholder:      s.Placeholder,
		ModelDescriptionPlaceholder: s.ModelPlaceholder,
		Dictionary:                  s.Dictionary,
		InheritDescriptions:         s.InheritDescriptions,
		DescribeFromName:            s.DescribeFromName,
		Columns:                     s.Columns,
		DbtVersion:                  s.DbtVersion,
		Naming:                      schema.Naming(s.Naming),
	}
	if s.DataTypes {
		c.DataType = "always"
	}
	// The built-in default file name gives way to the project's own convention.
	if s.NewFile != config.Default().Schema.NewFile {
		c.NewFile = s.NewFile
	}
	if c.Columns == "" {
		c.Columns = schema.ColumnsKnown
	}
	return c
}

// locateSetting finds where schema.<key> was set: its environment variable when that is set
// (it wins over the file), else the line of the value in the settings file at file.
func locateSetting(dir, file, key string) schema.Setting {
	env := "DATAOPS_SCHEMA_" + strings.ToUpper(key)
	if _, ok := os.LookupEnv(env); ok {
		return schema.Setting{Path: env}
	}
	if file == "" {
		return schema.Setting{}
	}
	shown := file
	if rel, err := filepath.Rel(dir, file); err == nil && fsconfine.Local(rel) {
		shown = filepath.ToSlash(rel)
	}
	data, err := fsconfine.ReadFile(filepath.Dir(file), filepath.Base(file))
	if err != nil {
		return schema.Setting{Path: shown}
	}
	f, _, err := yamllimit.Parse(data, yamllimit.MaxNodes)
	if err != nil {
		return schema.Setting{Path: shown}
	}
	yp, err := yaml.PathString("$.schema." + key)
	if err != nil {
		return schema.Setting{Path: shown}
	}
	n, err := yp.FilterFile(f)
	if err != nil || n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return schema.Setting{Path: shown}
	}
	return schema.Setting{Path: shown, Line: n.GetToken().Position.Line}
}
