package testgen

import (
	"strings"
	"testing"
)

func TestFlagValues(t *testing.T) {
	for _, c := range []struct {
		name, typ string
		want      string // values joined by |, "" for none
	}{
		{"deleted_flag", "integer", "0|1"},
		{"is_confirmed", "bigint", "0|1"},
		{"has_email", "INT", "0|1"},
		// A boolean can hold nothing else, a text flag's spelling is the team's, an unknown
		// type may be either.
		{"is_active", "boolean", ""},
		{"is_member", "varchar", ""},
		{"has_email", "", ""},
		{"quantity", "integer", ""},
		{"is_", "integer", ""},
	} {
		got := strings.Join(flagValues(&column{lower: strings.ToLower(c.name), dataType: c.typ}), "|")
		if got != c.want {
			t.Errorf("flagValues(%s %s) = %q, want %q", c.name, c.typ, got, c.want)
		}
	}
}

func TestFlagArguments(t *testing.T) {
	p, inf := loadCase(t, "testdata/cases/flags")
	for _, s := range Suggest(p, inf, Options{}).Suggestions {
		if s.Model == "stg_e" && s.Column == "is_archived" && s.Test == AcceptedValues {
			vals, _ := s.Arguments["values"].([]any)
			if len(vals) != 2 || vals[0] != int64(0) || vals[1] != int64(1) || s.Arguments["quote"] != false {
				t.Errorf("arguments = %v, want values [0 1] unquoted", s.Arguments)
			}
			return
		}
	}
	t.Fatal("no accepted_values suggestion for stg_e.is_archived")
}
