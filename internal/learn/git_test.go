package learn

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repo is a throwaway git repository with the dbt project in proj/.
type repo struct {
	t    *testing.T
	dir  string
	proj string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	dir := t.TempDir()
	r := &repo{t: t, dir: dir, proj: filepath.Join(dir, "proj")}
	r.git("init", "-q", "-b", "main")
	r.write("proj/dbt_project.yml", "name: shop\n")
	r.write("proj/models/_models.yml", "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: order_id\n")
	r.commit("base")
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *repo) write(rel, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *repo) commit(msg string) string {
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

const keptYAML = `version: 2
models:
  - name: orders
    columns:
      - name: order_id
        description: The order, as the team writes it.
        data_tests: [unique]
`

func TestResolveHistoryMergeCommit(t *testing.T) {
	r := newRepo(t)
	r.git("checkout", "-q", "-b", "feature")
	r.write("proj/models/orders.sql", "select 1 as order_id\n")
	head := r.commit("orders")
	// Proposed on head; the author then edits the description and keeps one test.
	r.write("proj/models/_models.yml", keptYAML)
	r.commit("docs")
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--no-ff", "-m", "Merge pull request #3 from acme/feature", "feature")

	s := openStore(t)
	ctx := context.Background()
	ps := []Proposal{
		{Repository: "acme/shop", PR: "3", Head: head, Project: "shop", Agent: AgentSchema, Kind: KindDescription, Rule: "name", Model: "orders", Column: "order_id", Value: "The unique ID of the order."},
		{Repository: "acme/shop", PR: "3", Head: head, Project: "shop", Agent: AgentTests, Kind: KindTest, Rule: "unique", Model: "orders", Column: "order_id", Value: TestValue("unique", nil)},
		{Repository: "acme/shop", PR: "3", Head: head, Project: "shop", Agent: AgentTests, Kind: KindTest, Rule: "not_null", Model: "orders", Column: "order_id", Value: TestValue("not_null", nil)},
	}
	if err := Record(ctx, s, ps); err != nil {
		t.Fatal(err)
	}
	// Not merged into the ref asked about: nothing is decided.
	if res, err := ResolveHistory(ctx, s, r.proj, "shop", "acme/shop", r.git("rev-parse", "main~1")); err != nil || res != (Resolution{}) {
		t.Fatalf("before the merge: %+v %v", res, err)
	}
	res, err := ResolveHistory(ctx, s, r.proj, "shop", "acme/shop", "main")
	if err != nil {
		t.Fatal(err)
	}
	if res != (Resolution{Accepted: 1, Edited: 1, Rejected: 1}) {
		t.Errorf("resolution = %+v", res)
	}
	outs, _ := Outcomes(ctx, s, "shop")
	for _, o := range outs {
		if o.Kind == KindDescription && (o.State != Edited || o.Final != "The order, as the team writes it.") {
			t.Errorf("description outcome %+v", o)
		}
		if o.Resolved == head || o.Resolved == "" {
			t.Errorf("resolved at %q, want the merge commit", o.Resolved)
		}
	}
}

func TestResolveHistoryFastForwardAndSquash(t *testing.T) {
	r := newRepo(t)
	head := r.git("rev-parse", "HEAD")
	r.write("proj/models/_models.yml", keptYAML)
	r.commit("docs")
	r.write("proj/models/other.sql", "select 1\n")
	r.commit("Add the thing (#9)")

	s := openStore(t)
	ctx := context.Background()
	local := Proposal{Repository: "shop-repo", Head: head, Project: "shop", Agent: AgentTests, Kind: KindTest, Rule: "unique", Model: "orders", Column: "order_id", Value: TestValue("unique", nil)}
	// A squashed pull request: its head is in no branch here; its number is in the message.
	squashedPR := Proposal{Repository: "shop-repo", PR: "9", Head: "0000000000000000000000000000000000000009", Project: "shop", Agent: AgentTests, Kind: KindTest, Rule: "not_null", Model: "orders", Column: "order_id", Value: TestValue("not_null", nil)}
	// Another pull request, never merged.
	open := squashedPR
	open.PR, open.Rule, open.Value = "10", "unique", TestValue("unique", nil)
	if err := Record(ctx, s, []Proposal{local, squashedPR, open}); err != nil {
		t.Fatal(err)
	}
	res, err := ResolveHistory(ctx, s, r.proj, "shop", "shop-repo", "")
	if err != nil {
		t.Fatal(err)
	}
	if res != (Resolution{Accepted: 1, Rejected: 1}) {
		t.Errorf("resolution = %+v", res)
	}
	ps, _ := Proposals(ctx, s, "shop")
	for _, p := range ps {
		want := map[string]string{"": Accepted, "9": Rejected, "10": Open}[p.PR]
		if p.State != want {
			t.Errorf("PR %q: %s, want %s", p.PR, p.State, want)
		}
	}
	if RepositoryName(ctx, r.proj) != filepath.Base(r.dir) {
		t.Errorf("RepositoryName = %q", RepositoryName(ctx, r.proj))
	}
	r.git("remote", "add", "origin", "git@github.com:acme/shop.git")
	if RepositoryName(ctx, r.proj) != "acme/shop" {
		t.Errorf("RepositoryName with a GitHub remote = %q", RepositoryName(ctx, r.proj))
	}
}
