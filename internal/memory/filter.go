package memory

import "slices"

// Match reports whether r passes the filter: each non-empty field must equal the record's,
// and the record's kind must be one of Kinds when Kinds is set.
func (f Filter) Match(r *Record) bool {
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, r.Kind) {
		return false
	}
	m := &r.Metadata
	return (f.Project == "" || f.Project == m.Project) &&
		(f.Model == "" || f.Model == m.Model) &&
		(f.Column == "" || f.Column == m.Column) &&
		(f.Source == "" || f.Source == m.Source)
}

// IsZero reports whether the filter lets every record through.
func (f Filter) IsZero() bool {
	return len(f.Kinds) == 0 && f.Project == "" && f.Model == "" && f.Column == "" && f.Source == ""
}
