package testgen

// A one-value accepted_values list states a constant of the model it is written on: a filter
// there keeps one value, or its CASE has one arm, or the business has one of the thing (a
// single clinic's clinic_id = 0). Another column of the same name passes through none of that
// as far as the lender's list knows, so such a list is not lent by name: on the borrower the
// test fails on the first other value. Copies of the column itself still take it from their
// upstream column (upstreamTests), whose filter they inherit.

// lendable reports whether accepted_values arguments may be lent to a column of the same name:
// all but a list of one value. A list the template fills (`values: '{{ var("genders") }}'`)
// is the team's shared set, lent as it is written.
func lendable(a map[string]any) bool {
	list, ok := a["values"].([]any)
	return !ok || len(stringValues(list)) != 1
}
