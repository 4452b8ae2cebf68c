package githubtest

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// PullRequest is one pull request of the App fake, with its own Fake for the publisher's
// endpoints (files, reviews, comments, check runs).
type PullRequest struct {
	Owner, Repo         string
	Number              int
	State               string // "open" by default
	HeadSHA, HeadRef    string
	HeadOwner, HeadRepo string // a fork's; empty means the base repository
	BaseSHA, BaseRef    string
	MaintainerCanModify bool
	CloneURL            string
	*Fake
}

// HookDelivery is one webhook delivery as the App's delivery log lists it.
type HookDelivery struct {
	ID          int64
	GUID        string
	Event       string
	StatusCode  int
	DeliveredAt time.Time
}

// IssueComment is a comment posted in a pull request's conversation.
type IssueComment struct {
	Owner, Repo string
	Number      int
	Body        string
}

type gitCommit struct {
	Tree    string
	Parents []string
	Message string
}

// App is an in-process GitHub for a GitHub App: installation tokens minted only for a JWT
// signed by the App's key (RS256, iss = the App id, iat/exp within GitHub's ten minutes), the
// App's delivery log and redeliveries, collaborator permissions, pull requests, issue
// comments, the Git Data API (blobs, trees, commits, refs; a ref update that is not a
// fast-forward is refused with 422 unless forced, and force is counted), and per pull
// request the publisher's endpoints through Fake. Failure injection (Inject) applies to every
// request.
type App struct {
	t     testing.TB
	ID    int64
	Key   *rsa.PublicKey
	Token string // the installation token minted

	mu sync.Mutex
	// PRs by "owner/repo#n".
	PRs map[string]*PullRequest
	// Permissions by "owner/repo:user"; absent means none.
	Permissions map[string]string
	Deliveries  []HookDelivery
	Redelivered []int64
	Comments    []IssueComment
	// Branches by "owner/repo:branch" → commit.
	Branches     map[string]string
	commits      map[string]gitCommit
	trees        map[string]map[string]string // tree → path → blob
	Blobs        map[string]string            // blob → content
	ForcePushes  int
	heads        map[string]*PullRequest // every head a pull request had, for check runs
	TokensMinted int
	Requests     []string
	// Inject answers the next requests with these statuses (403 and 429 as secondary rate
	// limits, with Retry-After), in order.
	Inject []int
	// Fail answers every request whose "METHOD path" has this prefix with 502.
	Fail string
}

// NewApp starts the fake for App id with the App's public key.
func NewApp(t testing.TB, id int64, key *rsa.PublicKey) (*App, *httptest.Server) {
	a := &App{t: t, ID: id, Key: key, Token: "ghs_installation_token_secret", PRs: map[string]*PullRequest{},
		Permissions: map[string]string{}, Branches: map[string]string{}, commits: map[string]gitCommit{},
		trees: map[string]map[string]string{}, Blobs: map[string]string{}, heads: map[string]*PullRequest{}}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return a, srv
}

// AddPR registers a pull request; its head branch points at its head commit, whose tree is
// empty unless the test added files.
func (a *App) AddPR(pr *PullRequest) *PullRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	if pr.State == "" {
		pr.State = "open"
	}
	if pr.HeadOwner == "" {
		pr.HeadOwner, pr.HeadRepo = pr.Owner, pr.Repo
	}
	if pr.HeadRef == "" {
		pr.HeadRef = fmt.Sprintf("feature-%d", pr.Number)
	}
	if pr.BaseRef == "" {
		pr.BaseRef = "main"
	}
	pr.Fake = &Fake{t: a.t, Token: a.Token, Owner: pr.Owner, Repo: pr.Repo, PR: pr.Number, SHA: pr.HeadSHA, nextID: int64(pr.Number) * 100000, PerPage: 100}
	a.PRs[fmt.Sprintf("%s/%s#%d", pr.Owner, pr.Repo, pr.Number)] = pr
	a.Branches[pr.HeadOwner+"/"+pr.HeadRepo+":"+pr.HeadRef] = pr.HeadSHA
	a.heads[pr.HeadSHA] = pr
	if _, ok := a.commits[pr.HeadSHA]; !ok {
		a.commits[pr.HeadSHA] = gitCommit{Tree: "emptytree"}
		a.trees["emptytree"] = map[string]string{}
	}
	return pr
}

// AddHead records another head of a pull request (a push the test announces only through a
// webhook), so check runs on it reach the pull request.
func (a *App) AddHead(pr *PullRequest, sha string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.heads[sha] = pr
}

