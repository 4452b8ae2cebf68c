package testgen

import (
	"reflect"
	"testing"

	sqldialect "github.com/dataops-dev/dataops/internal/sql/dialect"
)

// The key a comment names: the item it ends, the item under a header, through an alias, a
// qualifier, quotes or a function call; not a foreign key, another table's key, a comment
// inside a string, or a line holding two items or an expression split over lines.
func TestCommentKeys(t *testing.T) {
	sql := `with s as (
    select
        -- Identifiant technique Sage (PK)
        cb_marq,
        ar_ref, -- business key
        -- Primary Key

        "PatNum" as patient_id,
        t.order_uid, -- pk
        customer_id, -- FK to customers (primary key of dim_customers)
        '-- pk' as label,
        md5(concat(a, b)) as row_key, -- PK
        a, b, -- PK
        coalesce( -- PK
            a, b
        ) as merged
    from src t
)
select * from s`
	want := map[string]bool{"cb_marq": true, "patient_id": true, "order_uid": true, "row_key": true}
	d, _ := sqldialect.Lookup("postgres")
	if got := commentKeys(sql, d); !reflect.DeepEqual(got, want) {
		t.Errorf("commentKeys = %v, want %v", got, want)
	}
}
