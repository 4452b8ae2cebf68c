package change

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Repo is the git repository that holds a project directory.
type Repo struct {
	Top string // absolute work-tree root
	// Prefix is the project directory relative to Top, slash-separated, "" at the root.
	Prefix string
	// Shared are the folders outside the project, relative to Top, that its resource paths
	// read (see shared.go); Detect fills them in. Listing changes, extracting a version and
	// building the base take them along with the project.
	Shared []string
}

// FindRepo locates the git repository holding dir. It returns an error naming dir when dir is not
// inside a git work tree or git is not installed.
func FindRepo(ctx context.Context, dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	// Resolve symlinks so the prefix computed against git's (resolved) top level is right.
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	out, err := gitOutput(ctx, abs, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("%s: not inside a git repository (needed for --base/--head): %w", dir, err)
	}
	top := strings.TrimSpace(string(out))
	rel, err := filepath.Rel(top, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("%s: outside git work tree %s", dir, top)
	}
	rel = filepath.ToSlash(rel)
	if rel == "." {
		rel = ""
	}
	return &Repo{Top: top, Prefix: rel}, nil
}

// ResolveRef returns the commit id a ref names, or an error that names the ref.
func (r *Repo) ResolveRef(ctx context.Context, ref string) (string, error) {
	out, err := gitOutput(ctx, r.Top, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("unknown git ref %q in %s", ref, r.Top)
	}
	return strings.TrimSpace(string(out)), nil
}

// Extract writes the project directory as it is at commit into dest (dest/<Prefix> is the
// project) without touching the work tree or the index: it streams `git archive` and unpacks
// the tar in-process, refusing entries that would land outside dest. It returns the project
// directory inside dest.
func (r *Repo) Extract(ctx context.Context, commit, dest string) (string, error) {
	args := []string{"archive", "--format=tar", commit}
	if r.Prefix != "" {
		args = append(args, "--", r.Prefix)
		// git archive fails on a path the commit lacks: only the shared folders it has.
		args = append(args, r.sharedAt(ctx, commit)...)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.Top
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("git archive: %w", err)
	}
	untarErr := untar(stdout, dest)
	// Drain so git is never blocked on a full pipe when untar stopped early.
	_, _ = io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	if waitErr != nil {
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "did not match any files") {
			return "", fmt.Errorf("%s does not exist at %s", r.Prefix, short(commit))
		}
		return "", fmt.Errorf("git archive %s: %v: %s", short(commit), waitErr, msg)
	}
	if untarErr != nil {
		return "", untarErr
	}
	proj := dest
	if r.Prefix != "" {
		proj = filepath.Join(dest, filepath.FromSlash(r.Prefix))
	}
	return proj, nil
}

// ChangedFiles lists the paths (relative to the project directory) that differ between commit
// and the work tree (headCommit == "") or another commit, restricted to the project and the
// shared folders it reads (those as "../../sources/x.yml", the way the loader names them).
func (r *Repo) ChangedFiles(ctx context.Context, commit, headCommit string) ([]string, error) {
	return r.changedFiles(ctx, commit, headCommit, nil)
}

// changedFiles is ChangedFiles; touched, when not nil, is what TouchedFiles listed between the
// same commits, which holds the tracked part of the answer.
func (r *Repo) changedFiles(ctx context.Context, commit, headCommit string, touched []string) ([]string, error) {
	specs := r.pathspecs()
	if len(specs) == 0 {
		specs = []string{"."}
	}
	// Never nil: an empty list says nothing differs, which callers must not read as "unknown".
	files := []string{}
	if touched != nil {
		for _, f := range touched {
			if r.inProject(f) || r.inShared(f) {
				files = append(files, r.projectRel(f))
			}
		}
	} else {
		args := []string{"diff", "--name-only", "--no-renames", "-z", commit}
		if headCommit != "" {
			args = append(args, headCommit)
		}
		args = append(append(args, "--"), specs...)
		out, err := gitOutput(ctx, r.Top, args...)
		if err != nil {
			return nil, err
		}
		// git prints paths relative to the top level.
		for _, l := range strings.Split(string(out), "\x00") {
			if l != "" {
				files = append(files, r.projectRel(l))
			}
		}
	}
	if headCommit == "" {
		// Untracked files are part of the work tree as it is.
		out, err := gitOutput(ctx, r.Top, append([]string{"ls-files", "-z", "--others", "--exclude-standard", "--"}, specs...)...)
		if err == nil {
			for _, l := range strings.Split(string(out), "\x00") {
				if l != "" {
					files = append(files, r.projectRel(l))
				}
			}
		}
	}
	return files, nil
}

// sharedAt lists the shared folders that commit has.
func (r *Repo) sharedAt(ctx context.Context, commit string) []string {
	if len(r.Shared) == 0 {
		return nil
	}
	out, err := gitOutput(ctx, r.Top, append([]string{"--literal-pathspecs", "ls-tree", "-z", "--name-only", "--full-tree", commit, "--"}, r.Shared...)...)
	if err != nil {
		return nil
	}
	var have []string
	for _, l := range strings.Split(string(out), "\x00") {
		if slices.Contains(r.Shared, l) {
			have = append(have, l)
		}
	}
	return have
}

func untar(r io.Reader, dest string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading git archive: %w", err)
		}
		name := path.Clean(h.Name)
		if name == "." || strings.HasPrefix(name, "../") || path.IsAbs(name) {
			continue
		}
		target := filepath.Join(dest, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			// A link is kept only when it stays inside the extracted tree: a project file must
			// not let us read outside it.
			lt := h.Linkname
			resolved := path.Clean(path.Join(path.Dir(name), lt))
			if path.IsAbs(lt) || strings.HasPrefix(resolved, "../") || resolved == ".." {
				continue
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			_ = os.Symlink(lt, target)
		}
	}
}

func gitOutput(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
