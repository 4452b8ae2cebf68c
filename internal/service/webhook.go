package service

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// MaxPayload is GitHub's cap on a webhook payload; anything larger is not from GitHub.
const MaxPayload = 25 << 20

// Webhook receives GitHub's deliveries.
type Webhook struct {
	Secret  []byte
	Queue   *Queue
	Metrics *Metrics
	Log     *slog.Logger
	// OnInstallation hears installation events (created, deleted, suspend...).
	OnInstallation func(id int64, action string)
	// NewID names jobs; nil uses the delivery id.
	NewID func() string
}

type repoRef struct {
	Name     string `json:"name"`
	FullName string `json:"full_name"`
	CloneURL string `json:"clone_url"`
	Owner    struct {
		Login string `json:"login"`
	} `json:"owner"`
}

type payload struct {
	Action       string `json:"action"`
	Installation *struct {
		ID int64 `json:"id"`
	} `json:"installation"`
	Repository *repoRef `json:"repository"`
	Sender     *struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"sender"`
	PullRequest *struct {
		Number    int       `json:"number"`
		Draft     bool      `json:"draft"`
		UpdatedAt time.Time `json:"updated_at"`
		Head      struct {
			SHA string `json:"sha"`
		} `json:"head"`
		Base struct {
			SHA string `json:"sha"`
		} `json:"base"`
	} `json:"pull_request"`
	Issue *struct {
		Number      int              `json:"number"`
		PullRequest *json.RawMessage `json:"pull_request"`
	} `json:"issue"`
	Comment *struct {
		Body string `json:"body"`
		User struct {
			Login string `json:"login"`
			Type  string `json:"type"`
		} `json:"user"`
	} `json:"comment"`
	CheckRun *struct {
		HeadSHA      string `json:"head_sha"`
		PullRequests []struct {
			Number int `json:"number"`
		} `json:"pull_requests"`
	} `json:"check_run"`
}

func (h *Webhook) answer(w http.ResponseWriter, start time.Time, code int, result string, log *slog.Logger) {
	h.Metrics.Deliveries.WithLabelValues(result).Inc()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, result+"\n")
	h.Metrics.AckLatency.Update(time.Since(start).Seconds())
	log.Info("delivery", "result", result, "status", code, "ms", time.Since(start).Milliseconds())
}

// Verify checks X-Hub-Signature-256 over body in constant time.
func Verify(secret, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(secret) == 0 {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// Sign is the header value GitHub sends for body.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	delivery := r.Header.Get("X-GitHub-Delivery")
	event := r.Header.Get("X-GitHub-Event")
	// The delivery id is logged only once the signature proves it came from GitHub; before
	// that it is a stranger's text.
	log := h.Log
	if r.Method != http.MethodPost {
		h.answer(w, start, http.StatusMethodNotAllowed, "method_not_allowed", log)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPayload))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.answer(w, start, http.StatusRequestEntityTooLarge, "too_large", log)
			return
		}
		h.answer(w, start, http.StatusBadRequest, "unreadable", log)
		return
	}
	if !Verify(h.Secret, body, r.Header.Get("X-Hub-Signature-256")) {
		h.answer(w, start, http.StatusUnauthorized, "unauthorized", log)
		return
	}
	log = log.With("delivery", delivery, "event", event)
	if delivery == "" || event == "" {
		h.answer(w, start, http.StatusBadRequest, "malformed", log)
		return
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		h.answer(w, start, http.StatusBadRequest, "malformed", log)
		return
	}
	jobs, known := h.jobs(event, delivery, &p)
	if !known {
		h.answer(w, start, http.StatusAccepted, "ignored", log)
		return
	}
	ctx := r.Context()
	if event == "installation" && p.Installation != nil {
		if err := h.Queue.Installation(ctx, p.Installation.ID, p.Action, time.Now()); err != nil {
			log.Error("installation not recorded", "error", err.Error())
			h.answer(w, start, http.StatusServiceUnavailable, "unavailable", log)
			return
		}
		if h.OnInstallation != nil {
			h.OnInstallation(p.Installation.ID, p.Action)
		}
		log.Info("installation", "installation", p.Installation.ID, "action", p.Action)
		h.answer(w, start, http.StatusAccepted, "installation", log)
		return
	}
	if len(jobs) == 0 {
		h.answer(w, start, http.StatusAccepted, "ignored", log)
		return
	}
	first, err := h.Queue.Seen(ctx, delivery)
	if err != nil {
		log.Error("delivery not recorded", "error", err.Error())
		h.answer(w, start, http.StatusServiceUnavailable, "unavailable", log)
		return
	}
	if !first {
		h.answer(w, start, http.StatusOK, "duplicate", log)
		return
	}
	result := "accepted"
	for _, j := range jobs {
		out, err := h.Queue.Add(ctx, j)
		if err != nil {
			// Let GitHub's failure mark it, so the redelivery schedule brings it back.
			h.Queue.Forget(ctx, delivery)
			log.Error("not enqueued", "error", err.Error())
			h.answer(w, start, http.StatusServiceUnavailable, "unavailable", log)
			return
		}
		switch out {
		case Duplicate:
			result = "duplicate_job"
			h.Metrics.Jobs.WithLabelValues(StateDuplicate).Inc()
			continue
		case Stale:
			// Delivered after a newer push of the same pull request: that one is reviewed.
			result = "stale_head"
			h.Metrics.Jobs.WithLabelValues(StateSuperseded).Inc()
			log.Info("stale head", "pr", j.PRKey(), "head", j.HeadSHA)
			continue
		}
		log.Info("enqueued", "job", j.ID, "kind", j.Kind, "pr", j.PRKey(), "head", j.HeadSHA)
	}
	h.answer(w, start, http.StatusAccepted, result, log)
}

// jobs turns an event into jobs; known is false for events and actions the service does not
// handle.
func (h *Webhook) jobs(event, delivery string, p *payload) (jobs []*Job, known bool) {
	id := delivery
	if h.NewID != nil {
		id = h.NewID()
	}
	base := func(kind string, pr int) *Job {
		j := &Job{ID: id, Kind: kind, PR: pr, Delivery: delivery, Enqueued: time.Now()}
		if p.Repository != nil {
			j.Owner, j.Repo, j.CloneURL = p.Repository.Owner.Login, p.Repository.Name, p.Repository.CloneURL
		}
		if p.Installation != nil {
			j.Installation = p.Installation.ID
		}
		return j
	}
	switch event {
	case "ping":
		return nil, true
	case "installation", "installation_repositories":
		return nil, true
	case "pull_request":
		switch p.Action {
		case "opened", "synchronize", "reopened", "ready_for_review":
		default:
			return nil, true
		}
		if p.PullRequest == nil || p.Repository == nil || p.PullRequest.Head.SHA == "" {
			return nil, false
		}
		if p.PullRequest.Draft && p.Action != "ready_for_review" {
			return nil, true
		}
		j := base(KindReview, p.PullRequest.Number)
		j.HeadSHA, j.BaseSHA, j.Updated = p.PullRequest.Head.SHA, p.PullRequest.Base.SHA, p.PullRequest.UpdatedAt
		return []*Job{j}, true
	case "issue_comment":
		if p.Action != "created" || p.Issue == nil || p.Issue.PullRequest == nil || p.Comment == nil || p.Repository == nil {
			return nil, true
		}
		if p.Comment.User.Type == "Bot" {
			return nil, true
		}
		cmd := strings.TrimSpace(strings.SplitN(strings.TrimSpace(p.Comment.Body), "\n", 2)[0])
		var kind string
		switch cmd {
		case "/dataops review":
			kind = KindReview
		case "/dataops apply":
			kind = KindApply
		default:
			return nil, true
		}
		j := base(kind, p.Issue.Number)
		j.Actor, j.Force = p.Comment.User.Login, true
		return []*Job{j}, true
	case "check_run":
		if p.Action != "rerequested" || p.CheckRun == nil || p.Repository == nil {
			return nil, true
		}
		for i, pr := range p.CheckRun.PullRequests {
			j := base(KindReview, pr.Number)
			if i > 0 {
				j.ID = j.ID + "-" + string(rune('a'+i%26))
			}
			j.HeadSHA, j.Force = p.CheckRun.HeadSHA, true
			jobs = append(jobs, j)
		}
		return jobs, true
	}
	return nil, false
}
