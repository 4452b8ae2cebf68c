// Command dataops takes the manual work out of reviewing dbt pull requests.
// Everything but signal handling and the exit code lives in internal/cli.
package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dataops-dev/dataops/internal/cli"
	"github.com/dataops-dev/dataops/internal/gctune"
	// Before the other packages are initialised, where it can.
	_ "github.com/dataops-dev/dataops/internal/gctune/early"
)

// shutdownGrace is how long the first SIGINT or SIGTERM gives the command to stop on its own
// (renders, loads and warehouse queries stop at their next check of the context) before the
// process exits anyway; a second signal exits at once.
const shutdownGrace = 2 * time.Second

// stopProfile flushes a CPU profile when the binary is built with the pprof tag.
var stopProfile = func() {}

// heapBudget is the heap the collector's pacing aims to stay under (internal/gctune): with the
// binary and the cache's mapped segments, about 1 GB of memory.
const heapBudget = 768 << 20

func main() {
	gctune.Start(heapBudget)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	exit := func(code int) { stopProfile(); os.Exit(code) }
	exit(cli.RunInterruptible(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, sigs, shutdownGrace, exit))
}
