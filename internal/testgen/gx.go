package testgen

import "sort"

// GXSuite is a Great Expectations expectation suite in GX's JSON shape.
type GXSuite struct {
	Name         string          `json:"name"`
	SuiteName    string          `json:"expectation_suite_name"`
	Expectations []GXExpectation `json:"expectations"`
	Meta         map[string]any  `json:"meta"`
}

// GXExpectation is one expectation.
type GXExpectation struct {
	Type            string         `json:"type"`
	ExpectationType string         `json:"expectation_type"`
	Kwargs          map[string]any `json:"kwargs"`
	Meta            map[string]any `json:"meta"`
}

// GXSuites turns suggestions into one suite per model, with the standard expectation types.
// Suggestions that failed on data are left out.
func GXSuites(res *Result) []*GXSuite {
	by := map[string]*GXSuite{}
	for _, s := range res.Suggestions {
		if s.Status == Failed {
			continue
		}
		e, ok := gxExpectation(s)
		if !ok {
			continue
		}
		suite := by[s.Model]
		if suite == nil {
			suite = &GXSuite{Name: s.Model, SuiteName: s.Model, Meta: map[string]any{"generated_by": "dataops", "model": s.UniqueID}}
			by[s.Model] = suite
		}
		suite.Expectations = append(suite.Expectations, e)
	}
	out := make([]*GXSuite, 0, len(by))
	for _, s := range by {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func gxExpectation(s *Suggestion) (GXExpectation, bool) {
	meta := map[string]any{"confidence": s.Confidence, "reasons": s.Reasons, "status": s.Status}
	mk := func(t string, kw map[string]any) (GXExpectation, bool) {
		return GXExpectation{Type: t, ExpectationType: t, Kwargs: kw, Meta: meta}, true
	}
	switch s.Test {
	case NotNull:
		return mk("expect_column_values_to_not_be_null", map[string]any{"column": s.Column})
	case Unique:
		return mk("expect_column_values_to_be_unique", map[string]any{"column": s.Column})
	case AcceptedValues:
		return mk("expect_column_values_to_be_in_set", map[string]any{"column": s.Column, "value_set": s.Arguments["values"]})
	case CombinationKey:
		return mk("expect_compound_columns_to_be_unique", map[string]any{"column_list": s.Arguments["combination_of_columns"]})
	case Relationships:
		// GX has no cross-table expectation among its standard types; the reference is kept in
		// meta so the suite still records it.
		meta["relationships"] = s.Arguments
		return GXExpectation{}, false
	}
	return GXExpectation{}, false
}
