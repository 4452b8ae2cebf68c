package testgen

import "strings"

// propertyFileRung is the relationships rung of the property file that declares the model,
// with the column's key class and evidence: the models one file declares were usually
// documented and tested together, and a team that guards every documented foreign key of
// the facts in one file (`_fact_tables.yml`) often leaves those of the event models in the
// next file of the same folder alone. It is the last rung, so that it has the last word over
// the folder and the name, when the file shows enough columns (thinFileRung). A model no
// property file declares has no such rung.
func propertyFileRung(c *column, s string) []string {
	if c.model == nil || c.model.PatchPath == "" {
		return nil
	}
	return []string{"f=" + c.model.PatchPath + "|pk=" + c.pk + "|s=" + s}
}

// fileRungSeen is how many columns of its kind a property file must show before its habit
// counts. Two or three columns are one model's, often one engineer's choice for that model:
// as the last rung they outweighed what the name said of the same columns across the project
// (a foreign key tested in the next file's models and not in the two of this one).
const fileRungSeen = 5

// thinFileRung reports whether a rung is a property file's with too few columns to count.
func thinFileRung(key string, n float64) bool {
	return strings.HasPrefix(key, "f=") && n < fileRungSeen
}

// propertyFile is a patch path without its package ("pkg://models/x.yml" is models/x.yml).
func propertyFile(patch string) string {
	if _, rest, ok := strings.Cut(patch, "://"); ok {
		return rest
	}
	return patch
}
