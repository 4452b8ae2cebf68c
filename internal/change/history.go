package change

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Commit is one commit of the project's history with the files it changed there.
type Commit struct {
	ID     string
	Time   time.Time // author time
	Author string
	Files  []CommitFile
}

// CommitFile is one file a commit added, modified, renamed or deleted. Paths are relative to
// the repository's top, slash-separated; a blob is "" where the file did not exist.
type CommitFile struct {
	Status  byte // A, M, D, R (renamed), C (copied), T (type changed)
	Path    string
	OldPath string // the path before a rename or copy; Path otherwise
	Blob    string // the content after the commit
	OldBlob string // the content before it (in the first parent)
}

// History lists the commits that changed the project directory, newest first: those reachable
// from head ("" means HEAD) and not from since ("" means none), merges left out (each change
// is counted once, in the commit that made it), at most max of them (max <= 0: all).
func (r *Repo) History(ctx context.Context, since, head string, max int) ([]Commit, error) {
	if head == "" {
		head = "HEAD"
	}
	rng := head
	if since != "" {
		rng = since + ".." + head
	}
	args := []string{"--literal-pathspecs", "log", "--no-merges", "-z", "--raw", "-M", "--no-abbrev", "--format=%x01%H%x00%at%x00%an%x00", rng}
	if max > 0 {
		args = append(args, "--max-count="+strconv.Itoa(max))
	}
	if r.Prefix != "" {
		args = append(args, "--", r.Prefix+"/")
	}
	out, err := gitOutput(ctx, r.Top, args...)
	if err != nil {
		return nil, err
	}
	return parseRawLog(out)
}

// parseRawLog reads `git log -z --raw --format=%x01%H%x00%at%x00%an%x00`: each commit starts
// with \x01, its three fields end with NUL, and each raw line is ":modes blobs status\0path\0"
// (with a second path for renames and copies).
func parseRawLog(out []byte) ([]Commit, error) {
	var commits []Commit
	for _, rec := range bytes.Split(out, []byte{1}) {
		if len(bytes.TrimSpace(rec)) == 0 {
			continue
		}
		f := bytes.Split(rec, []byte{0})
		if len(f) < 3 {
			return nil, fmt.Errorf("git log: unexpected record %q", firstBytes(rec))
		}
		secs, err := strconv.ParseInt(string(f[1]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("git log: bad time %q", f[1])
		}
		c := Commit{ID: string(f[0]), Time: time.Unix(secs, 0).UTC(), Author: string(f[2])}
		rest := f[3:]
		for i := 0; i < len(rest); i++ {
			meta := strings.TrimSpace(string(rest[i]))
			if meta == "" {
				continue
			}
			if !strings.HasPrefix(meta, ":") {
				return nil, fmt.Errorf("git log: unexpected %q", meta)
			}
			m := strings.Fields(meta[1:])
			if len(m) != 5 || i+1 >= len(rest) {
				return nil, fmt.Errorf("git log: unexpected %q", meta)
			}
			fc := CommitFile{Status: m[4][0], OldBlob: blobID(m[2]), Blob: blobID(m[3])}
			fc.Path = string(rest[i+1])
			fc.OldPath = fc.Path
			i++
			if (fc.Status == 'R' || fc.Status == 'C') && i+1 < len(rest) {
				fc.OldPath, fc.Path = fc.Path, string(rest[i+1])
				i++
			}
			if m[1] == "160000" || m[0] == "160000" {
				continue // submodules
			}
			c.Files = append(c.Files, fc)
		}
		commits = append(commits, c)
	}
	return commits, nil
}

func blobID(s string) string {
	if strings.Trim(s, "0") == "" {
		return ""
	}
	return s
}

func firstBytes(b []byte) []byte {
	if len(b) > 80 {
		return b[:80]
	}
	return b
}

// ReadBlobs streams the contents of the blobs ids, in order, through one git process.
func (r *Repo) ReadBlobs(ctx context.Context, ids []string, each func(i int, data []byte) error) error {
	if len(ids) == 0 {
		return nil
	}
	i := 0
	return catFiles(ctx, r.Top, ids, func(data []byte) error {
		err := each(i, data)
		i++
		return err
	})
}

// IsAncestor reports whether commit a is an ancestor of (or equal to) commit b. A commit that
// does not exist (history rewritten, a shallow clone) is no ancestor.
func (r *Repo) IsAncestor(ctx context.Context, a, b string) bool {
	_, err := gitOutput(ctx, r.Top, "merge-base", "--is-ancestor", a, b)
	return err == nil
}

// CountCommits counts the commits that changed the project directory and are reachable
// from head but not from since.
func (r *Repo) CountCommits(ctx context.Context, since, head string) (int, error) {
	args := []string{"--literal-pathspecs", "rev-list", "--count", "--no-merges", since + ".." + head}
	if r.Prefix != "" {
		args = append(args, "--", r.Prefix+"/")
	}
	out, err := gitOutput(ctx, r.Top, args...)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(out)))
}
