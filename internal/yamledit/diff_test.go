package yamledit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestDiffMatchesGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("git is needed to compare diffs: %v", err)
	}
	cases := []struct{ name, a, b string }{
		{"insert", "a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nd\nX\ne\nf\ng\nh\n"},
		{"delete-first", "a\nb\nc\nd\n", "b\nc\nd\n"},
		{"two-hunks", strings.Repeat("x\n", 3) + "a\n" + strings.Repeat("y\n", 10) + "b\n" + strings.Repeat("z\n", 3), strings.Repeat("x\n", 3) + "A\n" + strings.Repeat("y\n", 10) + "B\n" + strings.Repeat("z\n", 3)},
		{"merge-hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\nX\n3\n4\n5\n6\n7\nY\n9\n10\n"},
		{"no-eol", "a\nb", "a\nc"},
		{"add-eol", "a\nb", "a\nb\n"},
		{"from-empty", "", "a\nb\n"},
		{"to-empty", "a\nb\n", ""},
		{"replace-block", "k: 1\nm: 2\nn: 3\n", "k: 1\nm: 20\nm2: 21\nn: 3\n"},
		{"crlf", "a\r\nb\r\n", "a\r\nc\r\nb\r\n"},
		{"moves", "a\nb\nc\nd\ne\n", "e\nd\nc\nb\na\n"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			os.WriteFile(pa, []byte(c.a), 0o644)
			os.WriteFile(pb, []byte(c.b), 0o644)
			out, _ := exec.Command(git, "diff", "--no-index", "--no-color", "-U3", "--diff-algorithm=myers", pa, pb).Output()
			// Drop git's header lines; keep from the first hunk.
			want := string(out)
			if i := strings.Index(want, "@@"); i >= 0 {
				want = want[i:]
			}
			// git appends a "function" heading after the hunk range; we write none.
			want = hunkHeading.ReplaceAllString(want, "$1")
			got := Diff("f.yml", c.a, c.b)
			if i := strings.Index(got, "@@"); i >= 0 {
				got = got[i:]
			}
			if got != want {
				t.Errorf("diff differs from git\n--- got\n%s\n--- want\n%s", got, want)
			}
			if !strings.HasPrefix(Diff("f.yml", c.a, c.b), "--- a/f.yml\n+++ b/f.yml\n@@") {
				t.Errorf("missing file header")
			}
		})
	}
	if Diff("f", "same\n", "same\n") != "" {
		t.Error("equal inputs must give an empty diff")
	}
}

var hunkHeading = regexp.MustCompile(`(?m)^(@@ [^@]+ @@).*$`)

// An edit that inserts more lines than the shortest-script search follows is still printed as
// insertions, in hunks around each, never as the old text deleted and written again; so is one
// that only deletes.
func TestDiffLargeInsertions(t *testing.T) {
	var old, neu []string
	for i := 0; i < 3000; i++ {
		old = append(old, fmt.Sprintf("      - name: col_%d", i))
		neu = append(neu, fmt.Sprintf("      - name: col_%d", i))
		if i == 500 || i == 1500 || i == 2500 {
			for j := 0; j < 1500; j++ {
				neu = append(neu, fmt.Sprintf("        description: added %d %d", i, j))
			}
		}
	}
	a, b := strings.Join(old, "\n")+"\n", strings.Join(neu, "\n")+"\n"
	for _, c := range []struct {
		from, to string
		sign     byte
	}{{a, b, '+'}, {b, a, '-'}} {
		d := Diff("x.yml", c.from, c.to)
		if n := strings.Count("\n"+d, "\n@@ "); n != 3 {
			t.Errorf("%c: %d hunks, want 3", c.sign, n)
		}
		other := byte('-')
		if c.sign == '-' {
			other = '+'
		}
		for _, l := range strings.Split(d, "\n") {
			if len(l) > 0 && l[0] == other && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "+++") {
				t.Fatalf("%c: a line written as %c: %q", c.sign, other, l)
			}
		}
	}
}

// Past the search's bound an edit that also changes lines is anchored on the lines each side
// holds once: only the changed and added lines are printed as such.
func TestDiffLargeMixedEdit(t *testing.T) {
	var old, neu []string
	for i := 0; i < 4000; i++ {
		old = append(old, fmt.Sprintf("      - name: col_%d", i), "        description: \"TODO\"")
		neu = append(neu, fmt.Sprintf("      - name: col_%d", i))
		if i%2 == 0 {
			neu = append(neu, fmt.Sprintf("        description: \"Column %d.\"", i))
		} else {
			neu = append(neu, "        description: \"TODO\"")
		}
		neu = append(neu, "        data_type: int")
	}
	d := Diff("x.yml", strings.Join(old, "\n")+"\n", strings.Join(neu, "\n")+"\n")
	minus, plus := Counts(d)
	if minus != 2000 || plus != 6000 {
		t.Errorf("%d lines removed and %d added, want 2000 and 6000", minus, plus)
	}
}
