package review

import (
	"reflect"
	"sort"
	"testing"
)

func TestParsePatch(t *testing.T) {
	patch := "@@ -1,3 +1,4 @@\n select\n-    a,\n+    a_renamed,\n+    b,\n     c\n@@ -10 +11,2 @@ with x\n-old\n+new\n+newer\n\\ No newline at end of file"
	p, err := ParsePatch(patch)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Hunks) != 2 {
		t.Fatalf("hunks = %d, want 2", len(p.Hunks))
	}
	if got := p.Hunks[0].Added; !reflect.DeepEqual(got, []int{2, 3}) {
		t.Errorf("first hunk added = %v, want [2 3]", got)
	}
	if got := p.Hunks[1].Added; !reflect.DeepEqual(got, []int{11, 12}) {
		t.Errorf("second hunk added = %v, want [11 12]", got)
	}
	for line, want := range map[int]bool{1: true, 4: true, 5: false, 10: false, 11: true, 12: true, 13: false} {
		if got := p.Contains(line); got != want {
			t.Errorf("Contains(%d) = %v, want %v", line, got, want)
		}
	}
}

func TestParsePatchErrors(t *testing.T) {
	for _, bad := range []string{"@@ -1,x +1 @@\n", "@@ garbage\n", "@@ -1 @@\n"} {
		if _, err := ParsePatch(bad); err == nil {
			t.Errorf("ParsePatch(%q): no error", bad)
		}
	}
}

func TestChangedLines(t *testing.T) {
	old := "a\nb\nc\nd\n"
	new := "a\nB\nc\nd\ne\n"
	got := keys(ChangedLines(old, new))
	if !reflect.DeepEqual(got, []int{2, 5}) {
		t.Errorf("ChangedLines = %v, want [2 5]", got)
	}
	if got := keys(ChangedLines("", "x\ny\n")); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Errorf("new file: %v, want [1 2]", got)
	}
	if got := ChangedLines(old, old); len(got) != 0 {
		t.Errorf("same content: %v", got)
	}
}

func keys(m map[int]bool) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
