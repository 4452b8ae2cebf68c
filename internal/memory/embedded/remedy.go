package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dataops-dev/dataops/internal/memory"
)

// Reset empties the store in dir, for a caller that got memory.ErrCorrupt and will rebuild it
// from its sources. Stores open in other processes fail their next operation instead of
// writing into the new one.
func Reset(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	unlock, err := fileLock(ctx, dir, true)
	if err != nil {
		return err
	}
	defer unlock()
	var errs []error
	for _, pattern := range []string{manifestName, manifestName + ".tmp*", "*.seg", "*.seg.tmp*"} {
		names, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, p := range names {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// reembedBatch bounds the texts sent to the embedder at once (a remote one takes batches).
const reembedBatch = 256

// Reembed replaces every vector in the store in dir by one from emb and records emb as the
// store's embedder: the remedy for memory.ErrEmbedderMismatch, which needs only the stored
// texts, not the sources. Until it finishes the store keeps its old vectors; it never holds
// vectors of two embedders.
func Reembed(ctx context.Context, dir string, emb memory.Embedder) error {
	unlock, err := fileLock(ctx, dir, true)
	if err != nil {
		return err
	}
	defer unlock()
	m, err := readManifest(dir)
	if err != nil || m == nil {
		return err
	}
	if m, err = upgrade(dir, m); err != nil {
		return err
	}
	old := &Store{dir: dir, name: m.Embedder, dim: m.Dimension}
	old.reset()
	defer old.reset()
	if err := old.load(m); err != nil {
		return err
	}
	var live []int
	for i := range old.recs {
		if old.recs[i].live {
			live = append(live, i)
		}
	}
	vecs := make([][]float32, 0, len(live))
	for lo := 0; lo < len(live); lo += reembedBatch {
		texts := make([]string, 0, reembedBatch)
		for _, i := range live[lo:min(lo+reembedBatch, len(live))] {
			texts = append(texts, old.record(i).Text)
		}
		vs, err := emb.Embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("re-embedding with %s: %w", emb.Name(), err)
		}
		for _, v := range vs {
			if len(v) != emb.Dimension() {
				return fmt.Errorf("embedder %s returned %d dimensions, it declares %d", emb.Name(), len(v), emb.Dimension())
			}
			memory.Normalize(v)
		}
		vecs = append(vecs, vs...)
	}
	ref, err := writeSegment(dir, m.Next, emb.Dimension(), func(emit func(*entry) error) error {
		for j, i := range live {
			e := entry{op: opUpsert, rec: old.record(i)}
			e.rec.Vector = vecs[j]
			if err := emit(&e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.Embedder, m.Dimension = emb.Name(), emb.Dimension()
	m.Next++
	m.Generation++
	m.Segments = []segmentRef{ref}
	m.Entries = len(live)
	if err := writeFileAtomic(dir, manifestName, m.encode()); err != nil {
		os.Remove(filepath.Join(dir, ref.Name))
		return err
	}
	removeUnnamedSegments(dir, m)
	return nil
}
