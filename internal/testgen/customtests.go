package testgen

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// Teams guard columns with more than dbt's four tests: a generic test of their own
// (assert_non_negative_values on quantities), a package's (dbt_utils.accepted_range on rates,
// dbt_expectations.expect_column_to_exist on every column of a metrics model,
// elementary.column_anomalies on a folder's measures). Which columns get one is a habit like
// the others: learned as rates over the tested models' columns, by name, by name shape and
// layer, and by folder, and proposed on a new column when the rate is high. The arguments are
// the ones the team gives the test on such columns, when it gives one set most of the time;
// a test whose arguments differ from column to column (an expression naming the column) is
// not proposed.

// customMin is how many columns must carry a test before its habit says anything.
const customMin = 5

// customTest is what the tested models say of one of the team's tests.
type customTest struct {
	name string         // as the team writes it: namespace.name or name
	k    map[string]int // per rung: columns with the test (customHabits.rungN counts them all)
	// args counts each set of arguments per rung (canonical JSON), and argv keeps one copy.
	args map[string]map[string]int
	argv map[string]map[string]any
	uses int
}

type customHabits struct {
	tests map[string]*customTest
	seen  int            // columns observed
	rungN map[string]int // columns observed per rung: every test's denominator
	// names are the tests used often enough to propose, in order (finish sets them); own
	// the tests each proposed-on model's entry already uses.
	names []string
	own   map[string]map[string]bool
}

// columnCustomTests lists, per column (lower case), the tests of m's property entry that are
// not dbt's four (nor a package's spelling of them).
func columnCustomTests(m *dbt.Node) map[string][]*dbt.TestDef {
	var out map[string][]*dbt.TestDef
	for _, c := range m.Columns {
		for _, t := range c.Tests {
			switch normalizeTest(t.Name) {
			case NotNull, Unique, AcceptedValues, Relationships:
				continue
			}
			if out == nil {
				out = map[string][]*dbt.TestDef{}
			}
			l := strings.ToLower(c.Name)
			out[l] = append(out[l], t)
		}
	}
	return out
}

func testFullName(t *dbt.TestDef) string {
	if t.Namespace != "" {
		return t.Namespace + "." + t.Name
	}
	return t.Name
}

// customRungs are a column's keys, general first: its name's shape and layer, its folder, the
// last word of its name (qty, revenue, pct), both, its name, its model.
func customRungs(c *column) []string {
	dir := path.Dir(c.model.OriginalFilePath)
	word := lastWord(c.lower)
	return []string{
		"p=" + c.pattern + "|l=" + c.layer,
		"d=" + dir,
		"w=" + word,
		"d=" + dir + "|w=" + word,
		"n=" + c.lower,
		// Last, the model's own columns: a team that put the test on one column of ten in
		// this model is not asking for it on the next one.
		"mod=" + c.model.UniqueID,
	}
}

func newCustomHabits() *customHabits {
	return &customHabits{tests: map[string]*customTest{}, rungN: map[string]int{}}
}

// observe counts one tested model's columns.
func (h *customHabits) observe(m *dbt.Node, cols []*column) {
	defs := columnCustomTests(m)
	for _, c := range cols {
		h.seen++
		rungs := customRungs(c)
		for _, r := range rungs {
			h.rungN[r]++
		}
		for _, t := range defs[c.lower] {
			name := testFullName(t)
			ct := h.tests[name]
			if ct == nil {
				ct = &customTest{name: name, k: map[string]int{}, args: map[string]map[string]int{}, argv: map[string]map[string]any{}}
				h.tests[name] = ct
			}
			ct.uses++
			key := canonicalArgs(t.Args)
			ct.argv[key] = t.Args
			for _, r := range rungs {
				ct.k[r]++ // a column listing the test twice (two configs) counts twice: rare
				if ct.args[r] == nil {
					ct.args[r] = map[string]int{}
				}
				ct.args[r][key]++
			}
		}
	}
}

// finish ends the learning: the tests used often enough to propose, in name order.
func (h *customHabits) finish() {
	for name, ct := range h.tests {
		if ct.uses >= customMin {
			h.names = append(h.names, name)
		}
	}
	sort.Strings(h.names)
}

// ownTests are the tests m's property entry uses on any of its columns.
func (h *customHabits) ownTests(m *dbt.Node) map[string]bool {
	if own, ok := h.own[m.UniqueID]; ok {
		return own
	}
	own := map[string]bool{}
	for _, ts := range columnCustomTests(m) {
		for _, t := range ts {
			own[testFullName(t)] = true
		}
	}
	if h.own == nil {
		h.own = map[string]map[string]bool{}
	}
	h.own[m.UniqueID] = own
	return own
}

