// Command learn measures how the agents learn from memory on the history of a real dbt
// repository.
//
//	go run ./bench/learn tests -bin BIN -git-dir REPO/.git -subdir SUB -limit N [-window W]
//	go run ./bench/learn review-time -bin BIN [-before BIN] -project DIR -base REF [-records N] [-memory DIR] [-runs R]
//	go run ./bench/learn calibrate PROJECT_DIR...
//
// tests replays, oldest first, the commits that changed a model's SQL and documented new
// columns of it in the same commit (the pull requests dbt_eval.py's replay mines). For each, a
// fresh repository holds the parent and the commit without its property-file edits; `dataops
// tests --base` proposes tests for the new columns, which are scored against the tests the
// engineer wrote on them. It does so twice: without memory, and with one memory that lives
// across the replay, where after each commit the engineer's property files are committed as
// the merge (so the proposals are resolved as accepted, edited or rejected, as `dataops memory
// ingest` does with history) and the columns and tests the engineer added are remembered as
// history records. Precision and recall are printed per window of commits, cumulative, for both.
//
// calibrate measures where a retrieved dictionary entry starts to beat the name source, the
// calibration of schema.DocsThreshold (calibrate.go).
//
// review-time times `dataops review` on one change without memory and with a memory of N
// synthetic records (the mix of a project with docs and history, or a copy of a real store),
// R runs each taking turns, wall and CPU (user + system of the process), with the extra time
// of a review with memory and its standard error; -before times a second binary with its own
// copy of the same memory beside them.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/dataops-dev/dataops/internal/learn"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/embedded"
	"github.com/dataops-dev/dataops/internal/memory/memorytest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: learn tests|review-time|calibrate [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "tests":
		err = replayTests(os.Args[2:])
	case "review-time":
		err = reviewTime(os.Args[2:])
	case "calibrate":
		err = calibrate(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "learn:", err)
		os.Exit(1)
	}
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// record is one replayed commit: the new documented columns of models whose SQL it changed,
// with the tests the engineer wrote on them.
type record struct {
	commit, parent string
	tests          map[[2]string][]string // (model, column) -> tests
	descs          map[[2]string]string   // (model, column) -> description
}

type column struct {
	Name        string `yaml:"name"`
	Description any    `yaml:"description"`
	Tests       []any  `yaml:"tests"`
	DataTests   []any  `yaml:"data_tests"`
}

type propertyFile struct {
	Models []struct {
		Name     string   `yaml:"name"`
		Versions []any    `yaml:"versions"`
		Columns  []column `yaml:"columns"`
	} `yaml:"models"`
}

func testName(t any) string {
	switch v := t.(type) {
	case string:
		return learn.TestName(v)
	case map[string]any:
		for k := range v {
			return learn.TestName(k)
		}
	}
	return ""
}

// columnsIn reads model -> column -> (tests, description) from a property file.
func columnsIn(data string) (map[string]map[string]column, bool) {
	var f propertyFile
	if err := yaml.Unmarshal([]byte(data), &f); err != nil {
		return nil, false
	}
	out := map[string]map[string]column{}
	for _, m := range f.Models {
		if m.Name == "" || len(m.Versions) > 0 {
			continue
		}
		cols := map[string]column{}
		for _, c := range m.Columns {
			if c.Name != "" {
				cols[strings.ToLower(c.Name)] = c
			}
		}
		out[m.Name] = cols
	}
	return out, true
}

