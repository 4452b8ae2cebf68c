package cli

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/embed/bedrock"
	"github.com/dataops-dev/dataops/internal/memory/embed/openai"
	"github.com/dataops-dev/dataops/internal/memory/embedded"
	"github.com/dataops-dev/dataops/internal/memory/opensearch"
	"github.com/dataops-dev/dataops/internal/memory/pgstore"
	"github.com/dataops-dev/dataops/internal/memory/pinecone"
	"github.com/dataops-dev/dataops/internal/memory/qdrant"
	"github.com/dataops-dev/dataops/internal/memory/remote"
	"github.com/dataops-dev/dataops/internal/memory/stm"
	"github.com/dataops-dev/dataops/internal/memory/weaviate"
)

// knowledge is the project's long-term memory as one command sees it.
type knowledge struct {
	Store    memory.Store
	Embedder memory.Embedder
	// Where names the store for messages: the embedded store's directory relative to the
	// project, or the server's URL with credentials masked.
	Where string
	// Dir is the embedded store's directory ("" for the other stores).
	Dir string
	// Rebuilt says the store was found corrupt and emptied: its sources must be ingested again.
	Rebuilt bool
}

// Close releases the store.
func (k *knowledge) Close() error {
	if k == nil || k.Store == nil {
		return nil
	}
	return k.Store.Close()
}

// openKnowledge opens the long-term store the settings name. Without create, an embedded
// store that was never made is no memory at all (nil, nil): every command then behaves as it
// does without memory. A store of another embedder is re-embedded (embedded) or refused with
// the remedy (servers), never mixed; a corrupt embedded store is emptied, with a warning, to be
// rebuilt from its sources. Errors are usage errors (exit 2) naming the store.
func openKnowledge(env *Env, m *config.Memory, projectDir string, create bool) (*knowledge, error) {
	if m.Store == "none" {
		return nil, nil
	}
	k := &knowledge{}
	if m.Store == "embedded" {
		k.Dir = knowledgeDir(m, projectDir)
		k.Where = m.Path
		if _, err := os.Stat(filepath.Join(k.Dir, "MANIFEST")); err != nil && !create {
			if _, err := os.Stat(k.Dir); err != nil {
				return nil, nil
			}
		}
	}
	emb, err := openEmbedder(env, m)
	if err != nil {
		return nil, err
	}
	k.Embedder = emb
	ctx := env.Ctx
	switch m.Store {
	case "embedded":
		s, err := embedded.Open(ctx, k.Dir, emb)
		if err == nil && s.UpgradedFrom() != 0 {
			fmt.Fprintf(env.Stderr, "dataops: %s: memory store upgraded from format %d to the current one, records kept\n", k.Where, s.UpgradedFrom())
		}
		if errors.Is(err, memory.ErrEmbedderMismatch) {
			fmt.Fprintf(env.Stderr, "dataops: %s: %v; re-embedding the stored texts with %s\n", k.Where, err, emb.Name())
			if err = embedded.Reembed(ctx, k.Dir, emb); err == nil {
				s, err = embedded.Open(ctx, k.Dir, emb)
			}
		}
		if errors.Is(err, memory.ErrCorrupt) {
			fmt.Fprintf(env.Stderr, "dataops: warning: %v; the memory store is emptied and will be rebuilt from its sources (dataops memory ingest)\n", err)
			if err = embedded.Reset(ctx, k.Dir); err == nil {
				// What ingestion noted it had written is gone with the records.
				os.Remove(filepath.Join(k.Dir, ingestStateName))
				k.Rebuilt = true
				s, err = embedded.Open(ctx, k.Dir, emb)
			}
		}
		if err != nil {
			return nil, usageError("memory store %s: %v", k.Where, err)
		}
		k.Store = s
	default:
		k.Where = remote.MaskURL(m.URL)
		s, err := openServerStore(env, m, emb)
		if errors.Is(err, memory.ErrEmbedderMismatch) {
			return nil, usageError("memory store %s: %v; point memory.collection at a new one and run dataops memory ingest, or use the store's embedder", k.Where, err)
		}
		if err != nil {
			return nil, usageError("memory store %s: %v", k.Where, err)
		}
		k.Store = s
	}
	return k, nil
}

