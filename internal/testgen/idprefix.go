package testgen

import "strings"

// prefixKey reports whether col names entity e with the id in front: id_<entity> (the
// common form in French, Spanish or Italian schemas: id_client, id_producto) or
// id<entity> with no separator (idproduct, idlocation, as many ERP schemas spell keys).
// Only the whole entity counts, as for <entity>_id.
func prefixKey(col, e string) bool {
	if e == "" || !strings.HasPrefix(col, "id") {
		return false
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(col, "id"), "_")
	return rest != "" && namesEntity(rest, e)
}

// idPrefixed reports whether col may be a key spelled with the id in front, for the
// columns that may refer to another model's key: a model must still own the name.
func idPrefixed(col string) bool {
	return len(col) > 3 && strings.HasPrefix(col, "id")
}
