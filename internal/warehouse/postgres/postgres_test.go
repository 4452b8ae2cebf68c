package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/warehousetest"
)

func testURL() string {
	if u := os.Getenv("DATAOPS_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// openSchema connects to the test server and gives the test its own schema, dropped afterwards.
func openSchema(t *testing.T) (warehouse.Warehouse, string) {
	t.Helper()
	ctx := context.Background()
	w, err := Open(ctx, testURL(), 4, warehouse.Access{Write: true})
	if err != nil {
		t.Fatalf("PostgreSQL at %s: %v", testURL(), err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "dataops_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		w.Exec(context.Background(), "drop schema if exists "+w.Quote(schema)+" cascade")
		w.Close()
	})
	return w, schema
}

func TestConformance(t *testing.T) { warehousetest.Run(t, openSchema) }

func TestDSN(t *testing.T) {
	got := DSN(&warehouse.Target{Host: "db.local", Port: 6543, User: "me", Password: "p@ss", DBName: "an", SSLMode: "require"})
	want := "postgres://me:p%40ss@db.local:6543/an?application_name=dataops&sslmode=require"
	if got != want {
		t.Fatalf("DSN = %s, want %s", got, want)
	}
}

func TestConnectError(t *testing.T) {
	u, err := url.Parse(testURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/no_such_database_here"
	_, err = Open(context.Background(), u.String(), 1, warehouse.ReadOnly())
	if err == nil {
		t.Fatal("connected to a missing database")
	}
	var we *warehouse.Error
	if !asError(err, &we) || we.Code != "3D000" {
		t.Fatalf("err = %#v, want SQLSTATE 3D000", err)
	}
}

// Without write access every transaction is read-only; literals are read with
// standard_conforming_strings on whatever the server's default.
func TestReadOnlySession(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, testURL(), 1, warehouse.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	err = w.Exec(ctx, "create temporary table dataops_ro (x integer)")
	var we *warehouse.Error
	if !asError(err, &we) || we.Code != "25006" {
		t.Fatalf("create in a read-only session: %v, want SQLSTATE 25006", err)
	}
	rows, err := w.Query(ctx, "select current_setting('standard_conforming_strings'), "+w.Dialect().Literal(`a\'b`), 0)
	if err != nil || rows.Values[0][0] != "on" || rows.Values[0][1] != `a\'b` {
		t.Fatalf("settings = %v %v", rows, err)
	}
}
