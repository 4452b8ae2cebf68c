// Command direct replays the SQL that `dataops build` / `dataops test` run, straight through
// DuckDB's database/sql driver in one process and one connection, in the same dependency
// order, and prints how long the SQL alone took. Loading and compiling the project are not
// timed: the difference to the dataops commands' wall time is everything dataops adds.
//
//	go run ./bench/warehouse/direct -project /tmp/shop-10m -phase models
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/duckdb"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

func main() {
	project := flag.String("project", ".", "the dbt project")
	phase := flag.String("phase", "build", "models, tests, or build (models then tests)")
	flag.Parse()
	if err := run(*project, *phase); err != nil {
		fmt.Fprintln(os.Stderr, "direct:", err)
		os.Exit(1)
	}
}

func run(dir, phase string) error {
	ctx := context.Background()
	p, err := dbt.Load(ctx, dbt.LoadOptions{Dir: dir})
	if err != nil {
		return err
	}
	resolved, err := dbt.ResolveTarget(dbt.ProfileOptions{ProjectDir: p.Root, Profile: p.Profile, Getenv: os.LookupEnv})
	if err != nil {
		return err
	}
	t, err := warehouse.TargetFor(resolved, p.Root, false)
	if err != nil {
		return err
	}
	if t.Type != "duckdb" {
		return fmt.Errorf("the target is %s; this benchmark replays on DuckDB", t.Type)
	}
	// The runner's compiler needs a Warehouse only to quote names; the replay uses raw SQL.
	quoter, err := duckdb.Open(ctx, ":memory:", warehouse.ReadOnly())
	if err != nil {
		return err
	}
	types := map[string][]string{"models": {dbt.Model}, "tests": {dbt.Test}, "build": {dbt.Model, dbt.Test}}[phase]
	if types == nil {
		return fmt.Errorf("unknown phase %q", phase)
	}
	steps, err := runner.Steps(runner.Config{Project: p, Warehouse: quoter, Target: t, Types: types})
	if err != nil {
		return err
	}
	quoter.Close()
	db, err := sql.Open("duckdb", t.Path+"?autoinstall_known_extensions=false&autoload_known_extensions=false")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	start := time.Now()
	models, tests := 0, 0
	for _, s := range steps {
		if s.Node.ResourceType == dbt.Model {
			kind := "table"
			if s.Materialized == warehouse.View {
				kind = "view"
			}
			rel := warehouse.DuckDB.Relation(warehouse.Relation{Schema: s.Relation.Schema, Name: s.Relation.Name})
			if _, err := conn.ExecContext(ctx, "create or replace "+kind+" "+rel+" as (\n"+s.SQL+"\n)"); err != nil {
				return fmt.Errorf("%s: %w", s.Node.UniqueID, err)
			}
			models++
			continue
		}
		var n int64
		if err := conn.QueryRowContext(ctx, "select count(*) from (\n"+s.SQL+"\n) t").Scan(&n); err != nil {
			return fmt.Errorf("%s: %w", s.Node.UniqueID, err)
		}
		tests++
	}
	fmt.Printf("%.3f %d models %d tests\n", time.Since(start).Seconds(), models, tests)
	return nil
}
