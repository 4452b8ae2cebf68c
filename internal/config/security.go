package config

import (
	"fmt"
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// Security says what the project's code may read from the environment and which values no
// output may show. It belongs to the trusted configuration: a pull request that edits it
// must not be able to widen what its own templates see.
type Security struct {
	// EnvVars are the environment variables env_var() in project code (models, macros,
	// dbt_project.yml, property files, packages) may read: names, and prefixes written
	// "PREFIX_*". Any other name renders as the call's default, else as a placeholder, with a
	// warning. profiles.yml reads any variable.
	EnvVars []string `yaml:"env_vars"`
	// DbtEnv also allows dbt's non-secret variables: DBT_* but DBT_ENV_SECRET_*, which never
	// reach project code.
	DbtEnv bool `yaml:"dbt_env"`
	// Secrets names more variables (names or "PREFIX_*") whose values are masked in every
	// output, besides those named like secrets (*TOKEN*, *SECRET*, *PASSWORD*, *_KEY, ...).
	Secrets []string `yaml:"secrets"`
}

var envName = lazyregexp.New(`^[A-Za-z_][A-Za-z0-9_]*\*?$`)

func (s *Security) validate() error {
	for i, n := range s.EnvVars {
		if err := checkEnvName(n); err != nil {
			return &valueError{Key: fmt.Sprintf("env_vars[%d]", i), Value: n, Msg: err.Error()}
		}
		if strings.HasPrefix(strings.ToUpper(n), "DBT_ENV_SECRET") {
			return &valueError{Key: fmt.Sprintf("env_vars[%d]", i), Value: n,
				Msg: fmt.Sprintf("%q: DBT_ENV_SECRET_* variables are secrets and are never available to project code", n)}
		}
	}
	for i, n := range s.Secrets {
		if err := checkEnvName(n); err != nil {
			return &valueError{Key: fmt.Sprintf("secrets[%d]", i), Value: n, Msg: err.Error()}
		}
	}
	return nil
}

func checkEnvName(n string) error {
	if n == "*" {
		return fmt.Errorf(`"*" would allow every variable, secrets included: list names or prefixes ("SHOP_*")`)
	}
	if !envName.MatchString(n) {
		return fmt.Errorf("%q is not an environment variable name or a prefix ending in *", n)
	}
	return nil
}
