package github

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/github/githubtest"
)

func repoComments(n int) []githubtest.RepoComment {
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	var out []githubtest.RepoComment
	for i := range n {
		c := githubtest.RepoComment{ID: int64(1000 + i), PR: 10 + i%3, Path: "shop/models/fct.sql", Line: 5 + i,
			Body: "please add a not_null test", Login: "reviewer", CommitID: "abc",
			CreatedAt: base.Add(time.Duration(i) * time.Hour), UpdatedAt: base.Add(time.Duration(i) * time.Hour)}
		out = append(out, c)
	}
	return out
}

func TestListReviewCommentsPagesAndSince(t *testing.T) {
	fake, srv := githubtest.NewFake(t, nil)
	fake.RepoComments = repoComments(7)
	fake.RepoComments[2].Line, fake.RepoComments[2].Original = 0, 42 // outdated
	fake.RepoComments[3].Bot, fake.RepoComments[3].Login = true, "dataops[bot]"
	// The newest edit of the oldest comment: sorted by update, it comes last.
	fake.RepoComments[0].UpdatedAt = time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	fake.CommentsPerPage = 3
	o := RepoOptions{Owner: "acme", Repo: "shop", Token: "ghs_test", APIURL: srv.URL}
	got, err := ListReviewComments(context.Background(), o, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 7 {
		t.Fatalf("got %d comments over the pages, want 7", len(got))
	}
	pages := 0
	for _, r := range fake.Requests {
		if r == "GET /repos/acme/shop/pulls/comments" {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("%d requests for 7 comments in pages of 3, want 3: %v", pages, fake.Requests)
	}
	if got[len(got)-1].ID != 1000 {
		t.Errorf("not sorted by update: last is %d", got[len(got)-1].ID)
	}
	byID := map[int64]ReviewComment{}
	for _, c := range got {
		byID[c.ID] = c
	}
	if c := byID[1002]; c.Line != 42 {
		t.Errorf("an outdated comment keeps its original line: %+v", c)
	}
	if c := byID[1003]; !c.Bot || c.Author != "dataops[bot]" {
		t.Errorf("bot not flagged: %+v", c)
	}
	if c := byID[1004]; c.PR != 11 || c.Path != "shop/models/fct.sql" || c.Line != 9 || !c.Created.Equal(time.Date(2025, 3, 1, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("fields: %+v", c)
	}

	// Since: only what was updated at or after it.
	got, err = ListReviewComments(context.Background(), o, time.Date(2025, 3, 1, 14, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 { // 1005, 1006 and the edited 1000
		t.Errorf("since: got %d comments, want 3", len(got))
	}
}

func TestListReviewCommentsErrors(t *testing.T) {
	fake, srv := githubtest.NewFake(t, nil)
	fake.RepoComments = repoComments(2)
	var slept []time.Duration
	o := RepoOptions{Owner: "acme", Repo: "shop", Token: "ghs_test", APIURL: srv.URL,
		Sleep: func(d time.Duration) { slept = append(slept, d) }, Now: time.Now}
	fake.Inject = []int{http.StatusBadGateway}
	got, err := ListReviewComments(context.Background(), o, time.Time{})
	if err != nil || len(got) != 2 || len(slept) != 1 {
		t.Errorf("a 502 is retried: %v, %d comments, slept %v", err, len(got), slept)
	}
	o.Token = "wrong"
	if _, err := ListReviewComments(context.Background(), o, time.Time{}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad token: %v", err)
	}
	o.Token, o.APIURL = "ghs_test", "http://127.0.0.1:1"
	if _, err := ListReviewComments(context.Background(), o, time.Time{}); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("unreachable server: %v", err)
	}
}
