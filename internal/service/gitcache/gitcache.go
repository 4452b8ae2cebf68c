// Package gitcache keeps one bare clone per repository and checks commits out into scratch
// worktrees, with the git binary. The installation token reaches git through environment
// configuration (an http.extraHeader), never through a URL or an argument that could be
// logged or seen in a process list.
package gitcache

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Cache is a folder of bare clones.
type Cache struct {
	Dir string
	mu  sync.Map // repository → *sync.Mutex: fetches and worktree changes of one clone in turn
}

func (c *Cache) lock(key string) func() {
	m, _ := c.mu.LoadOrStore(key, &sync.Mutex{})
	m.(*sync.Mutex).Lock()
	return m.(*sync.Mutex).Unlock
}

func (c *Cache) git(ctx context.Context, token string, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1")
	if token != "" {
		basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
		cmd.Env = append(cmd.Env, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.extraHeader", "GIT_CONFIG_VALUE_0=Authorization: Basic "+basic)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if token != "" {
			msg = strings.ReplaceAll(msg, token, "***")
		}
		return fmt.Errorf("git %s: %v: %s", args[0], err, msg)
	}
	return nil
}

// Checkout fetches shas from cloneURL into the repository's bare clone and checks the first
// out into a new worktree under scratch; done removes the worktree.
func (c *Cache) Checkout(ctx context.Context, owner, repo, cloneURL, token, scratch string, shas ...string) (dir string, done func(), err error) {
	key := owner + "/" + repo
	bare := filepath.Join(c.Dir, owner, repo+".git")
	unlock := c.lock(key)
	defer unlock()
	if _, err := os.Stat(bare); err != nil {
		if err := os.MkdirAll(filepath.Dir(bare), 0o755); err != nil {
			return "", nil, err
		}
		if err := c.git(ctx, "", "init", "--bare", "-q", bare); err != nil {
			return "", nil, err
		}
	}
	args := append([]string{"--git-dir", bare, "fetch", "-q", "--no-tags", cloneURL}, shas...)
	if err := c.git(ctx, token, args...); err != nil {
		return "", nil, err
	}
	if err := c.git(ctx, "", "--git-dir", bare, "worktree", "add", "-q", "--detach", scratch, shas[0]); err != nil {
		return "", nil, err
	}
	return scratch, func() {
		unlock := c.lock(key)
		defer unlock()
		c.git(context.Background(), "", "--git-dir", bare, "worktree", "remove", "--force", scratch)
		os.RemoveAll(scratch)
	}, nil
}
