package embedded

import (
	"errors"
	"os"
	"path/filepath"
	"slices"

	"github.com/dataops-dev/dataops/internal/memory"
)

// formatV1 is the format of stores whose segments held each vector inside its record, with
// no keyword index: every open decoded every vector and rebuilt the index from the texts.
const formatV1 = 1

// upgrade rewrites a store of format 1 as one segment of the current format, keeping every
// record: proposals and outcomes cannot be rebuilt from the project's sources. Callers hold
// the exclusive file lock. A crash midway leaves the old store, which the next open upgrades.
func upgrade(dir string, m *manifest) (*manifest, error) {
	if m == nil || m.Format == formatVersion {
		return m, nil
	}
	var recs []memory.Record
	at := map[string]int{}
	for _, ref := range m.Segments {
		path := filepath.Join(dir, ref.Name)
		err := readSegment(path, ref.Bytes, func(e *entry, vec []float32) error {
			if i, ok := at[e.rec.ID]; ok {
				recs[i] = memory.Record{}
				delete(at, e.rec.ID)
			}
			if e.op == opUpsert {
				if len(vec) != m.Dimension {
					return corruptf(path, "record %q has %d dimensions, the store %d", e.rec.ID, len(vec), m.Dimension)
				}
				e.rec.Vector = slices.Clone(vec)
				at[e.rec.ID] = len(recs)
				recs = append(recs, e.rec)
			}
			return nil
		})
		if errors.Is(err, os.ErrNotExist) {
			err = corruptf(path, "segment named by the manifest is missing")
		}
		if err != nil {
			return nil, err
		}
	}
	ref, err := writeSegment(dir, m.Next, m.Dimension, func(emit func(*entry) error) error {
		for i := range recs {
			if recs[i].ID == "" {
				continue
			}
			if err := emit(&entry{op: opUpsert, rec: recs[i]}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	up := *m
	up.Format = formatVersion
	up.Next++
	up.Generation++
	up.Segments = []segmentRef{ref}
	up.Entries = len(at)
	if err := writeFileAtomic(dir, manifestName, up.encode()); err != nil {
		os.Remove(filepath.Join(dir, ref.Name))
		return nil, err
	}
	removeUnnamedSegments(dir, &up)
	return &up, nil
}
