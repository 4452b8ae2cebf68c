package fsconfine

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tree lays out a project and a directory outside it:
//
//	outside/secret.txt, outside/dir/inner.sql
//	project/models/a.sql
//	project/models/rel.sql        -> a.sql
//	project/models/abs.sql        -> <project>/models/a.sql
//	project/models/up.sql         -> ../../outside/secret.txt
//	project/models/absout.sql     -> <outside>/secret.txt
//	project/models/chain1.sql     -> chain2.sql -> ../chain3.sql -> ../outside/secret.txt
//	project/models/chainin.sql    -> ../shared/hop.sql -> ../models/a.sql
//	project/models/env.sql        -> /proc/self/environ
//	project/models/nowhere.sql    -> ../../outside/missing.sql (dangling)
//	project/linked                -> ../outside/dir   (a symlinked directory)
//	project/insidedir             -> models           (a symlinked directory inside)
func tree(t *testing.T) (project, outside string) {
	t.Helper()
	base := t.TempDir()
	project = filepath.Join(base, "project")
	outside = filepath.Join(base, "outside")
	for _, d := range []string{"project/models", "project/shared", "outside/dir"} {
		must(t, os.MkdirAll(filepath.Join(base, d), 0o755))
	}
	write(t, filepath.Join(outside, "secret.txt"), "secret-value")
	write(t, filepath.Join(outside, "dir", "inner.sql"), "select secret")
	write(t, filepath.Join(project, "models", "a.sql"), "select 1")
	links := map[string]string{
		"models/rel.sql":     "a.sql",
		"models/abs.sql":     filepath.Join(project, "models", "a.sql"),
		"models/up.sql":      "../../outside/secret.txt",
		"models/absout.sql":  filepath.Join(outside, "secret.txt"),
		"models/chain1.sql":  "chain2.sql",
		"models/chain2.sql":  "../chain3.sql",
		"chain3.sql":         "../outside/secret.txt",
		"models/chainin.sql": "../shared/hop.sql",
		"shared/hop.sql":     "../models/a.sql",
		"models/env.sql":     "/proc/self/environ",
		"models/nowhere.sql": "../../outside/missing.sql",
		"linked":             "../outside/dir",
		"insidedir":          "models",
	}
	for name, target := range links {
		must(t, os.Symlink(target, filepath.Join(project, filepath.FromSlash(name))))
	}
	return project, outside
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	must(t, os.WriteFile(path, []byte(s), 0o644))
}

// readBoth reads name with ReadFile and ReadFileMax, which must agree: the same bytes, or
// errors of the same kind.
func readBoth(t *testing.T, d *Dir, name string) ([]byte, error) {
	t.Helper()
	data, err := d.ReadFile(name)
	fast, ferr := d.ReadFileMax(name, 1<<20)
	kind := func(err error) string {
		switch {
		case err == nil:
			return "ok"
		case errors.Is(err, ErrOutside):
			return "outside"
		case errors.Is(err, os.ErrNotExist):
			return "missing"
		}
		return "other"
	}
	if string(fast) != string(data) || kind(ferr) != kind(err) {
		t.Errorf("%q: ReadFileMax = %q, %v; ReadFile = %q, %v", name, fast, ferr, data, err)
	}
	return data, err
}

// ReadFileMax refuses a file over its bound without reading it, through the fast path and
// through a link alike.
func TestReadFileMaxBound(t *testing.T) {
	project, _ := tree(t)
	d, err := Open(project)
	must(t, err)
	defer d.Close()
	for _, name := range []string{"models/a.sql", "models/rel.sql"} {
		if _, err := d.ReadFileMax(name, 7); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s over its bound: %v, want ErrTooLarge", name, err)
		}
		if b, err := d.ReadFileMax(name, 8); err != nil || string(b) != "select 1" {
			t.Errorf("%s at its bound: %q, %v", name, b, err)
		}
	}
	if _, err := d.ReadFileMax("models", 1<<20); err == nil {
		t.Error("a directory was read as a file")
	}
	// A folder swapped for a link into .git after a first read is refused afterwards too.
	must(t, os.MkdirAll(filepath.Join(project, ".git"), 0o755))
	write(t, filepath.Join(project, ".git", "config"), "token")
	must(t, os.Rename(filepath.Join(project, "shared"), filepath.Join(project, "shared.old")))
	must(t, os.Symlink(".git", filepath.Join(project, "shared")))
	d2, err := Open(project)
	must(t, err)
	defer d2.Close()
	if b, err := d2.ReadFileMax("shared/config", 1<<20); !errors.Is(err, ErrOutside) {
		t.Errorf("through a folder linked to .git: %q, %v", b, err)
	}
}

