package config

// Schema holds the conventions the Schema Synthesizer follows when it edits property files.
type Schema struct {
	// TestsKey is the key new tests are written under: data_tests (dbt 1.8+) or tests.
	TestsKey string `yaml:"tests_key" default:"data_tests"`
	// NewFile names the property file for models that have none; {dir} is the model's folder
	// name and {model} its name.
	NewFile string `yaml:"new_file" default:"_{dir}__models.yml"`
	// DataTypes writes data_type for new columns when the type is known.
	DataTypes bool `yaml:"data_types"`
	// Placeholder is the description written for a new column when none can be inferred.
	Placeholder string `yaml:"placeholder"`
}

func (s *Schema) validate() error {
	return oneOf("tests_key", s.TestsKey, "data_tests", "tests")
}
