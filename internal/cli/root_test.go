package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer is a buffer the command and the signal handler may write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// slowShop is examples/shop with a model whose render loops a billion times.
func slowShop(t *testing.T) string {
	dir := t.TempDir()
	tree := shopTree(t)
	tree["models/slow.sql"] = "{% set s = 'x' * 1000 %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}select 1 as id\n"
	writeTree(t, dir, tree)
	return dir
}

func TestSignalCancelsTheCommand(t *testing.T) {
	dir := slowShop(t)
	sigs := make(chan os.Signal, 2)
	sigs <- syscall.SIGTERM
	var stdout, stderr lockedBuffer
	code := RunInterruptible([]string{"parse", "--project", dir}, strings.NewReader(""), &stdout, &stderr, sigs, time.Hour,
		func(code int) { t.Errorf("exit(%d) called: the command should have stopped on its own", code) })
	if code != 143 {
		t.Errorf("exit code %d, want 143 (128+SIGTERM); stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "dataops: SIGTERM: stopping") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	dir := slowShop(t)
	sigs := make(chan os.Signal, 2)
	sigs <- syscall.SIGTERM
	sigs <- os.Interrupt
	exited := make(chan int, 1)
	var stdout, stderr lockedBuffer
	RunInterruptible([]string{"parse", "--project", dir}, strings.NewReader(""), &stdout, &stderr, sigs, time.Hour,
		func(code int) { exited <- code })
	select {
	case code := <-exited:
		if code != 130 {
			t.Errorf("exit(%d), want 130 (128+SIGINT, the second signal)", code)
		}
	default:
		t.Errorf("a second signal must exit at once; stderr:\n%s", stderr.String())
	}
}

func TestNoSignalKeepsTheCommandsCode(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	var stdout, stderr lockedBuffer
	code := RunInterruptible([]string{"parse", "--project", "../../examples/shop"}, strings.NewReader(""), &stdout, &stderr, sigs, time.Hour,
		func(code int) { t.Errorf("exit(%d)", code) })
	if code != ExitOK || stderr.String() != "" {
		t.Errorf("code %d, stderr:\n%s", code, stderr.String())
	}
}

func TestRenderTimeSetting(t *testing.T) {
	env := &Env{Getenv: func(k string) string {
		if k == "DATAOPS_LIMITS_RENDER_TIME" {
			return "5s"
		}
		return ""
	}}
	if got := env.renderBudget("../../examples/shop").Time(); got != 5*time.Second {
		t.Errorf("budget %s, want the environment's 5s", got)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{".dataops.yml": "limits:\n  render_time: 90s\n"})
	env = &Env{Getenv: testGetenv(nil)}
	if got := env.renderBudget(dir).Time(); got != 90*time.Second {
		t.Errorf("budget %s, want the settings file's 90s", got)
	}
	writeTree(t, dir, map[string]string{".dataops.yml": "limits:\n  render_time: 100h\n"})
	env = &Env{Getenv: testGetenv(nil)}
	if got := env.renderBudget(dir).Time(); got != time.Minute {
		t.Errorf("budget %s: a render time over the cap must not be taken (the default is)", got)
	}
}

// TestInterruptedRunSaysSo: a review stopped while git still reads the base (the shape of a real
// Ctrl-C, which printed "git cat-file: EOF") says it was interrupted, not what broke.
func TestInterruptedRunSaysSo(t *testing.T) {
	_, proj := monorepo(t, nil)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupted by SIGINT"))
	var out, errb bytes.Buffer
	code := RunEnv(&Env{Ctx: ctx, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: testGetenv(nil)},
		[]string{"review", "--project", proj, "--base", "HEAD", "--no-history"})
	msg := errb.String()
	if code == ExitOK || msg != "dataops: interrupted by SIGINT; the run did not finish\n" {
		t.Errorf("exit %d, stderr %q: want one line saying the run was interrupted", code, msg)
	}
}
