package learn

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/memory"
)

// gitTimeout bounds each git command: resolving is a side job of a review or an ingest and
// must not hang it.
const gitTimeout = 30 * time.Second

// maxPropertyFile is the largest property file read from a past commit.
const maxPropertyFile = 4 << 20

func git(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

var remoteRepo = lazyregexp.New(`(?:github\.com|gitlab\.com|bitbucket\.org)[:/]([^/\s]+/[^/\s]+?)(?:\.git)?/?$`)

// RepositoryName names the repository holding dir the way proposals name it: owner/name from
// the origin remote when it is a known host, else the folder name of the work tree.
func RepositoryName(ctx context.Context, dir string) string {
	if out, err := git(ctx, dir, nil, "remote", "get-url", "origin"); err == nil {
		if m := remoteRepo.FindStringSubmatch(strings.TrimSpace(string(out))); m != nil {
			return m[1]
		}
	}
	if out, err := git(ctx, dir, nil, "rev-parse", "--show-toplevel"); err == nil {
		return path.Base(strings.TrimSpace(string(out)))
	}
	return ""
}

// Commit resolves a ref of the repository holding dir to its full SHA ("" when unknown).
func Commit(ctx context.Context, dir, ref string) string {
	out, err := git(ctx, dir, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// StateAt reads the project's property files as they were at a commit of the repository
// holding dir (the project's folder).
func StateAt(ctx context.Context, dir, commit string) (*State, error) {
	prefix, err := git(ctx, dir, nil, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, err
	}
	pre := strings.TrimSpace(string(prefix))
	out, err := git(ctx, dir, nil, "ls-tree", "-r", "-z", "--full-tree", "--name-only", commit, "--", ":/"+pre)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, full := range strings.Split(string(out), "\x00") {
		rel, ok := strings.CutPrefix(full, pre)
		if !ok || !(strings.HasSuffix(rel, ".yml") || strings.HasSuffix(rel, ".yaml")) {
			continue
		}
		if strings.HasPrefix(rel, "dbt_packages/") || strings.HasPrefix(rel, "target/") || strings.HasPrefix(rel, ".dataops/") ||
			strings.Contains(rel, "/dbt_packages/") {
			continue
		}
		names = append(names, rel)
	}
	files := map[string][]byte{}
	if len(names) > 0 {
		var in bytes.Buffer
		for _, n := range names {
			fmt.Fprintf(&in, "%s:%s%s\n", commit, pre, n)
		}
		blob, err := git(ctx, dir, &in, "cat-file", "--batch")
		if err != nil {
			return nil, err
		}
		r := bufio.NewReader(bytes.NewReader(blob))
		for _, n := range names {
			header, err := r.ReadString('\n')
			if err != nil {
				break
			}
			f := strings.Fields(header)
			if len(f) != 3 || f[1] != "blob" {
				continue // "missing": nothing follows
			}
			size, _ := strconv.Atoi(f[2])
			data := make([]byte, size)
			if _, err := io.ReadFull(r, data); err != nil {
				break
			}
			r.ReadByte() // the newline after the content
			if size <= maxPropertyFile {
				files[n] = data
			}
		}
	}
	return NewState(files), nil
}

// maxLanded bounds the commits read after a head that landed without a merge commit.
const maxLanded = 20

// landed finds where the work of a head reached ref: the merge commit that brought it in;
// else (a fast-forward or a rebase) the first commits after it on the way to ref, oldest
// first, since the pull request may have gone on after the head proposed on; the head itself
// when ref is it. Nil when ref does not contain the head.
func landed(ctx context.Context, dir, ref, head string) []string {
	if head == "" {
		return nil
	}
	if _, err := git(ctx, dir, nil, "merge-base", "--is-ancestor", head, ref); err != nil {
		return nil
	}
	if out, err := git(ctx, dir, nil, "rev-list", "--ancestry-path", "--merges", "--reverse", head+".."+ref); err == nil {
		if first, _, _ := strings.Cut(string(out), "\n"); strings.TrimSpace(first) != "" {
			return []string{strings.TrimSpace(first)}
		}
	}
	out, err := git(ctx, dir, nil, "rev-list", "--ancestry-path", "--reverse", head+".."+ref)
	if err != nil {
		return []string{head}
	}
	commits := strings.Fields(string(out))
	if len(commits) > maxLanded {
		commits = commits[:maxLanded]
	}
	return append([]string{head}, commits...)
}

// squashed finds the commit of ref whose message names a pull request as GitHub writes
// squash and merge commits ("Title (#12)", "Merge pull request #12 from ...").
func squashed(ctx context.Context, dir, ref, pr string) []string {
	if pr == "" {
		return nil
	}
	out, err := git(ctx, dir, nil, "log", "--first-parent", "-n", "1", "--format=%H", "-E",
		"--grep=\\(#"+pr+"\\)$", "--grep=^Merge pull request #"+pr+" ", ref)
	if err != nil || strings.TrimSpace(string(out)) == "" {
		return nil
	}
	return []string{strings.TrimSpace(string(out))}
}

// ResolveHistory resolves the open proposals of a repository whose pull request (or head)
// ref has merged (HEAD when ref is ""), against the property files of the commit where each
// landed: what is absent there was rejected. dir is the project's folder in a git work tree;
// repository "" takes RepositoryName(dir). The memory ingest of history calls it, and so does
// every review, with its base.
func ResolveHistory(ctx context.Context, s memory.Store, dir, project, repository, ref string) (Resolution, error) {
	var res Resolution
	if ref == "" {
		ref = "HEAD"
	}
	if repository == "" {
		repository = RepositoryName(ctx, dir)
	}
	ps, err := Proposals(ctx, s, project)
	if err != nil {
		return res, err
	}
	// One group per pull request (its newest head first: the one that merged), or per head
	// for local runs.
	type group struct {
		pr     string
		heads  []string
		newest time.Time
	}
	byKey := map[string]*group{}
	var groups []*group
	for i := range ps {
		p := &ps[i]
		if p.State != Open || p.Repository != repository {
			continue
		}
		k := "pr:" + p.PR
		if p.PR == "" {
			k = "head:" + p.Head
		}
		g := byKey[k]
		if g == nil {
			g = &group{pr: p.PR}
			byKey[k] = g
			groups = append(groups, g)
		}
		if !slices.Contains(g.heads, p.Head) {
			if p.Time.After(g.newest) {
				g.heads = append([]string{p.Head}, g.heads...)
				g.newest = p.Time
			} else {
				g.heads = append(g.heads, p.Head)
			}
		}
	}
	states := map[string]*State{}
	stateAt := func(commit string) (*State, error) {
		if st := states[commit]; st != nil {
			return st, nil
		}
		st, err := StateAt(ctx, dir, commit)
		if err == nil {
			states[commit] = st
		}
		return st, err
	}
	for _, g := range groups {
		var commits []string
		for _, h := range g.heads {
			if commits = landed(ctx, dir, ref, h); commits != nil {
				break
			}
		}
		if commits == nil {
			commits = squashed(ctx, dir, ref, g.pr)
		}
		if commits == nil {
			continue
		}
		// A proposal counts from the first commit that has it; what the last one lacks was
		// rejected.
		for i, commit := range commits {
			st, err := stateAt(commit)
			if err != nil {
				return res, err
			}
			sc := Scope{Project: project, Repository: repository, Merged: i == len(commits)-1, Commit: commit,
				Time: commitTime(ctx, dir, commit)}
			if g.pr != "" {
				sc.PR = g.pr
			} else {
				sc.Heads = g.heads
			}
			r, err := Resolve(ctx, s, st, sc)
			if err != nil {
				return res, err
			}
			r.Open = 0
			res.add(r)
		}
	}
	return res, nil
}

func commitTime(ctx context.Context, dir, commit string) time.Time {
	out, err := git(ctx, dir, nil, "show", "-s", "--format=%ct", commit)
	if err != nil {
		return time.Time{}
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
