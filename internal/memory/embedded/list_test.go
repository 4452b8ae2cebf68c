package embedded

import (
	"slices"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

func TestList(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, newEmbedder())
	if err := s.Upsert(ctx, shopDocs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteBySource(ctx, "models/payments.yml"); err != nil {
		t.Fatal(err)
	}
	got, err := s.List(ctx, memory.Filter{Kinds: []memory.Kind{memory.KindColumnDoc}, Model: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
		if r.Vector != nil {
			t.Errorf("%s: listed with its vector", r.ID)
		}
	}
	if !slices.Equal(ids, []string{"c1", "c2", "c3", "c4"}) {
		t.Errorf("List = %v", ids)
	}
	// Another process's writes are seen, deleted records are not.
	other := open(t, dir, newEmbedder())
	all, err := other.List(ctx, memory.Filter{})
	if err != nil || len(all) != len(shopDocs)-1 {
		t.Errorf("List from a second store: %d records, %v", len(all), err)
	}
}
