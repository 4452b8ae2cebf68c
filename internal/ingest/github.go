package ingest

import (
	"context"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
)

// ReviewComment is a comment a reviewer left on a line of a pull request.
type ReviewComment struct {
	ID      int64
	PR      int
	Path    string // relative to the repository's top
	Line    int    // in the file as the comment's commit has it; 0 when outdated
	Body    string
	Author  string
	Bot     bool // written by an app or bot account
	Commit  string
	Created time.Time
	Updated time.Time
}

// Comments lists the review comments of one repository.
type Comments interface {
	// Repo is the repository, owner/name.
	Repo() string
	// ReviewComments returns the comments updated at or after since (all when since is zero).
	ReviewComments(ctx context.Context, since time.Time) ([]ReviewComment, error)
}

// reviewMarker starts every comment dataops itself posts: the team's comments are the
// knowledge, not dataops' own.
const reviewMarker = "<!-- dataops"

// commentSource is the source of a pull request's comments.
func commentSource(repo string, pr int) string {
	return "github:" + repo + "#" + strconv.Itoa(pr)
}

// commentRecord turns a human's review comment into a record; ok is false for comments of
// bots and dataops'.
func commentRecord(b *builder, repo, prefix string, c ReviewComment) bool {
	body := strings.TrimSpace(c.Body)
	if c.Bot || body == "" || strings.Contains(body, reviewMarker) {
		return false
	}
	subject := c.Path
	model := ""
	// A comment on a model's SQL is about that model.
	if rel, ok := strings.CutPrefix(c.Path, prefix); ok && strings.EqualFold(path.Ext(rel), ".sql") {
		model = strings.TrimSuffix(path.Base(rel), path.Ext(rel))
		subject = model
	}
	md := memory.Metadata{Model: model, Source: commentSource(repo, c.PR), Line: c.Line, Commit: c.Commit, Time: c.Created.UTC(),
		Extra: map[string]string{"origin": OriginGitHub, "pr": strconv.Itoa(c.PR), "path": c.Path, "author": c.Author,
			"comment_id": strconv.FormatInt(c.ID, 10)}}
	text := body
	if subject != "" {
		text = subject + ": " + body
	}
	b.add(memory.KindReviewComment, "comment\x00"+strconv.FormatInt(c.ID, 10), text, md)
	return true
}
