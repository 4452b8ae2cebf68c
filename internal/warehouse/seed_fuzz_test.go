package warehouse

import (
	"strconv"
	"testing"
)

// FuzzInferSeed: any bytes give a schema or an InputError, never a panic, and the cell tests
// agree with the standard library's parsers.
func FuzzInferSeed(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "x\n\"q\"\"\n", "d,t\n2024-01-01,2024-01-01T00:00:00Z\n", ",\n,\n", "a\n1e5\n-.5\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sch, err := InferSeed(Seed{Path: "fuzz.csv", Data: data})
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if len(sch.Types) != len(sch.Columns) {
			t.Fatalf("%d types for %d columns", len(sch.Types), len(sch.Columns))
		}
		s := string(data)
		if isInteger(s) {
			if _, err := strconv.ParseInt(s, 10, 64); err != nil && len(s) < 19 {
				t.Fatalf("isInteger(%q) but ParseInt fails", s)
			}
			if !isNumeric(s) {
				t.Fatalf("isInteger(%q) but not isNumeric", s)
			}
		}
		if isNumeric(s) {
			if _, err := strconv.ParseFloat(s, 64); err != nil {
				if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
					t.Fatalf("isNumeric(%q) but ParseFloat: %v", s, err)
				}
			}
		}
	})
}
