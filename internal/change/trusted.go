package change

import (
	"context"
	"strings"
)

// TouchedFiles lists the tracked files, relative to the repository's top level and anywhere
// in it, that differ between commit and the work tree (head == "") or head: what a change
// added, modified or deleted. Files git does not track are not listed: a change cannot have
// put them there.
func (r *Repo) TouchedFiles(ctx context.Context, commit, head string) ([]string, error) {
	args := []string{"--literal-pathspecs", "diff", "--name-only", "--no-renames", "-z", commit}
	if head != "" {
		args = append(args, head)
	}
	out, err := gitOutput(ctx, r.Top, append(args, "--")...)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}

// ReadBlob returns the content of the regular file rel (slash-separated, relative to the
// top level) in commit; ok is false when commit has no regular file there (nothing, a
// directory, a symbolic link or a submodule).
func (r *Repo) ReadBlob(ctx context.Context, commit, rel string) (data []byte, ok bool, err error) {
	out, err := gitOutput(ctx, r.Top, "--literal-pathspecs", "ls-tree", "-z", "--full-tree", commit, "--", rel)
	if err != nil {
		return nil, false, err
	}
	meta, path, found := strings.Cut(strings.TrimSuffix(string(out), "\x00"), "\t")
	f := strings.Fields(meta)
	if !found || path != rel || len(f) != 3 || f[1] != "blob" || (f[0] != "100644" && f[0] != "100755") {
		return nil, false, nil
	}
	data, err = gitOutput(ctx, r.Top, "cat-file", "blob", f[2])
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}
