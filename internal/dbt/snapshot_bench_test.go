package dbt

import (
	"context"
	"testing"
	"time"
)

// BenchmarkSnapshotDecode decodes the snapshot body of a generated project of 2,000 models:
// the part of a restore that grows with the project.
func BenchmarkSnapshotDecode(b *testing.B) {
	dir := b.TempDir()
	cacheProject(b, dir, 2000)
	p, err := Load(context.Background(), LoadOptions{Dir: dir, Now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	body := snapBody{Nodes: p.Nodes, Sources: p.Sources, Exposures: p.Exposures, Macros: p.Macros, Docs: p.Docs,
		Unparsed: p.Unparsed, ParentMap: p.ParentMap, ChildMap: p.ChildMap, Disabled: p.Disabled, DisabledSources: p.DisabledSources}
	data, err := encodeBody(nil, &body)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var out snapBody
		if err := decodeBody(data, &out, 0, nil); err != nil {
			b.Fatal(err)
		}
	}
}
