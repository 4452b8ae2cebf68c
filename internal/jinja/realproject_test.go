//go:build realprojects

// Renders every model of real dbt projects and, where dbt's manifest.json sits beside the
// project, compares our output with dbt's compiled_code. Run with
//
//	DATAOPS_REAL_PROJECTS="/path/a:/path/b" go test -tags realprojects -run TestRealProjects -v ./internal/jinja/
//
// (the projects are not part of the repository).
package jinja

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

type realModel struct {
	pkg, path, name, src string
}

type realProject struct {
	name     string
	env      *Env
	diags    []Diagnostic
	models   []realModel
	resolver *manifestResolver
	compiled map[string]string // package.name -> dbt's compiled_code
}

type dbtProjectFile struct {
	Name       string         `yaml:"name"`
	MacroPaths []string       `yaml:"macro-paths"`
	ModelPaths []string       `yaml:"model-paths"`
	Vars       map[string]any `yaml:"vars"`
}

func readProjectFile(t *testing.T, dir string) dbtProjectFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "dbt_project.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var p dbtProjectFile
	if err := yaml.Unmarshal(b, &p); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	if len(p.MacroPaths) == 0 {
		p.MacroPaths = []string{"macros"}
	}
	if len(p.ModelPaths) == 0 {
		p.ModelPaths = []string{"models"}
	}
	return p
}

func sqlFiles(root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".sql") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func loadRealProject(t *testing.T, dir, adapter string) *realProject {
	root := readProjectFile(t, dir)
	type pkgDir struct {
		dir string
		pf  dbtProjectFile
	}
	pkgs := []pkgDir{{dir, root}}
	for _, extra := range strings.Split(os.Getenv("DATAOPS_EXTRA_PACKAGES"), ":") {
		if extra != "" {
			pkgs = append(pkgs, pkgDir{extra, readProjectFile(t, extra)})
		}
	}
	for _, d := range []string{"dbt_packages", "dbt_modules"} {
		entries, _ := os.ReadDir(filepath.Join(dir, d))
		for _, e := range entries {
			pd := filepath.Join(dir, d, e.Name())
			if _, err := os.Stat(filepath.Join(pd, "dbt_project.yml")); err == nil {
				pkgs = append(pkgs, pkgDir{pd, readProjectFile(t, pd)})
			}
		}
	}
	names := map[string]bool{}
	for _, p := range pkgs {
		names[p.pf.Name] = true
	}
	// Flatten vars per package with dbt's precedence: root's package-scoped vars, root's
	// globals, then the package's own.
	split := func(vars map[string]any) (global map[string]any, scoped map[string]map[string]any) {
		global, scoped = map[string]any{}, map[string]map[string]any{}
		for k, v := range vars {
			if m, ok := v.(map[string]any); ok && names[k] {
				scoped[k] = m
				continue
			}
			global[k] = v
		}
		return
	}
	rootGlobal, rootScoped := split(root.Vars)
	vars := map[string]map[string]any{"": rootGlobal}
	for _, p := range pkgs {
		merged := map[string]any{}
		ownGlobal, ownScoped := split(p.pf.Vars)
		for _, m := range []map[string]any{ownGlobal, ownScoped[p.pf.Name], rootGlobal, rootScoped[p.pf.Name]} {
			for k, v := range m {
				merged[k] = v
			}
		}
		vars[p.pf.Name] = merged
	}
	var files []MacroFile
	var models []realModel
	for _, p := range pkgs {
		for _, mp := range p.pf.MacroPaths {
			for _, f := range sqlFiles(filepath.Join(p.dir, mp)) {
				b, _ := os.ReadFile(f)
				rel, _ := filepath.Rel(p.dir, f)
				files = append(files, MacroFile{Package: p.pf.Name, Path: rel, Source: string(b)})
			}
		}
		var modelDirs []string
		for _, mp := range p.pf.ModelPaths {
			if strings.Contains(mp, "{{") {
				// A templated path (dbt-cta's "{{ env_var('SYNC_NAME') }}/models"): every
				// directory it could name.
				matches, _ := filepath.Glob(filepath.Join(p.dir, "*", "models"))
				modelDirs = append(modelDirs, matches...)
				continue
			}
			modelDirs = append(modelDirs, filepath.Join(p.dir, mp))
		}
		for _, md := range modelDirs {
			for _, f := range sqlFiles(md) {
				b, _ := os.ReadFile(f)
				rel, _ := filepath.Rel(p.dir, f)
				models = append(models, realModel{pkg: p.pf.Name, path: rel, name: strings.TrimSuffix(filepath.Base(f), ".sql"), src: string(b)})
			}
		}
	}
	rp := &realProject{name: root.Name, models: models, compiled: map[string]string{}}
	if b, err := os.ReadFile(filepath.Join(dir, "manifest.json")); err == nil {
		rp.resolver = readManifest(t, b, rp.compiled)
		if rp.resolver.adapter != "" {
			adapter = rp.resolver.adapter
		}
	}
	rp.env, rp.diags = New(Options{
		RootPackage:  root.Name,
		Adapter:      adapter,
		Target:       map[string]any{"name": "dev", "schema": "public", "database": "postgres"},
		Vars:         vars,
		MacroFiles:   files,
		RunStartedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	})
	return rp
}

