package change

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// BuildTree writes at dest the project directory as it is at commit, reusing the files of src (a
// directory holding the same project at another version) for everything that did not change:
// those become symbolic links to src's files, and only the files listed in changed (relative to
// the project) are read from git. On a large project with a small change this costs a few
// thousand link calls instead of unpacking every file. Symbolic links, unlike hard links, leave
// the user's files as they are: a hard link changes a file's ctime, which makes git re-hash the
// whole work tree on its next status. It returns the project directory
// inside dest. The installed packages directory of src, which git does not track, is linked in
// when commit has none, so both sides resolve the same packages.
func (r *Repo) BuildTree(ctx context.Context, commit, src string, changed []string, dest string) (string, error) {
	return r.buildTree(ctx, commit, src, changed, dest, nil)
}

// buildTree is BuildTree limited to the files include accepts (nil: every file).
func (r *Repo) buildTree(ctx context.Context, commit, src string, changed []string, dest string, include func(rel string) bool) (string, error) {
	src, err := filepath.Abs(src)
	if err != nil {
		return "", err
	}
	changedSet := make(map[string]bool, len(changed))
	for _, f := range changed {
		changedSet[f] = true
	}
	args := []string{"ls-tree", "-r", "-z", "--full-tree", commit}
	if specs := r.pathspecs(); len(specs) > 0 {
		args = append(append(args, "--"), specs...)
	}
	out, err := gitOutput(ctx, r.Top, args...)
	if err != nil {
		return "", err
	}
	proj := dest
	if r.Prefix != "" {
		proj = filepath.Join(dest, filepath.FromSlash(r.Prefix))
	}
	type blob struct{ rel, id string }
	var fetch, links []blob
	made := map[string]bool{}
	mkdir := func(dir string) error {
		if made[dir] {
			return nil
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		made[dir] = true
		return nil
	}
	n := 0
	for _, rec := range bytes.Split(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		tab := bytes.IndexByte(rec, '\t')
		if tab < 0 {
			continue
		}
		meta := strings.Fields(string(rec[:tab]))
		full := string(rec[tab+1:])
		if len(meta) != 3 || meta[1] != "blob" {
			continue // submodules
		}
		if !safeRel(full) {
			continue
		}
		// A shared folder's file lands at the same place relative to the project as in the
		// repository; its rel climbs out of the project ("../../sources/x.yml").
		inside := r.Prefix == "" || strings.HasPrefix(full, r.Prefix+"/")
		if !inside && !r.inShared(full) {
			continue
		}
		rel := r.projectRel(full)
		if inside {
			n++
		}
		if include != nil && !include(rel) {
			continue
		}
		target := filepath.Join(dest, filepath.FromSlash(full))
		if err := mkdir(filepath.Dir(target)); err != nil {
			return "", err
		}
		if meta[0] == "120000" {
			continue // symlinks in a project are not followed
		}
		if !changedSet[rel] {
			links = append(links, blob{rel, meta[2]})
			continue
		}
		fetch = append(fetch, blob{rel, meta[2]})
	}
	// Link in parallel: on a large project the link calls are most of the cost.
	var mu sync.Mutex
	parallel(len(links), func(i int) {
		b := links[i]
		srcPath := filepath.Join(src, filepath.FromSlash(b.rel))
		if st, err := os.Lstat(srcPath); err == nil && st.Mode().IsRegular() {
			if os.Symlink(srcPath, filepath.Join(proj, filepath.FromSlash(b.rel))) == nil {
				return
			}
		}
		mu.Lock()
		fetch = append(fetch, b)
		mu.Unlock()
	})
	if n == 0 && r.Prefix != "" {
		// The project's folder is not in that commit: the change creates it (or moves the
		// project here). Its base is an empty folder (detect.go gives it the head's project
		// file), so everything is added.
		if err := mkdir(proj); err != nil {
			return "", err
		}
	}
	if len(fetch) > 0 {
		ids := make([]string, len(fetch))
		for i, b := range fetch {
			ids[i] = b.id
		}
		i := 0
		err := catFiles(ctx, r.Top, ids, func(data []byte) error {
			rel := fetch[i].rel
			target := filepath.Join(proj, filepath.FromSlash(rel)) // rel may climb into a shared folder
			i++
			if data == nil {
				if projectText(rel) {
					return fmt.Errorf("%s at %s: git does not have its content (blob %s is missing from this clone)", rel, commit, fetch[i-1].id)
				}
				return nil // a data file the project can do without (a large seed left out of the clone)
			}
			return os.WriteFile(target, data, 0o644)
		})
		if err != nil {
			return "", err
		}
	}
	linkPackages(src, proj)
	return proj, nil
}

// linkPackages makes the packages installed next to src visible in proj when proj has none.
func linkPackages(src, proj string) {
	for _, name := range []string{"dbt_packages", "dbt_modules"} {
		from := filepath.Join(src, name)
		if st, err := os.Stat(from); err != nil || !st.IsDir() {
			continue
		}
		to := filepath.Join(proj, name)
		if _, err := os.Lstat(to); err == nil {
			continue
		}
		abs, err := filepath.Abs(from)
		if err != nil {
			continue
		}
		_ = os.Symlink(abs, to)
	}
}

// catFiles streams blob contents for ids, in order, through one `git cat-file --batch`. A blob
// the repository does not have comes as nil (an empty one as an empty, non-nil slice).
func catFiles(ctx context.Context, dir string, ids []string, each func([]byte) error) error {
	cmd := exec.CommandContext(ctx, "git", "cat-file", "--batch")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git cat-file: %w", err)
	}
	br := bufio.NewReaderSize(stdout, 1<<16)
	var readErr error
	for range ids {
		header, err := br.ReadString('\n')
		if err != nil {
			readErr = fmt.Errorf("git cat-file: %w", err)
			break
		}
		f := strings.Fields(header)
		if len(f) == 2 && f[1] == "missing" {
			// A blob the repository lacks (a partial or size-limited clone).
			if err := each(nil); err != nil {
				readErr = err
				break
			}
			continue
		}
		if len(f) != 3 {
			readErr = fmt.Errorf("git cat-file: unexpected %q", strings.TrimSpace(header))
			break
		}
		var size int
		if _, err := fmt.Sscanf(f[2], "%d", &size); err != nil {
			readErr = fmt.Errorf("git cat-file: bad size in %q", strings.TrimSpace(header))
			break
		}
		data := make([]byte, size+1) // content and the trailing newline
		if _, err := io.ReadFull(br, data); err != nil {
			readErr = fmt.Errorf("git cat-file: %w", err)
			break
		}
		if err := each(data[:size]); err != nil {
			readErr = err
			break
		}
	}
	_, _ = io.Copy(io.Discard, br)
	if err := cmd.Wait(); err != nil && readErr == nil {
		readErr = fmt.Errorf("git cat-file: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return readErr
}

// projectText reports whether a file is one the project's meaning is read from: SQL, YAML,
// Python models, docs blocks.
func projectText(rel string) bool {
	switch strings.ToLower(path.Ext(rel)) {
	case ".sql", ".yml", ".yaml", ".py", ".md", ".sqlfluff", ".toml", ".cfg", ".ini":
		return true
	}
	return false
}

func safeRel(rel string) bool {
	if rel == "" || strings.HasPrefix(rel, "/") {
		return false
	}
	for _, part := range strings.Split(rel, "/") {
		if part == ".." {
			return false
		}
	}
	return true
}

// parallel runs f(0..n-1) on a few goroutines.
func parallel(n int, f func(int)) {
	workers := 8
	if n < workers*4 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
