package cache

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"io"
	"math/rand/v2"
	"testing"
)

// writeSizes records the size of every write, and hashes what is written.
type writeSizes struct {
	sum   hash.Hash
	sizes []int
}

func (w *writeSizes) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return w.sum.Write(p)
}

// TestBlockWriter: whatever the sizes written and copied, the file gets the same bytes in
// writes of segBlock bytes but for the last.
func TestBlockWriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	want := sha256.New()
	out := &writeSizes{sum: sha256.New()}
	w := newBlockWriter(out)
	for i := range 60 {
		n := rng.IntN(1 << 16)
		if i%3 == 0 {
			n = rng.IntN(3 * segBlock)
		}
		p := bytes.Repeat([]byte{byte(i)}, n)
		p[n/2] = byte(rng.Uint32())
		want.Write(p)
		var err error
		if i%2 == 0 {
			_, err = w.Write(p)
		} else {
			_, err = io.Copy(w, io.LimitReader(bytes.NewReader(p), int64(len(p))))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.sum.Sum(nil), want.Sum(nil)) {
		t.Fatal("the bytes written differ from those given")
	}
	for i, n := range out.sizes {
		if n != segBlock && i != len(out.sizes)-1 {
			t.Fatalf("write %d of %d bytes, want %d", i, n, segBlock)
		}
	}
}
