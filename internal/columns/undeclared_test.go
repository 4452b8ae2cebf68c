package columns

import "testing"

// A name no relation lists reads the undeclared column of the one relation whose list came
// from a property file, directly or through a star.
func TestUndeclaredColumnOfDeclaredSource(t *testing.T) {
	u := map[string]string{"erp.company": "id:integer, code:varchar", "owners": "owner_id:integer, name:varchar"}
	lineage := func(n *Node, col string) string {
		t.Helper()
		c := n.Column(col)
		if c == nil {
			t.Fatalf("no column %s", col)
		}
		return lineageOf(c)
	}
	n := expectColumns(t, "duckdb", u, `select id, siret from erp.company`, "id:integer, siret:?")
	if got := lineage(n, "siret"); got != "company.siret" {
		t.Errorf("direct: siret lineage %q", got)
	}
	n = expectColumns(t, "duckdb", u, `with src as (select * from erp.company), renamed as (select id, siret, s.vat as vat_number from src as s) select * from renamed`,
		"id:integer, siret:?, vat_number:?")
	if got := lineage(n, "siret"); got != "company.siret" {
		t.Errorf("through a star: siret lineage %q", got)
	}
	if got := lineage(n, "vat_number"); got != "company.vat" {
		t.Errorf("qualified: vat_number lineage %q", got)
	}
	// With a second relation, a name qualified by it is not the declared one's.
	n = expectColumns(t, "duckdb", u, `select c.id, o.missing from erp.company c join owners o on c.id = o.owner_id`, "id:integer, missing:?")
	if got := lineage(n, "missing"); got == "company.missing" {
		t.Errorf("o.missing read from the declared source")
	}
}
