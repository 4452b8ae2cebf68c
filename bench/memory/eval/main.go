// Command eval measures how well the memory's rankings find a column's own description from
// the column's name alone, on the property files of real dbt projects: each documented column
// is a query, every distinct description of its project a candidate, and a hit is a retrieved
// text equal to the column's own description. It reports recall@1 and recall@5 for BM25 alone,
// the local embedder alone (at several dimensions) and their reciprocal-rank fusion.
//
//	go run ./eval DIR_OR_GIT_REPO...
package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/goccy/go-yaml"
)

type column struct {
	model, name, desc string
}

// propertyFile is the part of a dbt property file the evaluation reads.
type propertyFile struct {
	Models  []node `yaml:"models"`
	Seeds   []node `yaml:"seeds"`
	Sources []struct {
		Tables []node `yaml:"tables"`
	} `yaml:"sources"`
}

type node struct {
	Name    string `yaml:"name"`
	Columns []struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
	} `yaml:"columns"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: eval DIR_OR_GIT_REPO...")
		os.Exit(2)
	}
	for _, repo := range os.Args[1:] {
		cols, err := readColumns(repo)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", repo, err)
			os.Exit(1)
		}
		evaluate(repo, cols)
	}
}

// readColumns reads property files from a directory, or from HEAD of a git repository (bare
// or not) when the directory is one's root.
func readColumns(repo string) ([]column, error) {
	files := map[string][]byte{}
	if isGitRoot(repo) {
		out, err := exec.Command("git", "-C", repo, "ls-tree", "-r", "--name-only", "HEAD").Output()
		if err != nil {
			return nil, err
		}
		for _, p := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if isPropertyPath(p) {
				data, err := exec.Command("git", "-C", repo, "show", "HEAD:"+p).Output()
				if err == nil {
					files[p] = data
				}
			}
		}
	} else {
		filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && isPropertyPath(filepath.ToSlash(p)) {
				if data, err := os.ReadFile(p); err == nil {
					files[p] = data
				}
			}
			return nil
		})
	}
	var cols []column
	for _, data := range files {
		var pf propertyFile
		if yaml.Unmarshal(data, &pf) != nil {
			continue
		}
		nodes := append(pf.Models, pf.Seeds...)
		for _, s := range pf.Sources {
			nodes = append(nodes, s.Tables...)
		}
		for _, n := range nodes {
			for _, c := range n.Columns {
				d := strings.TrimSpace(c.Description)
				// A docs-block reference says nothing until rendered.
				if c.Name == "" || d == "" || strings.Contains(d, "{{") {
					continue
				}
				cols = append(cols, column{model: n.Name, name: c.Name, desc: d})
			}
		}
	}
	slices.SortFunc(cols, func(a, b column) int { return strings.Compare(a.model+"."+a.name, b.model+"."+b.name) })
	return cols, nil
}

func isGitRoot(dir string) bool {
	for _, p := range []string{".git", "HEAD"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			return true
		}
	}
	return false
}

func isPropertyPath(p string) bool {
	return (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) &&
		(strings.Contains(p, "models/") || strings.Contains(p, "seeds/")) && !strings.Contains(p, "dbt_packages/")
}

const depth = 50

func evaluate(repo string, cols []column) {
	var descs []string
	seen := map[string]bool{}
	for _, c := range cols {
		if !seen[c.desc] {
			seen[c.desc] = true
			descs = append(descs, c.desc)
		}
	}
	if len(cols) == 0 {
		fmt.Printf("%s: no documented columns\n", repo)
		return
	}
	kw := memory.NewKeywordIndex()
	for i, d := range descs {
		kw.Add(fmt.Sprint(i), d)
	}
	fmt.Printf("%s: %d documented columns, %d distinct descriptions\n", repo, len(cols), len(descs))
	rank := func(name string, ranking func(c column) []string) {
		var at1, at5 int
		for _, c := range cols {
			ids := ranking(c)
			for i, id := range ids[:min(5, len(ids))] {
				var n int
				fmt.Sscan(id, &n)
				if descs[n] == c.desc {
					if i == 0 {
						at1++
					}
					at5++
					break
				}
			}
		}
		fmt.Printf("  %-28s recall@1 %5.1f%%  recall@5 %5.1f%%\n", name, 100*float64(at1)/float64(len(cols)), 100*float64(at5)/float64(len(cols)))
	}
	bm25 := func(c column) []string {
		var ids []string
		for _, h := range kw.Search(c.name, nil, depth) {
			ids = append(ids, h.ID)
		}
		return ids
	}
	rank("BM25", bm25)
	for _, dim := range dims() {
		emb := memory.NewLocalEmbedderDim(dim)
		dv, _ := emb.Embed(context.Background(), descs)
		byVector := func(c column) []string {
			q, _ := emb.Embed(context.Background(), []string{c.name})
			type scored struct {
				i int
				s float32
			}
			var ss []scored
			for i, v := range dv {
				if s := memory.Dot(q[0], v); s > 0 {
					ss = append(ss, scored{i, s})
				}
			}
			slices.SortStableFunc(ss, func(a, b scored) int {
				switch {
				case a.s > b.s:
					return -1
				case a.s < b.s:
					return 1
				}
				return 0
			})
			var ids []string
			for _, s := range ss[:min(depth, len(ss))] {
				ids = append(ids, fmt.Sprint(s.i))
			}
			return ids
		}
		rank(fmt.Sprintf("local embedder (%d)", dim), byVector)
		rank(fmt.Sprintf("hybrid RRF (%d)", dim), func(c column) []string {
			var ids []string
			for _, f := range memory.Fuse(byVector(c), bm25(c), depth) {
				ids = append(ids, f.ID)
			}
			return ids
		})
	}
}

// dims are the embedder dimensions compared; EVAL_DIMS=512 narrows the run.
func dims() []int {
	if s := os.Getenv("EVAL_DIMS"); s != "" {
		var out []int
		for _, f := range strings.Fields(s) {
			var d int
			fmt.Sscan(f, &d)
			out = append(out, d)
		}
		return out
	}
	return []int{256, 512, 1024}
}
