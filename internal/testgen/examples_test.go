package testgen

import "testing"

// A sample of values ("Common values include ...", "such as E=Excellent") is not the set.
func TestValuesInExamples(t *testing.T) {
	checkValuesIn(t, []valuesCase{
		{"The default interval in days. Common values include 180 (6 months), 365 (1 year), 90 (3 months).", ""},
		{"Code of the relationship. Common values include: Self, Spouse, Child, Other. May be null.", ""},
		{"Place of service code. Common values: 11 = Office, 22 = Outpatient Hospital, 23 = Emergency Room.", ""},
		{"Time clock status. Typical values are 'In', 'Out', 'Break', 'Lunch'.", ""},
		{"Citizenship progress, such as E=Excellent, S=Satisfactory,U=Unsatisfactory, N=Neutral.", ""},
		{"NSC enrollment status code (e.g. F = Full-time, H = Half-time).", ""},
		{"Type of link. Common values include:\n0 = Merge\n1 = Family\n2 = Household\n", ""},
		// The whole set still reads.
		{"The time range. Possible values include '1D', '7D', '30D', '90D', and 'All'.", "1D|7D|30D|90D|All"},
		{"Priority definition identifier. Known values: 263=High Priority, 290=Normal Priority", "263|290"},
		{"Source of the appointment: 0=Phone/Manual, 1=Online", "0|1"},
		{"Type of link:\n0 = Merge\n1 = Family\n2 = Household\n", "0|1|2"},
	})
}
