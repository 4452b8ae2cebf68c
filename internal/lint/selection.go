package lint

import (
	"path"
	"strings"
)

// legacyCodes maps SQLFluff 1.x rule codes to today's codes. Several old rules were merged
// into LT01 and LT02, so the map is many-to-one.
var legacyCodes = map[string]string{
	"L001": "LT01", "L002": "LT02", "L003": "LT02", "L004": "LT02", "L005": "LT01",
	"L006": "LT01", "L007": "LT03", "L008": "LT01", "L009": "LT12", "L010": "CP01",
	"L011": "AL01", "L012": "AL02", "L013": "AL03", "L014": "CP02", "L015": "ST08",
	"L016": "LT05", "L017": "LT06", "L018": "LT07", "L019": "LT04", "L020": "AL04",
	"L021": "AM01", "L022": "LT08", "L023": "LT01", "L024": "LT01", "L025": "AL05",
	"L026": "RF01", "L027": "RF02", "L028": "RF03", "L029": "RF04", "L030": "CP03",
	"L031": "AL07", "L032": "ST07", "L033": "AM02", "L034": "ST06", "L035": "ST01",
	"L036": "LT09", "L037": "AM03", "L038": "CV03", "L039": "LT01", "L040": "CP04",
	"L041": "LT10", "L042": "ST05", "L043": "ST02", "L044": "AM04", "L045": "ST03",
	"L046": "JJ01", "L047": "CV04", "L048": "LT01", "L049": "CV05", "L050": "LT13",
	"L051": "AM05", "L052": "CV06", "L053": "CV07", "L054": "AM06", "L055": "CV08",
	"L056": "TQ01", "L057": "RF05", "L058": "ST04", "L059": "RF06", "L060": "CV02",
	"L061": "CV01", "L062": "CV09", "L063": "CP05", "L064": "CV10", "L065": "LT11",
	"L066": "AL06", "L067": "CV11", "L068": "AM07", "L071": "LT01",
}

// CurrentCode maps a legacy L0xx code to today's code; other codes are returned upper-cased.
func CurrentCode(code string) string {
	c := strings.ToUpper(strings.TrimSpace(code))
	if n, ok := legacyCodes[c]; ok {
		return n
	}
	return c
}

// matchesRef reports whether a reference from a config list, a flag or a noqa comment names
// the rule: its code, name, an alias, a group, or a glob over codes and names.
func matchesRef(m *Meta, ref string) bool {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return false
	}
	lower := strings.ToLower(ref)
	if lower == "all" || m.InGroup(lower) {
		return true
	}
	if strings.EqualFold(ref, m.Code) || strings.EqualFold(ref, m.Name) {
		return true
	}
	for _, a := range m.Aliases {
		if strings.EqualFold(ref, a) {
			return true
		}
	}
	if strings.ContainsAny(ref, "*?[") {
		for _, cand := range append([]string{m.Code, m.Name}, m.Aliases...) {
			if ok, _ := path.Match(strings.ToLower(ref), strings.ToLower(cand)); ok {
				return true
			}
		}
	}
	return false
}

// SelectRules returns the rules enabled by `rules` and `exclude_rules` (exclusion wins), in
// registry order.
func SelectRules(all []Rule, include, exclude []string) []Rule {
	var out []Rule
	for _, r := range all {
		m := r.Meta()
		in := len(include) == 0
		for _, ref := range include {
			if matchesRef(m, ref) {
				in = true
				break
			}
		}
		if !in {
			continue
		}
		for _, ref := range exclude {
			if matchesRef(m, ref) {
				in = false
				break
			}
		}
		if in {
			out = append(out, r)
		}
	}
	return out
}

// UnknownRefs lists references that name no rule and no group, for a warning.
func UnknownRefs(all []Rule, refs []string) []string {
	var out []string
	for _, ref := range refs {
		found := false
		for _, r := range all {
			if matchesRef(r.Meta(), ref) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, ref)
		}
	}
	return out
}
