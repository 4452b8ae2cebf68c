package testgen

import (
	"fmt"
	"strings"
)

// The team's habits are learned as rates: of the columns with a given set of signals in
// the models this team tests, how many carry each test. Estimates go from the most general
// signal set to the most specific, each shrunk toward the one before it, so a specific
// pattern seen twice nudges the estimate and one seen fifty times decides it.

// columnTypes are the tests learned per column.
var columnTypes = []string{NotNull, Unique, AcceptedValues, Relationships}

// shrink is how many observations the more general estimate is worth.
const shrink = 2.0

type counts struct{ n, k map[string]float64 }

// habits holds, per test type, counts per signal key.
type habits struct {
	byTest map[string]*counts
	total  int
}

func newHabits() *habits {
	h := &habits{byTest: map[string]*counts{}}
	for _, t := range columnTypes {
		h.byTest[t] = &counts{n: map[string]float64{}, k: map[string]float64{}}
	}
	return h
}

// signal is the test-specific evidence bit of a column: what the SQL or lineage says about
// this test in particular.
func signal(c *column, test string) string {
	var b strings.Builder
	if c.up[test] {
		b.WriteString("up")
	}
	switch test {
	case NotNull:
		if c.notNull != "" || c.joinKey {
			b.WriteString("+sql")
		} else if c.computedNotNull != "" {
			b.WriteString("+calc")
		}
	case Relationships, AcceptedValues:
		b.WriteString(evidenceSignal(c, test))
	}
	return b.String()
}

// ladder lists the signal keys of a column for one test, general first.
func ladder(c *column, test string) []string {
	s := signal(c, test)
	if test == AcceptedValues || test == Relationships {
		return evidenceLadder(c, test, s)
	}
	pk := keyOf(c, test)
	rungs := []string{
		"pk=" + pk,
		"pk=" + pk + "|s=" + s,
		"p=" + c.pattern + "|pk=" + pk + "|s=" + s,
		"p=" + c.pattern + "|l=" + c.layer + "|pk=" + pk + "|s=" + s,
	}
	if c.model != nil {
		// A folder's models are often written to one standard, their copies of tested
		// columns tested again in one folder and left alone in the next (the gold models of a
		// chain's project test a timestamp each where its silver models test every column).
		rungs = append(rungs, "d="+folderOf(c.model)+"|pk="+pk+"|s="+s)
	}
	rungs = append(rungs,
		// A name means different things as a key and as an attribute (customer_id in
		// dim_customers and in fct_orders), so names are learned with the key class.
		nameRung(c, test),
		"n="+c.lower+"|pk="+pk+"|s="+s,
	)
	if test == Unique && c.model != nil {
		// A team names its models after their grain: person_id is unique in every
		// *_register and *_latest model and in no *_all one.
		rungs = append(rungs, "n="+c.lower+"|pk="+pk+"|mw="+lastWord(c.model.Name))
	}
	if test == NotNull && c.listed {
		// The columns the tested models' property files list are learned a second time on
		// their own, and a listed column reads those rates after the rates over every
		// column. A team that lists a column when it tests it and leaves the rest out tests
		// most of what it lists, which the rate over every column its models output hides
		// (GitLab's analytics project lists 29% of them: the held-out split found 52% of its
		// not_null tests at precision 0.92, 80% at 0.82 with this); where a team lists
		// every column the two rates are one. A column no file lists yet (a change's new
		// one) keeps the rate over all of them.
		for _, r := range rungs {
			rungs = append(rungs, "L|"+r)
		}
	}
	return rungs
}

// keyOf is the key class a column is learned with for test: another identifier of the
// entity is learned apart from the columns that are no key for unique, since a team that
// tests its sources' natural keys tests most of them (altkey.go).
func keyOf(c *column, test string) string {
	if test == Unique && c.alt != "" {
		return "alt"
	}
	return c.pk
}

// nameRung is the rung of a column's name with its key class, in every test's ladder.
func nameRung(c *column, test string) string {
	return "n=" + c.lower + "|k=" + keyClass(keyOf(c, test))
}

// lastWord is the last word of a model's or column's name (`all` of int_bmi_all, `qty` of
// order_qty), lower case.
func lastWord(name string) string {
	name = strings.TrimRight(strings.ToLower(name), "_")
	return name[strings.LastIndexByte(name, '_')+1:]
}

func keyClass(pk string) string {
	switch pk {
	case "sql", "name":
		return "key"
	case "combo", "first":
		return "part"
	case "alt":
		return "alt"
	}
	return "no"
}

func (h *habits) observe(c *column) {
	h.total++
	for _, t := range columnTypes {
		if c.unlisted && t != NotNull {
			// A column left out of its property file is an untested column for the test a
			// team may put on every column it lists; its key, values and references are
			// learned from the key and evidence classes, which it would only dilute
			// (measured: recall of accepted_values 0.41 to 0.33, unique 0.68 to 0.66).
			continue
		}
		ct := h.byTest[t]
		for _, key := range ladder(c, t) {
			ct.n[key]++
			if c.tests[t] {
				ct.k[key]++
			}
		}
	}
}

