package openmetadata_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/openmetadata"
	"github.com/dataops-dev/dataops/internal/secret"
)

func TestClientMasksRequestBodies(t *testing.T) {
	const planted = "planted-secret-value-123"
	var body, auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, auth = string(b), r.Header.Get("Authorization")
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	m := secret.New(planted, "om-bot-token-0001")
	c := &openmetadata.Client{BaseURL: srv.URL, Token: "om-bot-token-0001", Mask: m.Mask}
	from, to := &openmetadata.EntityRef{ID: "a"}, &openmetadata.EntityRef{ID: "b"}
	cols := []openmetadata.ColumnLineage{{FromColumns: []string{"svc.db.s.t." + planted}, ToColumn: "svc.db.s.u.id_" + strings.ReplaceAll(planted, "-", "_")}}
	if err := c.AddLineage(context.Background(), from, to, cols); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(body, "planted") || !strings.Contains(body, `"svc.db.s.t.***"`) || !strings.Contains(body, `"svc.db.s.u.id_***"`) {
		t.Errorf("body sent: %s", body)
	}
	if auth != "Bearer om-bot-token-0001" {
		t.Errorf("the token must reach the server as is: %q", auth)
	}
}
