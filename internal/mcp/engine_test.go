package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lint"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/testgen"
	"github.com/dataops-dev/dataops/internal/warehouse"
	"github.com/dataops-dev/dataops/internal/warehouse/runner"
)

// testEngine loads the project for real (dbt.Load, columns.Infer) and answers the pipeline
// methods with what a test sets, recording what the server asked. The real pipelines are
// driven through internal/cli's engine in its own tests.
type testEngine struct {
	dir   string
	loads atomic.Int32
	// renderTime is the render budget of each load (0: unbounded).
	renderTime time.Duration

	mu         sync.Mutex
	impact     *Impact
	review     *review.Review
	schemaPlan *SchemaPlan
	testsPlan  *TestsPlan
	lintResult *LintResult
	err        error // returned by every pipeline method when set
	written    [][]FileEdit
	// block, when set, makes Review wait for ctx to end and then report on cancelled.
	block     chan struct{}
	cancelled chan error
}

func (e *testEngine) Load(ctx context.Context) (*Loaded, error) {
	e.loads.Add(1)
	b := jinja.NewBudget(e.renderTime)
	p, err := dbt.Load(ctx, dbt.LoadOptions{Dir: e.dir, Compile: true, Budget: b})
	if err != nil {
		return nil, err
	}
	return &Loaded{Project: p, Budget: b}, nil
}

func (e *testEngine) Infer(ctx context.Context, p *dbt.Project, ids []string) *columns.Result {
	return columns.Infer(p, columns.Options{Ctx: ctx, Models: ids})
}

func (e *testEngine) fail() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

func (e *testEngine) Impact(ctx context.Context, base string) (*Impact, error) {
	if err := e.fail(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.impact, nil
}

func (e *testEngine) Review(ctx context.Context, base string) (*review.Review, error) {
	if e.block != nil {
		close(e.block)
		<-ctx.Done()
		e.cancelled <- ctx.Err()
		return nil, ctx.Err()
	}
	if err := e.fail(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.review, nil
}

func (e *testEngine) SchemaPlan(ctx context.Context, req SchemaRequest) (*SchemaPlan, error) {
	if err := e.fail(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.schemaPlan, nil
}

func (e *testEngine) Tests(ctx context.Context, p *dbt.Project, inf *columns.Result, req TestsRequest) (*TestsPlan, error) {
	if err := e.fail(); err != nil {
		return nil, err
	}
	if e.testsPlan != nil {
		return e.testsPlan, nil
	}
	return &TestsPlan{Result: testgen.Suggest(p, inf, testgen.Options{Threshold: req.Threshold})}, nil
}

func (e *testEngine) Lint(ctx context.Context, p *dbt.Project, req LintRequest) (*LintResult, error) {
	if err := e.fail(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.lintResult == nil {
		return &LintResult{FileResult: lint.FileResult{Path: req.Path}}, nil
	}
	return e.lintResult, nil
}

func (e *testEngine) Query(ctx context.Context, p *dbt.Project, sql string, limit int) (*warehouse.Rows, error) {
	return nil, errors.New("no warehouse in this test")
}

func (e *testEngine) RunTests(ctx context.Context, p *dbt.Project, selectors, excludes []string) ([]runner.Result, error) {
	return nil, errors.New("no warehouse in this test")
}

func (e *testEngine) MemorySearch(ctx context.Context, q memory.Query) ([]memory.Hit, error) {
	return nil, nil
}

func (e *testEngine) MemoryIngest(ctx context.Context, recs []memory.Record) error { return nil }

func (e *testEngine) WriteFiles(ctx context.Context, root string, files []FileEdit) ([]string, error) {
	e.mu.Lock()
	e.written = append(e.written, files)
	e.mu.Unlock()
	var out []fsconfine.File
	var names []string
	for _, f := range files {
		out = append(out, fsconfine.File{Name: f.Path, Data: f.New})
		names = append(names, f.Path)
	}
	return names, fsconfine.WriteFiles(root, out)
}

// shopCopy copies examples/shop to a temporary directory.
func shopCopy(t testing.TB) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "shop")
	src := "../../examples/shop"
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// connect starts a server on the engine and connects the SDK's client to it in memory.
func connect(t testing.TB, eng *testEngine, opts Options) (*Server, *sdk.ClientSession) {
	t.Helper()
	ctx := context.Background()
	if opts.Dir == "" {
		opts.Dir = eng.dir
	}
	srv := New(ctx, eng, opts)
	t.Cleanup(srv.Close)
	st, ct := sdk.NewInMemoryTransports()
	ss, err := srv.SDK().Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return srv, cs
}

// call calls a tool and decodes its structured answer into out; it fails the test on a tool
// error.
func call(t testing.TB, cs *sdk.ClientSession, name string, args map[string]any, out any) {
	t.Helper()
	res := callRaw(t, cs, name, args)
	if res.IsError {
		t.Fatalf("%s %v: tool error: %s", name, args, text(res))
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		reflect.ValueOf(out).Elem().SetZero()
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, b)
		}
	}
}

func callRaw(t testing.TB, cs *sdk.ClientSession, name string, args map[string]any) *sdk.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return res
}

// toolError calls a tool that must fail and returns its message.
func toolError(t testing.TB, cs *sdk.ClientSession, name string, args map[string]any) string {
	t.Helper()
	res := callRaw(t, cs, name, args)
	if !res.IsError {
		b, _ := json.Marshal(res.StructuredContent)
		t.Fatalf("%s %v: want a tool error, got %s", name, args, b)
	}
	return text(res)
}

func text(res *sdk.CallToolResult) string {
	s := ""
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			s += tc.Text
		}
	}
	return s
}
