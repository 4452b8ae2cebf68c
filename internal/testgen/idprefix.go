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

// keyPrefixed reports whether col is spelled as a key with the kind of key in front:
// sk_date, sk_hrgid, pk_order (the habit of many warehouses built on SQL Server, where sk_
// marks a surrogate key). Only a model's first column is read so: further along, sk_ names
// the key of a dimension the row refers to.
func keyPrefixed(col string) bool {
	return len(col) > 3 && (strings.HasPrefix(col, "sk_") || strings.HasPrefix(col, "pk_"))
}
