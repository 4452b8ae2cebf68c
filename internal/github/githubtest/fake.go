// Package githubtest is an in-process GitHub REST API for the endpoints internal/github calls,
// for tests (GitHub cannot run here). It checks every request as GitHub does: the bearer
// token, JSON shapes, review comments only on lines inside the pull request's diff hunks (else
// 422), start_line and line in one hunk, bodies of at most 65,536 characters, at most 50
// annotations per check-run request; the repository's review comments are listed with
// GitHub's query parameters (sort, direction, since, per_page of at most 100, page) and its
// Link header. It never talks to the network beyond its own listener.
package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dataops-dev/dataops/internal/review"
)

// MaxBody is GitHub's documented limit on review bodies and check-run summaries.
const MaxBody = 65536

// File is a pull request file as the files API lists it.
type File struct {
	Filename string `json:"filename"`
	Status   string `json:"status"`
	Patch    string `json:"patch,omitempty"`
}

// Review is a posted review with the comments it carried.
type Review struct {
	ID       int64            `json:"id"`
	Body     string           `json:"body"`
	Event    string           `json:"-"`
	CommitID string           `json:"commit_id"`
	Comments []map[string]any `json:"-"`
}

// Comment is a posted review comment.
type Comment struct {
	ID   int64  `json:"id"`
	Path string `json:"path"`
	Line int    `json:"line"`
	Body string `json:"body"`
}