// ReadFileMaxStat describes the file it read as a stat of its path does (size, times, inode),
// through the fast path (a plain file) and through the root (a link inside the project); past
// the bound it still describes it.
func TestReadFileMaxStatDescribesTheFile(t *testing.T) {
	project, _ := tree(t)
	d, err := Open(project)
	must(t, err)
	defer d.Close()
	for _, name := range []string{"models/a.sql", "models/rel.sql"} {
		want, err := os.Stat(filepath.Join(project, filepath.FromSlash(name)))
		must(t, err)
		for _, max := range []int64{1 << 20, 2} {
			_, got, err := d.ReadFileMaxStat(name, max)
			if got == nil || max == 2 && !errors.Is(err, ErrTooLarge) || max > 2 && err != nil {
				t.Fatalf("%s (bound %d): %v, %v", name, max, got, err)
			}
			if got.Size() != want.Size() || !got.ModTime().Equal(want.ModTime()) || got.IsDir() || !got.Mode().IsRegular() {
				t.Errorf("%s: size %d time %v mode %v, want %d %v %v", name, got.Size(), got.ModTime(), got.Mode(), want.Size(), want.ModTime(), want.Mode())
			}
			if !os.SameFile(got, want) && inode(got) != inode(want) {
				t.Errorf("%s: described another file (inode %d, want %d)", name, inode(got), inode(want))
			}
		}
	}
	if _, st, err := d.ReadFileMaxStat("models/up.sql", 1<<20); !errors.Is(err, ErrOutside) || st != nil {
		t.Errorf("a refused file is described: %v, %v", st, err)
	}
}

func TestReadStaysInside(t *testing.T) {
	project, _ := tree(t)
	d, err := Open(project)
	must(t, err)
	defer d.Close()
	for _, name := range []string{"models/a.sql", "models/rel.sql", "models/abs.sql", "models/chainin.sql", "insidedir/a.sql", "models/../models/a.sql"} {
		data, err := readBoth(t, d, name)
		if err != nil || string(data) != "select 1" {
			t.Errorf("ReadFile(%s) = %q, %v; want the project's a.sql", name, data, err)
		}
	}
	for _, name := range []string{
		"../outside/secret.txt", "models/../../outside/secret.txt", filepath.Join(project, "models", "a.sql"), "/etc/passwd",
		"models/up.sql", "models/absout.sql", "models/chain1.sql", "models/env.sql", "models/nowhere.sql",
		"linked/inner.sql", "linked/missing.sql", "linked", "",
	} {
		data, err := readBoth(t, d, name)
		if !errors.Is(err, ErrOutside) {
			t.Errorf("ReadFile(%q) = %q, %v; want a refusal matching ErrOutside", name, data, err)
		}
		if strings.Contains(string(data), "secret") {
			t.Errorf("ReadFile(%q) returned the outside file", name)
		}
		if f, err := d.Open(name); !errors.Is(err, ErrOutside) {
			if f != nil {
				f.Close()
			}
			t.Errorf("Open(%q): %v; want ErrOutside", name, err)
		}
		if _, err := d.Stat(name); !errors.Is(err, ErrOutside) {
			t.Errorf("Stat(%q): %v; want ErrOutside", name, err)
		}
	}
	if _, err := d.ReadDir("linked"); !errors.Is(err, ErrOutside) {
		t.Errorf("ReadDir(linked): %v; want ErrOutside", err)
	}
	must(t, os.Symlink(filepath.Join(project, "models"), filepath.Join(project, "absdir")))
	for _, name := range []string{"models/missing.sql", "insidedir/missing.sql", "absdir/missing.sql"} {
		if _, err := readBoth(t, d, name); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("ReadFile(%s): %v; want ErrNotExist", name, err)
		}
	}
	if data, err := readBoth(t, d, "absdir/a.sql"); err != nil || string(data) != "select 1" {
		t.Errorf("through an absolute link to a folder inside: %q, %v", data, err)
	}
	es, err := d.ReadDir("models")
	must(t, err)
	if len(es) == 0 || es[0].Name() != "a.sql" {
		t.Errorf("ReadDir(models) = %v, want sorted entries starting with a.sql", es)
	}
}

