package lazyregexp

import "testing"

func TestCompiledOnUse(t *testing.T) {
	r := New(`(\w+)@(\w+)`)
	if got := r.FindStringSubmatch("mail ana@example now"); len(got) != 3 || got[1] != "ana" || got[2] != "example" {
		t.Fatalf("FindStringSubmatch = %q", got)
	}
	if r.String() != `(\w+)@(\w+)` || r.Regexp().NumSubexp() != 2 {
		t.Fatalf("String %q, NumSubexp %d", r.String(), r.Regexp().NumSubexp())
	}
}

// TestMalformedFailsInTests: in a test binary a malformed expression panics where it is
// declared, as regexp.MustCompile does, so its package's tests fail at once.
func TestMalformedFailsInTests(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a malformed expression was accepted")
		}
	}()
	New(`(unclosed`)
}
