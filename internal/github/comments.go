package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v81/github"
)

// RepoOptions say which repository to read and how to reach it.
type RepoOptions struct {
	Owner, Repo string
	Token       string
	// APIURL is GitHub's REST endpoint (GITHUB_API_URL); empty means https://api.github.com.
	APIURL string
	// HTTPClient is the base client (tests pass the fake server's); nil means a client whose
	// requests time out after Timeout.
	HTTPClient *http.Client
	// Timeout bounds each request (default 30 s): an unreachable server fails the command
	// instead of hanging it.
	Timeout time.Duration
	// Sleep and Now are seams for retry tests.
	Sleep func(time.Duration)
	Now   func() time.Time
}

// ReviewComment is a comment on a line of a pull request's diff.
type ReviewComment struct {
	ID       int64
	PR       int
	Path     string // relative to the repository's top
	Line     int    // the line in the comment's commit; the original line when outdated
	Body     string
	Author   string
	Bot      bool
	CommitID string
	Created  time.Time
	Updated  time.Time
}

// ListReviewComments lists the review comments of every pull request of the repository that
// were updated at or after since (all of them when since is zero), oldest update first,
// following GitHub's pages of 100.
func ListReviewComments(ctx context.Context, o RepoOptions, since time.Time) ([]ReviewComment, error) {
	if o.Owner == "" || o.Repo == "" {
		return nil, fmt.Errorf("github: need owner/repo")
	}
	c, err := repoClient(o)
	if err != nil {
		return nil, err
	}
	opt := &gh.PullRequestListCommentsOptions{Sort: "updated", Direction: "asc", Since: since, ListOptions: gh.ListOptions{PerPage: 100}}
	var out []ReviewComment
	for {
		page, resp, err := c.PullRequests.ListComments(ctx, o.Owner, o.Repo, 0, opt)
		if err != nil {
			return nil, fmt.Errorf("listing review comments of %s/%s: %w", o.Owner, o.Repo, err)
		}
		for _, pc := range page {
			rc := ReviewComment{ID: pc.GetID(), Path: pc.GetPath(), Line: pc.GetLine(), Body: pc.GetBody(),
				Author: pc.GetUser().GetLogin(), Bot: pc.GetUser().GetType() == "Bot", CommitID: pc.GetCommitID(),
				Created: pc.GetCreatedAt().Time, Updated: pc.GetUpdatedAt().Time}
			if rc.Line == 0 {
				rc.Line = pc.GetOriginalLine()
			}
			rc.PR = prNumber(pc.GetPullRequestURL())
			out = append(out, rc)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// prNumber reads the number at the end of a pull request's API URL (.../pulls/123).
func prNumber(u string) int {
	if p, err := url.Parse(u); err == nil {
		u = p.Path
	}
	n, _ := strconv.Atoi(path.Base(strings.TrimRight(u, "/")))
	return n
}

// repoClient is a go-github client with the retries and timeouts of every call dataops makes.
func repoClient(o RepoOptions) (*gh.Client, error) {
	if o.Sleep == nil {
		o.Sleep = time.Sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	base := http.DefaultTransport
	if o.HTTPClient != nil && o.HTTPClient.Transport != nil {
		base = o.HTTPClient.Transport
	}
	rt := &retryTransport{base: base, attempts: 5, maxWait: 60 * time.Second, sleep: o.Sleep, now: o.Now}
	c := gh.NewClient(&http.Client{Transport: rt, Timeout: o.Timeout})
	if o.Token != "" {
		c = c.WithAuthToken(o.Token)
	}
	if o.APIURL != "" && strings.TrimRight(o.APIURL, "/") != "https://api.github.com" {
		u, err := url.Parse(strings.TrimRight(o.APIURL, "/") + "/")
		if err != nil {
			return nil, fmt.Errorf("github: API URL %q: %v", o.APIURL, err)
		}
		c.BaseURL = u
	}
	return c, nil
}