// mine lists the commits to replay, newest first, as dbt_eval.py's replay does.
func mine(gitDir, sub string, limit int) ([]record, error) {
	spec := "models"
	if sub != "." {
		spec = sub + "/models"
	}
	log, err := git("", "--git-dir", gitDir, "log", "--no-merges", "--format=%H %P", "--", spec)
	if err != nil {
		return nil, err
	}
	var out []record
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		parts := strings.Fields(line)
		if len(parts) != 2 {
			continue
		}
		commit, parent := parts[0], parts[1]
		changed, err := git("", "--git-dir", gitDir, "diff", "--name-only", parent, commit, "--", spec)
		if err != nil {
			return nil, err
		}
		sqls := map[string]bool{}
		var ymls []string
		for _, f := range strings.Fields(changed) {
			switch {
			case strings.HasSuffix(f, ".sql"):
				sqls[strings.TrimSuffix(filepath.Base(f), ".sql")] = true
			case strings.HasSuffix(f, ".yml") || strings.HasSuffix(f, ".yaml"):
				ymls = append(ymls, f)
			}
		}
		rec := record{commit: commit, parent: parent, tests: map[[2]string][]string{}, descs: map[[2]string]string{}}
		for _, f := range ymls {
			oldText, _ := git("", "--git-dir", gitDir, "show", parent+":"+f)
			newText, err := git("", "--git-dir", gitDir, "show", commit+":"+f)
			if err != nil {
				continue
			}
			old, ok1 := columnsIn(oldText)
			cur, ok2 := columnsIn(newText)
			if !ok1 || !ok2 {
				continue
			}
			for m, cols := range cur {
				if !sqls[m] {
					continue
				}
				for name, c := range cols {
					if _, had := old[m][name]; had {
						continue
					}
					var ts []string
					for _, t := range append(append([]any{}, c.Tests...), c.DataTests...) {
						if n := testName(t); n != "" {
							ts = append(ts, n)
						}
					}
					rec.tests[[2]string{m, name}] = ts
					if d, ok := c.Description.(string); ok {
						rec.descs[[2]string{m, name}] = d
					}
				}
			}
		}
		if len(rec.tests) > 0 {
			out = append(out, rec)
			if len(out) >= limit {
				break
			}
		}
	}
	return out, nil
}

func extract(gitDir, rev, sub, dest string) error {
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	cmd := exec.Command("sh", "-c", fmt.Sprintf("git --git-dir %q archive --format=tar %s -- %q | tar -x -C %q", gitDir, rev, sub, dest))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("extract %s: %v: %s", rev, err, out)
	}
	return nil
}

// prepare builds the replay repository of one record: the parent as the base commit, the
// commit without its property-file edits as the head. It returns the project directory and
// the base commit.
func prepare(gitDir, sub, work string, rec record) (string, string, error) {
	if err := extract(gitDir, rec.parent, sub, work); err != nil {
		return "", "", err
	}
	if _, err := git(work, "init", "-q"); err != nil {
		return "", "", err
	}
	if _, err := git(work, "add", "-A"); err != nil {
		return "", "", err
	}
	if _, err := git(work, "commit", "-qm", "base"); err != nil {
		return "", "", err
	}
	base, _ := git(work, "rev-parse", "HEAD")
	proj := filepath.Join(work, sub)
	entries, _ := os.ReadDir(proj)
	for _, e := range entries {
		if e.Name() != ".git" {
			os.RemoveAll(filepath.Join(proj, e.Name()))
		}
	}
	if err := extract(gitDir, rec.commit, sub, work); err != nil {
		return "", "", err
	}
	changed, _ := git("", "--git-dir", gitDir, "diff", "--name-only", rec.parent, rec.commit)
	for _, f := range strings.Fields(changed) {
		if !(strings.HasSuffix(f, ".yml") || strings.HasSuffix(f, ".yaml")) {
			continue
		}
		p := filepath.Join(work, f)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if old, err := git("", "--git-dir", gitDir, "show", rec.parent+":"+f); err == nil {
			os.WriteFile(p, []byte(old), 0o644)
		} else {
			os.Remove(p)
		}
	}
	if _, err := git(work, "add", "-A"); err != nil {
		return "", "", err
	}
	if _, err := git(work, "commit", "-qm", "head", "--allow-empty"); err != nil {
		return "", "", err
	}
	return proj, strings.TrimSpace(base), nil
}

