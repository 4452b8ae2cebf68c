package testgen

import (
	"reflect"
	"strings"
	"testing"
)

func TestValuesIn(t *testing.T) {
	for _, c := range []struct {
		desc      string
		want      string // values joined by |, "" for none
		formatted bool
	}{
		{"Possible values are `allow` or `deny`. A value of `allow` means travel.", "allow|deny", true},
		{"Group size. Valid values are `1-50`, `50-500`, `500-1000`, `>= 1000`. Lower bound inclusive.", "1-50|50-500|500-1000|>= 1000", true},
		{"The component. Valid values are Mobile, Desktop, Mobile, Playbooks, IR, Cloud, Apps.", "Mobile|Desktop|Playbooks|IR|Cloud|Apps", false},
		{"Either HUBSPOT_DEFINED (default label) or USER_DEFINED (custom label)", "HUBSPOT_DEFINED|USER_DEFINED", false},
		{"The method. One of card, fpx, or bank_account.", "card|fpx|bank_account", false},
		{"One of (`Card_Check`, `Authorisation`, `Debt Recovery`)", "Card_Check|Authorisation|Debt Recovery", true},
		{"Status, one of 'open', 'closed'.", "open|closed", true},
		{"Type of tap.\n\nPossible values:\n* `single`\n* `on`\n* `off`\n\nFor flat fares, only single.", "single|on|off", true},
		{"Pathway type. Valid values for this field are:\n • 1: walkway\n • 2: stairs\n • 3: moving sidewalk/travelator", "1|2|3", false},
		{"Orders can be one of the following statuses:\n\n| status | description |\n|---|---|\n| placed | Placed |\n| shipped | Shipped |\n| returned | Back |\n", "placed|shipped|returned", false},
		{"TIDES enum (Scheduled / Added / Unscheduled)\nmapped from `x`.", "Scheduled|Added|Unscheduled", false},
		{"Membership tier. This field can take the values 00, 01, 02, 05, or 10", "00|01|02|05|10", false},
		{"Membership tier. It takes one of the following values: gold, silver or bronze.", "gold|silver|bronze", false},
		{"Membership tier. It must take one of three accepted values according to the sales team: gold, silver, and bronze.", "gold|silver|bronze", false},
		// Sentences, not lists.
		{"Either a Unix timestamp in milliseconds or UTC format.", "", false},
		{"Either telemetry or security update.", "", false},
		{"Check one of the final downstream marts to see if it is populated.", "", false},
		{"Can be one of many things", "", false},
		{"The order date takes the value of the first shipment.", "", false},
		{"Accepted values depend on the source: see the vendor's guide for each code.", "", false},
		{"The id of the customer.", "", false},
		{"Only one value: `x`.", "", false},
		{"| name | description |\n|---|---|\n| a | first |\n", "", false},
	} {
		got := valuesIn(c.desc)
		var s string
		if got != nil {
			s = strings.Join(got.values, "|")
		}
		if s != c.want {
			t.Errorf("valuesIn(%q) = %q, want %q", c.desc, s, c.want)
			continue
		}
		if got != nil && got.formatted != c.formatted {
			t.Errorf("valuesIn(%q): formatted = %v, want %v", c.desc, got.formatted, c.formatted)
		}
	}
}

func TestRefsIn(t *testing.T) {
	for _, c := range []struct {
		desc string
		want []docRef
	}{
		{"Foreign key to `dim_stops` table.", []docRef{{model: "dim_stops", entity: "dim_stops"}}},
		{"Foreign key for `dim_schedule_feeds`.", []docRef{{model: "dim_schedule_feeds"}}},
		{"Foreign key to the customers table", []docRef{{model: "customers", entity: "customers"}}},
		{"The id of the event. Used for joining with event dimension.", []docRef{{model: "event"}, {model: "event", entity: "event"}}},
		{"References stg_accounts.account_id", []docRef{{model: "stg_accounts", field: "account_id"}}},
		// An entity of several words before "table": the model keyed by insurance_plan_id.
		{"Foreign key to the insurance plan table for primary insurance", []docRef{{model: "insurance_plan", entity: "insurance_plan"}, {model: "insurance"}}},
		{"Foreign key to late charge adjustment table", []docRef{{model: "late_charge_adjustment", entity: "late_charge_adjustment"}, {model: "late"}}},
		{"ID of the user who created the record", []docRef{{model: "user"}}},
		{"The customer's name.", nil},
	} {
		if got := refsIn(c.desc); !reflect.DeepEqual(got, c.want) {
			t.Errorf("refsIn(%q) = %+v, want %+v", c.desc, got, c.want)
		}
	}
}