// knowledgeDir is the embedded store's directory the settings name ("" for a server store).
func knowledgeDir(m *config.Memory, projectDir string) string {
	if m.Store != "embedded" {
		return ""
	}
	if filepath.IsAbs(m.Path) {
		return m.Path
	}
	return filepath.Join(projectDir, m.Path)
}

func openServerStore(env *Env, m *config.Memory, emb memory.Embedder) (memory.Store, error) {
	key := secretFromEnv(env, m.APIKeyEnv)
	name, dim := emb.Name(), emb.Dimension()
	switch m.Store {
	case "postgres":
		maskURLPassword(env, m.URL)
		return pgstore.Open(env.Ctx, m.URL, pgstore.Options{Schema: m.Collection, Embedder: name, Dimension: dim})
	case "qdrant":
		return qdrant.Open(env.Ctx, qdrant.Config{URL: m.URL, APIKey: key, Collection: m.Collection, Embedder: name, Dimension: dim})
	case "weaviate":
		return weaviate.Open(env.Ctx, weaviate.Config{URL: m.URL, APIKey: key, Class: m.Collection, Embedder: name, Dimension: dim})
	case "opensearch":
		return opensearch.Open(env.Ctx, opensearch.Config{URL: m.URL, Password: key, Index: m.Collection, Embedder: name, Dimension: dim})
	case "pinecone":
		return pinecone.Open(env.Ctx, pinecone.Config{IndexHost: m.URL, APIKey: key, Namespace: m.Collection, Embedder: name, Dimension: dim})
	}
	return nil, fmt.Errorf("unknown store %q", m.Store)
}

// openEmbedder makes the embedder the settings name; the local one needs nothing.
func openEmbedder(env *Env, m *config.Memory) (memory.Embedder, error) {
	switch m.Embedder {
	case "openai":
		cfg := openai.Config{BaseURL: m.EmbedderURL, APIKey: secretFromEnv(env, m.EmbedderKeyEnv), Model: m.EmbedderModel, Dimensions: m.EmbedderDimensions}
		if cfg.BaseURL == "" {
			cfg.BaseURL = env.Getenv("OPENAI_BASE_URL")
		}
		e, err := openai.New(env.Ctx, cfg)
		if err != nil {
			return nil, usageError("memory embedder: %v", err)
		}
		return e, nil
	case "bedrock":
		e, err := bedrock.New(env.Ctx, bedrock.Config{Region: m.Region, Model: m.EmbedderModel, Dimensions: m.EmbedderDimensions, Endpoint: m.EmbedderURL})
		if err != nil {
			return nil, usageError("memory embedder: %v", err)
		}
		return e, nil
	}
	if m.EmbedderDimensions > 0 {
		return memory.NewLocalEmbedderDim(m.EmbedderDimensions), nil
	}
	return memory.NewLocalEmbedder(), nil
}

// secretFromEnv reads a credential from the variable the settings name and masks its value in
// everything the run writes.
func secretFromEnv(env *Env, name string) string {
	if name == "" {
		return ""
	}
	v := env.Getenv(name)
	if v != "" {
		env.Secrets.Add(v)
	}
	return v
}

// maskURLPassword masks the password a server URL carries in everything the run writes.
func maskURLPassword(env *Env, raw string) {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			env.Secrets.Add(p)
		}
	}
}

// openWorkflowState opens the short-term store of one run: Redis when memory.redis_url (or
// DATAOPS_REDIS_URL) is set, else the process's own.
func openWorkflowState(env *Env, m *config.Memory) (stm.Store, error) {
	maskURLPassword(env, m.RedisURL)
	s, err := stm.Open(env.Ctx, m.RedisURL)
	if err != nil {
		return nil, usageError("short-term memory: %v", err)
	}
	return s, nil
}
