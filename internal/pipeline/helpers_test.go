package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// writeProject writes files (slash-separated names) to a fresh directory.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadProject writes files (slash-separated names) to a fresh directory and loads it.
func loadProject(t *testing.T, files map[string]string) *dbt.Project {
	t.Helper()
	dir := writeProject(t, files)
	p, err := dbt.Load(context.Background(), dbt.LoadOptions{Dir: dir, Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
