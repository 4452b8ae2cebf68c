//go:build linux

package dbt

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/fsconfine"
)

// A file's stamp taken from the read that opened it is the stamp a stat of its path gives: a
// warm load compares the two, and a difference would read and hash every file again.
func TestStampOfReadIsStampOfStat(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.sql"), []byte("select 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := fsconfine.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, read, err := d.ReadFileMaxStat("a.sql", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	stat, err := os.Stat(filepath.Join(dir, "a.sql"))
	if err != nil {
		t.Fatal(err)
	}
	got, want := stampOf(read), stampOf(stat)
	if got != want || got.Ino == 0 || got.Ctime == 0 {
		t.Errorf("stamp of the read %+v, of a stat %+v", got, want)
	}
}
