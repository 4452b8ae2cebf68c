package memory

import (
	"context"
	"errors"
	"math"
	"testing"
)

func TestLocalEmbedder(t *testing.T) {
	e := NewLocalEmbedder()
	texts := []string{
		"cust_addr",
		"The customer's postal address.",
		"The date the order was shipped.",
		"",
	}
	vs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs[:3] {
		if len(v) != e.Dimension() {
			t.Fatalf("%d: dimension %d", i, len(v))
		}
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		if math.Abs(n-1) > 1e-5 {
			t.Fatalf("%d: norm² %v, want 1", i, n)
		}
	}
	for _, x := range vs[3] {
		if x != 0 {
			t.Fatal("empty text must embed to the zero vector")
		}
	}
	near, far := Dot(vs[0], vs[1]), Dot(vs[0], vs[2])
	if near <= far || near < 0.2 {
		t.Fatalf("cust_addr: %.3f to its description, %.3f to another", near, far)
	}
	again, _ := e.Embed(context.Background(), texts[:1])
	for i := range again[0] {
		if again[0][i] != vs[0][i] {
			t.Fatal("embedding is not deterministic")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Embed(ctx, texts); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestNormalizeAndDot(t *testing.T) {
	v := []float32{3, 4, 0, 0, 0}
	Normalize(v)
	if d := Dot(v, v); math.Abs(float64(d)-1) > 1e-6 {
		t.Fatalf("dot %v", d)
	}
	z := []float32{0, 0}
	Normalize(z)
	if z[0] != 0 || z[1] != 0 {
		t.Fatal("zero vector changed")
	}
}

func TestErrorsMatch(t *testing.T) {
	var err error = &CorruptError{Path: ".dataops/memory", Reason: "checksum mismatch"}
	if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrEmbedderMismatch) {
		t.Fatal("CorruptError does not match ErrCorrupt only")
	}
	if want := ".dataops/memory: memory store is corrupt (checksum mismatch); it will be rebuilt from its sources"; err.Error() != want {
		t.Fatalf("message %q", err)
	}
	err = &EmbedderMismatchError{Store: "x", StoreName: "a", StoreDimension: 3, Name: "b", Dimension: 4}
	if !errors.Is(err, ErrEmbedderMismatch) {
		t.Fatal("EmbedderMismatchError does not match")
	}
}
