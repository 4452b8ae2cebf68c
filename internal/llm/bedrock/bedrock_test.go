package bedrock

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/dataops-dev/dataops/internal/llm"
	"github.com/dataops-dev/dataops/internal/llm/llmtest"
	"github.com/dataops-dev/dataops/internal/llm/llmtest/suite"
)

func TestConformance(t *testing.T) {
	const akid, secret = "AKIDEXAMPLETEST01", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	srv := llmtest.NewBedrock(akid, secret, "us-east-1")
	defer srv.Close()
	suite.RunProvider(t, srv, func(t *testing.T, hc *http.Client, good bool) llm.Provider {
		s := secret
		if !good {
			s = "wrong-secret-key-value"
		}
		p, err := New(context.Background(), Config{Region: "us-east-1", Endpoint: srv.URL, HTTP: hc,
			Credentials: credentials.NewStaticCredentialsProvider(akid, s, "")})
		if err != nil {
			t.Fatal(err)
		}
		return p
	})
	for _, s := range srv.Seen() {
		if s.Path != "/model/test-model/converse" {
			t.Fatalf("path %s", s.Path)
		}
	}
}

// TestModelARNAndToolNumbers sends a model given as an inference-profile ARN (its ':' and '/'
// escaped inside the path segment, the signature over that path recomputed by the server) and
// reads a tool input with numbers, which stay numbers.
func TestModelARNAndToolNumbers(t *testing.T) {
	const akid, secret = "AKIDEXAMPLETEST01", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	const arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0"
	srv := llmtest.NewBedrock(akid, secret, "us-east-1")
	defer srv.Close()
	p, err := New(context.Background(), Config{Region: "us-east-1", Endpoint: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider(akid, secret, "")})
	if err != nil {
		t.Fatal(err)
	}
	schema := json.RawMessage(`{"type":"object","properties":{"line":{"type":"integer"},"path":{"type":"string"}},"required":["line","path"],"additionalProperties":false}`)
	srv.Push(llmtest.Reply{Text: `{"path":"models/a.sql","line":8}`})
	r, err := p.Complete(context.Background(), &llm.Request{Model: arn, MaxTokens: 50,
		Messages: []llm.Message{{Role: llm.User, Text: "Where?"}}, Output: &llm.Schema{Name: "result", Schema: schema}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != `{"line":8,"path":"models/a.sql"}` || r.Model != arn {
		t.Fatalf("%+v", r)
	}
	if err := llm.Validate(schema, []byte(r.Text)); err != nil {
		t.Fatal(err)
	}
	seen := srv.Seen()
	if len(seen) != 1 || seen[0].Path != "/model/"+arn+"/converse" || len(srv.Problems()) != 0 {
		t.Fatalf("seen %+v, problems %v", seen, srv.Problems())
	}
	rec := srv.Recorded("bedrock", arn).Exchanges
	if len(rec) != 1 || rec[0].Path != "model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse" {
		t.Fatalf("recorded path %q", rec[0].Path)
	}
}
