package ingest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/github"
	"github.com/dataops-dev/dataops/internal/github/githubtest"
	"github.com/dataops-dev/dataops/internal/memory"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com", "GIT_AUTHOR_DATE=2024-05-01T10:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func commitFiles(t *testing.T, dir string, files map[string]string, msg string) string {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if content == "" {
			os.Remove(p)
			continue
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", msg)
	return git(t, dir, "rev-parse", "HEAD")
}

const ordersV1 = `models:
  - name: orders
    description: One row per order.
    columns:
      - name: order_id
        description: Primary key.
        data_tests: [not_null]
`

const ordersV2 = `models:
  - name: orders
    description: One row per order.
    columns:
      - name: order_id
        description: Primary key.
        data_tests: [not_null, unique]
      - name: amount
        description: Total in dollars.
        data_tests:
          - not_null
`

func TestIngestHistory(t *testing.T) {
	repo := t.TempDir()
	proj := filepath.Join(repo, "transform")
	git(t, repo, "init", "-q", "-b", "main")
	c1 := commitFiles(t, proj, map[string]string{".gitignore": ".dataops/\n", "dbt_project.yml": "name: shop\n", "models/orders.yml": ordersV1}, "orders")
	c2 := commitFiles(t, proj, map[string]string{"models/orders.yml": ordersV2}, "amount")
	// Moving the model to another file adds nothing.
	c3 := commitFiles(t, proj, map[string]string{"models/orders.yml": "", "models/_orders.yml": ordersV2}, "move")
	ctx := context.Background()
	r, err := change.FindRepo(ctx, proj)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, proj)
	h.opts.Repo, h.opts.RepoTop, h.opts.History = r, r.Top, true
	res := h.run()
	if res.Commits != 3 {
		t.Errorf("read %d commits, want 3", res.Commits)
	}
	hist := func(kind memory.Kind, s string) []memory.Record {
		var out []memory.Record
		for _, r := range h.find(kind, s) {
			if r.Metadata.Extra["origin"] == OriginHistory {
				out = append(out, r)
			}
		}
		return out
	}
	amount := hist(memory.KindColumnDoc, "orders.amount")
	if len(amount) != 1 {
		t.Fatalf("amount added once, in %s: %+v", c2[:7], amount)
	}
	a := amount[0]
	if a.Metadata.Commit != c2 || a.Metadata.Source != "git:transform/models/orders.yml" || a.Metadata.Line != 8 ||
		a.Metadata.Extra["author"] != "Ada" || a.Metadata.Extra["description"] != "Total in dollars." ||
		!a.Metadata.Time.Equal(time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)) || a.Metadata.Column != "amount" {
		t.Errorf("history column: %+v", a.Metadata)
	}
	if ids := hist(memory.KindColumnDoc, "orders.order_id"); len(ids) != 1 || ids[0].Metadata.Commit != c1 {
		t.Errorf("order_id added in the first commit only: %+v", ids)
	}
	// The second commit added a test to an existing column, and a column with its test.
	var c2Tests []string
	for _, r := range hist(memory.KindTest, "") {
		if r.Metadata.Commit == c2 {
			c2Tests = append(c2Tests, r.Metadata.Column+" "+r.Metadata.Extra["test"])
		}
		if r.Metadata.Commit == c3 {
			t.Errorf("a moved file added nothing: %+v", r)
		}
	}
	slices.Sort(c2Tests)
	if strings.Join(c2Tests, ",") != "amount not_null,order_id unique" {
		t.Errorf("tests added in the second commit: %v", c2Tests)
	}
	if m := hist(memory.KindModelDoc, "orders"); len(m) != 1 || m[0].Metadata.Commit != c1 {
		t.Errorf("the model described once, when it appeared: %+v", m)
	}

	// Nothing new: no commit read. A new commit: only it.
	if res := h.run(); res.Commits != 0 || res.Written != 0 {
		t.Errorf("unchanged history: %+v", res)
	}
	c4 := commitFiles(t, proj, map[string]string{"models/_orders.yml": ordersV2 + "      - name: channel\n        description: Web or store.\n"}, "channel")
	res = h.run()
	if res.Commits != 1 || len(hist(memory.KindColumnDoc, "channel")) != 1 || len(hist(memory.KindColumnDoc, "amount")) != 0 {
		t.Errorf("one new commit: %+v", res)
	}

	// History rewritten (a reset and another commit): read again from the start.
	git(t, repo, "reset", "-q", "--hard", c3)
	commitFiles(t, proj, map[string]string{"models/_orders.yml": ordersV2 + "      - name: placed_at\n        description: When.\n"}, "placed_at")
	res = h.run()
	if res.Commits != 4 || len(hist(memory.KindColumnDoc, "channel")) != 0 || len(hist(memory.KindColumnDoc, "placed_at")) != 1 {
		t.Errorf("rewritten history: %+v", res)
	}
	if !slices.Contains(h.store.deletes, "git:transform/models/_orders.yml") || !slices.Contains(h.store.deletes, "git:transform/models/orders.yml") {
		t.Errorf("the old history is deleted first: %v", h.store.deletes)
	}
	if c4 == "" {
		t.Fatal("no commit")
	}
	// history_commits caps the commits read.
	h2 := newHarness(t, proj)
	h2.opts.Repo, h2.opts.RepoTop, h2.opts.History, h2.opts.HistoryCommits = r, r.Top, true, 2
	h2.opts.StatePath = filepath.Join(t.TempDir(), "INGEST")
	if res := h2.run(); res.Commits != 2 {
		t.Errorf("history_commits 2: read %d", res.Commits)
	}
}

