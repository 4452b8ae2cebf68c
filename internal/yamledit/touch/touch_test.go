package touch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixtures runs every edit kind over the crafted fixtures, which cover the layouts seen in
// real projects: indented and flush lists, 2- and 4-space indentation, anchors and merge keys,
// block scalars, CRLF, comments, a document start, flow lists, sources, seeds, snapshots,
// versioned models, unicode and a file without a final newline.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("../testdata/files/*.yml")
	if err != nil || len(files) < 10 {
		t.Fatalf("fixtures missing: %v %d", err, len(files))
	}
	total, skipped := 0, 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		r := File(filepath.Base(p), data)
		for _, f := range r.Failures {
			t.Errorf("%s", f)
		}
		for _, s := range r.Skipped {
			if !strings.Contains(s, "alias") && !strings.Contains(s, "merged anchor") {
				t.Errorf("unexpected refusal: %s", s)
			}
		}
		total += r.Edits
		skipped += len(r.Skipped)
	}
	if total < 110 {
		t.Errorf("only %d edits tried over the fixtures", total)
	}
	t.Logf("%d files, %d edits, %d refused (aliases)", len(files), total, skipped)
}
