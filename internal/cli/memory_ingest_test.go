package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/github/githubtest"
	"github.com/dataops-dev/dataops/internal/learn"
)

// memoryShop makes a git repository holding examples/shop under transform/shop, with a design
// doc, a review playbook and a data dictionary, in three commits; it returns the repository
// and the project.
func memoryShop(t *testing.T) (repo, proj string) {
	t.Helper()
	repo = t.TempDir()
	proj = filepath.Join(repo, "transform", "shop")
	writeTree(t, proj, shopTree(t))
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=a@a", "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=a@a")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(rel, s string) {
		t.Helper()
		p := filepath.Join(proj, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".gitignore", ".dataops/\n")
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "shop")
	staging := filepath.Join(proj, "models/staging/_staging.yml")
	data, _ := os.ReadFile(staging)
	os.WriteFile(staging, []byte(strings.Replace(string(data), "      - name: signed_up_on\n", "      - name: loyalty_tier\n        description: Bronze, silver or gold, from the customer's yearly spend.\n        data_tests:\n          - not_null\n      - name: signed_up_on\n", 1)), 0o644)
	git("commit", "-q", "-am", "loyalty tier")
	write("docs/design.md", "# Revenue\n\nRevenue is recognised when an order ships.\n\n## Refunds\n\nA refund reverses the revenue of its order on the day it is paid.\n")
	write("docs/review-playbook.md", "# Review playbook\n\n## Keys\n\n- Every model tests its primary key with unique and not_null.\n- Foreign keys get a relationships test.\n")
	write("reference/data_dictionary.csv", "column,description\ngift_wrap,Whether the customer asked for gift wrapping.\n")
	git("add", "-A")
	git("commit", "-q", "-m", "docs")
	return repo, proj
}

type cliRun struct {
	stdout, stderr string
	code           int
}

func memoryCLI(t *testing.T, vars map[string]string, args ...string) cliRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: testGetenv(vars)}, args)
	return cliRun{stdout.String(), stderr.String(), code}
}

var summaryRE = regexp.MustCompile(`^memory: (\d+) sources \((\d+) changed\), records: (\d+) added, (\d+) updated, (\d+) removed; (\d+) skipped; (?:(\d+) commits?; )?(?:(\d+) review comments?; )?\d+\.\d s\n$`)

func summary(t *testing.T, r cliRun) []string {
	t.Helper()
	m := summaryRE.FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("ingest: exit %d\nstdout %q\nstderr %s", r.code, r.stdout, r.stderr)
	}
	return m[1:]
}

// treeHash hashes every file under dir, to show nothing was written there.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h.Write([]byte(rel))
		if !d.IsDir() {
			data, _ := os.ReadFile(p)
			h.Write(data)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}

