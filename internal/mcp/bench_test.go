package mcp

import (
	"context"
	"os"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Warm answers through the SDK's client in memory: the fingerprint of the project's files, the
// protocol round trip and the tool. On examples/shop, or on the project in
// $DATAOPS_BENCH_PROJECT (a copy of a large one: bench/mcp measures the binary the same way),
// asking about models spread over it.
func BenchmarkWarm(b *testing.B) {
	dir := os.Getenv("DATAOPS_BENCH_PROJECT")
	if dir == "" {
		dir = shopCopy(b)
	}
	eng := &testEngine{dir: dir}
	_, cs := connect(b, eng, Options{})
	ctx := context.Background()
	var sum ProjectSummary
	for !sum.ColumnsReady {
		call(b, cs, "get_project_summary", nil, &sum)
		time.Sleep(50 * time.Millisecond)
	}
	var list NodeList
	call(b, cs, "list_models", map[string]any{"limit": 1000}, &list)
	var models, cols []string
	for i := 0; i < len(list.Nodes); i += max(1, len(list.Nodes)/50) {
		var d NodeDetails
		call(b, cs, "get_node_details", map[string]any{"name": list.Nodes[i].UniqueID}, &d)
		if len(d.Columns) > 0 {
			models, cols = append(models, d.UniqueID), append(cols, d.Columns[len(d.Columns)/2].Name)
		}
	}
	for _, tool := range []string{"get_node_details", "get_lineage", "get_column_lineage"} {
		b.Run(tool, func(b *testing.B) {
			i := 0
			for b.Loop() {
				args := map[string]any{"name": models[i%len(models)]}
				if tool == "get_column_lineage" {
					args = map[string]any{"model": models[i%len(models)], "column": cols[i%len(models)]}
				}
				i++
				res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: args})
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
