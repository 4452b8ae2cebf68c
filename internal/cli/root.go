// Package cli is the dataops command line as a library: Run takes arguments and streams and
// returns the exit code, so tests drive every command in-process. One file per command.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/secret"
)

// Exit codes are part of the contract (docs/ARCHITECTURE.md).
const (
	ExitOK       = 0 // nothing at or above --fail-on
	ExitFindings = 1 // findings at or above --fail-on, or --check found edits to make
	ExitUsage    = 2 // bad usage or bad input; the message names file:line
	ExitInternal = 3 // internal error
)

// Env is what every command receives: the streams and the context of this invocation.
type Env struct {
	Ctx    context.Context
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
	// Secrets masks the run's secret values in everything the run writes: Stdout and Stderr
	// (wrapped by RunEnv), files, GitHub and OpenMetadata requests. RunEnv builds it from the
	// process environment when nil; commands add values as they learn them (profiles).
	Secrets *secret.Masker

	securities *securityCache
}

// ExitError carries an exit code out of a command's RunE.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks bad input (exit 2).
func usageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// silentExit returns an exit code without printing anything more.
func silentExit(code int) error { return &ExitError{Code: code} }

// commands holds the constructors of the subcommands; each command file registers itself.
var commands []func(*Env) *cobra.Command

func register(f func(*Env) *cobra.Command) { commands = append(commands, f) }

// Run executes the dataops command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return RunEnv(&Env{Ctx: ctx, Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}, args)
}

// RunEnv is Run with an explicit environment. Whatever the command prints passes through
// env.Secrets; both streams are flushed before it returns.
func RunEnv(caller *Env, args []string) (code int) {
	run := *caller
	env := &run
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Secrets == nil {
		env.Secrets = secret.FromEnviron(os.Environ())
	}
	for _, name := range runSecrets {
		env.Secrets.Add(env.Getenv(name))
	}
	env.securities = &securityCache{}
	stdout, stderr := env.Secrets.Writer(env.Stdout), env.Secrets.Writer(env.Stderr)
	env.Stdout, env.Stderr = stdout, stderr
	defer func() {
		stdout.Flush()
		stderr.Flush()
	}()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(env.Stderr, "dataops: internal error: %v\n", r)
			code = ExitInternal
		}
	}()
	root := &cobra.Command{
		Use:           "dataops",
		Short:         "Schema, tests and review for dbt pull requests",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetArgs(args)
	for _, f := range commands {
		root.AddCommand(f(env))
	}
	err := root.ExecuteContext(env.Ctx)
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(env.Stderr, "dataops: %v\n", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(env.Stderr, "dataops: %v\n", err)
	// cobra's own errors (unknown flag, unknown command) are usage errors.
	return ExitUsage
}
