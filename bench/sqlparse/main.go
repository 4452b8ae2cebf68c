// Command sqlparse measures the SQL front end on real dbt models. Two sources:
//
//   - raw model files, without rendering: every {{ ... }} becomes an identifier, {% ... %} and
//     {# ... #} disappear (both branches of an if stay, so this undercounts):
//     go run ./bench/sqlparse -dialect snowflake DIR...
//     (-raw parses the files as written: {% %} is skipped, {{ }} read as a value or a name)
//   - compiled SQL from a manifest (`dataops parse --format json` or dbt's own), the real input
//     of the linter and of column inference:
//     go run ./bench/sqlparse -manifest manifest.json [-dialect NAME]
//
// It reports the share of inputs that parse without error, the throughput, the most frequent
// first errors and the first failing inputs.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/dataops-dev/dataops/internal/sql/dialect"
	"github.com/dataops-dev/dataops/internal/sql/lexer"
	"github.com/dataops-dev/dataops/internal/sql/parser"
)

func main() {
	dialectName := flag.String("dialect", "ansi", "SQL dialect")
	show := flag.Int("show", 15, "how many failing files to list")
	manifest := flag.String("manifest", "", "parse the compiled_code of the models in this manifest.json")
	repeat := flag.Int("repeat", 0, "also time lexing and parsing the whole set N times, in CPU seconds (robust on a busy machine)")
	raw := flag.Bool("raw", false, "parse model files as written, leftover Jinja and all (the parser skips {% %} and reads {{ }} as a value)")
	flag.Parse()
	type input struct{ name, src string }
	var inputs []input
	if *manifest != "" {
		b, err := os.ReadFile(*manifest)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		var m struct {
			Metadata struct {
				AdapterType string `json:"adapter_type"`
			} `json:"metadata"`
			Nodes map[string]struct {
				ResourceType     string `json:"resource_type"`
				OriginalFilePath string `json:"original_file_path"`
				CompiledCode     string `json:"compiled_code"`
			} `json:"nodes"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if *dialectName == "ansi" && m.Metadata.AdapterType != "" {
			*dialectName = m.Metadata.AdapterType
		}
		for id, n := range m.Nodes {
			if n.ResourceType == "model" && strings.TrimSpace(n.CompiledCode) != "" {
				inputs = append(inputs, input{id + " (" + n.OriginalFilePath + ")", n.CompiledCode})
			}
		}
		sort.Slice(inputs, func(i, j int) bool { return inputs[i].name < inputs[j].name })
	}
	d, ok := dialect.Lookup(*dialectName)
	if !ok {
		fmt.Fprintln(os.Stderr, d.Reason)
	}
	var files []string
	for _, root := range flag.Args() {
		_ = filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if e.IsDir() && (e.Name() == "target" || e.Name() == "macros" && path != root) {
				return filepath.SkipDir
			}
			if !e.IsDir() && strings.HasSuffix(path, ".sql") {
				files = append(files, path)
			}
			return nil
		})
	}
	sort.Strings(files)
	var ok2, bytes int
	var elapsed time.Duration
	type failure struct{ path, msg string }
	var fails []failure
	msgs := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		src := StripJinja(string(b))
		if strings.TrimSpace(src) == "" || strings.TrimSpace(src) == "__jinja__" {
			continue // a model that is one macro call has no SQL before rendering
		}
		if *raw {
			src = string(b)
		}
		inputs = append(inputs, input{f, src})
	}
	for _, in := range inputs {
		f, src := in.name, in.src
		bytes += len(src)
		t0 := time.Now()
		_, errs := parser.Parse(src, d)
		elapsed += time.Since(t0)
		if len(errs) == 0 {
			ok2++
			continue
		}
		fails = append(fails, failure{f, errs[0].Error()})
		m := errs[0].Msg
		if i := strings.Index(m, ", found"); i > 0 {
			m = m[:i] + ", found " + strings.SplitN(m[i+8:], " ", 2)[0]
		}
		msgs[m]++
	}
	total := ok2 + len(fails)
	if total == 0 {
		fmt.Println("no SQL files")
		return
	}
	fmt.Printf("%s: %d/%d files parse without error (%.1f%%); %.1f MB in %v (%.1f MB/s)\n",
		d.Name, ok2, total, 100*float64(ok2)/float64(total), float64(bytes)/1e6, elapsed.Round(time.Millisecond), float64(bytes)/1e6/elapsed.Seconds())
	if *repeat > 0 {
		lexCPU, parseCPU := cpuTime(func() {
			for r := 0; r < *repeat; r++ {
				for _, in := range inputs {
					lexer.Lex(in.src, d)
				}
			}
		}), cpuTime(func() {
			for r := 0; r < *repeat; r++ {
				for _, in := range inputs {
					parser.Parse(in.src, d)
				}
			}
		})
		mb := float64(bytes) * float64(*repeat) / 1e6
		fmt.Printf("  CPU time over %d passes: lex %.1f MB/s, parse (lex included) %.1f MB/s\n", *repeat, mb/lexCPU.Seconds(), mb/parseCPU.Seconds())
	}
	type kv struct {
		k string
		v int
	}
	var top []kv
	for k, v := range msgs {
		top = append(top, kv{k, v})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].v > top[j].v })
	for i, x := range top {
		if i == 10 {
			break
		}
		fmt.Printf("  %4d  %s\n", x.v, x.k)
	}
	for i, f := range fails {
		if i == *show {
			break
		}
		fmt.Printf("  %s:%s\n", f.path, f.msg)
	}
}

// cpuTime returns the user+system CPU time f consumed (the whole process: run it alone).
func cpuTime(f func()) time.Duration {
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	f()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(after.Utime) - tv(before.Utime) + tv(after.Stime) - tv(before.Stime)
}

// StripJinja is the crude render: {{ ... }} becomes an identifier, {% ... %} and {# ... #}
// disappear. Both branches of an {% if %} stay, which a real render would not keep.
func StripJinja(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '{' && i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '%' || s[i+1] == '#') {
			closer := map[byte]string{'{': "}}", '%': "%}", '#': "#}"}[s[i+1]]
			j := strings.Index(s[i+2:], closer)
			if j >= 0 {
				if s[i+1] == '{' {
					b.WriteString("__jinja__")
				}
				i += 2 + j + 2
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}
