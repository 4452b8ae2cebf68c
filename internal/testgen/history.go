package testgen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// History is what the git history of property files says about tests: tests added to a
// column that already existed (a fix after the fact: strong evidence the team wants them)
// and tests removed from a column that stayed (a pattern the team rejected).
type History struct {
	Added   map[string]int // column \0 test
	Removed map[string]int
}

var (
	nameLine = lazyregexp.New(`^\s*-\s*name:\s*["']?([A-Za-z0-9_]+)["']?\s*$`)
	testLine = lazyregexp.New(`^\s*-\s*["']?(?:[a-z_]+\.)?(not_null|unique|accepted_values|relationships)["']?\s*:?\s*(\{.*)?$`)
)

// MineHistory reads the last commits that touched property files under dir. It returns nil
// when dir is not in a git work tree or git is missing; it never changes the repository.
func MineHistory(ctx context.Context, dir string, commits int) *History {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "log", "-p", "--no-merges", "--no-color", "--no-ext-diff", "-U8",
		fmt.Sprintf("-n%d", commits), "--format=commit %H", "--", "*.yml", "*.yaml")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	return parseHistory(out)
}

// parseHistory reads `git log -p` output. Within a hunk, the last `- name:` line seen says
// which column a test line belongs to; whether that name line was itself added tells a new
// column (its tests are not "added later") from an existing one.
func parseHistory(out []byte) *History {
	h := &History{Added: map[string]int{}, Removed: map[string]int{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	col, colChanged := "", false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "@@") || strings.HasPrefix(line, "diff ") || strings.HasPrefix(line, "commit ") {
			col, colChanged = "", false
			continue
		}
		if line == "" || strings.HasPrefix(line, "+++") || strings.HasPrefix(line, "---") {
			continue
		}
		mark, body := line[0], line[1:]
		if m := nameLine.FindStringSubmatch(body); m != nil {
			col, colChanged = strings.ToLower(m[1]), mark != ' '
			continue
		}
		if col == "" || colChanged || mark == ' ' {
			continue
		}
		if m := testLine.FindStringSubmatch(body); m != nil {
			key := col + "\x00" + m[1]
			if mark == '+' {
				h.Added[key]++
			} else if mark == '-' {
				h.Removed[key]++
			}
		}
	}
	return h
}

// adjust weighs an estimate by the history of the same test on columns of the same name.
func (h *History) adjust(col, test string, est float64) (float64, string) {
	if h == nil {
		return est, ""
	}
	key := col + "\x00" + test
	a, r := h.Added[key], h.Removed[key]
	switch {
	case r > a:
		return est * 0.5, fmt.Sprintf("%s was removed from %s columns %d time(s) in this repository's history", test, col, r)
	case a > r:
		return est + (1-est)*0.3, fmt.Sprintf("%s was added to existing %s columns %d time(s) in this repository's history", test, col, a)
	}
	return est, ""
}
