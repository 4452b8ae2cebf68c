package stm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the Store shared by workers on several machines. Keys are namespaced
// dataops:stm:<run>:<key> (a ':' or '%' in the run name is percent-escaped, so two runs never
// share a key), and each run keeps the set of its keys in dataops:stm:<run>, so Clear costs the
// keys of that run, never a scan of the server. Locks (dataops:lock:<name>) and idempotency
// keys (dataops:once:<key>) are SET NX PX; a lock is released by a compare-and-delete script,
// so a holder whose lock expired cannot release the next holder's.
type Redis struct {
	client *redis.Client
	url    string // credentials masked, for errors
}

// Timeouts applied when the URL does not set its own (dial_timeout, read_timeout,
// write_timeout): a Redis that does not answer fails the command within seconds, never hangs it.
const (
	redisDialTimeout = 2 * time.Second
	redisIOTimeout   = 2 * time.Second
)

// NewRedis connects to the Redis at rawURL (redis://, rediss:// or unix://) and checks that it
// answers. Its errors name the URL with the password masked.
func NewRedis(ctx context.Context, rawURL string) (*Redis, error) {
	quietOnce.Do(func() { redis.SetLogger(quiet{}) })
	masked := MaskURL(rawURL)
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("stm: Redis URL %s: %w", masked, stripURL(err, rawURL))
	}
	if opt.DialTimeout == 0 {
		opt.DialTimeout = redisDialTimeout
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = redisIOTimeout
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = redisIOTimeout
	}
	if opt.MaxRetries == 0 {
		opt.MaxRetries = 1
	}
	opt.DialerRetries = 1
	opt.ContextTimeoutEnabled = true
	// Debian's Redis 7.0 predates CLIENT SETINFO; skipping it saves a failing round trip.
	opt.DisableIdentity = true
	r := &Redis{client: redis.NewClient(opt), url: masked}
	pctx, cancel := context.WithTimeout(ctx, opt.DialTimeout+opt.ReadTimeout)
	defer cancel()
	if err := r.client.Ping(pctx).Err(); err != nil {
		r.client.Close()
		return nil, r.wrap(err)
	}
	return r, nil
}

// quiet drops go-redis's own log lines (dial failures, pool state): every failure also comes
// back as an error that names the URL, and a CLI must not print the same failure twice, or a
// URL unmasked.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

var quietOnce sync.Once

func (r *Redis) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("stm: Redis %s: %w", r.url, err)
}

const redisPrefix = "dataops:stm:"

func runSetKey(run string) string { return redisPrefix + escapeRun(run) }

func dataKey(run, key string) string { return redisPrefix + escapeRun(run) + ":" + key }

var runEscaper = strings.NewReplacer("%", "%25", ":", "%3A")

func escapeRun(run string) string { return runEscaper.Replace(run) }

// setScript stores a value and records it in its run's key set. The set lives as long as the
// longest-lived key it names (forever once a key without ttl joins), so an abandoned run
// disappears by itself and Clear still finds every key that may be alive.
var setScript = redis.NewScript(`
local ttl = tonumber(ARGV[2])
local existed = redis.call('EXISTS', KEYS[2]) == 1
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('SADD', KEYS[2], KEYS[1])
if ttl == 0 then
  redis.call('PERSIST', KEYS[2])
else
  local cur = redis.call('PTTL', KEYS[2])
  if not existed or (cur >= 0 and cur < ttl) then
    redis.call('PEXPIRE', KEYS[2], ttl)
  end
end
return 1
`)

// unlockScript deletes the lock only if it still holds the caller's token.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// millis rounds a positive ttl up to Redis's millisecond resolution (PX 0 is an error).
func millis(ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	return max(1, (ttl + time.Millisecond - 1).Milliseconds())
}

func (r *Redis) Set(ctx context.Context, run, key string, value []byte, ttl time.Duration) error {
	err := setScript.Run(ctx, r.client, []string{dataKey(run, key), runSetKey(run)}, value, millis(ttl)).Err()
	return r.wrap(err)
}

func (r *Redis) Get(ctx context.Context, run, key string) ([]byte, error) {
	v, err := r.client.Get(ctx, dataKey(run, key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	return v, r.wrap(err)
}

func (r *Redis) Delete(ctx context.Context, run, key string) error {
	k := dataKey(run, key)
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, k)
		p.SRem(ctx, runSetKey(run), k)
		return nil
	})
	return r.wrap(err)
}

func (r *Redis) Lock(ctx context.Context, name string, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", errLockTTL
	}
	token, err := newToken()
	if err != nil {
		return "", err
	}
	ok, err := r.client.SetNX(ctx, "dataops:lock:"+name, token, time.Duration(millis(ttl))*time.Millisecond).Result()
	if err != nil {
		return "", r.wrap(err)
	}
	if !ok {
		return "", ErrLocked
	}
	return token, nil
}

func (r *Redis) Unlock(ctx context.Context, name, token string) (bool, error) {
	n, err := unlockScript.Run(ctx, r.client, []string{"dataops:lock:" + name}, token).Int()
	if err != nil {
		return false, r.wrap(err)
	}
	return n == 1, nil
}

func (r *Redis) Once(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	first, err := r.client.SetNX(ctx, "dataops:once:"+key, 1, time.Duration(millis(ttl))*time.Millisecond).Result()
	return first, r.wrap(err)
}

// clearBatch bounds one DEL: large enough to take few round trips, small enough not to
// block the server on a huge run.
const clearBatch = 500

func (r *Redis) Clear(ctx context.Context, run string) error {
	set := runSetKey(run)
	var cursor uint64
	for {
		keys, next, err := r.client.SScan(ctx, set, cursor, "", clearBatch).Result()
		if err != nil {
			return r.wrap(err)
		}
		if len(keys) > 0 {
			if err := r.client.Del(ctx, keys...).Err(); err != nil {
				return r.wrap(err)
			}
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	return r.wrap(r.client.Del(ctx, set).Err())
}

func (r *Redis) Close() error { return r.client.Close() }

// MaskURL returns rawURL with its password replaced by "xxxxx", for messages and logs; a URL
// that does not parse is not echoed at all, since it may hold a password in a form we cannot
// find.
func MaskURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// stripURL keeps a parse error from quoting the URL, password and all.
func stripURL(err error, rawURL string) error {
	if rawURL != "" && strings.Contains(err.Error(), rawURL) {
		return errors.New(strings.ReplaceAll(err.Error(), rawURL, MaskURL(rawURL)))
	}
	return err
}

// Open returns the Store for a URL: the in-process store when it is empty, Redis for
// redis://, rediss:// and unix:// URLs.
func Open(ctx context.Context, rawURL string) (Store, error) {
	switch {
	case rawURL == "":
		return NewMemory(), nil
	case strings.HasPrefix(rawURL, "redis://"), strings.HasPrefix(rawURL, "rediss://"), strings.HasPrefix(rawURL, "unix://"):
		return NewRedis(ctx, rawURL)
	}
	return nil, fmt.Errorf("stm: %s: not a Redis URL (redis://, rediss:// or unix://)", MaskURL(rawURL))
}
