// Command mcp measures `dataops mcp` against `dataops parse` on one project, the way an editor
// uses it: the binary as a subprocess over stdio, driven by the MCP Go SDK's client.
//
//   - parse: `dataops parse --project P`, wall and CPU (user+system) of the process;
//   - first answer: from starting `dataops mcp --project P` to the answer of its first call
//     (get_project_summary, then, in a fresh process, get_node_details), wall, and the
//     server's CPU until then (from /proc);
//   - warm: once every model's columns are inferred, get_node_details, get_lineage and
//     get_column_lineage on N models spread over the project: per-call wall (median, p90,
//     max) and the server's CPU per call.
//
// Usage:
//
//	go build -o /tmp/dataops ./cmd/dataops
//	go run ./bench/mcp -bin /tmp/dataops -project /tmp/artemis-copy [-runs 3] [-calls 100] [-walk]
//
// Copy the project first: the server reads only, but builds and writes nothing there either way.
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

func main() {
	bin := flag.String("bin", "dataops", "the dataops binary")
	project := flag.String("project", "", "the dbt project")
	runs := flag.Int("runs", 3, "runs of parse and of each first answer (the median is shown)")
	calls := flag.Int("calls", 100, "models asked about when warm")
	walk := flag.Bool("walk", false, "start the server with --walk-files (edits seen by walking the files, not by watching them)")
	flag.Parse()
	if *project == "" {
		log.Fatal("give -project")
	}
	ctx := context.Background()
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("project %s; load average %s; %d runs\n", *project, strings.Join(strings.Fields(string(load))[:3], " "), *runs)

	var pw, pc []float64
	for i := 0; i < *runs; i++ {
		cmd := exec.Command(*bin, "parse", "--project", *project)
		t0 := time.Now()
		_ = cmd.Run() // a project with warnings exits 0, with a cycle 2: both are timed
		pw = append(pw, time.Since(t0).Seconds())
		pc = append(pc, (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds())
	}
	fmt.Printf("%-34s wall %6.2f s   cpu %6.2f s\n", "parse", median(pw), median(pc))

	for _, first := range []struct {
		tool string
		args map[string]any
	}{{"get_project_summary", nil}, {"get_node_details", nil}} {
		var fw, fc []float64
		for i := 0; i < *runs; i++ {
			args := first.args
			if first.tool == "get_node_details" {
				args = map[string]any{"name": someModel(*project)}
			}
			cmd := exec.Command(*bin, serverArgs(*project, *walk)...)
			t0 := time.Now()
			cs, err := sdk.NewClient(&sdk.Implementation{Name: "bench", Version: "0"}, nil).Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
			if err != nil {
				log.Fatal(err)
			}
			res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: first.tool, Arguments: args})
			if err != nil || res.IsError {
				log.Fatalf("%s: %v %v", first.tool, err, res)
			}
			fw = append(fw, time.Since(t0).Seconds())
			fc = append(fc, cpuOf(cmd.Process.Pid))
			cs.Close()
		}
		fmt.Printf("%-34s wall %6.2f s   cpu %6.2f s   (%.2f× parse wall)\n", "first answer: "+first.tool, median(fw), median(fc), median(fw)/median(pw))
	}

	cmd := exec.Command(*bin, serverArgs(*project, *walk)...)
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "bench", Version: "0"}, nil).Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cs.Close()
	t0 := time.Now()
	for {
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "get_project_summary"})
		if err != nil || res.IsError {
			log.Fatalf("summary: %v %v", err, res)
		}
		if res.StructuredContent.(map[string]any)["columns_ready"] == true {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Printf("%-34s wall %6.2f s (after start)\n", "every model's columns inferred", time.Since(t0).Seconds())
	models := spread(ctx, cs, *calls)
	columnOf := map[string]string{}
	for _, m := range models {
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "get_node_details", Arguments: map[string]any{"name": m}})
		if err != nil || res.IsError {
			log.Fatalf("details %s: %v %v", m, err, res)
		}
		if cols, _ := res.StructuredContent.(map[string]any)["columns"].([]any); len(cols) > 0 {
			columnOf[m] = cols[len(cols)/2].(map[string]any)["name"].(string)
		}
	}
	pid := cmd.Process.Pid
	for _, tool := range []string{"get_node_details", "get_lineage", "get_column_lineage"} {
		var walls []float64
		cpu0 := cpuOf(pid)
		n := 0
		for _, m := range models {
			args := map[string]any{"name": m}
			if tool == "get_column_lineage" {
				if columnOf[m] == "" {
					continue
				}
				args = map[string]any{"model": m, "column": columnOf[m]}
			}
			t := time.Now()
			res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: args})
			if err != nil || res.IsError {
				log.Fatalf("%s %v: %v %v", tool, args, err, res)
			}
			walls = append(walls, time.Since(t).Seconds()*1000)
			n++
		}
		cpu := (cpuOf(pid) - cpu0) * 1000 / float64(n)
		sort.Float64s(walls)
		fmt.Printf("%-34s median %5.1f ms   p90 %5.1f ms   max %5.1f ms   server cpu %5.1f ms/call   (%d calls)\n",
			"warm: "+tool, median(walls), walls[len(walls)*9/10], walls[len(walls)-1], cpu, n)
	}
}

func serverArgs(project string, walk bool) []string {
	args := []string{"mcp", "--project", project}
	if walk {
		args = append(args, "--walk-files")
	}
	return args
}

// someModel is a model of the project to ask a first question about: the middle one of the
// .sql files under models/, by path.
func someModel(project string) string {
	var files []string
	_ = filepath.WalkDir(filepath.Join(project, "models"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".sql") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		log.Fatal("no model under models/")
	}
	sort.Strings(files)
	return strings.TrimSuffix(filepath.Base(files[len(files)/2]), ".sql")
}

// spread lists n models spread evenly over the project's sorted list.
func spread(ctx context.Context, cs *sdk.ClientSession, n int) []string {
	var all []string
	cursor := ""
	for {
		args := map[string]any{"limit": 1000}
		if cursor != "" {
			args["cursor"] = cursor
		}
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "list_models", Arguments: args})
		if err != nil || res.IsError {
			log.Fatalf("list: %v %v", err, res)
		}
		sc := res.StructuredContent.(map[string]any)
		for _, m := range sc["nodes"].([]any) {
			all = append(all, m.(map[string]any)["unique_id"].(string))
		}
		cursor, _ = sc["next_cursor"].(string)
		if cursor == "" {
			break
		}
	}
	if len(all) <= n {
		return all
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, all[i*len(all)/n])
	}
	return out
}

// cpuOf is the user and system CPU seconds a process has used so far.
func cpuOf(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // clock ticks: USER_HZ is 100 on Linux
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
