package testgen

import "testing"

func TestValuesInPipes(t *testing.T) {
	checkValuesIn(t, []valuesCase{
		{"gnosis_app (current Gnosis App) | metri (legacy Gnosis App) | third_party | unknown | test.", "gnosis_app|metri|third_party|unknown|test"},
		{"earned | full_invite_graph.", "earned|full_invite_graph"},
		{"Enum: personal | group | migration | other (see model description).", "personal|group|migration|other"},
		{"'onchain' | 'api' | NULL — which source produced fee_usd.", "onchain|api"},
		{"referral_link | new_patient_first_visit | production_in_period — defines how the cohort is built.", "referral_link|new_patient_first_visit|production_in_period"},
		{"Overall MOC cycle state: 'Not started' | 'In progress' | 'Cycle complete' (all four stages recorded) | 'Declined'", "Not started|In progress|Cycle complete|Declined"},
		{"Role this address plays.\nOne of: 'safe_self' | 'initial_owner' | 'delegate'.\n", "safe_self|initial_owner|delegate"},
		// Not a list of the column's values.
		{"cityHash64 of (kind, transaction_hash, log_index | order_uid | user_pseudonym).", ""},
		{"The pipe-separated path | of the file", ""},
		{"Examples: a | b", ""},
		{"Amount | in cents", ""},
	})
}
