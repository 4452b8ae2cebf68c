package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// A snapshot block starts lines into its file; findings in it must name the file's lines, not
// the block's (they used to land one line too high).
const ordersSnapshot = `-- Order status history.
-- Rows change when an order moves on.

{% snapshot orders_snapshot %}
{{ config(target_schema='snapshots', unique_key='order_id', strategy='check', check_cols='all') }}

select
    order_id,
    status
from {{ ref('stg_orders') }}

{% endsnapshot %}
`

func TestReviewFindingsInSnapshotLines(t *testing.T) {
	shop := shopTree(t)
	base := applyEdits(shop, map[string]func(string) string{"snapshots/orders_snapshot.sql": content(ordersSnapshot)})
	head := applyEdits(base, map[string]func(string) string{
		// line 11 of the file: a filter, which changes the snapshot's rows
		"snapshots/orders_snapshot.sql": replace("from {{ ref('stg_orders') }}\n", "from {{ ref('stg_orders') }}\nwhere status != 'returned'\n"),
		// the snapshot reads status on line 9
		"models/staging/stg_orders.sql": replace("        status,\n", ""),
	})
	dir := t.TempDir()
	writeTree(t, filepath.Join(dir, "base"), base)
	writeTree(t, filepath.Join(dir, "head"), head)
	var stdout, stderr bytes.Buffer
	RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: testGetenv(nil)},
		[]string{"review", "--format", "json", "--fail-on", "never", "--project", filepath.Join(dir, "head"), "--base-dir", filepath.Join(dir, "base")})
	var rv struct {
		Findings []struct {
			Rule, Path, Message string
			Line                int
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &rv); err != nil {
		t.Fatalf("review: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	line := 0
	for _, f := range rv.Findings {
		if f.Path == "snapshots/orders_snapshot.sql" && f.Rule == "downstream-column" {
			line = f.Line
		}
	}
	if line != 9 {
		t.Errorf("the snapshot's downstream-column finding is at line %d, want 9 (where it reads status)\n%s", line, stdout.String())
	}

}
