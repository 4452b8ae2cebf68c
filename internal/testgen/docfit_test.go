package testgen

import (
	"strings"
	"testing"
)

func TestDocListFits(t *testing.T) {
	for _, c := range []struct {
		name, typ string
		vals      []string
		want      bool
	}{
		{"transaction_date", "", []string{"procedure", "payment", "adjustment"}, false},
		{"loaded", "timestamp", []string{"batch", "stream"}, false},
		{"b_malabsorption", "boolean", []string{"coeliac", "IBD", "post-resection"}, false},
		{"is_south_asian", "", []string{"Indian", "Pakistani", "Bangladeshi"}, false},
		{"is_accepted", "", []string{"Y", "N"}, true},
		{"is_active", "integer", []string{"0", "1"}, true},
		{"day_of_week", "integer", []string{"0", "1", "6"}, true},
		{"transaction_type", "varchar", []string{"procedure", "payment", "adjustment"}, true},
	} {
		col := &column{name: c.name, lower: c.name, pattern: columnPattern(c.name), dataType: c.typ}
		if got := docListFits(col, c.vals); got != c.want {
			t.Errorf("docListFits(%s %s, %v) = %v, want %v", c.name, c.typ, c.vals, got, c.want)
		}
	}
}

func TestScaleValues(t *testing.T) {
	for _, c := range []struct {
		name, typ, desc string
		want            string // values joined by |, "" for none
	}{
		{"imd_quintile_numeric_25", "", "IMD quintile as number (1-5)", "1|2|3|4|5"},
		{"day_of_week", "integer", "Day of week (0-6, where 0 is Sunday, 6 is Saturday). Used for weekly patterns.", "0|1|2|3|4|5|6"},
		{"financial_quarter_number", "", "UK financial quarter number (1-4, where 1 is Apr-Jun)", "1|2|3|4"},
		{"imd_decile_19", "", "IMD 2019 decile (1=most deprived, 10=least deprived)", "1|2|3|4|5|6|7|8|9|10"},
		{"month", "number", "Calendar month number (1 to 12).", "1|2|3|4|5|6|7|8|9|10|11|12"},
		// Not scales: the codes of a flag, buckets, a measure's bounds, a count, text, a flag.
		{"urgency", "integer", "Urgency (0=Normal, 1=High)", ""},
		{"aging_bucket", "", "Aging category (0-30, 31-60, 61-90, 90+ days)", ""},
		{"bmi_value", "", "BMI value within valid range (10-150)", ""},
		{"visit_count", "integer", "Visits in the year (0-12)", ""},
		{"band", "varchar", "Band (1-4)", ""},
		{"is_top_quintile", "", "In the most deprived areas (deciles 1-2)", ""},
		{"score", "", "Score from 2 to 9", ""},
	} {
		col := &column{name: c.name, lower: c.name, pattern: columnPattern(c.name), dataType: c.typ}
		if got := strings.Join(scaleValues(col, c.desc), "|"); got != c.want {
			t.Errorf("scaleValues(%s, %q) = %q, want %q", c.name, c.desc, got, c.want)
		}
	}
}
