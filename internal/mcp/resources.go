package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
)

const (
	manifestURI    = "dataops://manifest"
	reviewURI      = "dataops://review"
	modelPrefix    = "dataops://models/"
	maxManifest    = 1 << 20
	maxPropsChars  = 50_000
	sqlMIME        = "text/x-sql"
	yamlMIME       = "application/yaml"
	jsonMIME       = "application/json"
	reviewTemplate = "dataops://review/{+base}"
)

func (s *Server) addResources() {
	s.sdk.AddResource(&sdk.Resource{URI: manifestURI, Name: "manifest", Title: "dbt manifest", MIMEType: jsonMIME,
		Description: "The project as dbt's manifest.json (v12); on large projects an index of its nodes, edges and files."},
		s.readManifest)
	s.sdk.AddResource(&sdk.Resource{URI: reviewURI, Name: "review", Title: "Review of the current change", MIMEType: jsonMIME,
		Description: "The review of the work tree against the server's base ref: summary, changes, findings, edits."},
		s.readReview)
	s.sdk.AddResourceTemplate(&sdk.ResourceTemplate{URITemplate: reviewTemplate, Name: "review-against", Title: "Review against a ref",
		MIMEType: jsonMIME, Description: "The review of the work tree against the git ref given (origin/main, a commit...)."},
		s.readReview)
	s.sdk.AddResourceTemplate(&sdk.ResourceTemplate{URITemplate: modelPrefix + "{name}/sql", Name: "model-sql", Title: "Model SQL",
		MIMEType: sqlMIME, Description: "A model's SQL file as written (name: a model name or unique id)."},
		s.readModel)
	s.sdk.AddResourceTemplate(&sdk.ResourceTemplate{URITemplate: modelPrefix + "{name}/properties", Name: "model-properties",
		Title: "Model properties", MIMEType: yamlMIME, Description: "A model's entry in its property file (schema.yml), as written."},
		s.readModel)
}

// limitWriter fails once more than n bytes were written, so a manifest too large to send is
// never built whole.
type limitWriter struct {
	buf bytes.Buffer
	n   int
}

var errTooLarge = errors.New("too large")

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.n {
		return 0, errTooLarge
	}
	return w.buf.Write(p)
}

func (s *Server) readManifest(ctx context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	w := &limitWriter{n: maxManifest}
	text := ""
	switch err := dbt.WriteManifest(w, snap.p); {
	case err == nil:
		text = w.buf.String()
	case errors.Is(err, errTooLarge):
		if text, err = manifestIndex(snap.p); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{{URI: req.Params.URI, MIMEType: jsonMIME, Text: text}}}, nil
}

// manifestIndex is the manifest of a project too large to send whole: every node's kind,
// name, file and parents, so an assistant can find its way and ask for one model at a time.
func manifestIndex(p *dbt.Project) (string, error) {
	type entry struct {
		ResourceType string   `json:"resource_type"`
		Name         string   `json:"name"`
		Path         string   `json:"original_file_path,omitempty"`
		Materialized string   `json:"materialized,omitempty"`
		DependsOn    []string `json:"depends_on,omitempty"`
	}
	out := struct {
		Note     string            `json:"note"`
		Metadata map[string]string `json:"metadata"`
		Nodes    map[string]entry  `json:"nodes"`
		Sources  map[string]entry  `json:"sources"`
	}{
		Note: "The full manifest is over 1 MiB: this index lists every node without its code and properties. " +
			"Read dataops://models/{name}/sql and dataops://models/{name}/properties, or call get_node_details, for one model; " +
			"`dataops parse --out target/manifest.json` writes the whole manifest.",
		Metadata: map[string]string{"project_name": p.Name, "adapter_type": p.Adapter},
		Nodes:    map[string]entry{}, Sources: map[string]entry{},
	}
	for id, n := range p.Nodes {
		if n.ResourceType == dbt.Test {
			continue
		}
		out.Nodes[id] = entry{ResourceType: n.ResourceType, Name: n.Name, Path: n.RelPath,
			Materialized: configString(n.Config, "materialized"), DependsOn: n.DependsOn.Nodes}
	}
	for id, src := range p.Sources {
		out.Sources[id] = entry{ResourceType: dbt.SourceRT, Name: src.SourceName + "." + src.Name, Path: src.Pos.Path}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", err
	}
	if len(b) > maxManifest {
		// Even the index is too large: keep the models of the root package only.
		root := rootPackage(p)
		for id, n := range p.Nodes {
			if e, ok := out.Nodes[id]; ok && (n.Package != root || e.ResourceType != dbt.Model) {
				delete(out.Nodes, id)
			}
		}
		out.Sources = nil
		out.Note += " Only the root package's models are listed: list_models pages through the rest."
		if b, err = json.Marshal(out); err != nil {
			return "", err
		}
	}
	return string(b), nil
}

