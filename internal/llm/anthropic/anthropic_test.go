package anthropic

import (
	"net/http"
	"testing"

	"github.com/dataops-dev/dataops/internal/llm"
	"github.com/dataops-dev/dataops/internal/llm/llmtest"
	"github.com/dataops-dev/dataops/internal/llm/llmtest/suite"
)

func TestConformance(t *testing.T) {
	const key = "sk-ant-test-0123456789"
	srv := llmtest.NewAnthropic(key)
	defer srv.Close()
	suite.RunProvider(t, srv, func(t *testing.T, hc *http.Client, good bool) llm.Provider {
		k := key
		if !good {
			k = "sk-ant-wrong"
		}
		return New(Config{BaseURL: srv.URL, APIKey: k, HTTP: hc})
	})
}
