package mcp

import (
	"context"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Warm answers on examples/shop through the SDK's client in memory: the fingerprint of the
// project's files, the protocol round trip and the tool. bench/mcp measures the binary on a
// large project.
func BenchmarkWarm(b *testing.B) {
	eng := &testEngine{dir: shopCopy(b)}
	_, cs := connect(b, eng, Options{})
	ctx := context.Background()
	var sum ProjectSummary
	for !sum.ColumnsReady {
		call(b, cs, "get_project_summary", nil, &sum)
	}
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"get_node_details", map[string]any{"name": "fct_orders"}},
		{"get_lineage", map[string]any{"name": "stg_orders"}},
		{"get_column_lineage", map[string]any{"model": "fct_orders", "column": "order_amount"}},
	} {
		b.Run(c.tool, func(b *testing.B) {
			for b.Loop() {
				res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: c.tool, Arguments: c.args})
				if err != nil || res.IsError {
					b.Fatal(err, res)
				}
			}
		})
	}
	if n := eng.loads.Load(); n != 1 {
		b.Fatalf("%d loads", n)
	}
}

// BenchmarkFingerprint is what every call pays to know the project is unchanged.
func BenchmarkFingerprint(b *testing.B) {
	dir := shopCopy(b)
	for b.Loop() {
		fingerprint(dir, "")
	}
}
