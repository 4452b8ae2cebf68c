package ingest

import (
	"context"
	"path"
	"runtime"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/memory"
)

// History is what engineers wrote in past commits: for each commit, the columns it added to
// property files with the description and tests their author gave them, the tests it added to
// columns that existed, and the models it described for the first time. Each record carries
// the commit and its time, so the team's habits can be weighed by age.

// historySource is the source of the records a property file's history gave.
func historySource(repoPath string) string { return "git:" + repoPath }

// historyRecords reads the commits and returns their records by source.
func historyRecords(ctx context.Context, repo *change.Repo, commits []change.Commit, project string, mask func(string) string, docs docsLookup, progress func(done, total int)) (map[string][]memory.Record, error) {
	isProps := func(p string) bool {
		if p == "" {
			return false
		}
		if repo.Prefix != "" && !strings.HasPrefix(p, repo.Prefix+"/") {
			return false
		}
		base := strings.ToLower(path.Base(p))
		ext := path.Ext(base)
		if ext != ".yml" && ext != ".yaml" || skipYAML[base] || isDictionaryName(base) {
			return false
		}
		for _, part := range strings.Split(path.Dir(p), "/") {
			if strings.HasPrefix(part, ".") && part != "." || skipDirs[part] {
				return false
			}
		}
		return true
	}
	// Every blob once, old and new sides, parsed in parallel as git streams them.
	index := map[string]int{}
	var ids, paths []string
	want := func(id, p string) {
		if id == "" || !isProps(p) {
			return
		}
		if _, ok := index[id]; !ok {
			index[id] = len(ids)
			ids = append(ids, id)
			paths = append(paths, p)
		}
	}
	for _, c := range commits {
		for _, f := range c.Files {
			want(f.OldBlob, f.OldPath)
			want(f.Blob, f.Path)
		}
	}
	parsed := make([][]*dbt.Declaration, len(ids))
	type job struct {
		i    int
		data []byte
	}
	jobs := make(chan job, 64)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if !looksLikeProperties(j.data) {
					continue
				}
				// A file that did not parse at that commit taught nothing; history is not the
				// place to report it.
				if decls, err := dbt.ParsePropertyFile(paths[j.i], j.data); err == nil {
					parsed[j.i] = decls
				}
			}
		}()
	}
	err := repo.ReadBlobs(ctx, ids, func(i int, data []byte) error {
		if progress != nil && (i%64 == 0 || i == len(ids)-1) {
			progress(i+1, len(ids))
		}
		jobs <- job{i, data}
		return nil
	})
	close(jobs)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	decls := func(id string) []*dbt.Declaration {
		if i, ok := index[id]; ok {
			return parsed[i]
		}
		return nil
	}
	out := map[string][]memory.Record{}
	for _, c := range commits {
		// What existed before the commit, over all the files it touched: a column moved from
		// one file to another was not added.
		models, columns, tests := map[string]bool{}, map[string]bool{}, map[string]bool{}
		for _, f := range c.Files {
			for _, d := range decls(f.OldBlob) {
				mk := d.Key + "\x00" + d.Name
				models[mk] = true
				for _, col := range d.Columns {
					ck := mk + "\x00" + strings.ToLower(col.Name)
					columns[ck] = true
					for _, t := range col.Tests {
						tests[ck+"\x00"+testKey(t)] = true
					}
				}
				for _, t := range d.Tests {
					tests[mk+"\x00\x00"+testKey(t)] = true
				}
			}
		}
		for _, f := range c.Files {
			ds := decls(f.Blob)
			if len(ds) == 0 {
				continue
			}
			src := historySource(f.Path)
			b := newBuilder(src, project, mask)
			b.prefix = c.ID + "\x00"
			base := memory.Metadata{Commit: c.ID, Time: c.Time}
			for _, d := range ds {
				mk := d.Key + "\x00" + d.Name
				filter := &declFilter{
					model:  !models[mk],
					column: func(col *dbt.Column) bool { return !columns[mk+"\x00"+strings.ToLower(col.Name)] },
					test: func(column string, t *dbt.TestDef) bool {
						return !tests[mk+"\x00"+strings.ToLower(column)+"\x00"+testKey(t)]
					},
				}
				emitDecl(b, d, docs, base, OriginHistory, filter)
			}
			for i := range b.recs {
				b.recs[i].Metadata.Extra["author"] = mask(c.Author)
			}
			out[src] = append(out[src], b.recs...)
		}
	}
	return out, nil
}

// testKey identifies a test on a column: its name and arguments.
func testKey(t *dbt.TestDef) string { return testName(t) + "\x00" + compactJSON(t.Args) }
