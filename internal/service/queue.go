package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Job kinds.
const (
	KindReview = "review"
	KindApply  = "apply"
)

// Job is one unit of work on one pull request.
type Job struct {
	ID           string `json:"id"`
	Kind         string `json:"kind"`
	Owner        string `json:"owner"`
	Repo         string `json:"repo"`
	PR           int    `json:"pr"`
	HeadSHA      string `json:"head_sha,omitempty"` // empty: resolved when the job runs
	BaseSHA      string `json:"base_sha,omitempty"`
	CloneURL     string `json:"clone_url,omitempty"`
	Installation int64  `json:"installation"`
	Delivery     string `json:"delivery"`
	Actor        string `json:"actor,omitempty"` // the commenter of a command
	// Force runs a review again for a head already reviewed (a command, a re-run check).
	Force bool `json:"force,omitempty"`
	// Updated is the pull request's updated_at in the event that made the job: GitHub does
	// not deliver in order, and an older push must not pass for the newest.
	Updated  time.Time `json:"updated,omitempty"`
	Enqueued time.Time `json:"enqueued"`
}

// PRKey names the pull request: owner/repo#n.
func (j *Job) PRKey() string { return fmt.Sprintf("%s/%s#%d", j.Owner, j.Repo, j.PR) }

// Key is the job's identity: a review is one per (repository, PR, head); a command has its
// delivery's.
func (j *Job) Key() string {
	if j.Kind == KindReview && j.HeadSHA != "" && !j.Force {
		return j.PRKey() + "@" + j.HeadSHA
	}
	return j.Kind + ":" + j.Delivery
}

// Queue is the Redis side of the service. Keys live under Prefix.
type Queue struct {
	R      *redis.Client
	Prefix string // "dataops:svc:" by default
	// KeyTTL is how long delivery ids and job keys are remembered (GitHub redelivers for
	// three days).
	KeyTTL time.Duration
}

const group = "workers"

// NewQueue connects to the Redis at url with go-redis's reconnecting client and the stm
// package's conventions (bounded timeouts, no client identity round trip).
func NewQueue(ctx context.Context, url string) (*Queue, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, errors.New("service: the Redis URL does not parse")
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = 2*time.Second, 3*time.Second, 3*time.Second
	opt.DisableIdentity = true
	opt.ContextTimeoutEnabled = true
	q := &Queue{R: redis.NewClient(opt)}
	q.defaults()
	if err := q.Init(ctx); err != nil {
		q.R.Close()
		return nil, err
	}
	return q, nil
}

func (q *Queue) defaults() {
	if q.Prefix == "" {
		q.Prefix = "dataops:svc:"
	}
	if q.KeyTTL == 0 {
		q.KeyTTL = 72 * time.Hour
	}
}

func (q *Queue) k(parts ...string) string { q.defaults(); return q.Prefix + strings.Join(parts, ":") }

// Stream is the jobs stream; Dead the dead letters.
func (q *Queue) Stream() string { return q.k("jobs") }
func (q *Queue) Dead() string   { return q.k("dead") }

// Init creates the consumer group (idempotent).
func (q *Queue) Init(ctx context.Context) error {
	err := q.R.XGroupCreateMkStream(ctx, q.Stream(), group, "0").Err()
	if err != nil && !strings.Contains(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("service: creating the consumer group: %w", err)
	}
	return nil
}

// Seen records a delivery id; false means it was seen before (a replay or redelivery of one
// already accepted).
func (q *Queue) Seen(ctx context.Context, delivery string) (first bool, err error) {
	return q.R.SetNX(ctx, q.k("delivery", delivery), 1, q.KeyTTL).Result()
}

// Forget drops a delivery id, so a delivery that could not be enqueued is accepted when
// GitHub or the redelivery schedule sends it again.
func (q *Queue) Forget(ctx context.Context, delivery string) error {
	return q.R.Del(ctx, q.k("delivery", delivery)).Err()
}

// enqueueScript refuses a review older than the pull request's newest (by the event's
// updated_at, when both have one), claims the job key, records the head as the newest and
// adds the job, all or nothing. Returns 1 when enqueued, 0 for a job key already claimed, 2
// for a stale head.
var enqueueScript = redis.NewScript(`
if ARGV[1] ~= '' then
  local at = tonumber(ARGV[6])
  if at > 0 then
    local newest = tonumber(redis.call('HGET', KEYS[4], ARGV[4]) or '0')
    if newest > at then
      return 2
    end
  end
  if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) == false then
    return 0
  end
  redis.call('HSET', KEYS[2], ARGV[4], ARGV[1])
  if at > 0 then
    redis.call('HSET', KEYS[4], ARGV[4], ARGV[6])
  end
end
redis.call('XADD', KEYS[3], '*', 'job', ARGV[5])
return 1
`)

// Enqueue outcomes.
const (
	Enqueued  = "enqueued"
	Duplicate = "duplicate" // the job key was claimed before
	Stale     = "stale"     // a newer head of the pull request was delivered before
)