// A copy of the project made of links into the original (what validation and the base tree
// build) reads through them only when the original is allowed.
func TestReadThroughTrustedRoot(t *testing.T) {
	project, outside := tree(t)
	cp := filepath.Join(t.TempDir(), "copy")
	must(t, os.MkdirAll(filepath.Join(cp, "models"), 0o755))
	must(t, os.Symlink(filepath.Join(project, "models", "a.sql"), filepath.Join(cp, "models", "a.sql")))
	must(t, os.Symlink(filepath.Join(project, "models", "up.sql"), filepath.Join(cp, "models", "up.sql")))
	must(t, os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(cp, "models", "direct.sql")))

	plain, err := Open(cp)
	must(t, err)
	defer plain.Close()
	if _, err := readBoth(t, plain, "models/a.sql"); !errors.Is(err, ErrOutside) {
		t.Errorf("without the original allowed: %v; want ErrOutside", err)
	}
	d, err := Open(cp, project, filepath.Join(t.TempDir(), "missing"))
	must(t, err)
	defer d.Close()
	if data, err := readBoth(t, d, "models/a.sql"); err != nil || string(data) != "select 1" {
		t.Errorf("through the trusted root: %q, %v", data, err)
	}
	// The original's own link out stays refused, and so does a link of the copy's.
	for _, name := range []string{"models/up.sql", "models/direct.sql"} {
		if data, err := readBoth(t, d, name); !errors.Is(err, ErrOutside) {
			t.Errorf("ReadFile(%s) = %q, %v; want ErrOutside", name, data, err)
		}
	}
}

func TestWriteReplacesLinkNotTarget(t *testing.T) {
	project, outside := tree(t)
	must(t, os.Symlink("../../outside/secret.txt", filepath.Join(project, "models", "props.yml")))
	must(t, WriteFile(project, "models/props.yml", []byte("version: 2\n")))
	st, err := os.Lstat(filepath.Join(project, "models", "props.yml"))
	must(t, err)
	if !st.Mode().IsRegular() {
		t.Errorf("models/props.yml is %v, want a regular file in place of the link", st.Mode())
	}
	if data, _ := os.ReadFile(filepath.Join(outside, "secret.txt")); string(data) != "secret-value" {
		t.Errorf("the link's target changed: %q", data)
	}
	if data, _ := os.ReadFile(filepath.Join(project, "models", "props.yml")); string(data) != "version: 2\n" {
		t.Errorf("written content = %q", data)
	}
	leftovers(t, project)
}

func TestWriteRefusesEscapes(t *testing.T) {
	project, outside := tree(t)
	before := snapshot(t, filepath.Dir(outside))
	for _, name := range []string{
		"../outside/pwn.yml", "models/../../outside/pwn.yml", filepath.Join(outside, "pwn.yml"),
		"linked/pwn.yml", "linked/sub/pwn.yml", "", ".", "models/..",
	} {
		if err := WriteFile(project, name, []byte("pwned")); !errors.Is(err, ErrOutside) {
			t.Errorf("WriteFile(%q): %v; want ErrOutside", name, err)
		}
	}
	if err := WriteFile(project, "models", []byte("x")); err == nil {
		t.Error("writing over a directory: want an error")
	}
	after := snapshot(t, filepath.Dir(outside))
	for p, v := range after {
		if strings.HasPrefix(p, "project/") {
			continue
		}
		if before[p] != v {
			t.Errorf("%s changed outside the project", p)
		}
	}
	leftovers(t, project)
}

func TestWriteCreatesDirsAndKeepsMode(t *testing.T) {
	project, _ := tree(t)
	must(t, WriteFile(project, "models/new/deep/_new.yml", []byte("a")))
	if data, _ := os.ReadFile(filepath.Join(project, "models/new/deep/_new.yml")); string(data) != "a" {
		t.Errorf("new file = %q", data)
	}
	p := filepath.Join(project, "models", "a.sql")
	must(t, os.Chmod(p, 0o600))
	must(t, WriteFile(project, "models/a.sql", []byte("select 2")))
	st, err := os.Stat(p)
	must(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want the replaced file's 0600", st.Mode().Perm())
	}
	// Through a symlinked directory inside the project.
	must(t, WriteFile(project, "insidedir/b.sql", []byte("select 3")))
	if data, _ := os.ReadFile(filepath.Join(project, "models", "b.sql")); string(data) != "select 3" {
		t.Errorf("insidedir/b.sql = %q", data)
	}
	leftovers(t, project)
}

