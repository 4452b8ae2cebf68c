package source

import "testing"

func TestConflictMarker(t *testing.T) {
	for src, want := range map[string]int{
		"a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n": 2,
		"<<<<<<< ours\r\nb\r\n||||||| base\r\n":       1,
		"select 1 << 2\n=======\n":                    0,
		"<<<<<<<< eight\n=======\n":                   0,
		"<<<<<<< HEAD\nno end\n":                      0,
		"select 1\n":                                  0,
	} {
		if got, _ := ConflictMarker(src); got != want {
			t.Errorf("ConflictMarker(%q) = %d, want %d", src, got, want)
		}
	}
}
