package cli

import (
	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/dbt"
)

func init() { register(newSeedCmd) }

func newSeedCmd(env *Env) *cobra.Command {
	rf := &runFlags{}
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Load the project's CSV seeds into the warehouse, like dbt seed",
		Long: "seed loads every selected seed file into a table, inferring column types as dbt does\n" +
			"(integer, numeric, boolean, date, timestamp, text) unless the seed's column_types says\n" +
			"otherwise. An existing table with the same columns is refilled in place; --full-refresh\n" +
			"recreates it. Exit 1 when any seed fails to load.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProject(env, rf, []string{dbt.Seed})
		},
	}
	rf.bind(cmd, true)
	return cmd
}
