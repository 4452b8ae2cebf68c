package cli

import (
	"os"
	"testing"
)

// TestMain points the cache of every command run with the process's environment at a scratch
// folder: tests that run commands on examples/shop in place would otherwise leave a cache in
// the repository's example project.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dataops-cli-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("DATAOPS_CACHE_DIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testGetenv is a command's environment in a test: vars, and besides them only the scratch
// cache folder TestMain chose.
func testGetenv(vars map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		if k == "DATAOPS_CACHE_DIR" {
			return os.Getenv(k)
		}
		return ""
	}
}
