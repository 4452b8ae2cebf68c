package change

import (
	"path"
	"sort"
	"strings"
)

// Model rename matching. A model missing from the head is paired with a model new in the head
// when their raw SQL is alike: the Jaccard index of their identifier and keyword token sets,
// plus a small bonus when both live in the same folder. Renames are usually a file move with
// small edits; unrelated models in the same project share far fewer tokens than that.
const (
	renameThreshold   = 0.6
	sameFolderBonus   = 0.1
	minTokensToRename = 3
)

type renameCandidate struct {
	id, path, sql string
}

type renamePair struct {
	from, to string
	score    float64
}

// matchRenames pairs removed with added models, best score first, each used once.
func matchRenames(removed, added []renameCandidate) []renamePair {
	if len(removed) == 0 || len(added) == 0 {
		return nil
	}
	rt := make([]map[string]bool, len(removed))
	for i, r := range removed {
		rt[i] = tokenSet(r.sql)
	}
	at := make([]map[string]bool, len(added))
	for i, a := range added {
		at[i] = tokenSet(a.sql)
	}
	var all []renamePair
	type ij struct{ i, j int }
	idx := map[renamePair]ij{}
	for i, r := range removed {
		for j, a := range added {
			if len(rt[i]) < minTokensToRename || len(at[j]) < minTokensToRename {
				continue
			}
			s := jaccard(rt[i], at[j])
			if path.Dir(r.path) == path.Dir(a.path) {
				s += sameFolderBonus
			}
			if s > 1 {
				s = 1
			}
			if s >= renameThreshold {
				p := renamePair{from: r.id, to: a.id, score: s}
				all = append(all, p)
				idx[p] = ij{i, j}
			}
		}
	}
	sort.SliceStable(all, func(x, y int) bool {
		if all[x].score != all[y].score {
			return all[x].score > all[y].score
		}
		if all[x].from != all[y].from {
			return all[x].from < all[y].from
		}
		return all[x].to < all[y].to
	})
	usedR, usedA := map[string]bool{}, map[string]bool{}
	var out []renamePair
	for _, p := range all {
		if usedR[p.from] || usedA[p.to] {
			continue
		}
		usedR[p.from], usedA[p.to] = true, true
		out = append(out, p)
	}
	return out
}

// tokenSet splits SQL (Jinja included) into lower-cased words and numbers.
func tokenSet(sql string) map[string]bool {
	set := map[string]bool{}
	start := -1
	flush := func(end int) {
		if start >= 0 {
			set[strings.ToLower(sql[start:end])] = true
			start = -1
		}
	}
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		word := c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
		if word {
			if start < 0 {
				start = i
			}
		} else {
			flush(i)
		}
	}
	flush(len(sql))
	return set
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	small, large := a, b
	if len(small) > len(large) {
		small, large = large, small
	}
	for k := range small {
		if large[k] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	return float64(inter) / float64(union)
}