// merge commits the engineer's property files on top of the head: what the team kept.
func merge(gitDir, sub, work string, rec record) error {
	changed, _ := git("", "--git-dir", gitDir, "diff", "--name-only", rec.parent, rec.commit)
	for _, f := range strings.Fields(changed) {
		if !(strings.HasSuffix(f, ".yml") || strings.HasSuffix(f, ".yaml")) {
			continue
		}
		data, err := git("", "--git-dir", gitDir, "show", rec.commit+":"+f)
		if err != nil {
			continue
		}
		p := filepath.Join(work, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(data), 0o644)
	}
	if _, err := git(work, "add", "-A"); err != nil {
		return err
	}
	_, err := git(work, "commit", "-qm", "merged", "--allow-empty")
	return err
}

type runStats struct {
	wall, cpu time.Duration
}

func runBin(bin, dir string, env []string, args ...string) ([]byte, runStats, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	out, err := cmd.Output()
	st := runStats{wall: time.Since(t0)}
	if cmd.ProcessState != nil {
		st.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			err = nil
		} else {
			err = fmt.Errorf("%s %s: %v: %s", bin, strings.Join(args, " "), err, stderr.String())
		}
	}
	return out, st, err
}

type counts struct{ tp, fp, fn int }

func (c counts) pr() (float64, float64) {
	p, r := 0.0, 0.0
	if c.tp+c.fp > 0 {
		p = float64(c.tp) / float64(c.tp+c.fp)
	}
	if c.tp+c.fn > 0 {
		r = float64(c.tp) / float64(c.tp+c.fn)
	}
	return p, r
}

func projectName(proj string) string {
	data, _ := os.ReadFile(filepath.Join(proj, "dbt_project.yml"))
	var p struct {
		Name string `yaml:"name"`
	}
	yaml.Unmarshal(data, &p)
	return p.Name
}