func TestMemoryIngestStatusSearchForget(t *testing.T) {
	repo, proj := memoryShop(t)
	gitBefore := treeHash(t, filepath.Join(repo, ".git"))

	first := summary(t, memoryCLI(t, nil, "memory", "ingest", "--project", proj))
	if first[1] == "0" || first[2] == "0" || first[3] != "0" || first[4] != "0" || first[5] != "0" || first[6] != "3" {
		t.Errorf("first ingest: %v", first)
	}
	// Unchanged: nothing read, nothing written.
	second := summary(t, memoryCLI(t, nil, "memory", "ingest", "--project", proj))
	if second[0] != first[0] || second[1] != "0" || second[2] != "0" || second[3] != "0" || second[4] != "0" || second[6] != "0" {
		t.Errorf("second ingest of an unchanged project: %v", second)
	}

	st := memoryCLI(t, nil, "memory", "status", "--project", proj)
	for _, want := range []string{"store:       embedded .dataops/memory\n", "embedder:    dataops-local-v1-512 (dimension 512)\n",
		"playbook_rule 2", "history:     3 commits, to ", "stale:       no"} {
		if !strings.Contains(st.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, st.stdout)
		}
	}

	// Search: hits with score and path:line, from the repository's top.
	r := memoryCLI(t, nil, "memory", "search", "loyalty tier of the customer", "--project", proj, "--kind", "column_doc", "--limit", "3")
	if r.code != 0 || !regexp.MustCompile(`(?m)^0\.\d{4}  column_doc +transform/shop/models/staging/_staging\.yml:\d+\n +stg_customers\.loyalty_tier: Bronze`).MatchString(r.stdout) {
		t.Errorf("search: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = memoryCLI(t, nil, "memory", "search", "loyalty tier", "--project", proj, "--kind", "column_doc", "--format", "json")
	var hits []searchHit
	if err := json.Unmarshal([]byte(r.stdout), &hits); err != nil || len(hits) == 0 {
		t.Fatalf("search json: %v\n%s", err, r.stdout)
	}
	var fromHistory bool
	for _, h := range hits {
		if h.Kind != "column_doc" || h.Score <= 0 || h.Line == 0 {
			t.Errorf("hit: %+v", h)
		}
		if h.Source == "git:transform/shop/models/staging/_staging.yml" && h.Extra["origin"] == "history" && h.Commit != "" && h.Extra["author"] == "Ada" {
			fromHistory = true
		}
	}
	if !fromHistory {
		t.Errorf("the column the second commit added is in history: %+v", hits)
	}
	r = memoryCLI(t, nil, "memory", "search", "primary key", "--project", proj, "--kind", "playbook_rule", "--format", "json")
	if !strings.Contains(r.stdout, `"heading": "Review playbook \u003e Keys"`) || !strings.Contains(r.stdout, `"source": "transform/shop/docs/review-playbook.md"`) {
		t.Errorf("playbook rule: %s", r.stdout)
	}
	r = memoryCLI(t, nil, "memory", "search", "gift wrapping", "--project", proj, "--model", "stg_orders", "--format", "json")
	hits = nil
	json.Unmarshal([]byte(r.stdout), &hits)
	for _, h := range hits {
		if h.Model != "stg_orders" {
			t.Errorf("--model stg_orders found %+v", h)
		}
	}
	for _, bad := range [][]string{{"--kind", "wiki"}, {"--limit", "0"}, {"--format", "xml"}} {
		if r := memoryCLI(t, nil, append([]string{"memory", "search", "x", "--project", proj}, bad...)...); r.code != 2 {
			t.Errorf("search %v: exit %d", bad, r.code)
		}
	}

	// Stale after an edit.
	os.WriteFile(filepath.Join(proj, "docs/design.md"), []byte("# Revenue\n\nRecognised on shipping.\n"), 0o644)
	st = memoryCLI(t, nil, "memory", "status", "--project", proj, "--format", "json")
	var status memoryStatus
	if err := json.Unmarshal([]byte(st.stdout), &status); err != nil || status.Stale == nil ||
		strings.Join(status.Stale.Changed, ",") != "transform/shop/docs/design.md" || status.LastIngest == nil || status.Records == 0 {
		t.Errorf("status json after an edit: %v\n%s", err, st.stdout)
	}

	// Forget a file by its path, then everything.
	r = memoryCLI(t, nil, "memory", "forget", "--project", proj, "--source", filepath.Join(proj, "reference/data_dictionary.csv"))
	if r.code != 0 || r.stdout != "memory: forgot 1 record(s)\n" {
		t.Errorf("forget: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r := memoryCLI(t, nil, "memory", "search", "gift wrapping", "--project", proj, "--format", "json"); strings.Contains(r.stdout, "data_dictionary") {
		t.Errorf("forgotten source still found: %s", r.stdout)
	}
	if r := memoryCLI(t, nil, "memory", "forget", "--project", proj, "--source", "no/such.md"); r.code != 2 {
		t.Errorf("forgetting an unknown source: exit %d", r.code)
	}
	if r := memoryCLI(t, nil, "memory", "forget", "--project", proj); r.code != 2 {
		t.Errorf("forget without --source or --all: exit %d", r.code)
	}
	r = memoryCLI(t, nil, "memory", "forget", "--project", proj, "--all")
	st = memoryCLI(t, nil, "memory", "status", "--project", proj, "--format", "json")
	json.Unmarshal([]byte(st.stdout), &status)
	if r.code != 0 || status.Records != 0 {
		t.Errorf("forget --all: exit %d, %d records left", r.code, status.Records)
	}

	if treeHash(t, filepath.Join(repo, ".git")) != gitBefore {
		t.Error("something under .git was written")
	}
}

func TestMemoryIngestBadInput(t *testing.T) {
	_, proj := memoryShop(t)
	os.WriteFile(filepath.Join(proj, "docs/diagram.md"), []byte("PNG\x00\x01binary"), 0o644)
	r := memoryCLI(t, nil, "memory", "ingest", "--project", proj, "--no-history")
	s := summary(t, r)
	if s[5] != "1" || !strings.Contains(r.stderr, "dataops: warning: transform/shop/docs/diagram.md:1: binary file (NUL byte); skipped\n") {
		t.Errorf("binary doc: %v\n%s", s, r.stderr)
	}
	if s[6] != "" {
		t.Errorf("--no-history reads no commit: %v", s)
	}
	for _, args := range [][]string{
		{"memory", "ingest", "--project", proj, filepath.Join(proj, "no-such-dir")},
		{"memory", "ingest", "--project", proj, "--github", "acme"},
		{"memory", "ingest", "--project", proj, "--github", "acme/shop"}, // no token
		{"memory", "search", "x", "--project", t.TempDir()},              // no memory
	} {
		if r := memoryCLI(t, nil, args...); r.code != 2 {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	if r := memoryCLI(t, nil, "memory", "status", "--project", t.TempDir()); r.code != 0 || !strings.Contains(r.stdout, "memory: none at .dataops/memory") {
		t.Errorf("status without memory: %d %q", r.code, r.stdout)
	}
}

func TestMemoryIngestRebuildsACorruptStore(t *testing.T) {
	_, proj := memoryShop(t)
	first := summary(t, memoryCLI(t, nil, "memory", "ingest", "--project", proj))
	segs, _ := filepath.Glob(filepath.Join(proj, ".dataops/memory/*.seg"))
	if len(segs) == 0 {
		t.Fatal("no segment")
	}
	data, _ := os.ReadFile(segs[0])
	data[len(data)/2] ^= 0xff
	os.WriteFile(segs[0], data, 0o644)
	r := memoryCLI(t, nil, "memory", "ingest", "--project", proj)
	again := summary(t, r)
	if !strings.Contains(r.stderr, "memory store is corrupt") || !strings.Contains(r.stderr, "dataops: memory store .dataops/memory rebuilt from its sources\n") {
		t.Errorf("no clear message: %s", r.stderr)
	}
	if again[2] != first[2] {
		t.Errorf("rebuilt with %s records, first ingest had %s", again[2], first[2])
	}

	// Found corrupt by another command first: that one empties it, the next ingest refills it.
	segs, _ = filepath.Glob(filepath.Join(proj, ".dataops/memory/*.seg"))
	data, _ = os.ReadFile(segs[0])
	data[len(data)/3] ^= 0xff
	os.WriteFile(segs[0], data, 0o644)
	if r := memoryCLI(t, nil, "memory", "search", "customer", "--project", proj); r.code != 0 || !strings.Contains(r.stderr, "rebuilt from its sources (dataops memory ingest)") {
		t.Errorf("search on a corrupt store: exit %d %s", r.code, r.stderr)
	}
	if again := summary(t, memoryCLI(t, nil, "memory", "ingest", "--project", proj)); again[2] != first[2] {
		t.Errorf("ingest after another command emptied the store: %v, first %v", again, first)
	}
}

func TestMemoryIngestServerUnreachable(t *testing.T) {
	_, proj := memoryShop(t)
	os.WriteFile(filepath.Join(proj, ".dataops.yml"), []byte("memory:\n  store: qdrant\n  url: http://admin:s3cr3t-pw@127.0.0.1:1\n"), 0o644)
	r := memoryCLI(t, nil, "memory", "ingest", "--project", proj)
	if r.code != 2 || strings.Contains(r.stderr, "s3cr3t-pw") || !strings.Contains(r.stderr, "127.0.0.1:1") {
		t.Errorf("unreachable store: exit %d %s", r.code, r.stderr)
	}
}

func TestMemoryIngestGitHubReviewComments(t *testing.T) {
	_, proj := memoryShop(t)
	fake, srv := githubtest.NewFake(t, nil)
	day := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	fake.RepoComments = []githubtest.RepoComment{
		{ID: 7, PR: 3, Path: "transform/shop/models/marts/fct_orders.sql", Line: 12, Body: "Add a test that revenue is never negative.", Login: "maria", CreatedAt: day, UpdatedAt: day},
		{ID: 8, PR: 4, Path: "transform/shop/models/marts/dim_customers.sql", Line: 3, Body: "Automated note", Login: "bot", Bot: true, CreatedAt: day, UpdatedAt: day},
	}
	vars := map[string]string{"GITHUB_TOKEN": "ghs_test", "GITHUB_API_URL": srv.URL}
	s := summary(t, memoryCLI(t, vars, "memory", "ingest", "--project", proj, "--no-history", "--github", "acme/shop"))
	if s[7] != "2" {
		t.Errorf("review comments fetched: %v", s)
	}
	r := memoryCLI(t, vars, "memory", "search", "revenue negative", "--project", proj, "--kind", "review_comment", "--format", "json")
	var hits []searchHit
	json.Unmarshal([]byte(r.stdout), &hits)
	if len(hits) != 1 || hits[0].Source != "github:acme/shop#3" || hits[0].Model != "fct_orders" || hits[0].Line != 12 ||
		hits[0].Extra["author"] != "maria" || hits[0].Extra["pr"] != "3" {
		t.Errorf("review comment hit: %s", r.stdout)
	}
	// The token is masked in everything printed, and a wrong one is a usage error.
	vars["GITHUB_TOKEN"] = "wrong-token"
	r = memoryCLI(t, vars, "memory", "ingest", "--project", proj, "--no-history", "--github", "acme/shop")
	if r.code != 2 || strings.Contains(r.stderr, "wrong-token") || !strings.Contains(r.stderr, "401") {
		t.Errorf("bad token: exit %d %s", r.code, r.stderr)
	}
}

func TestMemoryIngestProgressOnATerminalOnly(t *testing.T) {
	_, proj := memoryShop(t)
	var stdout, stderr bytes.Buffer
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: testGetenv(nil), Terminal: true}, []string{"memory", "ingest", "--project", proj})
	if code != 0 || !strings.Contains(stderr.String(), "\r\033[Kmemory: reading") || !strings.HasSuffix(stderr.String(), "\r\033[K") {
		t.Errorf("progress on a terminal: %d %q", code, stderr.String())
	}
	r := memoryCLI(t, nil, "memory", "ingest", "--project", proj)
	if strings.Contains(r.stderr, "\r") {
		t.Errorf("progress off a terminal: %q", r.stderr)
	}
}

func TestMemoryIngestTwoAtOnce(t *testing.T) {
	_, proj := memoryShop(t)
	var wg sync.WaitGroup
	runs := make([]cliRun, 2)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i] = memoryCLI(t, nil, "memory", "ingest", "--project", proj)
		}()
	}
	wg.Wait()
	added := 0
	for _, r := range runs {
		s := summaryRE.FindStringSubmatch(r.stdout)
		if r.code != 0 || s == nil {
			t.Fatalf("concurrent ingest: exit %d %s %s", r.code, r.stdout, r.stderr)
		}
		n := 0
		for _, c := range s[3] {
			n = n*10 + int(c-'0')
		}
		added += n
	}
	var status memoryStatus
	st := memoryCLI(t, nil, "memory", "status", "--project", proj, "--format", "json")
	if err := json.Unmarshal([]byte(st.stdout), &status); err != nil || status.Records != added || status.Stale.Stale() {
		t.Errorf("after two ingests at once: %d records, %d added in all; %v %s", status.Records, added, err, st.stdout)
	}
}

