package testgen

import "strings"

// propertyFileRung is the relationships rung of the property file that declares the model,
// with the column's key class and evidence: the models one file declares were usually
// documented and tested together, and a team that guards every documented foreign key of
// the facts in one file (`_fact_tables.yml`) often leaves those of the event models in the
// next file of the same folder alone. It comes after the folder rungs, which it refines, and
// before the name rungs. A model no property file declares has no such rung.
func propertyFileRung(c *column, s string) []string {
	if c.model == nil || c.model.PatchPath == "" {
		return nil
	}
	return []string{"f=" + c.model.PatchPath + "|pk=" + c.pk + "|s=" + s}
}

// propertyFile is a patch path without its package ("pkg://models/x.yml" is models/x.yml).
func propertyFile(patch string) string {
	if _, rest, ok := strings.Cut(patch, "://"); ok {
		return rest
	}
	return patch
}
