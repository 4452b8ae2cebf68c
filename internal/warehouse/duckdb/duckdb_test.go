package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/warehousetest"
)

func TestConformance(t *testing.T) {
	warehousetest.Run(t, func(t *testing.T) (warehouse.Warehouse, string) {
		// Seed files of the suite live in other temporary directories.
		w, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.duckdb"), warehouse.Access{Write: true, Dirs: []string{os.TempDir()}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		return w, "s1"
	})
}

func TestNoNetworkSettings(t *testing.T) {
	w, err := Open(context.Background(), ":memory:", warehouse.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rows, err := w.Query(context.Background(), "select current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions')", 0)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Values[0][0] != false || rows.Values[0][1] != false {
		t.Fatalf("settings = %v", rows.Values)
	}
	// An extension that is not built in cannot be fetched.
	if err := w.Exec(context.Background(), "install spatial"); err == nil {
		t.Fatal("install of a remote extension succeeded")
	}
}

// BenchmarkProfile profiles a 1-million-row, 8-column table whose smallest key is a pair of
// columns, so the composite-key search has to run.
func BenchmarkProfile(b *testing.B) {
	ctx := context.Background()
	w, err := Open(ctx, ":memory:", warehouse.Access{Write: true})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if err := w.Exec(ctx, `create table t as select i // 1000 as a, i % 1000 as b, i % 7 as c, i % 13 as d,
		'x' || (i % 100) as e, i % 2 = 0 as f, date '2024-01-01' + cast(i % 365 as integer) as g, i % 50 as h
		from range(1000000) r(i)`); err != nil {
		b.Fatal(err)
	}
	rel := warehouse.Relation{Schema: "main", Name: "t"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := w.Profile(ctx, rel, warehouse.ProfileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(p.CandidateKeys) == 0 || p.CandidateKeys[0][0] != "a" || p.CandidateKeys[0][1] != "b" {
			b.Fatalf("keys = %v", p.CandidateKeys)
		}
	}
}
