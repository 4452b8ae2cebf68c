package change

import (
	"context"
	"strings"
	"testing"
)

func TestHistoryListsChangesNewestFirst(t *testing.T) {
	ctx := context.Background()
	dir := gitRepo(t, map[string]string{"proj/models/a.yml": "a1\n", "proj/models/b.sql": "select 1\n", "other/x.yml": "x\n"})
	c2 := func() string {
		write(t, dir, map[string]string{"proj/models/a.yml": "a2\n", "proj/models/c d.yml": "c\n"})
		return commit(t, dir, "second")
	}()
	run(t, dir, "mv", "proj/models/b.sql", "proj/models/b2.sql")
	c3 := commit(t, dir, "rename")
	// A side branch merged back: the merge itself is left out, its commit is not.
	run(t, dir, "checkout", "-q", "-b", "side", c2)
	write(t, dir, map[string]string{"proj/models/e.yml": "e\n"})
	c4 := commit(t, dir, "side")
	run(t, dir, "checkout", "-q", "main")
	run(t, dir, "merge", "-q", "--no-edit", "side")
	write(t, dir, map[string]string{"other/x.yml": "x2\n"})
	commit(t, dir, "outside the project")

	repo, err := FindRepo(ctx, dir+"/proj")
	if err != nil {
		t.Fatal(err)
	}
	commits, err := repo.History(ctx, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range commits {
		ids = append(ids, c.ID[:7])
	}
	if len(commits) != 4 {
		t.Fatalf("got %d commits %v, want 4 (no merge, none outside the project)", len(commits), ids)
	}
	byID := map[string]Commit{}
	for _, c := range commits {
		byID[c.ID] = c
		if c.Author != "t" || c.Time.IsZero() {
			t.Errorf("commit %s: author %q time %v", c.ID, c.Author, c.Time)
		}
	}
	if got := byID[c4].Files; len(got) != 1 || got[0].Status != 'A' || got[0].Path != "proj/models/e.yml" || got[0].OldBlob != "" || got[0].Blob == "" {
		t.Errorf("added file: %+v", got)
	}
	if got := byID[c3].Files; len(got) != 1 || got[0].Status != 'R' || got[0].OldPath != "proj/models/b.sql" || got[0].Path != "proj/models/b2.sql" {
		t.Errorf("renamed file: %+v", got)
	}
	files := byID[c2].Files
	if len(files) != 2 || files[0].Path != "proj/models/a.yml" || files[0].Status != 'M' || files[1].Path != "proj/models/c d.yml" {
		t.Fatalf("second commit: %+v", files)
	}
	var got []string
	err = repo.ReadBlobs(ctx, []string{files[0].OldBlob, files[0].Blob}, func(i int, data []byte) error {
		got = append(got, string(data))
		return nil
	})
	if err != nil || strings.Join(got, "|") != "a1\n|a2\n" {
		t.Errorf("blobs: %q, %v", got, err)
	}

	// Since a commit: only what came after it; at most max.
	after, err := repo.History(ctx, c2, "", 0)
	if err != nil || len(after) != 2 {
		t.Errorf("since %s: %d commits, %v", c2[:7], len(after), err)
	}
	if n, err := repo.CountCommits(ctx, c2, "HEAD"); err != nil || n != 2 {
		t.Errorf("count since: %d, %v", n, err)
	}
	if one, err := repo.History(ctx, "", "", 1); err != nil || len(one) != 1 {
		t.Errorf("max 1: %d, %v", len(one), err)
	}
	if !repo.IsAncestor(ctx, c2, "HEAD") || repo.IsAncestor(ctx, c4, c3) || repo.IsAncestor(ctx, "0123456789abcdef0123456789abcdef01234567", "HEAD") {
		t.Error("IsAncestor")
	}
}