// Enqueue adds a job unless its key was claimed before; a review's head becomes the pull
// request's newest, which supersedes older heads' jobs.
func (q *Queue) Enqueue(ctx context.Context, j *Job) (bool, error) {
	out, err := q.Add(ctx, j)
	return out == Enqueued, err
}

// Add is Enqueue telling a duplicate from a stale head.
func (q *Queue) Add(ctx context.Context, j *Job) (string, error) {
	if j.Enqueued.IsZero() {
		j.Enqueued = time.Now()
	}
	b, _ := json.Marshal(j)
	head := ""
	if j.Kind == KindReview {
		head = j.HeadSHA
	}
	var at int64
	if !j.Updated.IsZero() {
		at = j.Updated.UnixMilli()
	}
	n, err := enqueueScript.Run(ctx, q.R, []string{q.k("job", j.Key()), q.k("head"), q.Stream(), q.k("head", "at")},
		head, j.ID, q.KeyTTL.Milliseconds(), j.PRKey(), string(b), at).Int()
	if err != nil {
		return "", fmt.Errorf("service: enqueue: %w", err)
	}
	return [...]string{Duplicate, Enqueued, Stale}[n], nil
}

// Head is the newest head enqueued for the pull request ("" when none).
func (q *Queue) Head(ctx context.Context, prKey string) (string, error) {
	v, err := q.R.HGet(ctx, q.k("head"), prKey).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return v, err
}

// SetHead records a head learnt when a job ran (a command's job resolves it then).
func (q *Queue) SetHead(ctx context.Context, prKey, sha string) error {
	return q.R.HSet(ctx, q.k("head"), prKey, sha).Err()
}

// Installation records an installation event: a deleted or suspended installation's jobs are
// dropped when a worker takes them; created or unsuspended takes it back.
func (q *Queue) Installation(ctx context.Context, id int64, action string, at time.Time) error {
	key := strconv.FormatInt(id, 10)
	_, err := q.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, q.k("installations"), key, action+" "+at.UTC().Format(time.RFC3339))
		switch action {
		case "deleted", "suspend":
			p.SAdd(ctx, q.k("installations", "gone"), key)
		case "created", "unsuspend", "new_permissions_accepted":
			p.SRem(ctx, q.k("installations", "gone"), key)
		}
		return nil
	})
	return err
}

// InstallationGone says whether the installation was deleted or suspended.
func (q *Queue) InstallationGone(ctx context.Context, id int64) (bool, error) {
	return q.R.SIsMember(ctx, q.k("installations", "gone"), strconv.FormatInt(id, 10)).Result()
}

// Installations returns the last recorded event of each installation: id → "action time".
func (q *Queue) Installations(ctx context.Context) (map[string]string, error) {
	return q.R.HGetAll(ctx, q.k("installations")).Result()
}

// Message is a job read from the stream.
type Message struct {
	ID  string // stream entry id
	Job Job
}

func decode(msgs []redis.XMessage) []Message {
	var out []Message
	for _, m := range msgs {
		var j Job
		s, _ := m.Values["job"].(string)
		if json.Unmarshal([]byte(s), &j) != nil {
			// Not ours to understand: keep it visible as a dead letter with an empty job.
			j = Job{ID: "malformed-" + m.ID}
		}
		out = append(out, Message{ID: m.ID, Job: j})
	}
	return out
}

// Read takes up to n new jobs for consumer, waiting at most block.
func (q *Queue) Read(ctx context.Context, consumer string, n int64, block time.Duration) ([]Message, error) {
	res, err := q.R.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: consumer, Streams: []string{q.Stream(), ">"}, Count: n, Block: block}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Message
	for _, s := range res {
		out = append(out, decode(s.Messages)...)
	}
	return out, nil
}

// Claim takes over up to n jobs another consumer has held for longer than idle: that worker
// died (a live one refreshes its jobs with Touch).
func (q *Queue) Claim(ctx context.Context, consumer string, idle time.Duration, n int64) ([]Message, error) {
	msgs, _, err := q.R.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: q.Stream(), Group: group, Consumer: consumer, MinIdle: idle, Start: "0", Count: n}).Result()
	if err != nil {
		return nil, err
	}
	return decode(msgs), nil
}

// Touch resets a held job's idle time, so no one takes it over while its worker is alive.
func (q *Queue) Touch(ctx context.Context, consumer, id string) error {
	return q.R.XClaimJustID(ctx, &redis.XClaimArgs{Stream: q.Stream(), Group: group, Consumer: consumer, MinIdle: 0, Messages: []string{id}}).Err()
}

// Ack finishes a job.
func (q *Queue) Ack(ctx context.Context, id string) error {
	return q.R.XAck(ctx, q.Stream(), group, id).Err()
}

