// Command yamledit runs the property-file editor over every property file under models/ in the
// dbt projects below a directory: an empty plan must give the bytes back, and each kind of edit
// on each entry must read back as intended with a diff holding only that change.
//
//	go run ./bench/yamledit -root /path/to/projects [-v]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/yamledit"
	"github.com/dataops-dev/dataops/internal/yamledit/touch"
)

func main() {
	root := flag.String("root", ".", "directory holding dbt projects")
	verbose := flag.Bool("v", false, "print every failure")
	progress := flag.Bool("progress", false, "name each file on stderr as it starts")
	flag.Parse()
	var files []string
	filepath.WalkDir(*root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) && strings.Contains(filepath.ToSlash(p), "/models/") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	var bytesTotal, identical, loadFail, entries, edits, failures, skipped int
	var loadTime, applyTime time.Duration
	var failed []string
	start := time.Now()
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if *progress {
			fmt.Fprintln(os.Stderr, p)
		}
		bytesTotal += len(data)
		t0 := time.Now()
		f, err := yamledit.Load(p, data)
		loadTime += time.Since(t0)
		if err != nil {
			loadFail++
			failed = append(failed, err.Error())
			continue
		}
		t1 := time.Now()
		out, err := f.Plan().Apply()
		applyTime += time.Since(t1)
		if err == nil && string(out) == string(data) {
			identical++
		}
		r := touch.File(p, data)
		entries += r.Entries
		edits += r.Edits
		failures += len(r.Failures)
		skipped += len(r.Skipped)
		failed = append(failed, r.Failures...)
	}
	fmt.Printf("files: %d (%.1f MB)\n", len(files), float64(bytesTotal)/1e6)
	fmt.Printf("load errors (not YAML the parser accepts): %d\n", loadFail)
	fmt.Printf("no-op apply byte-identical: %d/%d\n", identical, len(files)-loadFail)
	fmt.Printf("entries: %d; edits tried: %d; failed: %d; refused (shared anchors): %d\n", entries, edits, failures, skipped)
	fmt.Printf("load: %v total, %.1f µs/file; whole run %v\n", loadTime.Round(time.Millisecond), float64(loadTime.Microseconds())/float64(max(1, len(files))), time.Since(start).Round(time.Millisecond))
	_ = applyTime
	if len(failed) > 0 {
		n := len(failed)
		if !*verbose && n > 10 {
			n = 10
		}
		fmt.Println("failures:")
		for _, f := range failed[:n] {
			fmt.Println("  " + f)
		}
		os.Exit(1)
	}
}
