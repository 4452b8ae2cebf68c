package embedded

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
)

func TestVerifyFindsWhatOpenFinds(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := Verify(ctx, dir); err != nil {
		t.Fatalf("no store: %v", err)
	}
	emb := memory.NewLocalEmbedderDim(32)
	s, err := Open(ctx, dir, emb)
	if err != nil {
		t.Fatal(err)
	}
	// The first segment more than twice the second's size, so the two stay apart.
	for i, text := range []string{"orders.order_id: Primary key of the orders, one per order placed in the shop by a customer, refunds included.", "orders.amount: Total."} {
		if err := s.Upsert(ctx, []memory.Record{{ID: string(rune('a' + i)), Kind: memory.KindColumnDoc, Text: text}}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if err := Verify(ctx, dir); err != nil {
		t.Fatalf("a sound store: %v", err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	data, _ := os.ReadFile(segs[1])
	for _, tc := range []struct {
		name   string
		damage func()
	}{
		{"a flipped byte", func() { d := append([]byte(nil), data...); d[20] ^= 1; os.WriteFile(segs[1], d, 0o644) }},
		{"a cut file", func() { os.WriteFile(segs[1], data[:len(data)-3], 0o644) }},
		{"a missing segment", func() { os.Remove(segs[1]) }},
	} {
		tc.damage()
		err := Verify(ctx, dir)
		if !errors.Is(err, memory.ErrCorrupt) {
			t.Errorf("%s: Verify says %v", tc.name, err)
		}
		if _, oerr := Open(ctx, dir, emb); !errors.Is(oerr, memory.ErrCorrupt) {
			t.Errorf("%s: Open says %v", tc.name, oerr)
		}
		os.WriteFile(segs[1], data, 0o644)
	}
}
