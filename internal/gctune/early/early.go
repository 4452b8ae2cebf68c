// Package early paces the collector from the start of a dataops process, before main runs
// gctune.Start. The binary's packages allocate about 4.5 MB as they are initialised (regular
// expressions, tables, SDKs' schemas), past the runtime's first goal of 4 MB at Go's default
// pacing: a collection there, in every run, marks what the run keeps and sweeps the rest, for
// nothing a short command needs. Imported for that effect by cmd/dataops alone, whose main
// starts the pacing proper; GOGC or GOMEMLIMIT set by the user win, as there.
package early

import (
	"os"
	"runtime/debug"
)

// percent is what gctune.Start sets first.
const percent = 300

func init() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(percent)
	}
}
