package stm_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory/stm"
	"github.com/dataops-dev/dataops/internal/memory/stm/stmtest"
	"github.com/redis/go-redis/v9"
)

// redisURL is the server the Redis tests use: DATAOPS_TEST_REDIS_URL when set (it must
// answer), else a throwaway redis-server this test binary starts and stops. redisErr says why
// there is none; the tests then fail with it rather than skip.
var redisURL string
var redisErr error

func TestMain(m *testing.M) {
	stop := setupRedis()
	code := m.Run()
	stop()
	os.Exit(code)
}

func setupRedis() (stop func()) {
	if u := os.Getenv("DATAOPS_TEST_REDIS_URL"); u != "" {
		redisURL = u
		return func() {}
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		redisErr = errors.New("no Redis to test against: set DATAOPS_TEST_REDIS_URL=redis://HOST:PORT/DB, or install redis-server (Debian: apt-get install redis-server) so the test can start one")
		return func() {}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		redisErr = err
		return func() {}
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "dataops-stm-redis")
	if err != nil {
		redisErr = err
		return func() {}
	}
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		redisErr = fmt.Errorf("starting %s: %w", bin, err)
		os.RemoveAll(dir)
		return func() {}
	}
	stop = func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}
	redisURL = fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return stop
		}
	}
	redisErr = fmt.Errorf("%s did not start on port %d: %s", bin, port, out.String())
	return stop
}

func openRedis(t *testing.T) *stm.Redis {
	t.Helper()
	if redisErr != nil {
		t.Fatal(redisErr)
	}
	r, err := stm.NewRedis(context.Background(), redisURL)
	if err != nil {
		t.Fatalf("Redis at DATAOPS_TEST_REDIS_URL or started by the test does not answer: %v", err)
	}
	return r
}

func TestRedisConformance(t *testing.T) {
	stmtest.Run(t, func(t *testing.T) stm.Store { return openRedis(t) })
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	s, err := stm.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*stm.Memory); !ok {
		t.Fatalf("empty URL opened %T", s)
	}
	s.Close()
	if redisErr != nil {
		t.Fatal(redisErr)
	}
	s, err = stm.Open(ctx, redisURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*stm.Redis); !ok {
		t.Fatalf("%s opened %T", redisURL, s)
	}
	s.Close()
	_, err = stm.Open(ctx, "http://user:hunter2@example.com/")
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "not a Redis URL") {
		t.Fatalf("http URL: %v", err)
	}
}

// An unreachable server fails at once, naming the URL without its password.
func TestRedisUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = stm.NewRedis(context.Background(), "redis://worker:s3cret-pw@"+addr+"/0")
	if err == nil {
		t.Fatal("connected to a closed port")
	}
	msg := err.Error()
	if strings.Contains(msg, "s3cret-pw") || !strings.Contains(msg, "redis://worker:xxxxx@"+addr+"/0") {
		t.Fatalf("error must name the masked URL and not the password: %s", msg)
	}
}

// A server that accepts connections and never answers must not hang the caller: the read
// timeout ends the attempt.
func TestRedisSilentServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	done := make(chan error, 1)
	go func() {
		_, err := stm.NewRedis(context.Background(), "redis://:pw@"+l.Addr().String()+"/0")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || strings.Contains(err.Error(), ":pw@") {
			t.Fatalf("silent server: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("NewRedis hung on a server that never answers")
	}
}

func TestRedisBadURL(t *testing.T) {
	for _, u := range []string{"redis://user:p@ss word@host:6379/0", "redis://:pw@host:6379/notadb", "redis://:pw@host:6379/0?bogus=1"} {
		_, err := stm.NewRedis(context.Background(), u)
		if err == nil {
			t.Errorf("%s: no error", u)
			continue
		}
		if strings.Contains(err.Error(), "pw@") || strings.Contains(err.Error(), "p@ss") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

func TestMaskURL(t *testing.T) {
	for in, want := range map[string]string{
		"redis://:secret@h:6379/0":      "redis://:xxxxx@h:6379/0",
		"rediss://user:secret@h:6380/1": "rediss://user:xxxxx@h:6380/1",
		"redis://h:6379":                "redis://h:6379",
		"redis://u:p w@h\x7f":           "(unparsable URL)",
	} {
		if got := stm.MaskURL(in); got != want {
			t.Errorf("MaskURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// The run's key set lives as long as its longest-lived key, so an abandoned run leaves nothing
// behind, and a key without ttl keeps the set (and so Clear's reach) forever.
func TestRedisRunSetExpiry(t *testing.T) {
	s := openRedis(t)
	defer s.Close()
	opt, _ := redis.ParseURL(redisURL)
	raw := redis.NewClient(opt)
	defer raw.Close()
	ctx := context.Background()
	run := fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
	set := "dataops:stm:" + run

	s.Set(ctx, run, "a", []byte("1"), 200*time.Millisecond)
	s.Set(ctx, run, "b", []byte("1"), 50*time.Millisecond) // shorter: must not shorten the set's life
	if ttl := raw.PTTL(ctx, set).Val(); ttl < 100*time.Millisecond {
		t.Fatalf("run set ttl %v, want about 200ms", ttl)
	}
	time.Sleep(400 * time.Millisecond)
	if n := raw.Exists(ctx, set).Val(); n != 0 {
		t.Fatal("the key set of an abandoned run outlived its keys")
	}

	s.Set(ctx, run, "forever", []byte("1"), 0)
	s.Set(ctx, run, "short", []byte("1"), time.Minute)
	if ttl := raw.PTTL(ctx, set).Val(); ttl != -1 {
		t.Fatalf("run set ttl %v with a key without ttl, want none (-1)", ttl)
	}
	s.Clear(ctx, run)
	if n := raw.Exists(ctx, set, "dataops:stm:"+run+":forever", "dataops:stm:"+run+":short").Val(); n != 0 {
		t.Fatalf("%d keys left after Clear", n)
	}
}
