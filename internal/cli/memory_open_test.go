package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/secret"
)

func memoryTestEnv(stderr *bytes.Buffer, vars map[string]string) *Env {
	return &Env{Ctx: context.Background(), Stdout: &bytes.Buffer{}, Stderr: stderr,
		Getenv: testGetenv(vars), Secrets: secret.New()}
}

func TestOpenKnowledgeAbsentCreatedCorruptAndReembedded(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	env := memoryTestEnv(&stderr, nil)
	m := config.Default().Memory

	k, err := openKnowledge(env, &m, dir, false)
	if err != nil || k != nil {
		t.Fatalf("no store yet: got %v, %v; want no memory", k, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".dataops")); !os.IsNotExist(err) {
		t.Fatalf("opening without create must not make the store: %v", err)
	}

	k, err = openKnowledge(env, &m, dir, true)
	if err != nil || k == nil {
		t.Fatalf("create: %v", err)
	}
	rec := memory.Record{ID: "a", Kind: memory.KindColumnDoc, Text: "customer_id: the customer who placed the order", Metadata: memory.Metadata{Source: "models/schema.yml", Line: 3}}
	vecs, _ := k.Embedder.Embed(env.Ctx, []string{rec.Text})
	rec.Vector = vecs[0]
	if err := k.Store.Upsert(env.Ctx, []memory.Record{rec}); err != nil {
		t.Fatal(err)
	}
	k.Close()

	// Another embedder dimension: the stored texts are re-embedded, not mixed.
	m2 := m
	m2.EmbedderDimensions = 64
	k, err = openKnowledge(env, &m2, dir, false)
	if err != nil || k == nil {
		t.Fatalf("reopen with another embedder: %v", err)
	}
	st, _ := k.Store.Stats(env.Ctx)
	if st.Records != 1 || st.Dimension != 64 || !strings.Contains(stderr.String(), "re-embedding") {
		t.Errorf("after re-embedding: %+v; stderr %q", st, stderr.String())
	}
	k.Close()

	// A damaged segment: detected, emptied with a warning, flagged for rebuilding.
	segs, _ := filepath.Glob(filepath.Join(dir, ".dataops/memory/*.seg"))
	if len(segs) == 0 {
		t.Fatal("no segment written")
	}
	data, _ := os.ReadFile(segs[0])
	data[len(data)/2] ^= 0xff
	os.WriteFile(segs[0], data, 0o644)
	stderr.Reset()
	k, err = openKnowledge(env, &m2, dir, false)
	if err != nil || k == nil || !k.Rebuilt {
		t.Fatalf("corrupt store: %v %+v", err, k)
	}
	if !strings.Contains(stderr.String(), "rebuilt from its sources") {
		t.Errorf("no clear message: %q", stderr.String())
	}
	k.Close()
}

func TestOpenKnowledgeServerFailsFastWithMaskedURL(t *testing.T) {
	var stderr bytes.Buffer
	env := memoryTestEnv(&stderr, map[string]string{"QDRANT_KEY": "planted-key-123"})
	m := config.Default().Memory
	m.Store, m.URL, m.APIKeyEnv = "qdrant", "http://user:hunter2@127.0.0.1:1", "QDRANT_KEY"
	_, err := openKnowledge(env, &m, t.TempDir(), false)
	if err == nil {
		t.Fatal("an unreachable server must fail")
	}
	if ee, ok := err.(*ExitError); !ok || ee.Code != 2 {
		t.Errorf("want exit 2, got %#v", err)
	}
	if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error must name the server without its password: %v", err)
	}
	if got := env.Secrets.MaskString("planted-key-123"); got == "planted-key-123" {
		t.Error("the API key read from the environment is not masked")
	}
}

func TestOpenWorkflowState(t *testing.T) {
	var stderr bytes.Buffer
	env := memoryTestEnv(&stderr, nil)
	m := config.Default().Memory
	s, err := openWorkflowState(env, &m)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(env.Ctx, "run", "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	s.Close()
	m.RedisURL = "redis://:sekrit@127.0.0.1:1/0?dial_timeout=200ms"
	if _, err := openWorkflowState(env, &m); err == nil || strings.Contains(err.Error(), "sekrit") {
		t.Errorf("unreachable Redis: %v", err)
	}
}
