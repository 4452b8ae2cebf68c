package lint

import "sort"

// applyEdits applies non-overlapping edits to src; when two edits overlap the earlier one
// wins and the other waits for a later pass (SQLFluff also loops until nothing changes).
func applyEdits(src string, edits []Edit) string {
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].Start != edits[j].Start {
			return edits[i].Start < edits[j].Start
		}
		return edits[i].End < edits[j].End
	})
	var b []byte
	pos := 0
	lastInsert := -1
	for _, e := range edits {
		if e.Start < pos || e.End < e.Start || e.End > len(src) {
			continue
		}
		if e.Start == e.End && e.Start == lastInsert {
			continue // two insertions at one place: keep the first
		}
		b = append(b, src[pos:e.Start]...)
		b = append(b, e.Text...)
		pos = e.End
		if e.Start == e.End {
			lastInsert = e.Start
		}
	}
	b = append(b, src[pos:]...)
	return string(b)
}