// fakeComments reads the fake GitHub through the real client.
type fakeComments struct{ o github.RepoOptions }

func (f fakeComments) Repo() string { return f.o.Owner + "/" + f.o.Repo }

func (f fakeComments) ReviewComments(ctx context.Context, since time.Time) ([]ReviewComment, error) {
	list, err := github.ListReviewComments(ctx, f.o, since)
	var out []ReviewComment
	for _, c := range list {
		out = append(out, ReviewComment{ID: c.ID, PR: c.PR, Path: c.Path, Line: c.Line, Body: c.Body, Author: c.Author, Bot: c.Bot,
			Commit: c.CommitID, Created: c.Created, Updated: c.Updated})
	}
	return out, err
}

func TestIngestReviewComments(t *testing.T) {
	fake, srv := githubtest.NewFake(t, nil)
	day := time.Date(2025, 2, 3, 12, 0, 0, 0, time.UTC)
	fake.RepoComments = []githubtest.RepoComment{
		{ID: 1, PR: 12, Path: "transform/models/fct_orders.sql", Line: 4, Body: "Please test order_id for uniqueness.", Login: "maria", CommitID: "c0ffee", CreatedAt: day, UpdatedAt: day},
		{ID: 2, PR: 12, Path: "transform/models/_orders.yml", Line: 9, Body: "Describe amount: dollars or cents?", Login: "li", CreatedAt: day.Add(time.Hour), UpdatedAt: day.Add(time.Hour)},
		{ID: 3, PR: 13, Path: "transform/models/fct_orders.sql", Line: 2, Body: "Looks fine by the linter.", Login: "ci-bot[bot]", Bot: true, CreatedAt: day, UpdatedAt: day},
		{ID: 4, PR: 13, Path: "transform/models/fct_orders.sql", Line: 2, Body: "<!-- dataops-review -->\nsuggestion", Login: "someone", CreatedAt: day, UpdatedAt: day},
	}
	for i := range 5 { // enough for several pages
		fake.RepoComments = append(fake.RepoComments, githubtest.RepoComment{ID: int64(10 + i), PR: 20 + i, Path: "README.md", Line: 1,
			Body: "Typo here.", Login: "li", CreatedAt: day, UpdatedAt: day})
	}
	fake.CommentsPerPage = 2
	dir := copyProject(t)
	h := newHarness(t, dir)
	h.opts.Comments = fakeComments{github.RepoOptions{Owner: "acme", Repo: "shop", Token: "ghs_test", APIURL: srv.URL}}
	h.opts.Repo = &change.Repo{Top: dir, Prefix: "transform"}
	res := h.run()
	if res.Comments != 9 {
		t.Errorf("fetched %d comments, want 9", res.Comments)
	}
	c := h.one(memory.KindReviewComment, "uniqueness")
	md := c.Metadata
	if c.Text != "fct_orders: Please test order_id for uniqueness." || md.Model != "fct_orders" || md.Source != "github:acme/shop#12" ||
		md.Line != 4 || md.Extra["pr"] != "12" || md.Extra["path"] != "transform/models/fct_orders.sql" || md.Extra["author"] != "maria" ||
		md.Commit != "c0ffee" || !md.Time.Equal(day) || md.Extra["origin"] != OriginGitHub {
		t.Errorf("review comment: %q %+v", c.Text, md)
	}
	if y := h.one(memory.KindReviewComment, "dollars or cents"); y.Metadata.Model != "" {
		t.Errorf("a comment on a property file names no model: %+v", y.Metadata)
	}
	if got := h.find(memory.KindReviewComment, "linter"); len(got) != 0 {
		t.Error("a bot's comment was ingested")
	}
	if got := h.find(memory.KindReviewComment, "suggestion"); len(got) != 0 {
		t.Error("dataops' own comment was ingested")
	}
	if n := len(h.find(memory.KindReviewComment, "")); n != 7 {
		t.Errorf("%d review comments stored, want 7", n)
	}

	// Again: only what was updated since; an edit replaces the record.
	res = h.run()
	if res.Written != 0 {
		t.Errorf("unchanged comments written again: %+v", res)
	}
	fake.RepoComments[1].Body = "Describe amount: it is dollars."
	fake.RepoComments[1].UpdatedAt = day.Add(48 * time.Hour)
	res = h.run()
	if res.Comments > 2 || res.Updated != 1 || res.Written != 1 {
		t.Errorf("an edited comment: %+v", res)
	}
}
