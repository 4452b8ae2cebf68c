package githubapp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	gh "github.com/google/go-github/v81/github"
)

// Delivery is one webhook delivery of the App as GitHub lists it.
type Delivery struct {
	ID          int64
	GUID        string
	Event       string
	StatusCode  int
	Redelivery  bool
	DeliveredAt time.Time
}

// FailedDeliveries lists the App's deliveries since the given time whose answer was not a
// 2xx, newest first. A GUID that was later redelivered successfully is left out.
func (a *App) FailedDeliveries(ctx context.Context, since time.Time) ([]Delivery, error) {
	c, err := a.AppClient()
	if err != nil {
		return nil, err
	}
	ok := map[string]bool{}
	var failed []Delivery
	opt := &gh.ListCursorOptions{PerPage: 100}
	for {
		ds, resp, err := c.Apps.ListHookDeliveries(ctx, opt)
		if err != nil {
			return nil, fmt.Errorf("github app: listing deliveries: %w", a.Mask(err))
		}
		old := false
		for _, d := range ds {
			at := d.GetDeliveredAt().Time
			if at.Before(since) {
				old = true
				continue
			}
			code := d.GetStatusCode()
			if code >= 200 && code < 300 {
				ok[d.GetGUID()] = true
				continue
			}
			failed = append(failed, Delivery{ID: d.GetID(), GUID: d.GetGUID(), Event: d.GetEvent(), StatusCode: code, Redelivery: d.GetRedelivery(), DeliveredAt: at})
		}
		if old || resp.Cursor == "" {
			break
		}
		opt.Cursor = resp.Cursor
	}
	var out []Delivery
	seen := map[string]bool{}
	for _, d := range failed {
		if ok[d.GUID] || seen[d.GUID] {
			continue
		}
		seen[d.GUID] = true
		out = append(out, d)
	}
	return out, nil
}

// Redeliver asks GitHub to send a delivery again.
func (a *App) Redeliver(ctx context.Context, id int64) error {
	c, err := a.AppClient()
	if err != nil {
		return err
	}
	if _, _, err := c.Apps.RedeliverHookDelivery(ctx, id); err != nil {
		// go-github reports GitHub's 202 as an AcceptedError: the redelivery is queued.
		var acc *gh.AcceptedError
		if errors.As(err, &acc) {
			return nil
		}
		return fmt.Errorf("github app: redelivering %d: %w", id, a.Mask(err))
	}
	return nil
}

// Permission is the user's permission on the repository: admin, maintain, write, triage,
// read or none.
func (a *App) Permission(ctx context.Context, inst int64, owner, repo, user string) (string, error) {
	c, err := a.Installation(ctx, inst)
	if err != nil {
		return "", err
	}
	p, resp, err := c.Repositories.GetPermissionLevel(ctx, owner, repo, user)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return "none", nil
		}
		return "", fmt.Errorf("github app: %s's permission on %s/%s: %w", user, owner, repo, a.Mask(err))
	}
	// role_name distinguishes maintain from write; permission folds it into write.
	if r := p.GetRoleName(); r == "maintain" || r == "triage" {
		return r, nil
	}
	return p.GetPermission(), nil
}

// PullRequest is what a job needs to know about a pull request.
type PullRequest struct {
	Number              int
	State               string
	HeadSHA, HeadRef    string
	HeadOwner, HeadRepo string // the head's repository (a fork's, or the base's own)
	BaseSHA, BaseRef    string
	MaintainerCanModify bool
	CloneURL            string // the base repository's
}

// Fork says the head lives in another repository.
func (p *PullRequest) Fork(owner, repo string) bool {
	return p.HeadOwner != owner || p.HeadRepo != repo
}

