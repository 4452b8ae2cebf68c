package mcp

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Options configure a Server.
type Options struct {
	// Dir is the project directory (holding dbt_project.yml).
	Dir string
	// Base is the git ref a change is compared with when a call names none.
	Base string
	// AllowWrite turns the apply_* tools on. They still preview unless asked to write.
	AllowWrite bool
	// Version is reported to clients.
	Version string
	// Mask replaces secret values in every answer (tools, resources, prompts).
	Mask func([]byte) []byte
	// Logger receives the SDK's own log; nil logs nothing.
	Logger *slog.Logger
	// WalkFiles walks the project's files before each call to see whether they changed,
	// instead of watching them: for file systems that deliver no change events (network
	// mounts), and where watching is not available it is what happens anyway.
	WalkFiles bool
}

// Server is dataops as an MCP server over one project.
type Server struct {
	eng    Engine
	opts   Options
	warm   *warm
	sdk    *sdk.Server
	cancel context.CancelFunc
	// writeTools are the names of the tools that write, registered or not.
	writeTools map[string]bool
}

const instructions = `dataops knows this dbt project without a warehouse or a dbt install: every model's SQL, config,
columns (inferred from the SQL, with types) and tests, column-level lineage, what a change breaks,
the property-file and test edits a change needs, SQLFluff-compatible lint, and the team's memory.
Start with get_project_summary or list_models; name models by name, unique id or
source_name.table_name. impact_analysis, schema_diff, lineage_diff and review_change compare a
git ref (base) with the work tree. Lists come in pages: pass next_cursor back as cursor. Long
texts are cut with a note saying so. Errors name the file and line at fault.`

// New makes the server and starts loading the project in the background, so the first call
// finds the load under way. ctx bounds the background work; Close ends it.
func New(ctx context.Context, eng Engine, opts Options) *Server {
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if opts.Base == "" {
		opts.Base = "main"
	}
	if opts.Version == "" {
		opts.Version = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			opts.Version = bi.Main.Version
		}
	}
	s := &Server{eng: eng, opts: opts, cancel: cancel, warm: newWarm(bg, eng, opts.Dir, opts.WalkFiles), writeTools: map[string]bool{}}
	s.sdk = sdk.NewServer(&sdk.Implementation{Name: "dataops", Title: "dataops", Version: opts.Version}, &sdk.ServerOptions{
		Instructions:      instructions,
		Logger:            opts.Logger,
		CompletionHandler: s.complete,
		PageSize:          200,
	})
	s.addProjectTools()
	s.addLineageTools()
	s.addChangeTools()
	s.addLintTools()
	s.addDataTools()
	s.addMemoryTools()
	s.addApplyTools()
	s.addResources()
	s.addPrompts()
	s.sdk.AddReceivingMiddleware(s.guard)
	s.warm.start()
	return s
}

// SDK returns the underlying MCP server, to connect transports to.
func (s *Server) SDK() *sdk.Server { return s.sdk }

// Close stops watching the project and the background work (loads and column inference in
// flight finish unobserved).
func (s *Server) Close() {
	s.cancel()
	s.warm.close()
}

// Run serves one client over a transport (stdio) until it disconnects or ctx ends.
func (s *Server) Run(ctx context.Context, t sdk.Transport) error {
	return s.sdk.Run(ctx, t)
}

// HTTPHandler serves streamable HTTP at /mcp to clients presenting token as a bearer token.
func (s *Server) HTTPHandler(token string) http.Handler {
	h := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return s.sdk },
		&sdk.StreamableHTTPOptions{Logger: s.opts.Logger, SessionTimeout: time.Hour})
	verify := func(_ context.Context, got string, _ *http.Request) (*auth.TokenInfo, error) {
		if token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{UserID: "dataops-mcp"}, nil
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", auth.RequireBearerToken(verify, &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(h))
	return http.NewCrossOriginProtection().Handler(mux)
}

// guard refuses the write tools when writes are off (with a message saying how to turn them
// on, rather than the protocol's bare "unknown tool") and masks secret values in every answer.
func (s *Server) guard(next sdk.MethodHandler) sdk.MethodHandler {
	return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
		if method == "tools/call" && !s.opts.AllowWrite {
			if p, ok := req.GetParams().(*sdk.CallToolParamsRaw); ok && s.writeTools[p.Name] {
				res := &sdk.CallToolResult{}
				res.SetError(fmt.Errorf("%s writes files and writes are off: start the server with `dataops mcp --allow-write` to turn the apply tools on (they preview unless dry_run is false)", p.Name))
				return res, nil
			}
		}
		res, err := next(ctx, method, req)
		if err == nil && s.opts.Mask != nil {
			maskResult(res, s.opts.Mask)
		}
		return res, err
	}
}