// PR returns a registered pull request.
func (a *App) PR(owner, repo string, n int) *PullRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.PRs[fmt.Sprintf("%s/%s#%d", owner, repo, n)]
}

// Lock and Unlock guard reads of the fake's state while the code under test runs.
func (a *App) Lock()   { a.mu.Lock() }
func (a *App) Unlock() { a.mu.Unlock() }

// Reviews counts reviews posted over all pull requests.
func (a *App) Reviews() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, pr := range a.PRs {
		pr.Fake.mu.Lock()
		n += len(pr.Fake.Reviews)
		pr.Fake.mu.Unlock()
	}
	return n
}

// ReviewsOf returns the reviews posted on one pull request.
func (a *App) ReviewsOf(owner, repo string, n int) []*Review {
	pr := a.PR(owner, repo, n)
	pr.Fake.mu.Lock()
	defer pr.Fake.mu.Unlock()
	return append([]*Review(nil), pr.Fake.Reviews...)
}

// CommitFiles reads a commit's tree (path → content) after an apply.
func (a *App) CommitFiles(sha string) map[string]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]string{}
	for p, b := range a.trees[a.commits[sha].Tree] {
		out[p] = a.Blobs[b]
	}
	return out
}

// CommitParents returns a commit's parents.
func (a *App) CommitParents(sha string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.commits[sha].Parents
}

