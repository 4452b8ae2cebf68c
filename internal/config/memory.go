package config

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Memory says where the team's knowledge is kept, what embeds it and what to ingest.
// Credentials never live here: the settings name the environment variables that hold them,
// so a settings file can be committed and a pull request cannot read a key into its output.
type Memory struct {
	// Store is the long-term store: "embedded" (on disk under Path, no server), "postgres",
	// "qdrant", "weaviate", "opensearch", "pinecone", or "none" to turn memory off.
	Store string `yaml:"store" default:"embedded"`
	// Path is the embedded store's directory, relative to the project.
	Path string `yaml:"path" default:".dataops/memory"`
	// URL is the server of the other stores (a PostgreSQL URL, or the service's HTTP root;
	// for Pinecone the index host).
	URL string `yaml:"url"`
	// Collection is the PostgreSQL schema, Qdrant collection, Weaviate class or OpenSearch
	// index; "" takes each store's default.
	Collection string `yaml:"collection"`
	// APIKeyEnv names the environment variable holding the store's API key.
	APIKeyEnv string `yaml:"api_key_env"`
	// RedisURL keeps short-term workflow state in Redis instead of in the process; also
	// DATAOPS_REDIS_URL.
	RedisURL string `yaml:"redis_url"`
	// Embedder turns text into vectors: "local" (no network, no model download), "openai"
	// (any OpenAI-compatible /v1/embeddings server) or "bedrock" (Titan).
	Embedder string `yaml:"embedder" default:"local"`
	// EmbedderURL is the OpenAI-compatible API root (default OpenAI's, or OPENAI_BASE_URL), or
	// a custom Bedrock endpoint.
	EmbedderURL string `yaml:"embedder_url"`
	// EmbedderModel is the model name (e.g. text-embedding-3-small, nomic-embed-text).
	EmbedderModel string `yaml:"embedder_model"`
	// EmbedderDimensions asks for vectors of this size where the model allows; 0 = its own.
	EmbedderDimensions int `yaml:"embedder_dimensions"`
	// EmbedderKeyEnv names the environment variable holding the embedding API's key.
	EmbedderKeyEnv string `yaml:"embedder_api_key_env" default:"OPENAI_API_KEY"`
	// Region is Bedrock's AWS region ("" = the AWS configuration's).
	Region string `yaml:"region"`
	// Paths are more documents, dictionaries and playbooks to ingest (files or folders,
	// relative to the project), besides those found in the repository.
	Paths []string `yaml:"paths"`
	// Playbooks are markdown files (or folders of them) whose headings and list items are
	// review rules; files named like *playbook* are found without being listed.
	Playbooks []string `yaml:"playbooks"`
	// History ingests what engineers wrote in past commits (columns with their descriptions
	// and tests); HistoryCommits caps how many commits back, newest first.
	History        bool `yaml:"history" default:"true"`
	HistoryCommits int  `yaml:"history_commits" default:"2000"`
}

func (m *Memory) validate() error {
	if err := oneOf("store", m.Store, "embedded", "postgres", "qdrant", "weaviate", "opensearch", "pinecone", "none"); err != nil {
		return err
	}
	if err := oneOf("embedder", m.Embedder, "local", "openai", "bedrock"); err != nil {
		return err
	}
	switch m.Store {
	case "postgres", "qdrant", "weaviate", "opensearch", "pinecone":
		if m.URL == "" {
			return &valueError{Key: "url", Msg: fmt.Sprintf("store %s needs url", m.Store)}
		}
	case "embedded":
		if m.Path == "" {
			return &valueError{Key: "path", Msg: "the embedded store needs a path"}
		}
		for _, part := range strings.Split(filepath.ToSlash(filepath.Clean(m.Path)), "/") {
			if part == ".git" {
				return &valueError{Key: "path", Value: m.Path, Msg: "nothing is written under .git"}
			}
		}
	}
	if m.Embedder == "openai" && m.EmbedderModel == "" {
		return &valueError{Key: "embedder_model", Msg: "embedder openai needs embedder_model"}
	}
	for _, l := range []struct {
		key  string
		list []string
	}{{"paths", m.Paths}, {"playbooks", m.Playbooks}} {
		for i, p := range l.list {
			if filepath.IsAbs(p) || strings.HasPrefix(filepath.ToSlash(filepath.Clean(p)), "../") {
				return &valueError{Key: fmt.Sprintf("%s[%d]", l.key, i), Value: p,
					Msg: fmt.Sprintf("%q is outside the project; give `memory ingest` the path on the command line instead", p)}
			}
		}
	}
	if m.HistoryCommits < 0 {
		return &valueError{Key: "history_commits", Msg: "must not be negative"}
	}
	return nil
}
