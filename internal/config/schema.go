package config

// Schema holds the conventions the Schema Synthesizer follows when it edits property files.
type Schema struct {
	// TestsKey is the key new tests are written under: data_tests (dbt 1.8+) or tests.
	TestsKey string `yaml:"tests_key" default:"data_tests"`
	// NewFile names the property file for models that have none; {dir} is the model's folder
	// name and {model} its name.
	NewFile string `yaml:"new_file" default:"_{dir}__models.yml"`
	// DataTypes writes data_type for new columns whenever the type is known. When false,
	// data_type is written only where the project already writes it (the entry or its file
	// has typed columns, or the model enforces a contract).
	DataTypes bool `yaml:"data_types"`
	// Placeholder is the description written for a new column when none can be inferred.
	Placeholder string `yaml:"placeholder"`
	// ModelPlaceholder is the description written for a new model entry.
	ModelPlaceholder string `yaml:"model_placeholder"`
	// RemoveStale removes entries of columns a model no longer outputs instead of reporting them.
	RemoveStale bool `yaml:"remove_stale"`
	// Dictionary is a data dictionary (CSV `column,description`, or a YAML mapping), relative to
	// the project directory.
	Dictionary string `yaml:"dictionary"`
	// InheritDescriptions copies the description of the upstream column a column passes
	// through unchanged.
	InheritDescriptions bool `yaml:"inherit_descriptions" default:"true"`
	// DescribeFromName writes a description from a new column's name ("The date and time the
	// order was shipped.") when no upstream column, other model, dictionary or memory has one.
	DescribeFromName bool `yaml:"describe_from_name" default:"true"`
	// Columns says which undocumented columns of a changed model are added with --base:
	// "changed" (those the change added or renamed), "known" (those, and the undocumented
	// columns of a changed model whose entry lists columns that the project's own
	// descriptions describe) or "all".
	Columns string `yaml:"columns" default:"known"`
	// DbtVersion is the dbt version property files are written for (default: the project's
	// require-dbt-version, else target/manifest.json).
	DbtVersion string `yaml:"dbt_version"`
	// Naming states the team's naming and documentation rules for what a change writes.
	Naming Naming `yaml:"naming"`
}

// Naming is the team's naming rules. A rule stated here is checked as stated; a rule left
// unset is checked only where the project's own names clearly follow it already, so no
// convention is invented for a team. An empty list (`boolean_prefixes: []`) turns a rule off.
type Naming struct {
	// Preset "dbt-labs" states dbt Labs' style guide (snake_case, is_/has_ booleans, _at
	// timestamps, _date dates, _id keys, stg_/int_/fct_/dim_ by layer, documented marts); the
	// keys below override it.
	Preset              string              `yaml:"preset"`
	SnakeCase           *bool               `yaml:"snake_case"`
	BooleanPrefixes     []string            `yaml:"boolean_prefixes"`
	TimestampSuffix     *string             `yaml:"timestamp_suffix"`
	DateSuffix          *string             `yaml:"date_suffix"`
	IDSuffix            *string             `yaml:"id_suffix"`
	ModelPrefixes       map[string][]string `yaml:"model_prefixes"` // folder name -> allowed prefixes
	RequireDescriptions []string            `yaml:"require_descriptions"`
	ForbiddenNames      []string            `yaml:"forbidden_names"`
	Disable             []string            `yaml:"disable"` // rule names to skip
}

func (s *Schema) validate() error {
	if err := oneOf("columns", s.Columns, "changed", "known", "all"); err != nil {
		return err
	}
	if err := oneOf("naming.preset", s.Naming.Preset, "dbt-labs"); err != nil {
		return err
	}
	return oneOf("tests_key", s.TestsKey, "data_tests", "tests")
}
