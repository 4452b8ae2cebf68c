package dbt

import (
	"context"
	"testing"
	"time"
)

// benchBody is the snapshot body of a generated project of 2,000 models.
func benchBody(b *testing.B) snapBody {
	dir := b.TempDir()
	cacheProject(b, dir, 2000)
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	return snapBody{Nodes: p.Nodes, Sources: p.Sources, Exposures: p.Exposures, Macros: p.Macros, Docs: p.Docs,
		Unparsed: p.Unparsed, ParentMap: p.ParentMap, ChildMap: p.ChildMap, Disabled: p.Disabled, DisabledSources: p.DisabledSources}
}

// BenchmarkSnapshotEncode encodes it: what a cold load pays, on top of its work, to store it.
func BenchmarkSnapshotEncode(b *testing.B) {
	body := benchBody(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeBody(nil, &body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshotDecode decodes it: the part of a restore that grows with the project.
func BenchmarkSnapshotDecode(b *testing.B) {
	body := benchBody(b)
	data, err := encodeBody(nil, &body)
	if err != nil {
		b.Fatal(err)
	}
	// On one worker, what the decode costs; on the CPUs, how long a restore waits for it.
	for _, workers := range []int{1, 0} {
		name := "workers=1"
		if workers == 0 {
			name = "workers=cpus"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var out snapBody
				if err := decodeBody(data, &out, workers, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
