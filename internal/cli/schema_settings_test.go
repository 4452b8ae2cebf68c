package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/schema"
)

// loadSchemaSettings reads .dataops.yml in dir as a work-tree run does.
func loadSchemaSettings(dir string) (schema.Config, error) {
	c, err := config.Load(config.Options{Dir: dir})
	if err != nil {
		return schema.Config{}, err
	}
	return schemaConfig(c, dir, nil), nil
}

func TestSchemaSettings(t *testing.T) {
	if got, want := schemaSettings(config.Default().Schema), schema.DefaultConfig(); !reflect.DeepEqual(got, want) {
		t.Errorf("the settings' defaults map to %+v; schema.DefaultConfig is %+v", got, want)
	}
	dir := t.TempDir()
	write := func(text string) {
		if err := os.WriteFile(filepath.Join(dir, ".dataops.yml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := loadSchemaSettings(dir)
	if err != nil || c.DataType != "auto" || c.Columns != "known" || !c.InheritDescriptions || c.RemoveStale || c.NewFile != "" {
		t.Fatalf("defaults = %+v, %v", c, err)
	}
	write("schema:\n  remove_stale: true\n  data_types: true\n  placeholder: TODO\n  inherit_descriptions: false\n  new_file: schema.yml\n  dictionary: dict.csv\n  naming:\n    boolean_prefixes: [is_]\n")
	c, err = loadSchemaSettings(dir)
	if err != nil || !c.RemoveStale || c.DataType != "always" || c.DescriptionPlaceholder != "TODO" || c.InheritDescriptions || c.NewFile != "schema.yml" {
		t.Fatalf("config = %+v, %v", c, err)
	}
	if c.NewFileAt != (schema.Setting{Path: ".dataops.yml", Line: 6}) || c.DictionaryAt != (schema.Setting{Path: ".dataops.yml", Line: 7}) {
		t.Errorf("new_file at %v, dictionary at %v; want .dataops.yml:6 and :7", c.NewFileAt, c.DictionaryAt)
	}
	if !reflect.DeepEqual(c.Naming.BooleanPrefixes, []string{"is_"}) {
		t.Errorf("naming = %+v", c.Naming)
	}
	write("schema:\n  columns: some\n")
	if _, err := loadSchemaSettings(dir); err == nil || !strings.Contains(err.Error(), "columns") {
		t.Fatalf("err = %v", err)
	}
}
