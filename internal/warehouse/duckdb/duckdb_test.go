package duckdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/warehousetest"
)

func TestConformance(t *testing.T) {
	warehousetest.Run(t, func(t *testing.T) (warehouse.Warehouse, string) {
		w, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		return w, "s1"
	})
}

func TestNoNetworkSettings(t *testing.T) {
	w, err := Open(context.Background(), ":memory:")
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
