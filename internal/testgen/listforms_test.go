package testgen

import (
	"strings"
	"testing"
)

// valuesCase is a description and the values read from it, joined by |, "" for none.
type valuesCase struct{ desc, want string }

// checkValuesIn checks the values valuesIn reads from each description.
func checkValuesIn(t *testing.T, cases []valuesCase) {
	t.Helper()
	for _, c := range cases {
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

func TestValuesInListForms(t *testing.T) {
	checkValuesIn(t, []valuesCase{
		// After a dash, offered as alternatives or quoted.
		{"str, where the category came from - seed, llm_discovered or manual.", "seed|llm_discovered|manual"},
		{"Scope of certificate - 'course' for course run certificates, 'program' for program certificates", "course|program"},
		{"Discriminator — 'course' for course run enrollments, 'program' for program enrollments", "course|program"},
		{"str, which tier produced the sentiment - 'explicit_rating' now, 'model' once the ML asset upgrades the null rows.", "explicit_rating|model"},
		// In a closing parenthesis.
		{"str, format of the course (Online, Other, Hybrid)", "Online|Other|Hybrid"},
		{"Platform code ('mitxonline' or 'mitxpro').", "mitxonline|mitxpro"},
		{"ACA metal tier (P/G/S/B/C). Null when non-ACA.", "P|G|S|B|C"},
		{"The type of account (SMB or MME).", "SMB|MME"},
		{"Current smoking status (Never Smoked, Ex-Smoker, Current Smoker, Unknown)", "Never Smoked|Ex-Smoker|Current Smoker|Unknown"},
		{"Type of the visit (New Patient, Follow Up)", ""},
		{"Where the patient lives (North London, the rest of London, Elsewhere)", ""},
		{"GTFS data type (\"schedule\", \"trip_updates\",\n\"vehicle_positions\", or \"service_alerts\")\n", "schedule|trip_updates|vehicle_positions|service_alerts"},
		// After "may be" or "can be", quoted side by side, or ending in the words for no value.
		{`Type of coupon discount. May be "fixed-discount" "fixed-price" or "percent-discount"`, "fixed-discount|fixed-price|percent-discount"},
		{"str, the logical operation over a set of courses, it can be all_of, min_number_of or blank", "all_of|min_number_of"},
		{"str, course term. Possible values are Spring, Summer, Fall, January IAP, or blank", "Spring|Summer|Fall|January IAP"},
		// Restated after "i.e.", not offered as an example.
		{"The type of agent, i.e. HYBRID or SERVERLESS", "HYBRID|SERVERLESS"},
		{"Direction of the transfer (i.e. inbound, outbound or internal).", "inbound|outbound|internal"},
		{"The agent type, e.g. HYBRID or SERVERLESS", ""},
		{"The day the order shipped, i.e. the date it left or arrived.", ""},
		// Plain words offered after a colon.
		{"Discriminator for respondent type: staff, student, or family. Determines which FK is populated.", "staff|student|family"},
		{"Note: see the runbook or ask the team.", ""},
		{"Example: weekly or monthly", ""},
		// A closing clause.
		{"str, the submission. Possible values are videointerviewsubmission and quizsubmission, but only videointerviewsubmission is used.", "videointerviewsubmission|quizsubmission"},
		{"str, the type. The value are 'MicroMasters' and 'XSeries' for MITx programs on edX.org", "MicroMasters|XSeries"},

		// Legends: one code per line after a line ending in a colon; the run ends at a blank line.
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
		// Quoted, after a colon or opening the description.
		{"Bucket: 'single' / 'small (2-10)' / 'medium (11-100)' / 'large (101-1000)' / 'whale (>1000)'.", "single|small (2-10)|medium (11-100)|large (101-1000)|whale (>1000)"},
		{"'usd' or 'native' - which unit the bucket boundaries apply to.", "usd|native"},
		{"Bucket label, e.g.: '0-10', '10-100'", ""},
		{"Note: 'x' is the default", ""},

		// Examples of an open set.
		{"order state, one of 'fulfilled', 'cancelled', 'etc'", ""},
		{"privacy level. Possible values are public, private, etc.", ""},
		// Asides, not lists.
		{`Hard-coded to "encounter-diagnosis" for FHIR (http://terminology.hl7.org/CodeSystem/condition-category).`, ""},
		{"Funding from FTA grants other than the ones already listed (5307, 5339, 5309, 5337, 5311).", ""},
		{"Unique number assigned to every Fund Event (ACH Payment/Withdrawal, Wire Transfer, Invoice)", ""},
		{"separated by semicolons - I (Injury) or F (Fatality), H (Homicide), Person Type, Age Group, Gender", ""},
		{`All injuries - "Passenger," "People Waiting or Leaving," "Total Employee," and "Total Other."`, ""},
		{"The total number of rides labeled as either `Route Z` or `Null` for the given month", ""},
		{"The user's id - unique, not null.", ""},
		{"Timestamp - UTC, ISO format", ""},
		{"The amount - in cents, before tax", ""},
		{"Created at (UTC)", ""},
		{"The order's total (e.g. 10, 20, 30)", ""},
		{"The key (PK, FK)", ""},
		{"May be null if the user did not specify.", ""},
		{"It can be null or empty.", ""},
		{"This can be used to join to orders.", ""},
		{"Either a Unix timestamp in milliseconds or UTC format.", ""},
		{"Platform name - see the platforms seed", ""},
		// The parts of what is counted, not the column's values.
		{"Number of bytes used by files in all internal stages (named, table, and user).", ""},
		{"Count of orders by state (paid, refunded, open).", ""},
		// A bullet list that YAML's folded style ran into one line: every bullet opens
		// with its value; bullets of prose name none.
		{"Method of payment: - CHECK: Check payments (including insurance checks) - CREDIT_CARD: Credit card payments - CASH: Cash payments\n", "CHECK|CREDIT_CARD|CASH"},
		{"Category: - insurance_writeoff = written off - provider_discount = given by the provider", "insurance_writeoff|provider_discount"},
		{"Fee paid. - OpenDental source: ClaimFee - Transformed to: decimal - CASH: not used", ""},
		{"Status of the claim - PAID: settled", ""},
	})
}

func TestTitleWords(t *testing.T) {
	for s, want := range map[string]bool{"January IAP": true, "New Business": true, "Other": false, "security update": false, "A B C D": false, "New (old)": false} {
		if got := titleWords(s); got != want {
			t.Errorf("titleWords(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestSentenceEndParens(t *testing.T) {
	for s, want := range map[string]int{
		"Format (Online. Other) here. Next": len("Format (Online. Other) here"),
		"No end (a; b)":                     len("No end (a; b)"),
		"Code `a.b` ends. Next":             len("Code `a.b` ends"),
		"Line\nbreak":                       len("Line"),
	} {
		if got := sentenceEndParens(s); got != want {
			t.Errorf("sentenceEndParens(%q) = %d, want %d", s, got, want)
		}
	}
}
