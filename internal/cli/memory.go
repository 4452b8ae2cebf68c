package cli

import (
	"github.com/spf13/cobra"
)

func init() { register(newMemoryCmd) }

// memorySubcommands holds the constructors of `dataops memory` subcommands; each file
// registers its own.
var memorySubcommands []func(*Env) *cobra.Command

func registerMemory(f func(*Env) *cobra.Command) { memorySubcommands = append(memorySubcommands, f) }

func newMemoryCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "memory",
		Short: "Ingest, search and inspect the team's knowledge that the agents remember",
		Long: `The memory holds the team's design docs, data dictionaries, review playbooks, property
files, past pull requests and what became of every proposal. It lives under .dataops/memory by
default (see memory: in .dataops.yml); without it every command runs as before.`,
		Args: cobra.NoArgs,
	}
	for _, f := range memorySubcommands {
		cmd.AddCommand(f(env))
	}
	return cmd
}
