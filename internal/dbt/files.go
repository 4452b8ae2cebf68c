package dbt

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dataops-dev/dataops/internal/fsconfine"
)

// File kinds found while walking a package's resource paths.
const (
	fileModel    = "model"
	fileSeed     = "seed"
	fileSnapshot = "snapshot"
	fileAnalysis = "analysis"
	fileTest     = "test"  // singular test
	fileMacro    = "macro" // macro-paths, and test-paths/generic
	fileYAML     = "yaml"  // property file
	fileDocs     = "docs"  // .md with {% docs %} blocks
)

// srcFile is one file of a package taking part in the load.
type srcFile struct {
	pkg      *pkgState
	kind     string
	abs      string // absolute path
	rel      string // relative to the package root, slash-separated (original_file_path)
	rootRel  string // relative to the root project (Pos.Path)
	resDir   string // the resource path it was found under ("models")
	pathRel  string // relative to resDir (dbt's `path`)
	data     []byte
	readErr  error
	language string // sql or python for models
	stamp    fileStamp
	stamped  bool // stamp was taken before the file was read
}

// walkPackage lists the files of one package, by kind, but those its .dbtignore leaves out.
// Paths outside the package directory (but for the root project's paths into its repository,
// see confinePaths), the packages install path and the target directory are never entered. A file under a path that climbs
// out of the project keeps a path relative to the project, as dbt gives it: its
// original_file_path is "../../sources/x.yml", its path (and so its fqn) relative to the
// resource path it was found under.
//
// seenDir, when not nil, is told what each folder walked was like before it was listed (see
// walkDir).
func walkPackage(ps *pkgState, installPath string, seenDir func(path string, st fs.FileInfo)) []*srcFile {
	pf := ps.pf
	seen := map[string]bool{}
	ignore, ignoreSum := readIgnoreFile(ps.pkg.Root)
	ps.ignoreSum = ignoreSum
	var out []*srcFile
	add := func(kind, resDir, abs string) {
		if seen[abs+"\x00"+kind] {
			return
		}
		seen[abs+"\x00"+kind] = true
		rel, err := filepath.Rel(ps.pkg.Root, abs)
		if err != nil {
			return
		}
		rel = filepath.ToSlash(rel)
		if ignore.Ignored(rel) {
			return
		}
		out = append(out, newSrcFile(ps, kind, resDir, abs, rel))
	}
	skip := map[string]bool{
		filepath.Join(ps.pkg.Root, filepath.FromSlash(installPath)): true,
		filepath.Join(ps.pkg.Root, "target"):                        true,
		filepath.Join(ps.pkg.Root, "dbt_packages"):                  true,
		filepath.Join(ps.pkg.Root, "dbt_modules"):                   true,
		filepath.Join(ps.pkg.Root, "logs"):                          true,
	}
	walk := func(dirs []string, fn func(resDir, abs, ext string)) {
		for _, d := range dirs {
			base := filepath.Join(ps.pkg.Root, filepath.FromSlash(d))
			// The root project's paths were checked by confinePaths and may lead up into its
			// repository; a package's stay inside the package.
			if !ps.pkg.IsRoot && !insideDir(ps.pkg.Root, base) {
				continue
			}
			enter := func(path string, de fs.DirEntry) bool {
				return !skip[path] && !strings.HasPrefix(de.Name(), ".")
			}
			walkDir(base, enter, func(path string, de fs.DirEntry) {
				if !strings.HasPrefix(de.Name(), ".") {
					fn(d, path, strings.ToLower(filepath.Ext(path)))
				}
			}, seenDir)
		}
	}
	yamlAt := func(resDir, abs, ext string) bool {
		if ext == ".yml" || ext == ".yaml" {
			add(fileYAML, resDir, abs)
			return true
		}
		return false
	}
	walk(pf.ModelPaths, func(resDir, abs, ext string) {
		switch {
		case yamlAt(resDir, abs, ext):
		case ext == ".sql":
			add(fileModel, resDir, abs)
		case ext == ".py":
			add(fileModel, resDir, abs)
		}
	})
	walk(pf.SeedPaths, func(resDir, abs, ext string) {
		switch {
		case yamlAt(resDir, abs, ext):
		case ext == ".csv":
			add(fileSeed, resDir, abs)
		}
	})
	walk(pf.SnapshotPaths, func(resDir, abs, ext string) {
		switch {
		case yamlAt(resDir, abs, ext):
		case ext == ".sql":
			add(fileSnapshot, resDir, abs)
		}
	})
	walk(pf.AnalysisPaths, func(resDir, abs, ext string) {
		switch {
		case yamlAt(resDir, abs, ext):
		case ext == ".sql":
			add(fileAnalysis, resDir, abs)
		}
	})
	walk(pf.MacroPaths, func(resDir, abs, ext string) {
		switch {
		case yamlAt(resDir, abs, ext):
		case ext == ".sql":
			add(fileMacro, resDir, abs)
		}
	})
	walk(pf.TestPaths, func(resDir, abs, ext string) {
		switch {
		case yamlAt(resDir, abs, ext):
		case ext == ".sql":
			// test-paths/generic/ holds {% test %} definitions: macros, not tests.
			rel, _ := filepath.Rel(filepath.Join(ps.pkg.Root, filepath.FromSlash(resDir)), abs)
			if strings.HasPrefix(filepath.ToSlash(rel), "generic/") {
				add(fileMacro, resDir, abs)
			} else {
				add(fileTest, resDir, abs)
			}
		}
	})
	walk(pf.DocsPaths, func(resDir, abs, ext string) {
		if ext == ".md" {
			add(fileDocs, resDir, abs)
		}
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].kind != out[j].kind {
			return out[i].kind < out[j].kind
		}
		return out[i].rel < out[j].rel
	})
	return out
}

