package testgen

import (
	"strings"
	"testing"
)

func TestValuesInLegends(t *testing.T) {
	for _, c := range []struct {
		desc string
		want string // values joined by |, "" for none
	}{
		// One code per line after a line ending in a colon; the run ends at a blank line.
		{"Code for the patient's relationship to the subscriber:\n0 = Self (patient is the subscriber)\n1 = Spouse \n2 = Child\n4 = Other dependent\n8 = Unknown relationship\n", "0|1|2|4|8"},
		{"Code indicating where services were performed:\n0 = Office/Clinic (default)\n3 = School (rare)\n\nNote: Other standard values (11=Office, 21=Inpatient Hospital) are not used.\n", "0|3"},
		{"The mode used. Maps from the source's \"mode\" field:\n- 0: Unknown/Unspecified mode\n- 1: Email communications\n- 2: Phone call\n- 6, 8: Additional system modes\n", "0|1|2|6|8"},
		{"Claim status:\n- P (Pending)\n- R (Received)\n", ""},
		{"Status:\nP - Pending\nR - Received\nD - Denied\n", "P|R|D"},
		{"0 = inactive\n1 = active", "0|1"},
		// Pairs in one line.
		{"Flag if not billed to insurance (0=Bill Insurance, 1=Do Not Bill Insurance, converted to boolean)", "0|1"},
		{"Answer: Y=Yes, N=No", "Y|N"},

		// Not legends: numbered steps, one pair, a mix of kinds, a run after prose.
		{"Calculation:\n1. Sum of payments\n2. Minus adjustments\n", ""},
		{"Business Context:\n- Used for billing\n- Critical for accuracy\n", ""},
		{"Rows where status = 'A' are active", ""},
		{"Steps:\n1: load the file\nfoo: bar baz\n", ""},
		{"Severity of the alert, 1=low", ""},
		{"Some prose about the column.\n0 = zero\n1 = one\n", ""},
	} {
		got := valuesIn(c.desc)
		var s string
		if got != nil {
			s = strings.Join(got.values, "|")
		}
		if s != c.want {
			t.Errorf("valuesIn(%q) = %q, want %q", c.desc, s, c.want)
		}
	}
}

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
