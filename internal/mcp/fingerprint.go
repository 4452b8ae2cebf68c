package mcp

import (
	"encoding/binary"
	"hash/maphash"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// What a project load reads, by extension or by name: a change to anything else (a README, a
// script, an editor's swap file, a built DuckDB file) leaves the warm project as it is.
var (
	loadedExts = map[string]bool{
		".sql": true, ".yml": true, ".yaml": true, ".csv": true, ".md": true, ".py": true,
		".j2": true, ".jinja": true, ".cfg": true, ".toml": true, ".ini": true,
	}
	loadedNames = map[string]bool{".sqlfluff": true, ".sqlfluffignore": true, ".dbtignore": true}
	// At the top of the project only settings are read (dbt_project.yml, packages.yml,
	// profiles.yml, .dataops.yml, SQLFluff's files): a README or a script there is not.
	rootExts = map[string]bool{".yml": true, ".yaml": true, ".cfg": true, ".toml": true, ".ini": true}
	// Folders no load reads. Of target/ only two files are read.
	skippedDirs = map[string]bool{"target": true, "logs": true, "node_modules": true, "__pycache__": true, "venv": true}
	targetFiles = map[string]bool{"catalog.json": true, "manifest.json": true}
)

// skipDir reports whether a folder below the project's top holds nothing a load reads.
func skipDir(name string) bool { return strings.HasPrefix(name, ".") || skippedDirs[name] }

// loadsFile reports whether a load reads a file named name in the folder dir (slash-separated,
// relative to the project, "" at its top).
func loadsFile(dir, name string) bool {
	switch {
	case loadedNames[name]:
		return true
	case dir == "":
		return rootExts[strings.ToLower(path.Ext(name))]
	case dir == "target":
		return targetFiles[name]
	}
	return loadedExts[strings.ToLower(path.Ext(name))]
}

// maxFingerprintFiles bounds one walk: past it the rest of the tree is not looked at, so a
// project holding a huge unrelated tree still answers.
const maxFingerprintFiles = 200_000

var fingerprintSeed = maphash.MakeSeed()

// fingerprint sums the names, sizes and modification times of the files a load of the project
// in dir reads. Directories linked into the packages folder (local packages of a monorepo)
// are walked too; other links are not followed. It is what every call pays where no watcher
// runs (watch_linux.go).
func fingerprint(dir, packagesDir string) uint64 {
	var h maphash.Hash
	h.SetSeed(fingerprintSeed)
	var buf [16]byte
	n := 0
	add := func(rel string, info fs.FileInfo) {
		h.WriteString(rel)
		binary.LittleEndian.PutUint64(buf[:8], uint64(info.Size()))
		binary.LittleEndian.PutUint64(buf[8:], uint64(info.ModTime().UnixNano()))
		h.Write(buf[:])
		n++
	}
	if packagesDir == "" {
		packagesDir = "dbt_packages"
	}
	seen := map[string]bool{}
	var walk func(root, prefix string)
	walk = func(root, prefix string) {
		real, err := filepath.EvalSymlinks(root)
		if err != nil || seen[real] {
			return
		}
		seen[real] = true
		root = real
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || n >= maxFingerprintFiles {
				if d != nil && d.IsDir() && p != root {
					return fs.SkipDir
				}
				return nil
			}
			rel := prefix
			if r, err := filepath.Rel(root, p); err == nil && r != "." {
				rel = path.Join(prefix, filepath.ToSlash(r))
			}
			name := d.Name()
			switch {
			case d.IsDir():
				if p != root && skipDir(name) {
					return fs.SkipDir
				}
			case d.Type()&fs.ModeSymlink != 0 && path.Dir(rel) == packagesDir:
				if st, err := os.Stat(p); err == nil && st.IsDir() {
					h.WriteString(rel + "@")
					walk(p, rel)
					return nil
				}
				fallthrough
			default:
				dir := path.Dir(rel)
				if dir == "." {
					dir = ""
				}
				if !loadsFile(dir, name) {
					return nil
				}
				info, err := d.Info()
				if d.Type()&fs.ModeSymlink != 0 {
					// A linked file counts by what it links to.
					info, err = os.Stat(p)
				}
				if err == nil {
					add(rel, info)
				}
			}
			return nil
		})
	}
	walk(dir, "")
	for _, name := range []string{"catalog.json", "manifest.json"} {
		if info, err := os.Stat(filepath.Join(dir, "target", name)); err == nil {
			add("target/"+name, info)
		}
	}
	binary.LittleEndian.PutUint64(buf[:8], uint64(n))
	h.Write(buf[:8])
	return h.Sum64()
}
