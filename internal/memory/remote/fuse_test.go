package remote

import (
	"math"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

func hits(ids ...string) []memory.Hit {
	out := make([]memory.Hit, len(ids))
	for i, id := range ids {
		out[i] = memory.Hit{Record: memory.Record{ID: id, Text: "text of " + id}}
	}
	return out
}

func TestFuseScoresAndRanks(t *testing.T) {
	got := Fuse(hits("a", "b", "c"), hits("c", "d"), 0)
	want := []struct {
		id     string
		score  float64
		vr, kr int
	}{
		{"c", 1.0/63 + 1.0/61, 3, 1},
		{"a", 1.0 / 61, 1, 0},
		{"b", 1.0 / 62, 2, 0},
		{"d", 1.0 / 62, 0, 2},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d hits, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.id || math.Abs(g.Score-w.score) > 1e-12 || g.VectorRank != w.vr || g.KeywordRank != w.kr {
			t.Errorf("hit %d = %s score %v ranks %d/%d, want %s %v %d/%d", i, g.ID, g.Score, g.VectorRank, g.KeywordRank, w.id, w.score, w.vr, w.kr)
		}
		if g.Text != "text of "+w.id {
			t.Errorf("hit %s lost its record: %q", g.ID, g.Text)
		}
	}
}

func TestFuseLimitAndEmpty(t *testing.T) {
	if got := Fuse(nil, nil, 5); len(got) != 0 {
		t.Fatalf("Fuse(nil, nil) = %v", got)
	}
	got := Fuse(hits("a", "b", "c"), nil, 2)
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Fatalf("limit 2 = %+v", got)
	}
}

func TestFuseIgnoresIncomingScoresAndDuplicates(t *testing.T) {
	v := hits("a", "a", "b")
	v[0].Score, v[0].VectorRank = 99, 7
	got := Fuse(v, hits("b"), 0)
	// b: 1/63 (vector rank 3) + 1/61; a: 1/61 once, not twice.
	if got[0].ID != "b" || got[1].ID != "a" {
		t.Fatalf("order = %s, %s", got[0].ID, got[1].ID)
	}
	if math.Abs(got[1].Score-1.0/61) > 1e-12 || got[1].VectorRank != 1 {
		t.Fatalf("a = %+v, want score 1/61 at vector rank 1", got[1])
	}
}
