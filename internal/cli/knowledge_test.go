package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/learn"
	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/stm"
)

// seedMemory creates the project's memory with a playbook rule, a past review comment and a
// description an engineer wrote for a column of the same name in an earlier commit.
func seedMemory(t *testing.T, proj string) {
	t.Helper()
	var stderr bytes.Buffer
	env := memoryTestEnv(&stderr, nil)
	m := config.Default().Memory
	k, err := openKnowledge(env, &m, proj, true)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	recs := []memory.Record{
		{ID: "rule-1", Kind: memory.KindPlaybookRule, Text: "Staging: every new column of a staging model is documented, with the source it comes from.",
			Metadata: memory.Metadata{Project: "shop", Source: "docs/playbook.md", Line: 7, Extra: map[string]string{"heading": "Staging"}}},
		{ID: "rule-2", Kind: memory.KindPlaybookRule, Text: "Exposures: dashboards name an owner.",
			Metadata: memory.Metadata{Project: "shop", Source: "docs/playbook.md", Line: 12, Extra: map[string]string{"heading": "Exposures"}}},
		{ID: "comment-1", Kind: memory.KindReviewComment, Text: "Keep emails lower-cased here, marketing joins on them.",
			Metadata: memory.Metadata{Project: "shop", Model: "stg_customers", Source: "github:acme/shop#41",
				Extra: map[string]string{"pr": "41", "path": "models/staging/stg_customers.sql", "author": "dana"}}},
		{ID: "hist-1", Kind: memory.KindColumnDoc, Text: "email_domain: The part of the email address after the @.",
			Metadata: memory.Metadata{Project: "shop", Model: "stg_leads", Column: "email_domain", Source: "git:models/staging/_leads.yml", Line: 9, Commit: "abc123",
				Extra: map[string]string{"origin": "history", "description": "The part of the email address after the @."}}},
	}
	vecs, err := k.Embedder.Embed(env.Ctx, []string{recs[0].Text, recs[1].Text, recs[2].Text, recs[3].Text})
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		recs[i].Vector = vecs[i]
	}
	if err := k.Store.Upsert(env.Ctx, recs); err != nil {
		t.Fatal(err)
	}
}