type manifestResolver struct {
	ids     map[string]string   // name and package.name -> unique_id; source.table -> unique_id
	deps    map[string][]string // package.name -> depends_on.nodes
	adapter string
	nodes   map[string]Relation // name -> relation (and package.name)
	sources map[string]Relation
}

func (m *manifestResolver) Ref(pkg, name, version string) (Relation, bool) {
	if pkg != "" {
		if r, ok := m.nodes[pkg+"."+name]; ok {
			return r, true
		}
	}
	r, ok := m.nodes[name]
	return r, ok
}

func (m *manifestResolver) Source(source, table string) (Relation, bool) {
	r, ok := m.sources[source+"."+table]
	return r, ok
}

func readManifest(t *testing.T, b []byte, compiled map[string]string) *manifestResolver {
	var man struct {
		Metadata struct {
			AdapterType string `json:"adapter_type"`
		} `json:"metadata"`
		Nodes map[string]struct {
			UniqueID  string `json:"unique_id"`
			DependsOn struct {
				Nodes []string `json:"nodes"`
			} `json:"depends_on"`
			ResourceType string         `json:"resource_type"`
			Package      string         `json:"package_name"`
			Name         string         `json:"name"`
			Database     string         `json:"database"`
			Schema       string         `json:"schema"`
			Alias        string         `json:"alias"`
			Config       map[string]any `json:"config"`
			Compiled     string         `json:"compiled_code"`
		} `json:"nodes"`
		Sources map[string]struct {
			UniqueID   string `json:"unique_id"`
			SourceName string `json:"source_name"`
			Name       string `json:"name"`
			Database   string `json:"database"`
			Schema     string `json:"schema"`
			Identifier string `json:"identifier"`
		} `json:"sources"`
	}
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	r := &manifestResolver{adapter: man.Metadata.AdapterType, nodes: map[string]Relation{}, sources: map[string]Relation{},
		ids: map[string]string{}, deps: map[string][]string{}}
	for _, n := range man.Nodes {
		if n.ResourceType != "model" && n.ResourceType != "seed" && n.ResourceType != "snapshot" {
			continue
		}
		rel := Relation{Database: n.Database, Schema: n.Schema, Identifier: n.Alias}
		if n.Config["materialized"] == "ephemeral" {
			rel = Relation{Identifier: n.Name, Ephemeral: true}
		}
		r.nodes[n.Name] = rel
		r.nodes[n.Package+"."+n.Name] = rel
		r.ids[n.Name] = n.UniqueID
		r.ids[n.Package+"."+n.Name] = n.UniqueID
		if n.ResourceType == "model" {
			r.deps[n.Package+"."+n.Name] = n.DependsOn.Nodes
			compiled[n.Package+"."+n.Name] = n.Compiled
		}
	}
	for _, s := range man.Sources {
		r.sources[s.SourceName+"."+s.Name] = Relation{Database: s.Database, Schema: s.Schema, Identifier: s.Identifier}
		r.ids["source:"+s.SourceName+"."+s.Name] = s.UniqueID
	}
	return r
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func TestRealProjects(t *testing.T) {
	dirs := os.Getenv("DATAOPS_REAL_PROJECTS")
	if dirs == "" {
		t.Fatal("set DATAOPS_REAL_PROJECTS to a colon-separated list of dbt project directories")
	}
	for _, spec := range strings.Split(dirs, ":") {
		dir, adapter, _ := strings.Cut(spec, "=")
		if adapter == "" {
			adapter = "snowflake"
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			p := loadRealProject(t, dir, adapter)
			for _, d := range p.diags {
				t.Logf("macro diag: %s:%d:%d %s %s", d.Path, d.Pos.Line, d.Pos.Column, d.Kind, d.Message)
			}
			results := make([]*Result, len(p.models))
			durs := make([]time.Duration, len(p.models))
			start := time.Now()
			cpu0 := cpuTime()
			var wg sync.WaitGroup
			next := make(chan int)
			for w := 0; w < runtime.GOMAXPROCS(0); w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range next {
						m := p.models[i]
						in := Input{Path: m.path, Source: m.src, Package: m.pkg, Name: m.name, ResourceType: "model", Execute: true}
						if p.resolver != nil {
							in.Resolver = p.resolver
							in.This, _ = p.resolver.Ref(m.pkg, m.name, "")
						}
						t0 := time.Now()
						results[i] = p.env.Render(in)
						durs[i] = time.Since(t0)
					}
				}()
			}
			for i := range p.models {
				next <- i
			}
			close(next)
			wg.Wait()
			elapsed := time.Since(start)
			cpu := cpuTime() - cpu0
			order := make([]int, len(durs))
			for i := range order {
				order[i] = i
			}
			sort.Slice(order, func(a, b int) bool { return durs[order[a]] > durs[order[b]] })
			for _, i := range order[:min(5, len(order))] {
				t.Logf("slowest: %s %s", durs[i], p.models[i].path)
			}
			ok, fatal, withErr, matches, compared := 0, 0, 0, 0, 0
			tp, fp, fn := 0, 0, 0
			kinds := map[string]int{}
			msgs := map[string]int{}
			for i, r := range results {
				if r.Err != nil {
					fatal++
					msgs["FATAL "+r.Err.Error()]++
					continue
				}
				bad := false
				for _, w := range r.Warnings {
					if q := os.Getenv("DATAOPS_SHOW_WARN"); q != "" && strings.Contains(w.Kind+" "+w.Message, q) {
						t.Logf("WARN %s:%d:%d %s %s", w.Path, w.Pos.Line, w.Pos.Column, w.Kind, w.Message)
					}
					kinds[w.Kind]++
					msgs[w.Kind+" "+w.Message]++
					if w.Kind == "render-error" {
						bad = true
					}
				}
				if bad {
					withErr++
				} else {
					ok++
				}
				m := p.models[i]
				if p.resolver != nil {
					if want, has := p.resolver.deps[m.pkg+"."+m.name]; has {
						got := map[string]bool{}
						for _, ref := range r.Refs {
							key := ref.Name
							if ref.Package != "" {
								key = ref.Package + "." + ref.Name
							}
							got[p.resolver.ids[key]] = true
						}
						for _, s := range r.Sources {
							got[p.resolver.ids["source:"+s.Source+"."+s.Table]] = true
						}
						for _, w := range want {
							if got[w] {
								tp++
								delete(got, w)
							} else {
								fn++
								t.Logf("missing edge %s -> %s", m.path, w)
							}
						}
						for g := range got {
							fp++
							t.Logf("extra edge %s -> %q", m.path, g)
						}
					}
				}
				if want, has := p.compiled[m.pkg+"."+m.name]; has && want != "" && !strings.Contains(want, "__dbt__cte__") {
					compared++
					if squash(want) == squash(r.Output) {
						matches++
					} else if os.Getenv("DATAOPS_SHOW_DIFF") != "" {
						t.Logf("DIFF %s\n--- dbt\n%s\n--- ours\n%s", m.path, want, r.Output)
					}
				}
			}
			t.Logf("%s: %d models, %d clean, %d with render errors, %d unparsable; wall %s on %d cores (%.0f models/s), CPU %s (%.0f µs/model)",
				p.name, len(p.models), ok, withErr, fatal, elapsed.Round(time.Millisecond), runtime.GOMAXPROCS(0),
				float64(len(p.models))/elapsed.Seconds(), cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(len(p.models)))
			if tp+fn > 0 {
				t.Logf("dependency edges vs dbt's manifest: %d found, %d missing, %d extra", tp, fn, fp)
			}
			if compared > 0 {
				t.Logf("identical to dbt's compiled_code (whitespace-insensitive): %d of %d", matches, compared)
			}
			t.Logf("warnings by kind: %v", kinds)
			type kv struct {
				k string
				n int
			}
			var top []kv
			for k, n := range msgs {
				top = append(top, kv{k, n})
			}
			sort.Slice(top, func(i, j int) bool { return top[i].n > top[j].n })
			for i := 0; i < len(top) && i < 25; i++ {
				t.Logf("%5d  %s", top[i].n, top[i].k)
			}
			fmt.Fprint(os.Stderr)
		})
	}
}