// Attempt counts one more start of the job and returns the count.
func (q *Queue) Attempt(ctx context.Context, jobID string) (int64, error) {
	return q.R.HIncrBy(ctx, q.k("attempts"), jobID, 1).Result()
}

// Retry acks the entry and schedules the job again after wait, atomically.
func (q *Queue) Retry(ctx context.Context, m Message, wait time.Duration) error {
	b, _ := json.Marshal(m.Job)
	_, err := q.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, q.k("retry"), redis.Z{Score: float64(time.Now().Add(wait).UnixMilli()), Member: string(b)})
		p.XAck(ctx, q.Stream(), group, m.ID)
		return nil
	})
	return err
}

// dueScript moves due retries back to the stream.
var dueScript = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, j in ipairs(due) do
  redis.call('ZREM', KEYS[1], j)
  redis.call('XADD', KEYS[2], '*', 'job', j)
end
return #due
`)

// MoveDue puts retries whose time has come back on the stream.
func (q *Queue) MoveDue(ctx context.Context) (int, error) {
	return dueScript.Run(ctx, q.R, []string{q.k("retry"), q.Stream()}, time.Now().UnixMilli()).Int()
}

// DeadLetter moves the job to the dead-letter stream with its last error and acks it.
func (q *Queue) DeadLetter(ctx context.Context, m Message, reason string) error {
	b, _ := json.Marshal(m.Job)
	_, err := q.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAdd(ctx, &redis.XAddArgs{Stream: q.Dead(), MaxLen: 10000, Approx: true,
			Values: map[string]any{"job": string(b), "error": reason, "at": strconv.FormatInt(time.Now().Unix(), 10)}})
		p.XAck(ctx, q.Stream(), group, m.ID)
		return nil
	})
	return err
}

// DeadLetters lists the newest n dead letters.
func (q *Queue) DeadLetters(ctx context.Context, n int64) ([]DeadLetter, error) {
	ms, err := q.R.XRevRangeN(ctx, q.Dead(), "+", "-", n).Result()
	if err != nil {
		return nil, err
	}
	var out []DeadLetter
	for _, m := range ms {
		var d DeadLetter
		s, _ := m.Values["job"].(string)
		json.Unmarshal([]byte(s), &d.Job)
		d.Error, _ = m.Values["error"].(string)
		at, _ := m.Values["at"].(string)
		sec, _ := strconv.ParseInt(at, 10, 64)
		d.At = time.Unix(sec, 0)
		out = append(out, d)
	}
	return out, nil
}

// DeadLetter is a job that failed MaxAttempts times.
type DeadLetter struct {
	Job   Job
	Error string
	At    time.Time
}

// Done records that the job's key was completed (its review posted), so a taken-over or
// repeated job does not post again.
func (q *Queue) Done(ctx context.Context, key string) error {
	return q.R.Set(ctx, q.k("done", key), 1, q.KeyTTL).Err()
}

// IsDone says whether the key was completed.
func (q *Queue) IsDone(ctx context.Context, key string) (bool, error) {
	n, err := q.R.Exists(ctx, q.k("done", key)).Result()
	return n == 1, err
}

// Health is the queue's state for metrics and the dashboard.
type Health struct {
	Depth     int64         // entries not yet delivered to a worker
	Pending   int64         // delivered, not acknowledged
	Retrying  int64         // waiting for their retry
	Dead      int64         // dead letters
	OldestAge time.Duration // age of the oldest waiting or pending job
}

// Health reads the queue's state.
func (q *Queue) Health(ctx context.Context) (Health, error) {
	var h Health
	groups, err := q.R.XInfoGroups(ctx, q.Stream()).Result()
	if err != nil {
		return h, err
	}
	for _, g := range groups {
		if g.Name == group {
			h.Depth, h.Pending = g.Lag, g.Pending
			oldest := g.LastDeliveredID
			if g.Pending > 0 {
				if p, err := q.R.XPending(ctx, q.Stream(), group).Result(); err == nil {
					oldest = p.Lower
				}
			} else if g.Lag > 0 {
				if ms, err := q.R.XRangeN(ctx, q.Stream(), "("+g.LastDeliveredID, "+", 1).Result(); err == nil && len(ms) > 0 {
					oldest = ms[0].ID
				}
			} else {
				oldest = ""
			}
			if ms, ok := idTime(oldest); ok {
				h.OldestAge = time.Since(ms)
			}
		}
	}
	h.Retrying, _ = q.R.ZCard(ctx, q.k("retry")).Result()
	h.Dead, _ = q.R.XLen(ctx, q.Dead()).Result()
	return h, nil
}

func idTime(id string) (time.Time, bool) {
	ms, _, ok := strings.Cut(id, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || n == 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(n), true
}

// Ping says whether Redis answers (readiness).
func (q *Queue) Ping(ctx context.Context) error { return q.R.Ping(ctx).Err() }

// Close closes the client.
func (q *Queue) Close() error { return q.R.Close() }