func openProposals(t *testing.T, proj string) []learn.Proposal {
	t.Helper()
	var stderr bytes.Buffer
	env := memoryTestEnv(&stderr, nil)
	m := config.Default().Memory
	k, err := openKnowledge(env, &m, proj, false)
	if err != nil || k == nil {
		t.Fatalf("memory: %v", err)
	}
	defer k.Close()
	ps, err := learn.Proposals(env.Ctx, k.Store, "")
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

type reviewJSON struct {
	Descriptions []struct {
		Model, Column, Description, Source string
		From                               string `json:"description_from"`
	} `json:"descriptions"`
	Knowledge *struct {
		Rules    []struct{ Text, Source, Heading string } `json:"rules"`
		Comments []struct{ Text, Source, Author string }  `json:"comments"`
	} `json:"knowledge"`
}

// TestReviewWithMemory: a review brings the playbook rule and the past comment that concern
// the change, describes the new column from history, records its proposals once per head in
// Redis's workflow state (cleared when the run completes), and a later review whose base
// holds the merged change resolves them; memory stats counts the outcomes.
func TestReviewWithMemory(t *testing.T) {
	redisURL := os.Getenv("DATAOPS_TEST_REDIS_URL")
	if redisURL == "" {
		t.Fatal("DATAOPS_TEST_REDIS_URL is not set: give a Redis to test against (scripts/test.sh starts one)")
	}
	repo, proj := shopRepo(t)
	seedMemory(t, proj)
	envVars := map[string]string{"DATAOPS_REDIS_URL": redisURL}
	out, errOut, code := runCLIEnv(t, envVars, "review", "--project", proj, "--base", "HEAD~1", "--format", "json", "--fail-on", "never")
	if code != 0 {
		t.Fatalf("review: exit %d: %s", code, errOut)
	}
	var rv reviewJSON
	if err := json.Unmarshal([]byte(out), &rv); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rv.Knowledge == nil || len(rv.Knowledge.Rules) != 1 || rv.Knowledge.Rules[0].Source != "docs/playbook.md:7" ||
		len(rv.Knowledge.Comments) != 1 || rv.Knowledge.Comments[0].Author != "dana" {
		t.Errorf("knowledge = %+v", rv.Knowledge)
	}
	var domain string
	for _, d := range rv.Descriptions {
		if d.Column == "email_domain" {
			domain = d.From + " " + d.Source + " " + d.Description
		}
	}
	if domain != "history:abc123 models/staging/_leads.yml:9 The part of the email address after the @." {
		t.Errorf("email_domain described as %q", domain)
	}
	ps := openProposals(t, proj)
	if len(ps) == 0 {
		t.Fatal("no proposals recorded")
	}
	head := strings.TrimSpace(gitOut(t, repo, "rev-parse", "HEAD"))
	for _, p := range ps {
		if p.Head != head || p.PR != "" || p.Repository != filepath.Base(repo) || p.State != learn.Open {
			t.Fatalf("proposal %+v", p)
		}
	}
	// The workflow state is gone; the head's idempotency key stays, so a second review of the
	// same head records nothing (even after the proposals were removed from memory).
	st, err := stm.Open(context.Background(), redisURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Get(context.Background(), "review/"+filepath.Base(repo)+"@"+head, "plan"); err != stm.ErrNotFound {
		t.Errorf("workflow state after the run: %v", err)
	}
	forgetProposals(t, proj)
	if _, errOut, code := runCLIEnv(t, envVars, "review", "--project", proj, "--base", "HEAD~1", "--format", "json", "--fail-on", "never"); code != 0 {
		t.Fatalf("second review: exit %d: %s", code, errOut)
	}
	if again := openProposals(t, proj); len(again) != 0 {
		t.Errorf("a second review of the same head recorded %d proposals", len(again))
	}

	// Without Redis the in-process state is per run: record again, then merge the change
	// with one description rewritten by hand and review the next change on top of it.
	if _, errOut, code := runCLIEnv(t, nil, "review", "--project", proj, "--base", "HEAD~1", "--fix", "--fail-on", "never"); code != 0 {
		t.Fatalf("review --fix: exit %d: %s", code, errOut)
	}
	recorded := openProposals(t, proj)
	yml := filepath.Join(proj, "models", "staging", "_staging.yml")
	data, _ := os.ReadFile(yml)
	edited := strings.Replace(string(data), "The part of the email address after the @.", "Domain of the customer's email, lower-cased.", 1)
	if edited == string(data) {
		t.Fatalf("the fix did not write the description:\n%s", data)
	}
	if err := os.WriteFile(yml, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	gitOut(t, repo, "add", "-A")
	gitOut(t, repo, "commit", "-q", "-m", "email domain documented")
	f := filepath.Join(proj, "models/staging/stg_customers.sql")
	sql, _ := os.ReadFile(f)
	if err := os.WriteFile(f, []byte(strings.Replace(string(sql), "first_name,", "first_name,\n        upper(first_name) as first_name_upper,", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLIEnv(t, nil, "review", "--project", proj, "--base", "HEAD", "--fail-on", "never"); code != 0 {
		t.Fatalf("next review: exit %d: %s", code, errOut)
	}
	states := map[string]string{}
	for _, p := range openProposals(t, proj) {
		if p.Head == head {
			states[p.Kind+" "+p.Column] = p.State
		}
	}
	if states["description email_domain"] != learn.Edited || states["column email_domain"] != learn.Accepted {
		t.Errorf("outcomes = %v (recorded %d)", states, len(recorded))
	}
	out, errOut, code = runCLIEnv(t, nil, "memory", "stats", "--project", proj, "--format", "json")
	if code != 0 {
		t.Fatalf("stats: exit %d: %s", code, errOut)
	}
	var stats learn.Stats
	if err := json.Unmarshal([]byte(out), &stats); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if stats.Total.Edited < 1 || stats.Total.Accepted < 1 || len(stats.ByRule) == 0 {
		t.Errorf("stats = %+v", stats)
	}
	text, _, _ := runCLIEnv(t, nil, "memory", "stats", "--project", proj)
	if !strings.Contains(text, "By rule") || !strings.Contains(text, "history") {
		t.Errorf("stats text:\n%s", text)
	}
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// forgetProposals removes every recorded proposal.
func forgetProposals(t *testing.T, proj string) {
	t.Helper()
	var stderr bytes.Buffer
	env := memoryTestEnv(&stderr, nil)
	m := config.Default().Memory
	k, err := openKnowledge(env, &m, proj, false)
	if err != nil || k == nil {
		t.Fatalf("memory: %v", err)
	}
	defer k.Close()
	ps, _ := learn.Proposals(env.Ctx, k.Store, "")
	for _, p := range ps {
		if _, err := k.Store.DeleteBySource(env.Ctx, p.Source()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSchemaAndTestsWithoutMemoryRecordNothing: no .dataops/memory, no store is made.
func TestSchemaAndTestsWithoutMemoryRecordNothing(t *testing.T) {
	_, proj := shopRepo(t)
	for _, args := range [][]string{{"schema", "--project", proj, "--base", "HEAD~1"}, {"tests", "--project", proj, "--base", "HEAD~1"}} {
		if _, errOut, code := runCLI(t, args...); code != 0 && code != 1 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(proj, ".dataops", "memory")); !os.IsNotExist(err) {
		t.Errorf("a memory store was made: %v", err)
	}
}

// TestSchemaAndTestsRecordProposals: with a memory, both commands record what they propose.
func TestSchemaAndTestsRecordProposals(t *testing.T) {
	_, proj := shopRepo(t)
	seedMemory(t, proj)
	// A key column too, so the Test Enhancer has something to propose.
	f := filepath.Join(proj, "models/staging/stg_customers.sql")
	sql, _ := os.ReadFile(f)
	if err := os.WriteFile(f, []byte(strings.Replace(string(sql), "first_name,", "first_name,\n        id as customer_key,", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "schema", "--project", proj, "--base", "HEAD~1", "--format", "json")
	if code != 0 && code != 1 {
		t.Fatalf("schema: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"description_from": "history:abc123"`) {
		t.Errorf("schema output:\n%s", out)
	}
	if _, errOut, code := runCLI(t, "tests", "--project", proj, "--base", "HEAD~1", "--format", "json"); code != 0 {
		t.Fatalf("tests: exit %d: %s", code, errOut)
	}
	agents := map[string]int{}
	for _, p := range openProposals(t, proj) {
		agents[p.Agent]++
	}
	if agents[learn.AgentSchema] == 0 || agents[learn.AgentTests] == 0 {
		t.Errorf("proposals by agent = %v", agents)
	}
}