// remember adds what the engineer wrote on the new columns as history records, the way the
// memory ingest of history records them.
func remember(ctx context.Context, s memory.Store, project string, rec record) error {
	var recs []memory.Record
	for k, ts := range rec.tests {
		model, col := k[0], k[1]
		meta := func() memory.Metadata {
			return memory.Metadata{Project: project, Model: model, Column: col, Source: "git:" + model + ".yml", Commit: rec.commit,
				Extra: map[string]string{"origin": "history"}}
		}
		m := meta()
		m.Extra["description"] = rec.descs[k]
		recs = append(recs, memory.Record{ID: "hist:" + rec.commit[:12] + ":" + model + "." + col, Kind: memory.KindColumnDoc,
			Text: model + "." + col + ": " + rec.descs[k], Metadata: m})
		for _, t := range ts {
			m := meta()
			m.Extra["test"] = t
			recs = append(recs, memory.Record{ID: "hist:" + rec.commit[:12] + ":" + model + "." + col + ":" + t, Kind: memory.KindTest,
				Text: model + "." + col + " " + t, Metadata: m})
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	return s.Upsert(ctx, recs)
}

func replayTests(args []string) error {
	fs := flag.NewFlagSet("tests", flag.ExitOnError)
	bin := fs.String("bin", "", "dataops binary")
	gitDir := fs.String("git-dir", "", "the repository's .git")
	sub := fs.String("subdir", ".", "the dbt project's folder in the repository")
	limit := fs.Int("limit", 30, "commits to replay")
	window := fs.Int("window", 5, "commits per line of the curve")
	keep := fs.String("memory", "", "keep the memory in this directory (default: a temporary one)")
	dump := fs.String("dump", "", "only run without memory, with -threshold, and write every candidate on a new column (JSON lines) here")
	threshold := fs.Float64("threshold", 0.5, "with -dump: the lowest confidence written")
	stop := fs.Int("stop", 0, "stop after this many commits (0: all)")
	trace := fs.String("trace", "", "write each commit's proposals on new columns, with and without memory (JSON lines), here")
	fs.Parse(args)
	if *bin == "" || *gitDir == "" {
		return fmt.Errorf("-bin and -git-dir are needed")
	}
	absBin, _ := filepath.Abs(*bin)
	absGit, _ := filepath.Abs(*gitDir)
	recs, err := mine(absGit, *sub, *limit)
	if err != nil {
		return err
	}
	// Oldest first: memory accumulates in commit order.
	for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
		recs[i], recs[j] = recs[j], recs[i]
	}
	memDir := *keep
	if memDir == "" {
		if memDir, err = os.MkdirTemp("", "dataops-bench-learn-mem"); err != nil {
			return err
		}
		defer os.RemoveAll(memDir)
	}
	os.MkdirAll(memDir, 0o755)
	memDir, _ = filepath.Abs(memDir)
	ctx := context.Background()
	var without, with counts
	var wallOff, cpuOff, wallOn, cpuOn time.Duration
	fmt.Printf("replaying %d commits of %s (%s), oldest first; cumulative precision and recall of proposed tests on new columns\n", len(recs), *gitDir, *sub)
	fmt.Printf("%8s  %-23s  %-23s  %s\n", "commits", "without memory P / R", "with memory P / R", "resolved so far (accepted/edited/rejected)")
	var resolved learn.Resolution
	var dumpFile *os.File
	modes := []bool{false, true}
	if *dump != "" {
		if dumpFile, err = os.Create(*dump); err != nil {
			return err
		}
		defer dumpFile.Close()
		modes = []bool{false}
	}
	var traceFile *os.File
	if *trace != "" {
		if traceFile, err = os.Create(*trace); err != nil {
			return err
		}
		defer traceFile.Close()
	}
	for i, rec := range recs {
		if *stop > 0 && i >= *stop {
			break
		}
		for _, useMemory := range modes {
			work, err := os.MkdirTemp("", "dataops-bench-learn")
			if err != nil {
				return err
			}
			proj, base, err := prepare(absGit, *sub, work, rec)
			if err != nil {
				os.RemoveAll(work)
				return err
			}
			var env []string
			if useMemory {
				env = append(env, "DATAOPS_MEMORY_PATH="+memDir)
			} else {
				env = append(env, "DATAOPS_MEMORY_STORE=none")
			}
			targs := []string{"tests", "--project", proj, "--base", base, "--format", "json", "--no-history"}
			if dumpFile != nil {
				targs = append(targs, "--threshold", fmt.Sprint(*threshold))
			}
			out, st, err := runBin(absBin, work, env, targs...)
			if err != nil {
				os.RemoveAll(work)
				return err
			}
			var res struct {
				Suggestions []struct {
					Model, Column, Test, Status string
					Confidence                  float64
					Reasons                     []string
				} `json:"suggestions"`
			}
			if err := json.Unmarshal(out, &res); err != nil {
				os.RemoveAll(work)
				return fmt.Errorf("%s: %v", rec.commit, err)
			}
			want := map[[3]string]bool{}
			for k, ts := range rec.tests {
				for _, t := range ts {
					want[[3]string{k[0], k[1], t}] = true
				}
			}
			got := map[[3]string]bool{}
			for _, s := range res.Suggestions {
				k := [2]string{s.Model, strings.ToLower(s.Column)}
				if _, in := rec.tests[k]; !in || s.Column == "" || s.Status == "failed" {
					continue
				}
				key := [3]string{k[0], k[1], learn.TestName(s.Test)}
				if dumpFile != nil {
					b, _ := json.Marshal(map[string]any{"i": i, "commit": rec.commit[:12], "model": s.Model, "column": k[1],
						"test": key[2], "confidence": s.Confidence, "wanted": want[key], "pattern": learn.ColumnPattern(k[1]), "reasons": s.Reasons})
					fmt.Fprintln(dumpFile, string(b))
					if s.Confidence < 0.5 {
						continue
					}
				}
				got[key] = true
				if traceFile != nil {
					b, _ := json.Marshal(map[string]any{"i": i, "memory": useMemory, "model": s.Model, "column": k[1], "test": key[2],
						"confidence": s.Confidence, "wanted": want[key], "reasons": s.Reasons})
					fmt.Fprintln(traceFile, string(b))
				}
			}
			if dumpFile != nil {
				for k := range want {
					if !got[k] {
						b, _ := json.Marshal(map[string]any{"i": i, "commit": rec.commit[:12], "model": k[0], "column": k[1], "test": k[2], "missed": true})
						fmt.Fprintln(dumpFile, string(b))
					}
				}
			}
			c := &without
			if useMemory {
				c = &with
				wallOn += st.wall
				cpuOn += st.cpu
			} else {
				wallOff += st.wall
				cpuOff += st.cpu
			}
			for k := range got {
				if want[k] {
					c.tp++
				} else {
					c.fp++
				}
			}
			for k := range want {
				if !got[k] {
					c.fn++
				}
			}
			if useMemory {
				if err := merge(absGit, *sub, work, rec); err != nil {
					os.RemoveAll(work)
					return err
				}
				s, err := embedded.Open(ctx, memDir, memory.NewLocalEmbedder())
				if err != nil {
					os.RemoveAll(work)
					return err
				}
				project := projectName(proj)
				r, err := learn.ResolveHistory(ctx, s, proj, project, "", "HEAD")
				if err == nil {
					err = remember(ctx, s, project, rec)
				}
				s.Close()
				if err != nil {
					os.RemoveAll(work)
					return err
				}
				resolved.Accepted += r.Accepted
				resolved.Edited += r.Edited
				resolved.Rejected += r.Rejected
			}
			os.RemoveAll(work)
		}
		if (i+1)%*window == 0 || i == len(recs)-1 {
			p0, r0 := without.pr()
			p1, r1 := with.pr()
			fmt.Printf("%8d  %.2f / %.2f (%3d/%3d)  %.2f / %.2f (%3d/%3d)  %d/%d/%d\n", i+1, p0, r0, without.tp, without.tp+without.fn,
				p1, r1, with.tp, with.tp+with.fn, resolved.Accepted, resolved.Edited, resolved.Rejected)
		}
	}
	fmt.Printf("dataops tests: without memory %.1f s wall, %.1f s CPU; with memory %.1f s wall, %.1f s CPU\n",
		wallOff.Seconds(), cpuOff.Seconds(), wallOn.Seconds(), cpuOn.Seconds())
	return nil
}

func reviewTime(args []string) error {
	fs := flag.NewFlagSet("review-time", flag.ExitOnError)
	bin := fs.String("bin", "", "dataops binary")
	before := fs.String("before", "", "another dataops binary to time with memory beside -bin (its own copy of the memory)")
	project := fs.String("project", "", "the dbt project (in a git work tree)")
	base := fs.String("base", "HEAD~1", "base ref of the change")
	n := fs.Int("records", 50000, "synthetic records in the memory")
	runs := fs.Int("runs", 5, "runs of each")
	memIn := fs.String("memory", "", "start the memory from a copy of this store (e.g. the one a tests replay kept)")
	keep := fs.String("keep", "", "build the memory in this directory and keep it")
	fs.Parse(args)
	if *bin == "" || *project == "" {
		return fmt.Errorf("-bin and -project are needed")
	}
	absBin, _ := filepath.Abs(*bin)
	memDir := *keep
	if memDir == "" {
		var err error
		if memDir, err = os.MkdirTemp("", "dataops-bench-review-mem"); err != nil {
			return err
		}
		defer os.RemoveAll(memDir)
	} else if err := os.MkdirAll(memDir, 0o755); err != nil {
		return err
	}
	memDir, _ = filepath.Abs(memDir)
	if *memIn != "" {
		if out, err := exec.Command("cp", "-r", *memIn+"/.", memDir).CombinedOutput(); err != nil {
			return fmt.Errorf("copying %s: %v: %s", *memIn, err, out)
		}
	}
	ctx := context.Background()
	s, err := embedded.Open(ctx, memDir, memory.NewLocalEmbedder())
	if err != nil {
		return err
	}
	if *n > 0 {
		recs := memorytest.NewCorpus(max(*n/17, 1)).Records(*n)
		for i := 0; i < len(recs); i += 1000 {
			if err := s.Upsert(ctx, recs[i:min(i+1000, len(recs))]); err != nil {
				s.Close()
				return err
			}
		}
	}
	st, _ := s.Stats(ctx)
	s.Close()
	fmt.Printf("memory: %d records\n", st.Records)
	type config struct {
		name, bin string
		env       []string
		runs      []runStats
	}
	configs := []*config{
		{name: "without memory", bin: absBin, env: []string{"DATAOPS_MEMORY_STORE=none"}},
		{name: "with memory", bin: absBin, env: []string{"DATAOPS_MEMORY_PATH=" + memDir}},
	}
	if *before != "" {
		// The same memory, copied before either binary writes to it.
		dir2, err := os.MkdirTemp("", "dataops-bench-review-mem")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir2)
		if out, err := exec.Command("cp", "-r", memDir+"/.", dir2).CombinedOutput(); err != nil {
			return fmt.Errorf("copying the memory: %v: %s", err, out)
		}
		abs, _ := filepath.Abs(*before)
		configs = append(configs, &config{name: "with memory, -before", bin: abs, env: []string{"DATAOPS_MEMORY_PATH=" + dir2}})
	}
	review := func(c *config) (runStats, error) {
		_, rs, err := runBin(c.bin, *project, c.env, "review", "--project", *project, "--base", *base, "--format", "json", "--fail-on", "never")
		return rs, err
	}
	// One run of each first, not counted (caches), then the configurations take turns run by
	// run, so the neighbours' load falls on all alike.
	for r := -1; r < *runs; r++ {
		for _, c := range configs {
			rs, err := review(c)
			if err != nil {
				return err
			}
			if r >= 0 {
				c.runs = append(c.runs, rs)
			}
		}
	}
	off := configs[0]
	mean := func(xs []float64) float64 {
		t := 0.0
		for _, x := range xs {
			t += x
		}
		return t / float64(len(xs))
	}
	stderr := func(xs []float64) float64 {
		if len(xs) < 2 {
			return 0
		}
		m, v := mean(xs), 0.0
		for _, x := range xs {
			v += (x - m) * (x - m)
		}
		return math.Sqrt(v/float64(len(xs)-1)) / math.Sqrt(float64(len(xs)))
	}
	var offWall, offCPU []float64
	for _, rs := range off.runs {
		offWall, offCPU = append(offWall, rs.wall.Seconds()), append(offCPU, rs.cpu.Seconds())
	}
	for _, c := range configs {
		var wall, cpu, dWall, dCPU []float64
		for i, rs := range c.runs {
			wall, cpu = append(wall, rs.wall.Seconds()), append(cpu, rs.cpu.Seconds())
			dWall = append(dWall, rs.wall.Seconds()-off.runs[i].wall.Seconds())
			dCPU = append(dCPU, rs.cpu.Seconds()-off.runs[i].cpu.Seconds())
		}
		fmt.Printf("review %-22s %.2f s wall, %.2f s CPU per run", c.name+":", mean(wall), mean(cpu))
		if c != off {
			fmt.Printf(" (%.2fx wall, %.2fx CPU; extra %.2f ± %.2f s wall, %.2f ± %.2f s CPU)", mean(wall)/mean(offWall), mean(cpu)/mean(offCPU),
				mean(dWall), stderr(dWall), mean(dCPU), stderr(dCPU))
		}
		fmt.Println()
	}
	return nil
}
