package config

import (
	"fmt"
	"time"
)

// LLM turns on the language agents (descriptions for columns nothing else documents, a review
// summary and logic risks) and says which provider and model answer them. Without a provider
// nothing is sent anywhere and every command behaves as it does without this section: a key in
// the environment alone never turns it on. Keys are never written here: APIKeyEnv names the
// variable that holds one (OPENAI_API_KEY, ANTHROPIC_API_KEY by default; Bedrock uses the
// AWS credential chain).
type LLM struct {
	// Provider is "openai" (any OpenAI-compatible chat completions server: OpenAI, Azure
	// OpenAI, Ollama, vLLM, LM Studio, OpenRouter), "anthropic" or "bedrock"; "" is off.
	Provider string `yaml:"provider"`
	// Model is the provider's model name (gpt-4.1-mini, claude-sonnet-4-5, a Bedrock model ID).
	Model string `yaml:"model"`
	// BaseURL is the API root; "" takes OPENAI_BASE_URL or ANTHROPIC_BASE_URL, else the
	// vendor's. For Bedrock it is a custom endpoint (VPC endpoint).
	BaseURL string `yaml:"base_url"`
	// APIKeyEnv names the environment variable holding the key; "" takes the vendor's usual one.
	APIKeyEnv string `yaml:"api_key_env"`
	// Region is Bedrock's AWS region ("" = the AWS configuration's).
	Region string `yaml:"region"`
	// MaxTokens caps the answer of one call.
	MaxTokens int `yaml:"max_tokens" default:"1024"`
	// BudgetTokens caps the tokens (prompt and answer) of one run, all agents together: the
	// agents stop when it is spent and the review says so.
	BudgetTokens int `yaml:"budget_tokens" default:"60000"`
	// MaxSteps caps the calls of one agent task (tool calls and one repair included).
	MaxSteps int `yaml:"max_steps" default:"6"`
	// Timeout bounds one call; AgentTime one agent task.
	Timeout   time.Duration `yaml:"timeout" default:"60s"`
	AgentTime time.Duration `yaml:"agent_time" default:"3m"`
	// MaxAttempts is how often a call is tried on 429 and 5xx answers (Retry-After honoured).
	MaxAttempts int `yaml:"max_attempts" default:"4"`
	// Cache keeps answers under CacheDir keyed by the exact request, so running the same
	// review again costs nothing.
	Cache    bool   `yaml:"cache" default:"true"`
	CacheDir string `yaml:"cache_dir" default:".dataops/llm-cache"`
	// Stream asks an OpenAI-compatible server for a streamed answer.
	Stream bool `yaml:"stream"`
	// PriceInput and PriceOutput are USD per million prompt and answer tokens, for the cost
	// each run reports; 0 reports none.
	PriceInput  float64 `yaml:"price_input"`
	PriceOutput float64 `yaml:"price_output"`
	// Agents enables only these agents ("describe", "review", "rules"); empty means all.
	Agents []string `yaml:"agents"`
	// MinScore is the grounding score (0 to 1, checked against the engine's facts) below which
	// a suggestion is dropped.
	MinScore float64 `yaml:"min_score" default:"0.5"`
	// SampleRows bounds the rows an agent may read from the warehouse for one column.
	SampleRows int `yaml:"sample_rows" default:"20"`
}

// Enabled reports whether a provider is configured.
func (l *LLM) Enabled() bool { return l.Provider != "" }

func (l *LLM) validate() error {
	if err := oneOf("provider", l.Provider, "openai", "anthropic", "bedrock"); err != nil {
		return err
	}
	for i, a := range l.Agents {
		if oneOf("agents", a, "describe", "review", "rules") != nil {
			return &valueError{Key: fmt.Sprintf("agents[%d]", i), Value: a, Msg: fmt.Sprintf("%q is not one of describe, review, rules", a)}
		}
	}
	if !l.Enabled() {
		return nil
	}
	if l.Model == "" {
		return &valueError{Key: "model", Msg: "provider " + l.Provider + " needs a model"}
	}
	for _, n := range []struct {
		key string
		v   int
	}{{"max_tokens", l.MaxTokens}, {"budget_tokens", l.BudgetTokens}, {"max_steps", l.MaxSteps}, {"max_attempts", l.MaxAttempts}} {
		if n.v <= 0 {
			return &valueError{Key: n.key, Msg: "must be positive"}
		}
	}
	if l.PriceInput < 0 || l.PriceOutput < 0 {
		return &valueError{Key: "price_input", Msg: "prices must not be negative"}
	}
	if l.MinScore < 0 || l.MinScore > 1 {
		return &valueError{Key: "min_score", Msg: "must be between 0 and 1"}
	}
	return nil
}

// AgentOn reports whether the named agent runs.
func (l *LLM) AgentOn(name string) bool {
	if !l.Enabled() {
		return false
	}
	if len(l.Agents) == 0 {
		return true
	}
	for _, a := range l.Agents {
		if a == name {
			return true
		}
	}
	return false
}