// estimate is the learned rate of a test for a column, starting from the prior; the
// returned evidence names the most specific signal set that had observations.
func (h *habits) estimate(c *column, test string, prior float64) (float64, string) {
	ct := h.byTest[test]
	est := prior
	lastN, lastK := -1.0, -1.0
	last := "" // the narrowest rung that counted: the one the reason names
	for _, key := range ladder(c, test) {
		n := ct.n[key]
		if n == 0 || thinFileRung(key, n) {
			continue
		}
		k := ct.k[key]
		if n == lastN && k == lastK && (distinctRungs[test] || isNameRung(key) && isNameRung(last)) {
			// A rung that refines the previous one with the same counts holds the same
			// columns: counting them twice would double the weight of one observation. Every
			// test's name rungs refine one another (the name with its key class, then with its
			// exact key class and signal, then both among listed columns): one tested
			// claim_code counted twice read as a habit.
			continue
		}
		lastN, lastK, last = n, k, key
		est = (k + shrink*est) / (n + shrink)
	}
	if last == "" {
		return est, ""
	}
	return est, fmt.Sprintf("%d of %d %s in this project's tested models have %s", int(lastK), int(lastN), similarColumns(last), test)
}

// isNameRung reports whether a rung counts the columns of one name (listed or not).
func isNameRung(key string) bool { return strings.HasPrefix(strings.TrimPrefix(key, "L|"), "n=") }

// always reports whether the team puts a test on every column of this name and key class
// in its tested models, and has done so often enough to be a rule rather than a coincidence.
func (h *habits) always(c *column, test string) bool { return h.nameShare(c, test, 1) }

// mostly reports whether the team writes the test on at least mostlyShare of the columns of
// this name and key class: an `id` the SQL keys together with another column (a dedup per id
// and code) that the team still tests unique wherever it appears.
func (h *habits) mostly(c *column, test string) bool { return h.nameShare(c, test, mostlyShare) }

// nameShare reports whether at least share of the columns of c's name and key class in the
// tested models have the test, seen at least alwaysSeen times.
func (h *habits) nameShare(c *column, test string, share float64) bool {
	ct := h.byTest[test]
	key := nameRung(c, test)
	n := ct.n[key]
	return n >= alwaysSeen && ct.k[key] >= share*n
}

// alwaysSeen is how many tested models must show a name's test for always to hold.
const alwaysSeen = 5

const mostlyShare = 0.8

// similarColumns names the columns a rung counts: "similar columns (named status, not a key)".
func similarColumns(key string) string {
	if d := describeKey(key); d != "" {
		return "similar columns (" + d + ")"
	}
	return "columns"
}

func describeKey(key string) string {
	var parts []string
	for _, kv := range strings.Split(key, "|") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "n":
			parts = append(parts, "named "+v)
		case "p":
			// "other" is the class of names no pattern matched: it says nothing to a reader.
			if v != "other" {
				parts = append(parts, "named like "+v)
			}
		case "l":
			if v != "other" {
				parts = append(parts, "in "+v+" models")
			}
		case "d":
			parts = append(parts, "in "+v+"/")
		case "f":
			parts = append(parts, "in models declared in "+propertyFile(v))
		case "m":
			if v != "unknown" {
				parts = append(parts, "stored as "+v)
			}
		case "w":
			parts = append(parts, "named *_"+v)
		case "L":
			parts = append(parts, "listed in a property file")
		case "mod":
			parts = append(parts, "of this model")
		case "mw":
			parts = append(parts, "in models named *_"+v)
		case "e":
			switch v {
			case "team":
				parts = append(parts, "with evidence from the team's tests elsewhere")
			case "found":
				parts = append(parts, "with evidence in the SQL, documents or data")
			case "flag":
				parts = append(parts, "flags")
			case "bool":
				parts = append(parts, "booleans")
			case "src":
				parts = append(parts, "keys copied from their source's key")
			default:
				parts = append(parts, "without evidence")
			}
		case "k":
			parts = append(parts, map[string]string{"key": "the model's key", "part": "a possible key", "no": "not a key", "alt": "another identifier of the model's entity"}[v])
		case "pk":
			switch v {
			case "sql":
				parts = append(parts, "the model's key by its SQL")
			case "combo":
				parts = append(parts, "part of a composite key")
			case "name":
				parts = append(parts, "the model's key by name")
			case "first":
				parts = append(parts, "a leading id column")
			case "alt":
				parts = append(parts, "another identifier of the model's entity")
			default:
				parts = append(parts, "not a key")
			}
		case "s":
			if v != "" {
				v = strings.ReplaceAll(v, "calc", "not-null expression")
				v = strings.ReplaceAll(v, "+bool", "+boolean type")
				parts = append(parts, "with "+strings.TrimPrefix(strings.ReplaceAll(v, "+", ", "), ", ")+" evidence")
			}
		}
	}
	return strings.Join(parts, ", ")
}

// prior is what a senior engineer would do with no project history: keys get unique and
// not_null, foreign keys relationships, enumerations accepted_values, and a column the SQL
// guarantees not null gets not_null only when it is a key or an id.
func prior(c *column, test string) float64 {
	return max(c.ev.prior(c, test), basePrior(c, test))
}

func basePrior(c *column, test string) float64 {
	switch test {
	case NotNull:
		switch {
		case c.pk == "sql" || c.pk == "name" || c.pk == "combo":
			return 0.9
		case c.up[NotNull]:
			return 0.7
		case c.pk == "first" || (c.fkTo != nil && c.joinKey):
			return 0.6
		case c.notNull != "":
			return 0.45
		case c.computedNotNull != "":
			return 0.3
		}
		return 0.05
	case Unique:
		switch {
		case c.pk == "sql" || c.pk == "name":
			return 0.9
		case c.pk == "first":
			return 0.5
		}
		return 0.02
	case Relationships:
		if c.fkTo != nil || c.fkArgs != nil {
			if c.up[Relationships] {
				return 0.7
			}
			return 0.5
		}
		return 0.01
	case AcceptedValues:
		if len(c.lits) > 0 {
			return 0.6
		}
		if c.up[AcceptedValues] {
			return 0.6
		}
		return 0.01
	}
	return 0
}