func (s *Server) readReview(ctx context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
	base := s.opts.Base
	if rest, ok := strings.CutPrefix(req.Params.URI, reviewURI+"/"); ok {
		b, err := url.PathUnescape(rest)
		if err != nil || b == "" {
			return nil, sdk.ResourceNotFoundError(req.Params.URI)
		}
		base = b
	}
	rv, err := s.eng.Review(ctx, base)
	if err != nil {
		return nil, err
	}
	ans, err := reviewAnswer(base, rv, "", maxPage)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(ans, "", " ")
	if err != nil {
		return nil, err
	}
	return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{{URI: req.Params.URI, MIMEType: jsonMIME, Text: string(b)}}}, nil
}

func (s *Server) readModel(ctx context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
	uri := req.Params.URI
	rest := strings.TrimPrefix(uri, modelPrefix)
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 {
		return nil, sdk.ResourceNotFoundError(uri)
	}
	name, err := url.PathUnescape(rest[:i])
	if err != nil {
		return nil, sdk.ResourceNotFoundError(uri)
	}
	snap, err := s.warm.get(ctx)
	if err != nil {
		return nil, err
	}
	id, err := resolve(snap.p, name)
	if err != nil {
		return nil, sdk.ResourceNotFoundError(uri)
	}
	n := snap.p.Nodes[id]
	var text, mime string
	switch rest[i+1:] {
	case "sql":
		if n == nil {
			return nil, fmt.Errorf("%s is a source: it has no SQL file", id)
		}
		text, mime = n.RawCode, sqlMIME
		if n.ResourceType == dbt.Seed {
			return nil, fmt.Errorf("%s is a seed: its data is %s", id, n.RelPath)
		}
	case "properties":
		text, mime = propertiesText(snap.p, id), yamlMIME
	default:
		return nil, sdk.ResourceNotFoundError(uri)
	}
	if c, cut := clip(text, maxPropsChars); cut {
		text = c + "\n-- cut: the file is longer; the rest is in the project\n"
	}
	return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{{URI: uri, MIMEType: mime, Text: text}}}, nil
}

// propertiesText is a node's entry in its property file, as written: from its `- name:` line
// to the line before the next entry at the same or a lesser indentation.
func propertiesText(p *dbt.Project, id string) string {
	file, line := "", 0
	if n := p.Nodes[id]; n != nil && n.Patch != nil {
		file, line = n.Patch.File, n.Patch.Pos.Line
	} else if src := p.Sources[id]; src != nil {
		file, line = src.Pos.Path, src.Pos.Line
	}
	if file == "" || line < 1 {
		return fmt.Sprintf("# %s has no property entry: plan_schema proposes one.\n", id)
	}
	data, err := fsconfine.ReadFile(p.Root, file)
	if err != nil {
		return fmt.Sprintf("# %s: %v\n", file, err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if line > len(lines) {
		return fmt.Sprintf("# %s: no line %d\n", file, line)
	}
	first := lines[line-1]
	indent := len(first) - len(strings.TrimLeft(first, " "))
	end := line
	for end < len(lines) {
		l := lines[end]
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "#") && len(l)-len(strings.TrimLeft(l, " ")) <= indent {
			break
		}
		end++
	}
	for end > line && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	return fmt.Sprintf("# %s:%d\n", file, line) + strings.Join(lines[line-1:end], "")
}
