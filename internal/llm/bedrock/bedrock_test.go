package bedrock

import (
	"context"
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