func canonicalArgs(a map[string]any) string {
	if len(a) == 0 {
		return ""
	}
	b, err := json.Marshal(a) // encoding/json sorts map keys
	if err != nil {
		return fmt.Sprint(a)
	}
	return string(b)
}

// suggest proposes the team's tests for c, at or above threshold, in name order.
func (h *customHabits) suggest(c *column, threshold float64) []*Suggestion {
	if len(h.names) == 0 {
		return nil
	}
	var out []*Suggestion
	rungs := customRungs(c)
	own := h.ownTests(c.model)
	for _, name := range h.names {
		ct := h.tests[name]
		if c.tests[normalizeTest(name)] {
			continue
		}
		if c.model.Patch != nil && !own[name] {
			// A documented model none of whose columns carries the test: the team's
			// engineers, editing it, did not reach for it (a habit of older models, or of
			// other models of the folder).
			continue
		}
		est := float64(ct.uses) / float64(max(h.seen, 1))
		last := ""
		for _, r := range rungs {
			n := h.rungN[r]
			if n == 0 {
				continue
			}
			k := ct.k[r]
			est = (float64(k) + shrink*est) / (float64(n) + shrink)
			last = r
		}
		if est < threshold || last == "" || ct.k[last] == 0 {
			continue
		}
		args, ok := ct.argsAt(rungs)
		if !ok || numericTest(name, args) && !mayBeNumber(c) {
			continue
		}
		out = append(out, &Suggestion{Model: c.model.Name, UniqueID: c.model.UniqueID, Column: c.name, Test: name, Arguments: args,
			Confidence: round2(est), Status: Unverified, Pos: c.pos,
			Reasons: []string{fmt.Sprintf("%d of %d %s in this project's tested models have %s", ct.k[last], h.rungN[last], similarColumns(last), name)}})
	}
	return out
}

// numericComparison is an expression_is_true expression comparing with a number (">= 0").
var numericComparison = lazyregexp.New(`^\s*(>=|<=|<>|!=|>|<|=)\s*-?[0-9.]+\s*$|^\s*(?i:between)\s+-?[0-9.]+\s+(?i:and)\s+-?[0-9.]+\s*$`)

// numericTest reports whether a test only makes sense on numbers: a range, or an expression
// comparing the column with a number.
func numericTest(name string, args map[string]any) bool {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, "accepted_range"):
		return isNumber(args["min_value"]) || isNumber(args["max_value"])
	case strings.HasSuffix(n, "expression_is_true"):
		e, _ := args["expression"].(string)
		return numericComparison.MatchString(e)
	}
	return false
}

// isNumber: YAML reads 0 as an int and 0.5 as a float.
func isNumber(v any) bool {
	switch v.(type) {
	case int, int64, uint64, float64:
		return true
	}
	return false
}

// mayBeNumber reports whether a column may hold numbers: its type says so or is unknown, and
// its name does not make it a date or a time (metric_date). A type that is known and no
// number (an array, a struct, a JSON value) holds none.
func mayBeNumber(c *column) bool {
	if number, known := numberByType(c.dataType); known {
		return number
	}
	switch c.pattern {
	case "*_at", "*_ts", "*_timestamp", "*_time", "*_date", "is_*", "*_name", "*_email", "*_url":
		return false
	}
	return true
}

// numberByType says whether a column's type is a number, and whether the type says anything
// (known is false when there is no type, or one typeClass does not place).
func numberByType(dataType string) (number, known bool) {
	switch typeClass(dataType) {
	case "integer", "number":
		return true, true
	case "":
		return false, strings.TrimSpace(dataType) != ""
	}
	return false, true
}

// argsAt is the set of arguments the team gives the test at the most specific of the rungs
// where it was seen, when three in five of its uses there or more have it; false when none
// does.
func (ct *customTest) argsAt(rungs []string) (map[string]any, bool) {
	for i := len(rungs) - 1; i >= 0; i-- {
		// every use counted at a rung counted its arguments there too
		counts, total := ct.args[rungs[i]], ct.k[rungs[i]]
		if total == 0 {
			continue
		}
		best, bestN := "", 0
		for key, n := range counts {
			if n > bestN || n == bestN && key < best {
				best, bestN = key, n
			}
		}
		if bestN*5 < total*3 {
			return nil, false
		}
		return ct.argv[best], true
	}
	return nil, false
}
