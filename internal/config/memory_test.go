package config

import (
	"strings"
	"testing"
)

func TestMemoryDefaultsAndRedisAlias(t *testing.T) {
	c, err := Load(Options{Dir: t.TempDir(), Getenv: env(map[string]string{"DATAOPS_REDIS_URL": "redis://127.0.0.1:6379/0"})})
	if err != nil {
		t.Fatal(err)
	}
	m := c.Memory
	if m.Store != "embedded" || m.Path != ".dataops/memory" || m.Embedder != "local" || !m.History || m.HistoryCommits != 2000 {
		t.Errorf("memory defaults: %+v", m)
	}
	if m.RedisURL != "redis://127.0.0.1:6379/0" {
		t.Errorf("DATAOPS_REDIS_URL not applied: %q", m.RedisURL)
	}
	c, err = Load(Options{Dir: t.TempDir(), Getenv: env(map[string]string{
		"DATAOPS_REDIS_URL": "redis://short", "DATAOPS_MEMORY_REDIS_URL": "redis://long"})})
	if err != nil {
		t.Fatal(err)
	}
	if c.Memory.RedisURL != "redis://long" {
		t.Errorf("the section's own variable must win: %q", c.Memory.RedisURL)
	}
}

func TestMemoryBadSettingsNameTheirLine(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"memory:\n  store: mongo\n", `memory.store: "mongo" is not one of`},
		{"memory:\n  store: qdrant\n", "store qdrant needs url"},
		{"memory:\n  embedder: openai\n", "embedder openai needs embedder_model"},
		{"memory:\n  paths:\n    - docs\n    - ../secrets\n", `.dataops.yml:4:7: memory.paths[1]: "../secrets" is outside the project`},
		{"memory:\n  playbooks: [/etc/passwd]\n", `memory.playbooks[0]: "/etc/passwd" is outside the project`},
		{"memory:\n  path: .git/memory\n", "nothing is written under .git"},
	} {
		dir := t.TempDir()
		write(t, dir, FileName, tc.body)
		_, err := Load(Options{Dir: dir, Getenv: env(nil)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.body, err, tc.want)
		}
	}
}
