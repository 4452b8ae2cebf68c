package main

// `dataops mcp` as a client runs it: the real binary as a subprocess, over stdio and over
// streamable HTTP with a bearer token, driven by the official Go SDK's client and by the MCP
// Inspector's CLI mode (a client written elsewhere).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// shopProject copies examples/shop into a fresh directory.
func shopProject(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "shop")
	src := filepath.Join("..", "..", "examples", "shop")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// lockedBuffer is a process's stderr, written by exec's copying goroutine while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func stdioSession(t *testing.T, args ...string) (*sdk.ClientSession, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(securityBinary(t), append([]string{"mcp"}, args...)...)
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "0"}, nil).
		Connect(context.Background(), &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connecting: %v\n%s", err, stderr.String())
	}
	t.Cleanup(func() { cs.Close() })
	return cs, stderr
}

func callTool(t *testing.T, cs *sdk.ClientSession, name string, args map[string]any) (map[string]any, string, bool) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	msg := ""
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			msg += tc.Text
		}
	}
	var out map[string]any
	if b, err := json.Marshal(res.StructuredContent); err == nil {
		_ = json.Unmarshal(b, &out)
	}
	return out, msg, res.IsError
}

func mustCall(t *testing.T, cs *sdk.ClientSession, name string, args map[string]any) map[string]any {
	t.Helper()
	out, msg, isErr := callTool(t, cs, name, args)
	if isErr {
		t.Fatalf("%s %v: %s", name, args, msg)
	}
	return out
}

