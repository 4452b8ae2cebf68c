package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/openmetadata"
	"github.com/dataops-dev/dataops/internal/openmetadata/omtest"
)

// TestOpenMetadataPushAndReview pushes dbt's lineage of the demo's pull request to an
// in-process catalog and has the review compare the catalog's lineage with dbt's.
func TestOpenMetadataPushAndReview(t *testing.T) {
	src, err := findShop()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := makeDemoRepo(context.Background(), src, dir); err != nil {
		t.Fatal(err)
	}
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]string{}
	for i, id := range []string{"seed.shop.raw_customers", "model.shop.stg_customers", "model.shop.dim_customers", "model.shop.fct_orders", "model.shop.fct_daily_revenue"} {
		fqn, ok := openmetadata.TableFQN(p, "shop_duckdb", id)
		if !ok {
			t.Fatalf("no FQN for %s", id)
		}
		tables[fqn] = fmt.Sprintf("id-%d", i)
	}
	cat, url := omtest.NewCatalog(t, tables)
	environ := map[string]string{"OPENMETADATA_URL": url, "OPENMETADATA_TOKEN": omtest.Token, "OPENMETADATA_SERVICE": "shop_duckdb"}
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
			Getenv: testGetenv(environ)}, args)
		return code, stdout.String(), stderr.String()
	}
	code, out, errOut := run("lineage", "push", "--project", dir, "--select", "stg_customers")
	if code != 0 || !strings.Contains(out, "1 edge(s)") {
		t.Fatalf("push: exit %d\n%s%s", code, out, errOut)
	}
	if len(cat.Puts) != 1 {
		t.Fatalf("%d edges pushed", len(cat.Puts))
	}
	// The catalog now has raw_customers -> stg_customers; it lacks stg_customers -> dim_customers.
	code, out, errOut = run("review", "--project", dir, "--base", "main", "--format", "json", "--fail-on", "never")
	if code != 0 {
		t.Fatalf("review: exit %d\n%s", code, errOut)
	}
	var rv struct {
		Findings []struct{ Rule, Path, Message string }
	}
	if err := json.Unmarshal([]byte(out), &rv); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rv.Findings {
		if strings.HasPrefix(f.Rule, "catalog-") {
			got = append(got, f.Path+": "+f.Message)
		}
	}
	joined := strings.Join(got, "\n")
	if !strings.Contains(joined, "models/staging/stg_customers.sql: dbt has the edge") || !strings.Contains(joined, "dim_customers; the OpenMetadata catalog does not") {
		t.Errorf("catalog findings:\n%s", joined)
	}
	if strings.Contains(joined, "raw_customers -> ") {
		t.Errorf("an edge the catalog has is reported:\n%s", joined)
	}
}
