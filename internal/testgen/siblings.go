package testgen

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// A description often names the table a key refers to as the source system calls it
// ("foreign key to courses_course", "foreign key to auth_user"), not as the project's model
// is named. Models that stage one source share a prefix up to the double underscore that
// dbt's naming convention puts before the source table (stg__app__postgres__courses_course,
// stg_stripe__customers): the table named is the model of this model's prefix and that name.
// A model of another prefix with the same table (a second application's courses_course) is
// another system's table, and is not taken.

// siblingNamed finds the model that shares m's source prefix and ends in the table name, or
// nil.
func (ix *keyIndex) siblingNamed(m *dbt.Node, table string) *dbt.Node {
	table = strings.ToLower(table)
	prefix := sourcePrefix(m.Name)
	if prefix == "" || table == "" || strings.Contains(table, "__") {
		return nil
	}
	return ix.byName[prefix+table]
}

// sourcePrefix is a model name up to and including its last double underscore, or "".
func sourcePrefix(name string) string {
	name = strings.ToLower(name)
	i := strings.LastIndex(name, "__")
	if i <= 0 {
		return ""
	}
	return name[:i+2]
}