// A batch with one refused file writes none.
func TestWriteFilesAllOrNothing(t *testing.T) {
	project, _ := tree(t)
	err := WriteFiles(project, []File{{Name: "models/a.sql", Data: []byte("changed")}, {Name: "linked/x.yml", Data: []byte("x")}})
	if !errors.Is(err, ErrOutside) {
		t.Fatalf("WriteFiles: %v; want ErrOutside", err)
	}
	if data, _ := os.ReadFile(filepath.Join(project, "models", "a.sql")); string(data) != "select 1" {
		t.Errorf("models/a.sql = %q: the batch was partly written", data)
	}
	leftovers(t, project)
	must(t, WriteFiles(project, []File{{Name: "models/a.sql", Data: []byte("one")}, {Name: "models/b.sql", Data: []byte("two")}}))
	for name, want := range map[string]string{"a.sql": "one", "b.sql": "two"} {
		if data, _ := os.ReadFile(filepath.Join(project, "models", name)); string(data) != want {
			t.Errorf("%s = %q, want %q", name, data, want)
		}
	}
}

func TestWriteStream(t *testing.T) {
	project, _ := tree(t)
	must(t, WriteStream(project, "target/manifest.json", func(w io.Writer) error {
		_, err := io.WriteString(w, "{}")
		return err
	}))
	if data, _ := os.ReadFile(filepath.Join(project, "target", "manifest.json")); string(data) != "{}" {
		t.Errorf("manifest = %q", data)
	}
	boom := errors.New("boom")
	if err := WriteStream(project, "target/manifest.json", func(w io.Writer) error {
		_, _ = io.WriteString(w, "partial")
		return boom
	}); !errors.Is(err, boom) {
		t.Errorf("failing writer: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(project, "target", "manifest.json")); string(data) != "{}" {
		t.Errorf("after a failed write the manifest is %q, want the old content", data)
	}
	leftovers(t, project)
}

func TestLocal(t *testing.T) {
	for name, want := range map[string]bool{
		"models/x.yml": true, "a/../b": true, "": false, "/etc/passwd": false, "..": false,
		"../x": false, "models/../../x": false, "models/sub/../../../x": false,
	} {
		if got := Local(name); got != want {
			t.Errorf("Local(%q) = %v, want %v", name, got, want)
		}
	}
}

// leftovers fails on temporary files a write left behind.
func leftovers(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Type().IsRegular() {
			data, _ := os.ReadFile(p)
			out[filepath.ToSlash(rel)] = string(data)
		} else {
			out[filepath.ToSlash(rel)] = d.Type().String()
		}
		return nil
	})
	return out
}

// TestGitDirRefused: nothing under a .git directory is read or written, whether named or
// reached through a link, because .git/config holds the checkout's token and .git/hooks runs.
func TestGitDirRefused(t *testing.T) {
	project := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(project, ".git", "hooks"), 0o755))
	must(t, os.MkdirAll(filepath.Join(project, "models"), 0o755))
	write(t, filepath.Join(project, ".git", "config"), "extraheader = AUTHORIZATION: basic c2VjcmV0")
	write(t, filepath.Join(project, "models", "a.sql"), "select 1")
	must(t, os.Symlink("../.git/config", filepath.Join(project, "models", "cfg.sql")))
	must(t, os.Symlink("../.git", filepath.Join(project, "models", "g")))
	d, err := Open(project)
	must(t, err)
	defer d.Close()
	for _, name := range []string{".git/config", "models/cfg.sql", "models/g/config", "models/../.git/config"} {
		if _, err := readBoth(t, d, name); !errors.Is(err, ErrOutside) {
			t.Errorf("read %s: err = %v, want ErrOutside", name, err)
		}
	}
	if b, err := readBoth(t, d, "models/a.sql"); err != nil || string(b) != "select 1" {
		t.Errorf("ordinary file: %q, %v", b, err)
	}
	for _, name := range []string{".git/hooks/post-checkout", "models/g/hooks/pre-commit", ".GIT/x.yml"} {
		if err := WriteFile(project, name, []byte("#!/bin/sh\n")); !errors.Is(err, ErrOutside) {
			t.Errorf("write %s: err = %v, want ErrOutside", name, err)
		}
	}
	if es, _ := os.ReadDir(filepath.Join(project, ".git", "hooks")); len(es) != 0 {
		t.Errorf(".git/hooks gained %d file(s)", len(es))
	}
	// A project that itself lives below a folder named .git stays readable and writable.
	nested := filepath.Join(t.TempDir(), ".git", "proj")
	must(t, os.MkdirAll(nested, 0o755))
	write(t, filepath.Join(nested, "m.sql"), "select 2")
	nd, err := Open(nested)
	must(t, err)
	defer nd.Close()
	if _, err := readBoth(t, nd, "m.sql"); err != nil {
		t.Errorf("nested project read: %v", err)
	}
	if err := WriteFile(nested, "schema.yml", []byte("version: 2\n")); err != nil {
		t.Errorf("nested project write: %v", err)
	}
}

