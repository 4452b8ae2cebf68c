package config

// Lint configures the SQL linter.
type Lint struct {
	// Dialect of the SQL; "" takes the dbt profile's adapter.
	Dialect string `yaml:"dialect"`
	// Rules enables only these rule codes (e.g. LT01, CP01); empty means the default set.
	Rules []string `yaml:"rules"`
	// Exclude disables these rule codes.
	Exclude []string `yaml:"exclude"`
	// MaxLineLength for LT05.
	MaxLineLength int `yaml:"max_line_length" default:"80"`
	// SQLFluffConfig points at a .sqlfluff file whose settings apply ("" = look in the project).
	SQLFluffConfig string `yaml:"sqlfluff_config"`
}

func (l *Lint) validate() error {
	if l.MaxLineLength < 0 {
		return errorf("max_line_length: must not be negative")
	}
	return nil
}
