package testgen

import (
	"fmt"
	"testing"
)

func TestNarrowed(t *testing.T) {
	for _, tc := range []struct {
		list    []any
		kept    []string
		want    string
		dropped bool
	}{
		{[]any{"outbound", "inbound"}, []string{"outbound"}, "[outbound]", true},
		{[]any{"a", "b", "c"}, []string{"c", "a"}, "[a c]", true},
		{[]any{"a", "b"}, nil, "[a b]", false},
		{[]any{"a", "b"}, []string{"a", "b"}, "[a b]", false},
		// A filter on a value the list spells differently: the column holds what it keeps.
		{[]any{"Outbound", "Inbound"}, []string{"outbound"}, "[outbound]", true},
	} {
		got, dropped := narrowed(tc.list, tc.kept)
		if fmt.Sprint(got) != tc.want || dropped != tc.dropped {
			t.Errorf("narrowed(%v, %v) = %v, %v; want %s, %v", tc.list, tc.kept, got, dropped, tc.want, tc.dropped)
		}
	}
}

// A copy behind a filter takes the upstream column's test with the values the filter keeps;
// a plain copy takes the whole list.
func TestKeptValuesCase(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/keptvalues")
	got := map[string]string{}
	for _, s := range Suggest(p, inf, Options{}).Suggestions {
		if s.Test == AcceptedValues {
			got[s.Model+"."+s.Column] = fmt.Sprint(s.Arguments["values"])
		}
	}
	for k, want := range map[string]string{"int_outbound.direction": "[outbound]", "int_all.direction": "[outbound inbound]"} {
		if got[k] != want {
			t.Errorf("%s: values %q, want %q", k, got[k], want)
		}
	}
}
