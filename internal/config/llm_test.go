package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLLMOffByDefault(t *testing.T) {
	// A vendor key in the environment is not a setting: the section stays off.
	getenv := func(k string) (string, bool) {
		if k == "OPENAI_API_KEY" || k == "ANTHROPIC_API_KEY" {
			return "sk-test", true
		}
		return "", false
	}
	c, err := Load(Options{Dir: t.TempDir(), Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	if c.LLM.Enabled() || c.LLM.AgentOn("describe") {
		t.Fatalf("llm on without a provider: %+v", c.LLM)
	}
	if c.LLM.MaxTokens != 1024 || c.LLM.BudgetTokens != 60000 || !c.LLM.Cache || c.LLM.CacheDir != ".dataops/llm-cache" {
		t.Fatalf("defaults: %+v", c.LLM)
	}
}

func TestLLMSection(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) {
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	noenv := func(string) (string, bool) { return "", false }
	write("llm:\n  provider: anthropic\n  model: claude-sonnet-4-5\n  budget_tokens: 8000\n  agents: [review]\n  price_input: 3\n")
	c, err := Load(Options{Dir: dir, Getenv: noenv})
	if err != nil {
		t.Fatal(err)
	}
	if !c.LLM.Enabled() || c.LLM.BudgetTokens != 8000 || c.LLM.PriceInput != 3 || c.LLM.AgentOn("describe") || !c.LLM.AgentOn("review") {
		t.Fatalf("%+v", c.LLM)
	}
	for _, tc := range []struct{ yml, want string }{
		{"llm:\n  provider: gemini\n  model: x\n", `provider: "gemini" is not one of openai, anthropic, bedrock`},
		{"llm:\n  provider: openai\n", "provider openai needs a model"},
		{"llm:\n  provider: openai\n  model: m\n  budget_tokens: 0\n", "budget_tokens: must be positive"},
		{"llm:\n  provider: openai\n  model: m\n  min_score: 2\n", "min_score: must be between 0 and 1"},
		{"llm:\n  agents: [schema]\n", `agents[0]: "schema" is not one of describe, review, rules`},
		{"llm:\n  api_key: sk-123\n", "unknown field"},
	} {
		write(tc.yml)
		_, err := Load(Options{Dir: dir, Getenv: noenv})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yml, err, tc.want)
		}
	}
}
