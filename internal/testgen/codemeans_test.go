package testgen

import "testing"

func TestValuesInCodeMeans(t *testing.T) {
	checkValuesIn(t, []valuesCase{
		// The code a sentence after the list gives.
		{"Primary nighttime residence code for the year — 1 for shelters or transitional housing, 2 for doubled-up, 3 for unsheltered, 4 for hotels or motels. Zero means no selection was made. For the New Jersey region only.", "1|2|3|4|0"},
		{"N for not homeless, Y1 for homeless with a parent. U indicates the status was not asked.", "N|Y1|U"},
		// Of another kind than the codes, or one of them again: nothing added.
		{"1 for shelters, 2 for doubled-up. N means not asked.", "1|2"},
		{"1 for shelters, 2 for doubled-up. 2 means the family shares housing.", "1|2"},
		// A sentence naming no code.
		{"1 for shelters, 2 for doubled-up. This means the column is a code.", "1|2"},
	})
}
