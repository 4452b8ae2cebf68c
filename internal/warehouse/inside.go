package warehouse

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrOutside is wrapped by the error for a file path that leads out of the directory it must
// stay in.
var ErrOutside = errors.New("outside the project directory")

// Inside checks that path stays inside dir: relative paths are taken from dir, and neither
// "..", an absolute path elsewhere, nor a symlink along the part of the path that exists may
// lead out. The path need not exist. It returns path relative to dir.
func Inside(dir, path string) (string, error) {
	dir = absDir(dir)
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	rel, err := filepath.Rel(dir, filepath.Clean(path))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("%s is %w", path, ErrOutside)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	// os.Root resolves links itself and refuses any that leads out; a missing part ends the
	// walk, since nothing beyond it exists to lead anywhere.
	if _, err := root.Stat(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
		var pe *fs.PathError
		if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes") {
			return "", fmt.Errorf("%s leads through a symlink %w", path, ErrOutside)
		}
		return "", err
	}
	return rel, nil
}