func toolNames(t *testing.T, cs *sdk.ClientSession) []string {
	t.Helper()
	var names []string
	for tool, err := range cs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if tool.InputSchema == nil || tool.OutputSchema == nil {
			t.Errorf("%s: no input or output schema", tool.Name)
		}
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

func TestMCPOverStdio(t *testing.T) {
	proj := shopProject(t)
	cs, stderr := stdioSession(t, "--project", proj)
	names := toolNames(t, cs)
	if !slices.Contains(names, "get_node_details") || !slices.Contains(names, "get_column_lineage") || slices.Contains(names, "apply_schema_edits") {
		t.Fatalf("tools: %v", names)
	}
	d := mustCall(t, cs, "get_node_details", map[string]any{"name": "fct_orders"})
	if d["unique_id"] != "model.shop.fct_orders" || !strings.Contains(fmt.Sprint(d["columns"]), "order_amount") {
		t.Fatalf("details: %v", d)
	}

	// Calls at once, answered from one warm project.
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name, args := "get_lineage", map[string]any{"name": "stg_orders"}
			if i%2 == 1 {
				name, args = "get_column_lineage", map[string]any{"model": "fct_orders", "column": "order_amount"}
			}
			if _, msg, isErr := callTool(t, cs, name, args); isErr {
				errs <- name + ": " + msg
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	// An edit between calls is seen by the next call.
	f := filepath.Join(proj, "models/staging/stg_customers.sql")
	src, _ := os.ReadFile(f)
	edited := strings.Replace(string(src), "lower(email) as email,", "lower(email) as email,\n        'new' as freshly_added,", 1)
	if edited == string(src) {
		t.Fatal("stg_customers.sql changed: the edit does not apply")
	}
	if err := os.WriteFile(f, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if d := mustCall(t, cs, "get_node_details", map[string]any{"name": "stg_customers"}); !strings.Contains(fmt.Sprint(d["columns"]), "freshly_added") {
		t.Fatalf("the edit is not seen: %v", d["columns"])
	}

	// Errors are tool errors with the CLI's words, and the write tools are off.
	if _, msg, isErr := callTool(t, cs, "get_node_details", map[string]any{"name": "fct_order"}); !isErr || !strings.Contains(msg, "did you mean fct_orders") {
		t.Fatalf("unknown model: %v %s", isErr, msg)
	}
	if _, msg, isErr := callTool(t, cs, "apply_lint_fixes", map[string]any{"path": "models/marts/fct_orders.sql", "dry_run": false}); !isErr || !strings.Contains(msg, "--allow-write") {
		t.Fatalf("a write tool without --allow-write: %v %s", isErr, msg)
	}
	if strings.Contains(stderr.String(), "panic") {
		t.Fatalf("stderr: %s", stderr.String())
	}
}

func TestMCPWriteToolsConfinedToTheProject(t *testing.T) {
	proj := shopProject(t)
	outside := t.TempDir()
	secretFile := filepath.Join(outside, "keep.sql")
	if err := os.WriteFile(secretFile, []byte("SELECT 1  from x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secretFile, filepath.Join(proj, "models/marts/linked.sql")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(proj, "models/outside")); err != nil {
		t.Fatal(err)
	}
	sloppy := filepath.Join(proj, "models/marts/sloppy.sql")
	if err := os.WriteFile(sloppy, []byte("SELECT order_id  from {{ ref('fct_orders') }}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cs, _ := stdioSession(t, "--project", proj, "--allow-write")
	if names := toolNames(t, cs); !slices.Contains(names, "apply_lint_fixes") || !slices.Contains(names, "apply_schema_edits") {
		t.Fatalf("tools with --allow-write: %v", names)
	}
	for _, p := range []string{"../outside.sql", "models/../../x.sql", secretFile, "models/marts/linked.sql", "models/outside/keep.sql", "models/marts/_marts.yml"} {
		if _, msg, isErr := callTool(t, cs, "apply_lint_fixes", map[string]any{"path": p, "dry_run": false}); !isErr || !strings.HasPrefix(msg, "refused, nothing written") {
			t.Errorf("%s: %v %s", p, isErr, msg)
		}
	}
	if b, _ := os.ReadFile(secretFile); string(b) != "SELECT 1  from x\n" {
		t.Fatalf("the file outside changed: %q", b)
	}
	ans := mustCall(t, cs, "apply_lint_fixes", map[string]any{"path": "models/marts/sloppy.sql"})
	if b, _ := os.ReadFile(sloppy); !strings.HasPrefix(string(b), "SELECT") || ans["dry_run"] != true {
		t.Fatalf("a preview wrote: %v %q", ans, b)
	}
	mustCall(t, cs, "apply_lint_fixes", map[string]any{"path": "models/marts/sloppy.sql", "dry_run": false})
	if b, _ := os.ReadFile(sloppy); strings.Contains(string(b), "order_id  from") || !strings.Contains(string(b), "{{ ref('fct_orders') }}") {
		t.Fatalf("fixes not written: %q", b)
	}
	ans = mustCall(t, cs, "apply_schema_edits", map[string]any{"dry_run": false})
	if w := fmt.Sprint(ans["written"]); !strings.Contains(w, "models/marts/") {
		t.Fatalf("schema edits: %v", ans)
	}
	if d := mustCall(t, cs, "get_node_details", map[string]any{"name": "sloppy"}); !strings.Contains(fmt.Sprint(d["columns"]), "documented:true") {
		t.Fatalf("the written entry is not seen: %v", d["columns"])
	}
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func TestMCPOverHTTPWithBearerToken(t *testing.T) {
	bin := securityBinary(t)
	proj := shopProject(t)

	// No token, no server.
	out, err := exec.Command(bin, "mcp", "--project", proj, "--http", "127.0.0.1:0").CombinedOutput()
	if code := exitCode(err); code != 2 || !strings.Contains(string(out), "DATAOPS_MCP_TOKEN") {
		t.Fatalf("--http without a token: exit %d: %s", code, out)
	}

	const token = "test-token-0123456789abcdef"
	cmd := exec.Command(bin, "mcp", "--project", proj, "--http", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "DATAOPS_MCP_TOKEN="+token)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logMu sync.Mutex
	var log strings.Builder
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`on (http://[^ ]+/mcp)$`)
		for sc.Scan() {
			logMu.Lock()
			log.WriteString(sc.Text() + "\n")
			logMu.Unlock()
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	var endpoint string
	select {
	case endpoint = <-addr:
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not say where it listens")
	}

	for _, auth := range []string{"", "Bearer wrong-token-0123456789"} {
		req, _ := http.NewRequest("POST", endpoint, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || strings.Contains(string(body), "get_node_details") {
			t.Fatalf("authorization %q: %d %s", auth, resp.StatusCode, body)
		}
	}

	tr := &sdk.StreamableClientTransport{Endpoint: endpoint, HTTPClient: &http.Client{Transport: bearer{token}}}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "0"}, nil).Connect(context.Background(), tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	names := toolNames(t, cs)
	if !slices.Contains(names, "impact_analysis") || !slices.Contains(names, "review_change") {
		t.Fatalf("tools: %v", names)
	}
	lin := mustCall(t, cs, "get_lineage", map[string]any{"name": "stg_payments", "direction": "downstream"})
	if !strings.Contains(fmt.Sprint(lin["downstream"]), "fct_orders") {
		t.Fatalf("lineage: %v", lin)
	}
	cs.Close()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(cmd.Wait()); code != 143 {
		t.Errorf("after SIGTERM: exit %d", code)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if strings.Contains(log.String(), token) {
		t.Fatalf("the token reached the log:\n%s", log.String())
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

// inspectorPackage is the MCP Inspector, the protocol's reference client, run in CLI mode.
const inspectorPackage = "@modelcontextprotocol/inspector"

func TestMCPInspectorCLI(t *testing.T) {
	npx, err := exec.LookPath("npx")
	if err != nil {
		t.Fatalf("Node is not installed (no npx on PATH): the MCP Inspector (%s) cannot run; scripts/test.sh installs it", inspectorPackage)
	}
	bin := securityBinary(t)
	proj := shopProject(t)
	inspect := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		full := append([]string{"--yes", "--prefer-offline", inspectorPackage, "--cli", bin, "mcp", "--project", proj}, args...)
		cmd := exec.CommandContext(ctx, npx, full...)
		cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("npx %s: %v\n%s\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
		return stdout.String()
	}
	var list struct {
		Tools []struct {
			Name         string         `json:"name"`
			InputSchema  map[string]any `json:"inputSchema"`
			OutputSchema map[string]any `json:"outputSchema"`
		} `json:"tools"`
	}
	if err := json.Unmarshal([]byte(inspect("--method", "tools/list")), &list); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
		if tool.InputSchema["type"] != "object" || tool.OutputSchema["type"] != "object" {
			t.Errorf("%s: schemas %v %v", tool.Name, tool.InputSchema, tool.OutputSchema)
		}
	}
	if !slices.Contains(names, "get_node_details") || !slices.Contains(names, "impact_analysis") || len(names) < 17 {
		t.Fatalf("tools seen by the Inspector: %v", names)
	}
	var res struct {
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
		StructuredContent map[string]any `json:"structuredContent"`
		IsError           bool           `json:"isError"`
	}
	if err := json.Unmarshal([]byte(inspect("--method", "tools/call", "--tool-name", "get_column_lineage",
		"--tool-arg", "model=fct_orders", "--tool-arg", "column=order_amount")), &res); err != nil {
		t.Fatal(err)
	}
	if res.IsError || res.StructuredContent["unique_id"] != "model.shop.fct_orders" || !strings.Contains(fmt.Sprint(res.StructuredContent["downstream"]), "gross_revenue") {
		t.Fatalf("tools/call through the Inspector: %+v", res)
	}
	if out := inspect("--method", "prompts/list"); !strings.Contains(out, "drop_column_impact") {
		t.Fatalf("prompts/list: %s", out)
	}
}