func (a *App) fail(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

func (a *App) ok(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-RateLimit-Remaining", "4999")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// checkJWT validates the App's JWT as GitHub does.
func (a *App) checkJWT(r *http.Request) bool {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	claims := &jwt.RegisteredClaims{}
	tok, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) { return a.Key, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	if err != nil || !tok.Valid || claims.Issuer != strconv.FormatInt(a.ID, 10) {
		return false
	}
	if claims.ExpiresAt.Sub(claims.IssuedAt.Time) > 10*time.Minute+time.Second {
		return false
	}
	return true
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.Requests = append(a.Requests, r.Method+" "+r.URL.Path)
	if len(a.Inject) > 0 {
		code := a.Inject[0]
		a.Inject = a.Inject[1:]
		a.mu.Unlock()
		if code == http.StatusForbidden || code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
			a.fail(w, code, "You have exceeded a secondary rate limit.")
			return
		}
		a.fail(w, code, http.StatusText(code))
		return
	}
	if a.Fail != "" && strings.HasPrefix(r.Method+" "+r.URL.Path, a.Fail) {
		a.mu.Unlock()
		a.fail(w, http.StatusBadGateway, "Bad Gateway")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if parts[0] == "app" {
		defer a.mu.Unlock()
		a.app(w, r, parts)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+a.Token {
		a.mu.Unlock()
		a.fail(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	if len(parts) < 4 || parts[0] != "repos" {
		a.mu.Unlock()
		a.fail(w, http.StatusNotFound, "Not Found")
		return
	}
	owner, repo, rest := parts[1], parts[2], parts[3:]
	// The publisher's endpoints go to the pull request's Fake.
	var child *Fake
	switch {
	case rest[0] == "pulls" && len(rest) >= 3:
		n, _ := strconv.Atoi(rest[1])
		if pr := a.PRs[fmt.Sprintf("%s/%s#%d", owner, repo, n)]; pr != nil {
			child = pr.Fake
		}
	case rest[0] == "check-runs":
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var req struct {
			HeadSHA string `json:"head_sha"`
		}
		json.Unmarshal(body, &req)
		if pr := a.heads[req.HeadSHA]; pr != nil && pr.Owner == owner && pr.Repo == repo {
			child = pr.Fake
		} else if len(rest) == 2 {
			// An update names the run, not the head: find the pull request that holds it.
			id, _ := strconv.ParseInt(rest[1], 10, 64)
			for _, pr := range a.PRs {
				for _, cr := range pr.Fake.CheckRuns {
					if cr.ID == id {
						child = pr.Fake
					}
				}
			}
		}
	}
	if child != nil {
		a.mu.Unlock()
		child.ServeHTTP(w, r)
		return
	}
	defer a.mu.Unlock()
	a.repo(w, r, owner, repo, rest)
}

func (a *App) app(w http.ResponseWriter, r *http.Request, parts []string) {
	if !a.checkJWT(r) {
		a.fail(w, http.StatusUnauthorized, "A JSON web token could not be decoded")
		return
	}
	switch {
	case r.Method == "POST" && len(parts) == 4 && parts[1] == "installations" && parts[3] == "access_tokens":
		a.TokensMinted++
		a.ok(w, 201, map[string]any{"token": a.Token, "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	case r.Method == "GET" && len(parts) == 3 && parts[1] == "hook" && parts[2] == "deliveries":
		ds := append([]HookDelivery(nil), a.Deliveries...)
		sort.Slice(ds, func(i, j int) bool { return ds[i].DeliveredAt.After(ds[j].DeliveredAt) })
		out := []map[string]any{}
		for _, d := range ds {
			out = append(out, map[string]any{"id": d.ID, "guid": d.GUID, "event": d.Event, "status_code": d.StatusCode,
				"status": http.StatusText(d.StatusCode), "delivered_at": d.DeliveredAt.UTC().Format(time.RFC3339), "redelivery": false})
		}
		a.ok(w, 200, out)
	case r.Method == "POST" && len(parts) == 5 && parts[1] == "hook" && parts[2] == "deliveries" && parts[4] == "attempts":
		id, _ := strconv.ParseInt(parts[3], 10, 64)
		for _, d := range a.Deliveries {
			if d.ID == id {
				a.Redelivered = append(a.Redelivered, id)
				a.ok(w, 202, map[string]any{})
				return
			}
		}
		a.fail(w, 404, "Not Found")
	default:
		a.fail(w, 404, "Not Found")
	}
}

func newSHA(parts ...string) string {
	h := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])
}

func (a *App) repo(w http.ResponseWriter, r *http.Request, owner, repo string, rest []string) {
	full := owner + "/" + repo
	switch {
	case r.Method == "GET" && len(rest) == 3 && rest[0] == "collaborators" && rest[2] == "permission":
		p, ok := a.Permissions[full+":"+rest[1]]
		if !ok {
			p = "none"
		}
		role := p
		if p == "maintain" {
			p = "write"
		}
		if p == "triage" {
			p = "read"
		}
		a.ok(w, 200, map[string]any{"permission": p, "role_name": role, "user": map[string]any{"login": rest[1]}})
	case r.Method == "GET" && len(rest) == 2 && rest[0] == "pulls":
		n, _ := strconv.Atoi(rest[1])
		pr := a.PRs[fmt.Sprintf("%s#%d", full, n)]
		if pr == nil {
			a.fail(w, 404, "Not Found")
			return
		}
		a.ok(w, 200, map[string]any{"number": pr.Number, "state": pr.State, "maintainer_can_modify": pr.MaintainerCanModify,
			"head": map[string]any{"sha": pr.HeadSHA, "ref": pr.HeadRef, "repo": map[string]any{"name": pr.HeadRepo, "owner": map[string]any{"login": pr.HeadOwner}}},
			"base": map[string]any{"sha": pr.BaseSHA, "ref": pr.BaseRef, "repo": map[string]any{"name": pr.Repo, "owner": map[string]any{"login": pr.Owner}, "clone_url": pr.CloneURL}}})
	case r.Method == "POST" && len(rest) == 3 && rest[0] == "issues" && rest[2] == "comments":
		n, _ := strconv.Atoi(rest[1])
		var req struct {
			Body string `json:"body"`
		}
		if json.NewDecoder(r.Body).Decode(&req) != nil || req.Body == "" {
			a.fail(w, 422, "Validation Failed")
			return
		}
		a.Comments = append(a.Comments, IssueComment{Owner: owner, Repo: repo, Number: n, Body: req.Body})
		a.ok(w, 201, map[string]any{"id": len(a.Comments), "body": req.Body})
	case rest[0] == "git":
		a.git(w, r, full, rest[1:])
	default:
		a.fail(w, 404, "Not Found")
	}
}

func (a *App) git(w http.ResponseWriter, r *http.Request, full string, rest []string) {
	switch {
	case r.Method == "GET" && len(rest) >= 3 && rest[0] == "ref" && rest[1] == "heads":
		branch := strings.Join(rest[2:], "/")
		sha, ok := a.Branches[full+":"+branch]
		if !ok {
			a.fail(w, 404, "Not Found")
			return
		}
		a.ok(w, 200, map[string]any{"ref": "refs/heads/" + branch, "object": map[string]any{"sha": sha, "type": "commit"}})
	case r.Method == "GET" && len(rest) == 2 && rest[0] == "commits":
		c, ok := a.commits[rest[1]]
		if !ok {
			a.fail(w, 404, "Not Found")
			return
		}
		a.ok(w, 200, map[string]any{"sha": rest[1], "tree": map[string]any{"sha": c.Tree}, "message": c.Message})
	case r.Method == "POST" && len(rest) == 1 && rest[0] == "blobs":
		var req struct{ Content, Encoding string }
		if json.NewDecoder(r.Body).Decode(&req) != nil || (req.Encoding != "utf-8" && req.Encoding != "base64") {
			a.fail(w, 422, "Validation Failed")
			return
		}
		sha := newSHA("blob", req.Content)
		a.Blobs[sha] = req.Content
		a.ok(w, 201, map[string]any{"sha": sha})
	case r.Method == "POST" && len(rest) == 1 && rest[0] == "trees":
		var req struct {
			BaseTree string `json:"base_tree"`
			Tree     []struct {
				Path, Mode, Type string
				SHA              *string `json:"sha"`
			} `json:"tree"`
		}
		if json.NewDecoder(r.Body).Decode(&req) != nil {
			a.fail(w, 400, "Problems parsing JSON")
			return
		}
		files := map[string]string{}
		if req.BaseTree != "" {
			base, ok := a.trees[req.BaseTree]
			if !ok {
				a.fail(w, 422, "base_tree is not a tree")
				return
			}
			for p, b := range base {
				files[p] = b
			}
		}
		var key []string
		for _, e := range req.Tree {
			if e.SHA == nil || a.Blobs[*e.SHA] == "" && *e.SHA != newSHA("blob", "") || e.Mode != "100644" || e.Type != "blob" {
				a.fail(w, 422, "tree entries need an existing blob, mode 100644, type blob")
				return
			}
			files[e.Path] = *e.SHA
		}
		for p, b := range files {
			key = append(key, p+"="+b)
		}
		sort.Strings(key)
		sha := newSHA(append([]string{"tree"}, key...)...)
		a.trees[sha] = files
		a.ok(w, 201, map[string]any{"sha": sha})
	case r.Method == "POST" && len(rest) == 1 && rest[0] == "commits":
		var req struct {
			Message string   `json:"message"`
			Tree    string   `json:"tree"`
			Parents []string `json:"parents"`
		}
		if json.NewDecoder(r.Body).Decode(&req) != nil || req.Message == "" {
			a.fail(w, 422, "Validation Failed")
			return
		}
		if _, ok := a.trees[req.Tree]; !ok {
			a.fail(w, 422, "tree is not a tree")
			return
		}
		for _, p := range req.Parents {
			if _, ok := a.commits[p]; !ok {
				a.fail(w, 422, "parent is not a commit")
				return
			}
		}
		sha := newSHA(append([]string{"commit", req.Tree, req.Message}, req.Parents...)...)
		a.commits[sha] = gitCommit{Tree: req.Tree, Parents: req.Parents, Message: req.Message}
		a.ok(w, 201, map[string]any{"sha": sha, "tree": map[string]any{"sha": req.Tree}})
	case r.Method == "PATCH" && len(rest) >= 3 && rest[0] == "refs" && rest[1] == "heads":
		branch := strings.Join(rest[2:], "/")
		var req struct {
			SHA   string `json:"sha"`
			Force *bool  `json:"force"`
		}
		if json.NewDecoder(r.Body).Decode(&req) != nil {
			a.fail(w, 400, "Problems parsing JSON")
			return
		}
		cur, ok := a.Branches[full+":"+branch]
		if !ok {
			a.fail(w, 422, "Reference does not exist")
			return
		}
		force := req.Force != nil && *req.Force
		if !force && !a.descends(req.SHA, cur) {
			a.fail(w, 422, "Update is not a fast forward")
			return
		}
		if force {
			a.ForcePushes++
		}
		a.Branches[full+":"+branch] = req.SHA
		for _, pr := range a.PRs {
			if pr.HeadOwner+"/"+pr.HeadRepo == full && pr.HeadRef == branch {
				pr.HeadSHA = req.SHA
				a.heads[req.SHA] = pr
			}
		}
		a.ok(w, 200, map[string]any{"ref": "refs/heads/" + branch, "object": map[string]any{"sha": req.SHA}})
	default:
		a.fail(w, 404, "Not Found")
	}
}

func (a *App) descends(sha, ancestor string) bool {
	if sha == ancestor {
		return true
	}
	for _, p := range a.commits[sha].Parents {
		if a.descends(p, ancestor) {
			return true
		}
	}
	return false
}

// MoveBranch simulates a push: the pull request's head moves to a new commit.
func (a *App) MoveBranch(pr *PullRequest, sha string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.commits[sha] = gitCommit{Tree: a.commits[pr.HeadSHA].Tree, Parents: []string{pr.HeadSHA}, Message: "push"}
	a.Branches[pr.HeadOwner+"/"+pr.HeadRepo+":"+pr.HeadRef] = sha
	pr.HeadSHA = sha
	a.heads[sha] = pr
	pr.Fake.mu.Lock()
	pr.Fake.SHA = sha
	pr.Fake.mu.Unlock()
}