func maskResult(res sdk.Result, mask func([]byte) []byte) {
	text := func(s string) string { return string(mask([]byte(s))) }
	content := func(cs []sdk.Content) {
		for _, c := range cs {
			switch c := c.(type) {
			case *sdk.TextContent:
				c.Text = text(c.Text)
			case *sdk.EmbeddedResource:
				if c.Resource != nil {
					c.Resource.Text = text(c.Resource.Text)
				}
			}
		}
	}
	switch r := res.(type) {
	case *sdk.CallToolResult:
		content(r.Content)
		switch sc := r.StructuredContent.(type) {
		case json.RawMessage:
			r.StructuredContent = json.RawMessage(mask(sc))
		case nil:
		default:
			if b, err := json.Marshal(sc); err == nil {
				r.StructuredContent = json.RawMessage(mask(b))
			}
		}
	case *sdk.ReadResourceResult:
		for _, c := range r.Contents {
			c.Text = text(c.Text)
		}
	case *sdk.GetPromptResult:
		for _, m := range r.Messages {
			content([]sdk.Content{m.Content})
		}
	}
}

// tool describes one tool.
type tool struct {
	name, title, description string
	readOnly                 bool
	// write tools are registered only when writes are allowed.
	write bool
}

// addTool registers a tool whose handler returns its structured answer. A handler's error
// becomes a tool error (IsError, the message as text), as does a panic; an answer larger than
// maxResultSize is refused with a message saying how to narrow it.
func addTool[In, Out any](s *Server, t tool, h func(ctx context.Context, in In) (*Out, error)) {
	if t.write {
		s.writeTools[t.name] = true
		if !s.opts.AllowWrite {
			return
		}
	}
	no := false
	ann := &sdk.ToolAnnotations{Title: t.title, ReadOnlyHint: t.readOnly, OpenWorldHint: &no}
	if !t.readOnly {
		yes := t.write // apply tools replace files; memory ingest only adds records
		ann.DestructiveHint = &yes
		ann.IdempotentHint = true
	} else {
		ann.IdempotentHint = true
	}
	sdk.AddTool(s.sdk, &sdk.Tool{Name: t.name, Title: t.title, Description: t.description, Annotations: ann},
		func(ctx context.Context, _ *sdk.CallToolRequest, in In) (_ *sdk.CallToolResult, out *Out, err error) {
			defer func() {
				if r := recover(); r != nil {
					out, err = nil, fmt.Errorf("internal error in %s: %v", t.name, r)
				}
			}()
			out, err = h(ctx, in)
			if err != nil {
				return nil, nil, err
			}
			if b, merr := json.Marshal(out); merr == nil && len(b) > maxResultSize {
				return nil, nil, fmt.Errorf("the answer is %d bytes, over the %d this server sends at once: ask for less (a smaller limit or depth, one model)", len(b), maxResultSize)
			}
			return nil, out, nil
		})
}

// complete offers model names for the name argument of the model resources and the model
// argument of the prompts.
func (s *Server) complete(ctx context.Context, req *sdk.CompleteRequest) (*sdk.CompleteResult, error) {
	res := &sdk.CompleteResult{Completion: sdk.CompletionResultDetails{Values: []string{}}}
	arg := req.Params.Argument
	if arg.Name != "name" && arg.Name != "model" {
		return res, nil
	}
	snap, err := s.warm.get(ctx)
	if err != nil {
		return res, nil
	}
	prefix := strings.ToLower(arg.Value)
	var names []string
	for _, n := range snap.p.Nodes {
		if isModelLike(n.ResourceType) && !n.Disabled && strings.HasPrefix(strings.ToLower(n.Name), prefix) {
			names = append(names, n.Name)
		}
	}
	sort.Strings(names)
	names = dedupSorted(names)
	res.Completion.Total = len(names)
	if len(names) > 100 {
		names, res.Completion.HasMore = names[:100], true
	}
	res.Completion.Values = names
	return res, nil
}

func dedupSorted(l []string) []string {
	out := l[:0]
	for i, x := range l {
		if i == 0 || x != l[i-1] {
			out = append(out, x)
		}
	}
	return out
}
