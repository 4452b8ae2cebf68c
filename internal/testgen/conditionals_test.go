package testgen

import "testing"

func TestValuesInConditionals(t *testing.T) {
	checkValuesIn(t, []valuesCase{
		// Each value with its condition, closed by an else.
		{"'safe' if the address is a Safe, else 'eoa_or_contract'.", "safe|eoa_or_contract"},
		{"'out' if the Safe is the sender, 'in' otherwise.", "out|in"},
		{"Whether the student met the benchmark. Met if max_score >= benchmark_goal, Not Met otherwise, No Data if the student has no qualifying score.\n", "Met|Not Met|No Data"},
		{"Has IEP when the student carries a code (spedlep), else when the student carries an FEFP code, otherwise No IEP.", "Has IEP|No IEP"},
		{"IEP status label — 'Has IEP' when the flag is 'IEP' or 'B', otherwise 'No IEP'.", "Has IEP|No IEP"},
		// Codes with their meanings.
		{"Homelessness code for the year — N for not homeless, Y1 for homeless with a parent, Y2 for homeless and unaccompanied. Read from the roster.", "N|Y1|Y2"},
		{"-1 for a future-dated enrollment, 3 for graduated, 0 for currently enrolled, 2 for withdrawn. Derived locally.", "-1|3|0|2"},
		{"Semester this period falls within. S1 for term_name Q1/Q2, S2 for Q3/Q4. NULL otherwise.", "S1|S2"},
		// Not a closed set, or not values.
		{"Account's first-touch campaign (GA controller preferred, else initial_owner), 'unknown' if no signal.", ""},
		{"origin_inviter when via the farm, else raw_inviter.", ""},
		{"1 if the user played the video, otherwise 0", ""},
		{"Equal to user_pseudonym when matched_mp=1, NULL otherwise.", ""},
		{"Business name if present; otherwise title, first, and last name.", ""},
		{"Whether it meets the goal — `metric_rate >= goal` when higher is better, else `metric_rate <= goal`.", ""},
		{"Canonical event kind. `chain.*` for on-chain actions, `mp.*` for Mixpanel events.", ""},
		{"'unknown' if no signal.", ""},
		{"Fee in USD, for trades after 2024, for the buyer.", ""},
	})
}
