package memory

import (
	"fmt"
	"testing"
)

func TestFuse(t *testing.T) {
	got := Fuse([]string{"a", "b", "c"}, []string{"c", "d", "a"}, 0)
	want := []Fused{
		{ID: "a", Score: 1.0/61 + 1.0/63, VectorRank: 1, KeywordRank: 3},
		{ID: "c", Score: 1.0/63 + 1.0/61, VectorRank: 3, KeywordRank: 1},
		{ID: "b", Score: 1.0 / 62, VectorRank: 2},
		{ID: "d", Score: 1.0 / 62, KeywordRank: 2},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
	// Present in both lists beats first in one.
	got = Fuse([]string{"x", "y"}, []string{"z", "y"}, 1)
	if len(got) != 1 || got[0].ID != "y" {
		t.Fatalf("limit 1: %v", got)
	}
	if got := Fuse(nil, nil, 5); len(got) != 0 {
		t.Fatalf("empty: %v", got)
	}
	// A duplicated id keeps its first (best) rank.
	got = Fuse([]string{"a", "a"}, nil, 0)
	if len(got) != 1 || got[0].VectorRank != 1 {
		t.Fatalf("duplicate: %v", got)
	}
}

func TestFilterMatch(t *testing.T) {
	r := &Record{Kind: KindColumnDoc, Metadata: Metadata{Project: "shop", Model: "orders", Column: "id", Source: "models/a.yml"}}
	for _, c := range []struct {
		f    Filter
		want bool
	}{
		{Filter{}, true},
		{Filter{Kinds: []Kind{KindTest, KindColumnDoc}}, true},
		{Filter{Kinds: []Kind{KindTest}}, false},
		{Filter{Project: "shop", Model: "orders", Column: "id", Source: "models/a.yml"}, true},
		{Filter{Model: "customers"}, false},
		{Filter{Source: "models/b.yml"}, false},
	} {
		if got := c.f.Match(r); got != c.want {
			t.Errorf("%+v: got %v", c.f, got)
		}
	}
}
