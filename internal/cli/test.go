package cli

import (
	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/dbt"
)

func init() { register(newTestCmd) }

func newTestCmd(env *Env) *cobra.Command {
	rf := &runFlags{}
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Run the project's data tests on the warehouse, like dbt test",
		Long: "test runs the selected data tests: generic tests from property files (not_null, unique,\n" +
			"accepted_values, relationships, dbt_utils' tests and the project's own {% test %} blocks) and\n" +
			"singular tests, honouring where, severity, warn_if, error_if and limit. Failing tests show\n" +
			"their failing count and a few failing rows. Exit 1 when any test fails or errors.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProject(env, rf, []string{dbt.Test})
		},
	}
	rf.bind(cmd, false)
	return cmd
}