// RepoComment is a review comment of any pull request of the repository, as the list of a
// repository's review comments returns it.
type RepoComment struct {
	ID        int64
	PR        int
	Path      string
	Line      int // 0: outdated (GitHub sends null and keeps original_line)
	Original  int
	Body      string
	Login     string
	Bot       bool
	CommitID  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CheckRun is a check run with the annotations it received over all requests.
type CheckRun struct {
	ID          int64
	Name        string
	HeadSHA     string
	Conclusion  string
	Annotations int
	Requests    int
}

// Fake is the server's state; tests read it after the code under test ran.
type Fake struct {
	t     testing.TB
	Token string
	Owner string
	Repo  string
	PR    int
	SHA   string
	Files []File

	mu        sync.Mutex
	nextID    int64
	Reviews   []*Review
	Comments  []Comment
	CheckRuns []*CheckRun
	Requests  []string
	// Failure injection: respond with these statuses to the next requests, in order.
	Inject []int
	// ChecksForbidden answers check-run writes with 403 (a token without checks: write).
	ChecksForbidden bool
	// RejectComments answers any review with comments with 422, as GitHub does for a line
	// outside the diff it computed.
	RejectComments bool
	// PerPage paginates the files list.
	PerPage int
	// RepoComments are the repository's review comments.
	RepoComments []RepoComment
	// CommentsPerPage, when set, makes pages of repository comments smaller than asked, as
	// a test of paging.
	CommentsPerPage int
}

// NewFake starts a fake for pull request acme/shop#7 with these files.
func NewFake(t testing.TB, files []File) (*Fake, *httptest.Server) {
	f := &Fake{t: t, Token: "ghs_test", Owner: "acme", Repo: "shop", PR: 7, SHA: "0123456789abcdef0123456789abcdef01234567",
		Files: files, nextID: 100, PerPage: 2}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *Fake) fail(w http.ResponseWriter, code int, msg string, errs ...string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	var es []map[string]string
	for _, e := range errs {
		es = append(es, map[string]string{"message": e})
	}
	json.NewEncoder(w).Encode(map[string]any{"message": msg, "errors": es, "documentation_url": "https://docs.github.com/rest"})
}

func (f *Fake) ok(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Requests = append(f.Requests, r.Method+" "+r.URL.Path)
	if len(f.Inject) > 0 {
		code := f.Inject[0]
		f.Inject = f.Inject[1:]
		if code == http.StatusForbidden || code == http.StatusTooManyRequests {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", "1")
			w.Header().Set("Retry-After", "2")
		}
		f.fail(w, code, http.StatusText(code))
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.Token {
		f.fail(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	prefix := fmt.Sprintf("/repos/%s/%s/", f.Owner, f.Repo)
	if !strings.HasPrefix(r.URL.Path, prefix) {
		f.fail(w, http.StatusNotFound, "Not Found")
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, prefix), "/")
	pr := strconv.Itoa(f.PR)
	switch {
	case r.Method == "GET" && len(parts) == 2 && parts[0] == "pulls" && parts[1] == "comments":
		f.repoComments(w, r)
	case r.Method == "GET" && len(parts) == 2 && parts[0] == "pulls" && parts[1] == pr:
		f.ok(w, 200, map[string]any{"number": f.PR, "head": map[string]any{"sha": f.SHA}})
	case r.Method == "GET" && len(parts) == 3 && parts[0] == "pulls" && parts[1] == pr && parts[2] == "files":
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page < 1 {
			page = 1
		}
		lo, hi := (page-1)*f.PerPage, page*f.PerPage
		if hi < len(f.Files) {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?page=%d>; rel="next"`, r.Host, r.URL.Path, page+1))
		}
		if lo > len(f.Files) {
			lo = len(f.Files)
		}
		f.ok(w, 200, f.Files[lo:min(hi, len(f.Files))])
	case r.Method == "GET" && len(parts) == 3 && parts[0] == "pulls" && parts[1] == pr && parts[2] == "reviews":
		f.ok(w, 200, f.Reviews)
	case r.Method == "GET" && len(parts) == 3 && parts[0] == "pulls" && parts[1] == pr && parts[2] == "comments":
		f.ok(w, 200, f.Comments)
	case r.Method == "POST" && len(parts) == 3 && parts[0] == "pulls" && parts[1] == pr && parts[2] == "reviews":
		f.createReview(w, r)
	case r.Method == "PUT" && len(parts) == 4 && parts[0] == "pulls" && parts[1] == pr && parts[2] == "reviews":
		id, _ := strconv.ParseInt(parts[3], 10, 64)
		var req struct {
			Body *string `json:"body"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Body == nil {
			f.fail(w, 422, "Invalid request", "body is required")
			return
		}
		if n := utf8.RuneCountInString(*req.Body); n > MaxBody {
			f.fail(w, 422, "Validation Failed", fmt.Sprintf("body is too long (maximum is 65536 characters, got %d)", n))
			return
		}
		for _, rv := range f.Reviews {
			if rv.ID == id {
				rv.Body = *req.Body
				f.ok(w, 200, rv)
				return
			}
		}
		f.fail(w, 404, "Not Found")
	case len(parts) >= 1 && parts[0] == "check-runs" && (r.Method == "POST" && len(parts) == 1 || r.Method == "PATCH" && len(parts) == 2):
		f.checkRun(w, r, parts)
	default:
		f.fail(w, http.StatusNotFound, "Not Found")
	}
}

func (f *Fake) patch(path string) *review.Patch {
	for _, fl := range f.Files {
		if fl.Filename == path && fl.Patch != "" {
			p, err := review.ParsePatch(fl.Patch)
			if err != nil {
				f.t.Errorf("fake: bad patch for %s: %v", path, err)
			}
			return p
		}
	}
	return nil
}

func (f *Fake) createReview(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CommitID string           `json:"commit_id"`
		Body     *string          `json:"body"`
		Event    string           `json:"event"`
		Comments []map[string]any `json:"comments"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.fail(w, 400, "Problems parsing JSON")
		return
	}
	switch req.Event {
	case "COMMENT", "REQUEST_CHANGES", "APPROVE":
	default:
		f.fail(w, 422, "Unprocessable Entity", "event must be COMMENT, REQUEST_CHANGES or APPROVE")
		return
	}
	if (req.Event == "COMMENT" || req.Event == "REQUEST_CHANGES") && (req.Body == nil || *req.Body == "") {
		f.fail(w, 422, "Unprocessable Entity", "Body is required for this event")
		return
	}
	if req.Body != nil && utf8.RuneCountInString(*req.Body) > MaxBody {
		f.fail(w, 422, "Validation Failed", "body is too long (maximum is 65536 characters)")
		return
	}
	if f.RejectComments && len(req.Comments) > 0 {
		f.fail(w, 422, "Unprocessable Entity", "Pull request review thread line must be part of the diff")
		return
	}
	for _, c := range req.Comments {
		path, _ := c["path"].(string)
		line, lok := c["line"].(float64)
		body, _ := c["body"].(string)
		if path == "" || !lok || body == "" {
			f.fail(w, 422, "Unprocessable Entity", "comments need path, line and body")
			return
		}
		if side, _ := c["side"].(string); side != "" && side != "RIGHT" && side != "LEFT" {
			f.fail(w, 422, "Unprocessable Entity", "side must be LEFT or RIGHT")
			return
		}
		p := f.patch(path)
		if !p.Contains(int(line)) {
			f.fail(w, 422, "Unprocessable Entity", "Pull request review thread line must be part of the diff")
			return
		}
		if sl, ok := c["start_line"].(float64); ok {
			same := false
			for _, h := range p.Hunks {
				if int(sl) >= h.NewStart && int(line) < h.NewStart+h.NewLines && sl < line {
					same = true
				}
			}
			if !same {
				f.fail(w, 422, "Unprocessable Entity", "Pull request review thread start line must be part of the same hunk as the line")
				return
			}
		}
	}
	f.nextID++
	rv := &Review{ID: f.nextID, Body: deref(req.Body), Event: req.Event, CommitID: req.CommitID, Comments: req.Comments}
	f.Reviews = append(f.Reviews, rv)
	for _, c := range req.Comments {
		f.nextID++
		f.Comments = append(f.Comments, Comment{ID: f.nextID, Path: c["path"].(string), Line: int(c["line"].(float64)), Body: c["body"].(string)})
	}
	f.ok(w, 200, map[string]any{"id": rv.ID, "body": rv.Body, "state": "COMMENTED"})
}

func (f *Fake) checkRun(w http.ResponseWriter, r *http.Request, parts []string) {
	if f.ChecksForbidden {
		f.fail(w, 403, "Resource not accessible by integration")
		return
	}
	var req struct {
		Name        string  `json:"name"`
		HeadSHA     string  `json:"head_sha"`
		Status      string  `json:"status"`
		Conclusion  string  `json:"conclusion"`
		CompletedAt *string `json:"completed_at"`
		Output      *struct {
			Title       *string          `json:"title"`
			Summary     *string          `json:"summary"`
			Annotations []map[string]any `json:"annotations"`
		} `json:"output"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.fail(w, 400, "Problems parsing JSON")
		return
	}
	if req.Name == "" {
		f.fail(w, 422, "Validation Failed", "name is required")
		return
	}
	if r.Method == "POST" && req.HeadSHA == "" {
		f.fail(w, 422, "Validation Failed", "head_sha is required")
		return
	}
	if req.Conclusion != "" && req.CompletedAt == nil && r.Method == "POST" {
		f.fail(w, 422, "Validation Failed", "completed_at is required with a conclusion")
		return
	}
	if o := req.Output; o != nil {
		if o.Title == nil || o.Summary == nil {
			f.fail(w, 422, "Validation Failed", "output needs title and summary")
			return
		}
		if utf8.RuneCountInString(*o.Summary) > MaxBody {
			f.fail(w, 422, "Validation Failed", "summary is too long")
			return
		}
		if len(o.Annotations) > 50 {
			f.fail(w, 422, "Validation Failed", "Only 50 annotations are allowed per request")
			return
		}
		for _, a := range o.Annotations {
			for _, k := range []string{"path", "start_line", "end_line", "annotation_level", "message"} {
				if _, ok := a[k]; !ok {
					f.fail(w, 422, "Validation Failed", "annotation needs "+k)
					return
				}
			}
			switch a["annotation_level"] {
			case "notice", "warning", "failure":
			default:
				f.fail(w, 422, "Validation Failed", "annotation_level must be notice, warning or failure")
				return
			}
		}
	}
	n := 0
	if req.Output != nil {
		n = len(req.Output.Annotations)
	}
	if r.Method == "POST" {
		f.nextID++
		cr := &CheckRun{ID: f.nextID, Name: req.Name, HeadSHA: req.HeadSHA, Conclusion: req.Conclusion, Annotations: n, Requests: 1}
		f.CheckRuns = append(f.CheckRuns, cr)
		f.ok(w, 201, map[string]any{"id": cr.ID, "name": cr.Name, "head_sha": cr.HeadSHA})
		return
	}
	id, _ := strconv.ParseInt(parts[1], 10, 64)
	for _, cr := range f.CheckRuns {
		if cr.ID == id {
			cr.Annotations += n
			cr.Requests++
			f.ok(w, 200, map[string]any{"id": cr.ID})
			return
		}
	}
	f.fail(w, 404, "Not Found")
}

// repoComments answers GET /repos/{owner}/{repo}/pulls/comments as documented: sort (created,
// the default, or updated), direction (asc or desc), since (ISO 8601, compared with
// updated_at), per_page (at most 100) and page, with a Link header naming the next, last,
// first and previous pages. An unknown query parameter fails the test: it would be a request
// GitHub does not document.
func (f *Fake) repoComments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "sort", "direction", "since", "per_page", "page":
		default:
			f.t.Errorf("fake GitHub: unknown query parameter %q in %s", k, r.URL)
		}
	}
	sortBy := q.Get("sort")
	if sortBy == "" {
		sortBy = "created"
	}
	if sortBy != "created" && sortBy != "updated" {
		f.fail(w, 422, "Validation Failed", "sort must be created or updated")
		return
	}
	dir := q.Get("direction")
	if dir == "" {
		dir = "asc"
	}
	if dir != "asc" && dir != "desc" {
		f.fail(w, 422, "Validation Failed", "direction must be asc or desc")
		return
	}
	var since time.Time
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			f.fail(w, 422, "Validation Failed", "since must be an ISO 8601 timestamp (YYYY-MM-DDTHH:MM:SSZ)")
			return
		}
		since = t
	}
	per := 30
	if s := q.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			f.fail(w, 422, "Validation Failed", "per_page must be a positive integer")
			return
		}
		per = min(n, 100)
	}
	if f.CommentsPerPage > 0 {
		per = min(per, f.CommentsPerPage)
	}
	page := 1
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			f.fail(w, 422, "Validation Failed", "page must be a positive integer")
			return
		}
		page = n
	}
	var list []RepoComment
	for _, c := range f.RepoComments {
		if since.IsZero() || !c.UpdatedAt.Before(since) {
			list = append(list, c)
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i].CreatedAt, list[j].CreatedAt
		if sortBy == "updated" {
			a, b = list[i].UpdatedAt, list[j].UpdatedAt
		}
		if dir == "desc" {
			return a.After(b)
		}
		return a.Before(b)
	})
	last := max(1, (len(list)+per-1)/per)
	lo, hi := min((page-1)*per, len(list)), min(page*per, len(list))
	link := func(p int) string {
		u := *r.URL
		v := u.Query()
		v.Set("page", strconv.Itoa(p))
		u.RawQuery = v.Encode()
		return fmt.Sprintf("<http://%s%s>", r.Host, u.RequestURI())
	}
	var links []string
	if page < last {
		links = append(links, link(page+1)+`; rel="next"`, link(last)+`; rel="last"`)
	}
	if page > 1 {
		links = append(links, link(1)+`; rel="first"`, link(page-1)+`; rel="prev"`)
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	out := []map[string]any{}
	for _, c := range list[lo:hi] {
		typ := "User"
		if c.Bot {
			typ = "Bot"
		}
		var line any
		if c.Line > 0 {
			line = c.Line
		}
		out = append(out, map[string]any{
			"id": c.ID, "node_id": fmt.Sprintf("PRRC_%d", c.ID),
			"pull_request_url": fmt.Sprintf("http://%s/repos/%s/%s/pulls/%d", r.Host, f.Owner, f.Repo, c.PR),
			"html_url":         fmt.Sprintf("https://github.com/%s/%s/pull/%d#discussion_r%d", f.Owner, f.Repo, c.PR, c.ID),
			"path":             c.Path, "line": line, "original_line": c.Original, "side": "RIGHT",
			"body": c.Body, "commit_id": c.CommitID, "original_commit_id": c.CommitID,
			"user":       map[string]any{"login": c.Login, "type": typ},
			"created_at": c.CreatedAt.UTC().Format(time.RFC3339), "updated_at": c.UpdatedAt.UTC().Format(time.RFC3339),
		})
	}
	f.ok(w, 200, out)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