// A project two folders below the top of its repository names shared folders with "..": those
// are read when the repository is one of the roots; beyond it, into a .git directory, or
// through a link out of the repository, they are refused.
func TestReadUpIntoRepository(t *testing.T) {
	base := t.TempDir()
	repo := filepath.Join(base, "repo")
	project := filepath.Join(repo, "sub", "proj")
	for _, d := range []string{"sub/proj/models", "shared/nested", ".git", "sub/.git"} {
		must(t, os.MkdirAll(filepath.Join(repo, filepath.FromSlash(d)), 0o755))
	}
	write(t, filepath.Join(repo, "shared", "a.sql"), "select shared")
	write(t, filepath.Join(repo, "shared", "nested", "b.yml"), "version: 2")
	write(t, filepath.Join(repo, ".git", "config"), "token")
	write(t, filepath.Join(repo, "sub", ".git", "config"), "token")
	write(t, filepath.Join(base, "outside.sql"), "select secret")
	must(t, os.Symlink("../../outside.sql", filepath.Join(repo, "shared", "out.sql")))
	must(t, os.Symlink("../.git", filepath.Join(repo, "shared", "g")))
	must(t, os.Symlink("nested/b.yml", filepath.Join(repo, "shared", "in.yml")))

	d, err := Open(project, repo)
	must(t, err)
	defer d.Close()
	for name, want := range map[string]string{
		"../../shared/a.sql":                "select shared",
		"../../shared/nested/b.yml":         "version: 2",
		"../../shared/in.yml":               "version: 2",
		"models/../../../shared/a.sql":      "select shared",
		"../../sub/proj/../../shared/a.sql": "select shared",
	} {
		if data, err := readBoth(t, d, name); err != nil || string(data) != want {
			t.Errorf("read %s = %q, %v; want %q", name, data, err, want)
		}
	}
	if es, err := d.ReadDir("../../shared"); err != nil || len(es) != 5 {
		t.Errorf("ReadDir(../../shared) = %d entries, %v; want 5", len(es), err)
	}
	if _, err := d.Stat("../../shared/missing.sql"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing shared file: %v; want not-exist", err)
	}
	for _, name := range []string{
		"../../../outside.sql",                 // beyond the repository
		"../../shared/out.sql",                 // a link out of it
		"../../.git/config",                    // the repository's .git
		"../.git/config",                       // any .git
		"../../shared/g/config",                // a link into .git
		filepath.Join(repo, "shared", "a.sql"), // absolute
	} {
		if data, err := readBoth(t, d, name); !errors.Is(err, ErrOutside) {
			t.Errorf("read %s = %q, %v; want ErrOutside", name, data, err)
		}
	}
	// Without the repository among the roots, nothing above the project is read.
	plain, err := Open(project)
	must(t, err)
	defer plain.Close()
	if data, err := readBoth(t, plain, "../../shared/a.sql"); !errors.Is(err, ErrOutside) {
		t.Errorf("without the repository root: %q, %v; want ErrOutside", data, err)
	}
	// Writes never leave the project, whatever the reads allow.
	if err := WriteFile(project, "../../shared/a.sql", []byte("x")); !errors.Is(err, ErrOutside) {
		t.Errorf("write up into the repository: %v; want ErrOutside", err)
	}
}