// newSrcFile is the file at abs (rel: relative to the package root, slash-separated) of ps,
// found under its resource path resDir.
func newSrcFile(ps *pkgState, kind, resDir, abs, rel string) *srcFile {
	f := &srcFile{pkg: ps, kind: kind, abs: abs, rel: rel, resDir: resDir}
	f.rootRel = rel
	if ps.pkg.Rel != "" {
		f.rootRel = ps.pkg.Rel + "/" + rel
	}
	resAbs := filepath.Join(ps.pkg.Root, filepath.FromSlash(resDir))
	if pr, err := filepath.Rel(resAbs, abs); err == nil {
		f.pathRel = filepath.ToSlash(pr)
	} else {
		f.pathRel = rel
	}
	return f
}

func insideDir(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Sizes of what is read. Rendering and parsing take several times a file's size in memory
// (goccy's YAML parser some sixty times), and a pull request can add many files at no cost
// (git stores identical content once), so both one file and all files of a load are bounded,
// far above real projects: their largest models are some 100 KiB, their largest property
// files some 100 KiB, and all their files together a few tens of MiB. Larger files are
// skipped with a "resource-limit" warning; seeds are read up to their header only.
const (
	maxSourceFile = 4 << 20   // a model, macro, test, analysis, snapshot or docs file
	maxYAMLFile   = 4 << 20   // a property file
	maxLoadBytes  = 128 << 20 // every file of one load
)

func maxFileSize(kind string) int64 {
	if kind == fileYAML {
		return maxYAMLFile
	}
	return maxSourceFile
}

// readFiles reads every file's content in parallel, through dir (the root project) so that a
// file leading outside the project is not opened. Seeds read only their header line. With
// stamp, each file is stat'ed before it is read, for the snapshot (snapshot.go).
func readFiles(dir *fsconfine.Dir, files []*srcFile, stamp bool) {
	var total atomic.Int64
	var wg sync.WaitGroup
	ch := make(chan *srcFile)
	for w := 0; w < runtime.GOMAXPROCS(0)*2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range ch {
				var st fs.FileInfo
				f.data, st, f.readErr = readSource(dir, f, &total)
				if stamp && st != nil {
					f.stamp, f.stamped = stampOf(st), true
				}
				f.data = trimBOM(f.data)
			}
		}()
	}
	for _, f := range files {
		ch <- f
	}
	close(ch)
	wg.Wait()
}

// readSource reads a file as the load uses it, and describes the file it opened as it was
// before reading (nil when it could not be opened): the snapshot keeps that stamp.
func readSource(dir *fsconfine.Dir, f *srcFile, total *atomic.Int64) ([]byte, fs.FileInfo, error) {
	if f.kind == fileSeed {
		in, err := dir.Open(f.rootRel)
		if err != nil {
			return nil, nil, err
		}
		defer in.Close()
		st, _ := in.Stat()
		data, err := readHeader(in)
		return data, st, err
	}
	data, st, err := dir.ReadFileMaxStat(f.rootRel, maxFileSize(f.kind))
	if errors.Is(err, fsconfine.ErrTooLarge) {
		return nil, st, errTooLarge(f.kind)
	}
	if err != nil {
		return nil, st, err
	}
	if total.Add(int64(len(data))) > maxLoadBytes {
		return nil, st, errLoadTooLarge
	}
	return data, st, nil
}

type loadErr string

func (e loadErr) Error() string { return string(e) }

func errTooLarge(kind string) error {
	return loadErr(fmt.Sprintf("file larger than %d MiB, skipped", maxFileSize(kind)>>20))
}

const errLoadTooLarge = loadErr("skipped: the project's files add up to more than 128 MiB")

// tooLarge reports whether a read error is one of the size limits above.
func tooLarge(err error) bool {
	e, ok := err.(loadErr)
	return ok && (strings.HasPrefix(string(e), "file larger than") || e == errLoadTooLarge)
}

// refused reports whether a read failed because the file leads outside the project.
func refused(err error) bool { return errors.Is(err, fsconfine.ErrOutside) }

// readHeader reads a CSV file up to the end of its first record (quoted newlines included).
func readHeader(f io.Reader) ([]byte, error) {
	var out []byte
	buf := make([]byte, 4096)
	inQuote := false
	for len(out) < 1<<20 {
		n, err := f.Read(buf)
		for i := 0; i < n; i++ {
			c := buf[i]
			if c == '"' {
				inQuote = !inQuote
			}
			if c == '\n' && !inQuote {
				return append(out, buf[:i]...), nil
			}
		}
		out = append(out, buf[:n]...)
		if err != nil {
			break
		}
	}
	return out, nil
}

// parseCSVHeader splits a CSV header line into column names.
func parseCSVHeader(line []byte) []string {
	s := strings.TrimPrefix(string(line), "\ufeff")
	s = strings.TrimRight(s, "\r\n")
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var cols []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' && inQuote && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			cols = append(cols, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	cols = append(cols, strings.TrimSpace(cur.String()))
	return cols
}
