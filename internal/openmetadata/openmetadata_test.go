package openmetadata_test

// The catalog here is omtest's in-process server: OpenMetadata cannot run on our test machines.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/openmetadata"
	"github.com/dataops-dev/dataops/internal/openmetadata/omtest"
)

func shop(t *testing.T) *dbt.Project {
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: "../../examples/shop"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newCatalog(t *testing.T, p *dbt.Project, ids ...string) (*omtest.Catalog, *openmetadata.Client) {
	tables := map[string]string{}
	for i, id := range ids {
		fqn, ok := openmetadata.TableFQN(p, "warehouse", id)
		if !ok {
			t.Fatalf("no FQN for %s", id)
		}
		tables[fqn] = fmt.Sprintf("00000000-0000-0000-0000-%012d", i+1)
	}
	f, u := omtest.NewCatalog(t, tables)
	return f, &openmetadata.Client{BaseURL: u, Token: omtest.Token}
}

func TestFQN(t *testing.T) {
	if got := openmetadata.FQN("svc", "db", "my.schema", "t"); got != `svc.db."my.schema".t` {
		t.Errorf("FQN = %s", got)
	}
}

func TestVerifyReportsBothDirections(t *testing.T) {
	p := shop(t)
	stg, dim, raw := "model.shop.stg_customers", "model.shop.dim_customers", "seed.shop.raw_customers"
	f, c := newCatalog(t, p, stg, dim, raw, "model.shop.stg_orders")
	id := func(uid string) string { fqn, _ := openmetadata.TableFQN(p, "warehouse", uid); return f.ID(fqn) }
	// The catalog knows raw -> stg, lacks stg -> dim, and has a stale stg -> stg_orders.
	f.Edges = [][2]string{{id(raw), id(stg)}, {id(stg), id("model.shop.stg_orders")}}
	diffs, missing, err := openmetadata.Verify(context.Background(), c, p, "warehouse", []string{stg, "model.shop.fct_orders"})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 1 || missing[0] != "model.shop.fct_orders" {
		t.Errorf("missing = %v", missing)
	}
	var got []string
	for _, d := range diffs {
		got = append(got, fmt.Sprintf("%v %s -> %s", d.InDbt, d.From[strings.LastIndex(d.From, ".")+1:], d.To[strings.LastIndex(d.To, ".")+1:]))
	}
	want := "true stg_customers -> dim_customers | false stg_customers -> stg_orders"
	if strings.Join(got, " | ") != want {
		t.Errorf("differences:\n got %s\nwant %s", strings.Join(got, " | "), want)
	}
}

func TestPushSendsColumnLineage(t *testing.T) {
	p := shop(t)
	dim, stg, fct := "model.shop.dim_customers", "model.shop.stg_customers", "model.shop.fct_orders"
	f, c := newCatalog(t, p, dim, stg) // fct_orders is not in the catalog
	inf := columns.Infer(p, columns.Options{Models: []string{dim}})
	res, err := openmetadata.Push(context.Background(), c, p, inf, "warehouse", []string{dim})
	if err != nil {
		t.Fatal(err)
	}
	fctFQN, _ := openmetadata.TableFQN(p, "warehouse", fct)
	if res.Edges != 1 || len(res.SkippedTables) != 1 || res.SkippedTables[0] != fctFQN {
		t.Fatalf("result %+v", res)
	}
	if len(f.Puts) != 1 {
		t.Fatalf("%d PUTs", len(f.Puts))
	}
	b, _ := json.Marshal(f.Puts[0])
	s := string(b)
	for _, want := range []string{`"source":"DbtLineage"`, `stg_customers.customer_id"]`, `dim_customers.customer_id"`} {
		if !strings.Contains(s, want) {
			t.Errorf("PUT body lacks %s:\n%s", want, s)
		}
	}
	if res.ColumnEdges < 5 {
		t.Errorf("only %d column edges", res.ColumnEdges)
	}
}

func TestBadTokenAndDepth(t *testing.T) {
	p := shop(t)
	_, c := newCatalog(t, p, "model.shop.stg_customers")
	c.Token = "wrong"
	if _, _, err := openmetadata.Verify(context.Background(), c, p, "warehouse", []string{"model.shop.stg_customers"}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad token: %v", err)
	}
	c.Token = "om-bot-token"
	fqn, _ := openmetadata.TableFQN(p, "warehouse", "model.shop.stg_customers")
	if _, err := c.TableLineage(context.Background(), fqn, 9, -1); err != nil {
		t.Errorf("depths are clamped to 0..3, got %v", err)
	}
}