// A proposal of a run on a branch is resolved by the ingest that first sees the branch merged:
// written as proposed, it was accepted.
func TestMemoryIngestResolvesMergedProposals(t *testing.T) {
	repo, proj := memoryShop(t)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=a@a", "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=a@a")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	summary(t, memoryCLI(t, nil, "memory", "ingest", "--project", proj))
	git("checkout", "-q", "-b", "feature")
	sqlPath := filepath.Join(proj, "models/staging/stg_customers.sql")
	sql, _ := os.ReadFile(sqlPath)
	edited := strings.Replace(string(sql), "first_name,", "first_name,\n        upper(first_name) as first_name_upper,", 1)
	if edited == string(sql) {
		t.Fatal("stg_customers.sql changed: add the column elsewhere")
	}
	os.WriteFile(sqlPath, []byte(edited), 0o644)
	git("commit", "-q", "-am", "first_name_upper")
	if r := memoryCLI(t, nil, "schema", "--project", proj, "--base", "main", "--write"); r.code != 0 {
		t.Fatalf("schema --write: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if len(openProposals(t, proj)) == 0 {
		t.Fatal("schema recorded no proposal")
	}
	git("commit", "-q", "-am", "properties of first_name_upper")
	git("checkout", "-q", "main")
	git("merge", "-q", "--no-ff", "-m", "Merge feature", "feature")

	r := memoryCLI(t, nil, "memory", "ingest", "--project", proj)
	if r.code != 0 || !regexp.MustCompile(`proposals resolved from history: [1-9]\d* accepted, 0 edited, 0 rejected`).MatchString(r.stdout) {
		t.Fatalf("ingest after the merge: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, p := range openProposals(t, proj) {
		if p.State != learn.Accepted {
			t.Errorf("%s %s.%s is %s after the merge", p.Kind, p.Model, p.Column, p.State)
		}
	}
	// Nothing new: the store is not opened, nothing is resolved twice.
	r = memoryCLI(t, nil, "memory", "ingest", "--project", proj)
	if r.code != 0 || strings.Contains(r.stdout, "resolved") {
		t.Fatalf("second ingest: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
