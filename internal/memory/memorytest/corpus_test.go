package memorytest

import (
	"reflect"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

func TestCorpusIsDeterministicAndMixed(t *testing.T) {
	a, b := NewCorpus(100).Records(2000), NewCorpus(100).Records(2000)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two corpora of the same size differ")
	}
	kinds := map[memory.Kind]int{}
	ids := map[string]bool{}
	for _, r := range a {
		kinds[r.Kind]++
		if ids[r.ID] || r.Text == "" {
			t.Fatalf("duplicate id or empty text: %+v", r)
		}
		ids[r.ID] = true
	}
	for _, k := range []memory.Kind{memory.KindColumnDoc, memory.KindModelDoc, memory.KindTest, memory.KindDocChunk, memory.KindReviewComment, memory.KindPlaybookRule} {
		if kinds[k] == 0 {
			t.Errorf("no %s records", k)
		}
	}
	if kinds[memory.KindColumnDoc] < len(a)/2 {
		t.Errorf("column docs are %d of %d; the corpus should be mostly column docs", kinds[memory.KindColumnDoc], len(a))
	}
	if qs := NewCorpus(100).Queries(8); len(qs) != 8 || qs[1].Filter.IsZero() || qs[0].Text == "" {
		t.Errorf("queries: %+v", qs)
	}
}