// PullRequest reads a pull request.
func (a *App) PullRequest(ctx context.Context, inst int64, owner, repo string, n int) (*PullRequest, error) {
	c, err := a.Installation(ctx, inst)
	if err != nil {
		return nil, err
	}
	pr, _, err := c.PullRequests.Get(ctx, owner, repo, n)
	if err != nil {
		return nil, fmt.Errorf("github app: reading %s/%s#%d: %w", owner, repo, n, a.Mask(err))
	}
	out := &PullRequest{Number: n, State: pr.GetState(), HeadSHA: pr.GetHead().GetSHA(), HeadRef: pr.GetHead().GetRef(),
		BaseSHA: pr.GetBase().GetSHA(), BaseRef: pr.GetBase().GetRef(), MaintainerCanModify: pr.GetMaintainerCanModify(),
		CloneURL: pr.GetBase().GetRepo().GetCloneURL()}
	if hr := pr.GetHead().GetRepo(); hr != nil {
		out.HeadOwner, out.HeadRepo = hr.GetOwner().GetLogin(), hr.GetName()
	}
	return out, nil
}

// Comment answers in the pull request's conversation.
func (a *App) Comment(ctx context.Context, inst int64, owner, repo string, n int, body string) error {
	c, err := a.Installation(ctx, inst)
	if err != nil {
		return err
	}
	if _, _, err = c.Issues.CreateComment(ctx, owner, repo, n, &gh.IssueComment{Body: gh.Ptr(body)}); err != nil {
		return fmt.Errorf("github app: commenting on %s/%s#%d: %w", owner, repo, n, a.Mask(err))
	}
	return nil
}

// ErrHeadMoved: the branch is no longer at the commit the caller expected.
var ErrHeadMoved = errors.New("the branch moved since the review")

// CommitFiles commits files (repository path → content) on top of expected, the branch's
// head, and moves the branch to the new commit without force: GitHub refuses the update
// unless it is a fast-forward, so a push that lands in between is never overwritten.
func (a *App) CommitFiles(ctx context.Context, inst int64, owner, repo, branch, expected, message string, files map[string][]byte) (string, error) {
	c, err := a.Installation(ctx, inst)
	if err != nil {
		return "", err
	}
	ref, _, err := c.Git.GetRef(ctx, owner, repo, "heads/"+branch)
	if err != nil {
		return "", fmt.Errorf("github app: reading branch %s: %w", branch, a.Mask(err))
	}
	if ref.GetObject().GetSHA() != expected {
		return "", ErrHeadMoved
	}
	head, _, err := c.Git.GetCommit(ctx, owner, repo, expected)
	if err != nil {
		return "", fmt.Errorf("github app: reading commit %s: %w", expected, a.Mask(err))
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var entries []*gh.TreeEntry
	for _, p := range paths {
		b, _, err := c.Git.CreateBlob(ctx, owner, repo, gh.Blob{Content: gh.Ptr(string(files[p])), Encoding: gh.Ptr("utf-8")})
		if err != nil {
			return "", fmt.Errorf("github app: writing %s: %w", p, a.Mask(err))
		}
		entries = append(entries, &gh.TreeEntry{Path: gh.Ptr(p), Mode: gh.Ptr("100644"), Type: gh.Ptr("blob"), SHA: b.SHA})
	}
	tree, _, err := c.Git.CreateTree(ctx, owner, repo, head.GetTree().GetSHA(), entries)
	if err != nil {
		return "", fmt.Errorf("github app: writing the tree: %w", a.Mask(err))
	}
	commit, _, err := c.Git.CreateCommit(ctx, owner, repo, gh.Commit{Message: gh.Ptr(message), Tree: tree, Parents: []*gh.Commit{{SHA: gh.Ptr(expected)}}}, nil)
	if err != nil {
		return "", fmt.Errorf("github app: writing the commit: %w", a.Mask(err))
	}
	_, resp, err := c.Git.UpdateRef(ctx, owner, repo, "heads/"+branch, gh.UpdateRef{SHA: commit.GetSHA(), Force: gh.Ptr(false)})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnprocessableEntity {
			return "", ErrHeadMoved
		}
		return "", fmt.Errorf("github app: moving %s: %w", branch, a.Mask(err))
	}
	return commit.GetSHA(), nil
}
