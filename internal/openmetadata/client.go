// Package openmetadata reads and writes table lineage in an OpenMetadata catalog over its REST
// API: it compares the catalog's lineage of changed models with dbt's graph, and pushes dbt's
// lineage (with column lineage) to the catalog. It never changes anything but lineage edges,
// and it talks only to the URL it is given.
package openmetadata

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Client calls one OpenMetadata server with a bot's JWT.
type Client struct {
	// BaseURL is the server (http://host:8585); a trailing /api is accepted.
	BaseURL string
	Token   string
	HTTP    *http.Client
	// Mask, when set, is applied to every request body before it is sent (the run's secret
	// values become "***"); the Authorization header is left alone.
	Mask func([]byte) []byte
}

// EntityRef is the part of an entity reference we read.
type EntityRef struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
}

// Edge is a lineage edge between two entity ids.
type Edge struct {
	FromEntity string `json:"fromEntity"`
	ToEntity   string `json:"toEntity"`
}

// Lineage is the graph GET /api/v1/lineage answers.
type Lineage struct {
	Entity          EntityRef   `json:"entity"`
	Nodes           []EntityRef `json:"nodes"`
	UpstreamEdges   []Edge      `json:"upstreamEdges"`
	DownstreamEdges []Edge      `json:"downstreamEdges"`
}

// ColumnLineage maps upstream columns (fully qualified) to one downstream column.
type ColumnLineage struct {
	FromColumns []string `json:"fromColumns"`
	ToColumn    string   `json:"toColumn"`
}

// APIError is a non-2xx answer.
type APIError struct {
	Status  int
	Method  string
	Path    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("openmetadata: %s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

// NotFound reports whether err is a 404 from the server.
func NotFound(err error) bool {
	ae, ok := err.(*APIError)
	return ok && ae.Status == http.StatusNotFound
}

// FQN joins name parts as OpenMetadata does, quoting a part that holds a dot.
func FQN(parts ...string) string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if strings.Contains(p, ".") {
			p = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
		}
		out = append(out, p)
	}
	return strings.Join(out, ".")
}

func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	base := strings.TrimSuffix(strings.TrimRight(c.BaseURL, "/"), "/api")
	u := base + "/api" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		if c.Mask != nil {
			b = c.Mask(b)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("openmetadata: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if resp.StatusCode/100 != 2 {
		var m struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &m)
		if m.Message == "" {
			m.Message = strings.TrimSpace(string(data))
		}
		return &APIError{Status: resp.StatusCode, Method: method, Path: path, Message: m.Message}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("openmetadata: %s %s: reading the answer: %v", method, path, err)
		}
	}
	return nil
}

// Table resolves a table by fully qualified name.
func (c *Client) Table(ctx context.Context, fqn string) (*EntityRef, error) {
	var t EntityRef
	if err := c.do(ctx, http.MethodGet, "/v1/tables/name/"+url.PathEscape(fqn), nil, nil, &t); err != nil {
		return nil, err
	}
	if t.Type == "" {
		t.Type = "table"
	}
	return &t, nil
}

// TableLineage reads a table's lineage; depths are clamped to the server's 0..3.
func (c *Client) TableLineage(ctx context.Context, fqn string, up, down int) (*Lineage, error) {
	q := url.Values{"upstreamDepth": {strconv.Itoa(clamp(up))}, "downstreamDepth": {strconv.Itoa(clamp(down))}}
	var l Lineage
	if err := c.do(ctx, http.MethodGet, "/v1/lineage/table/name/"+url.PathEscape(fqn), q, nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// AddLineage writes the edge from -> to with its column lineage, marked as dbt's.
func (c *Client) AddLineage(ctx context.Context, from, to *EntityRef, cols []ColumnLineage) error {
	if cols == nil {
		cols = []ColumnLineage{}
	}
	body := map[string]any{"edge": map[string]any{
		"fromEntity": map[string]string{"id": from.ID, "type": "table"},
		"toEntity":   map[string]string{"id": to.ID, "type": "table"},
		"lineageDetails": map[string]any{
			"columnsLineage": cols,
			"source":         "DbtLineage",
		},
	}}
	return c.do(ctx, http.MethodPut, "/v1/lineage", nil, body, nil)
}

func clamp(d int) int {
	return max(0, min(d, 3))
}
