// Package cli is the dataops command line as a library: Run takes arguments and streams and
// returns the exit code, so tests drive every command in-process. One file per command.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/secret"
)

// Exit codes are part of the contract (docs/ARCHITECTURE.md).
const (
	ExitOK       = 0 // nothing at or above --fail-on
	ExitFindings = 1 // findings at or above --fail-on, or --check found edits to make
	ExitUsage    = 2 // bad usage or bad input; the message names file:line
	ExitInternal = 3 // internal error
	// A command stopped by SIGINT or SIGTERM exits with 128 plus the signal's number, as a
	// shell reports a process killed by it: 130 and 143 (see SignalExitCode).
)

// SignalExitCode is the exit code of a command stopped by sig: 128 plus its number.
func SignalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

// RunInterruptible is Run for a process: the first signal received on sigs cancels the
// command's context (renders, project loads, warehouse queries and GitHub requests stop at
// their next check of it) and the command returns SignalExitCode; if it has not returned
// within grace, or a second signal arrives, exit is called with that code at once.
func RunInterruptible(args []string, stdin io.Reader, stdout, stderr io.Writer, sigs <-chan os.Signal, grace time.Duration, exit func(int)) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var got atomic.Value // the first signal
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var sig os.Signal
		select {
		case sig = <-sigs:
		case <-done:
			return
		}
		got.Store(sig)
		cancel(fmt.Errorf("interrupted by %s", signalName(sig)))
		fmt.Fprintf(stderr, "dataops: %s: stopping (a second signal stops at once)\n", signalName(sig))
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case again := <-sigs:
			fmt.Fprintf(stderr, "dataops: %s: stopped\n", signalName(again))
			exit(SignalExitCode(again))
		case <-timer.C:
			fmt.Fprintf(stderr, "dataops: still running %s after %s: stopped\n", signalName(sig), grace)
			exit(SignalExitCode(sig))
		case <-done:
		}
	}()
	code := Run(ctx, args, stdin, stdout, stderr)
	close(done)
	<-stopped
	if sig, ok := got.Load().(os.Signal); ok {
		return SignalExitCode(sig)
	}
	return code
}

// stopCause says why the context ended: the signal that stopped the run, else "interrupted".
func stopCause(ctx context.Context) string {
	if c := context.Cause(ctx); c != nil && c != context.Canceled && c != context.DeadlineExceeded {
		return c.Error()
	}
	return "interrupted"
}

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case os.Interrupt:
		return "SIGINT"
	}
	return sig.String()
}

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
	// Terminal says Stderr is a terminal, where progress is shown; RunEnv sets it when the
	// caller's Stderr is a terminal device.
	Terminal bool

	securities *securityCache
	warned     *warnings
	// llmHooks, set by eval, carry its recorder or replay server and collect each run's account.
	llmHooks *llmHooks

	renders *renderCache
}

// renderCache holds the render budget every project load of one command shares (both sides
// of a change load at once).
type renderCache struct {
	mu     sync.Mutex
	budget *jinja.Budget
}

func (e *Env) renderCache() *renderCache {
	if e.renders == nil {
		// Not run through RunEnv (which sets the cache up before anything runs in parallel).
		e.renders = &renderCache{}
	}
	return e.renders
}

// renderBudget returns the budget the renders of this command share, made on first use from
// limits.render_time: the settings a command read itself (useRenderTime: the trusted side's
// with --trust base), else the settings file of the project dir when it is valid (the commands
// that read settings report it otherwise), else the defaults and DATAOPS_LIMITS_RENDER_TIME.
func (e *Env) renderBudget(dir string) *jinja.Budget {
	c := e.renderCache()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.budget == nil {
		getenv := func(k string) (string, bool) {
			v := e.Getenv(k)
			return v, v != ""
		}
		cfg, err := config.Load(config.Options{Dir: dir, Getenv: getenv})
		if err != nil {
			if cfg, err = config.FromEnv(getenv); err != nil {
				cfg = config.Default()
			}
		}
		c.budget = jinja.NewBudget(cfg.Limits.RenderTime)
	}
	return c.budget
}

// useRenderTime sets the render budget from settings a command has read itself, before it
// loads anything.
func (e *Env) useRenderTime(d time.Duration) {
	c := e.renderCache()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.budget == nil {
		c.budget = jinja.NewBudget(d)
	}
}

// isTerminal reports whether w is a terminal device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
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
	env.warned = &warnings{}
	env.renders = &renderCache{}
	env.Terminal = env.Terminal || isTerminal(caller.Stderr)
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
		Use:   "dataops",
		Short: "Schema, tests and review for dbt pull requests",
		Long: `Schema, tests and review for dbt pull requests.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it, or --check found edits
to make; 2 bad usage or bad input (the message names file:line); 3 internal error; 130 or 143
stopped by SIGINT or SIGTERM (128 plus the signal's number). The first signal stops renders,
loads and warehouse queries at their next check and the command exits within 2 seconds; a
second signal exits at once.

Limits: each Jinja render stops after 10 seconds, and all renders of one command after
limits.render_time together (.dataops.yml, or DATAOPS_LIMITS_RENDER_TIME; default 60s); a render
cut short is reported where it stopped and its output is not used.`,
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
	if env.Ctx != nil && env.Ctx.Err() != nil {
		// Whatever failed after the run was stopped failed because it was stopped (a git
		// process killed mid-read says "EOF"): say that, not the symptom.
		fmt.Fprintf(env.Stderr, "dataops: %s; the run did not finish\n", stopCause(env.Ctx))
		var ee *ExitError
		if errors.As(err, &ee) && ee.Code != ExitInternal && ee.Code != ExitUsage {
			return ee.Code
		}
		return ExitInternal
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
