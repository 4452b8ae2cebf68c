package testgen

import "strings"

// A model keyed on one column often carries a second identifier of the same entity: the
// readable id, uuid, slug, code, username or email its source system shows people
// (courserun_readable_id in a model of course runs, user_email in a model of users). The
// source enforces it unique, and teams that know their sources test it so; others do not,
// so such a column is its own class in the unique ladder and the team's share of tested ones
// decides (the prior alone proposes nothing).

// altKeySuffixes end the name of an entity's identifier other than its key.
var altKeySuffixes = []string{
	"readable_id", "uuid", "guid", "slug", "code", "username", "email", "number",
	"external_id", "natural_key", "sku", "handle",
}

// altKey returns the suffix by which col names an identifier of model's entity (see
// modelEntities), or "".
func altKey(model, col string) string {
	for _, suf := range altKeySuffixes {
		base, ok := strings.CutSuffix(col, "_"+suf)
		if !ok || base == "" {
			continue
		}
		for _, e := range modelEntities(model) {
			if sameEntity(base, e) {
				return suf
			}
		}
	}
	return ""
}

// modelEntities are the entities a model's name may be about: the part after its last
// double underscore (or its layer prefix) and each run of its trailing words, with a step
// word dropped (mitx_users and users for int__edxorg__mitx_users; courses_courserun and
// courserun for stg__app__courses_courserun).
func modelEntities(model string) []string {
	m := strings.ToLower(model)
	if i := strings.LastIndex(m, "__"); i >= 0 {
		m = m[i+2:]
	} else if i := strings.IndexByte(m, '_'); i > 0 && knownLayers[m[:i]] {
		m = m[i+1:]
	}
	if base := withoutStep(m); base != "" {
		m = base
	}
	var out []string
	for rest := m; rest != ""; {
		out = append(out, rest)
		i := strings.IndexByte(rest, '_')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	return out
}

// sameEntity reports whether a column's prefix names entity e, underscores aside and in the
// singular or as written (courserun for course_runs, user for users).
func sameEntity(prefix, e string) bool {
	p := strings.ReplaceAll(prefix, "_", "")
	w := strings.ReplaceAll(e, "_", "")
	return p == w || p == singular(w) || w == p+"s"
}
