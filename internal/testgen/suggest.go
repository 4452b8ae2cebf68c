package testgen

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	sqldialect "github.com/dataops-dev/dataops/internal/sql/dialect"
)

// Result is what Suggest proposes.
type Result struct {
	Suggestions []*Suggestion `json:"suggestions"`
	Freshness   []*Freshness  `json:"freshness,omitempty"`
	// Learned says how much history the estimates stand on.
	Learned LearnedSummary `json:"learned"`
	// Conflicts are accepted_values tests the models' SQL contradicts.
	Conflicts []*ValueConflict `json:"conflicts,omitempty"`
}

// LearnedSummary describes the project history the suggestions were weighted by.
type LearnedSummary struct {
	TestedModels   int `json:"tested_models"`
	TestedColumns  int `json:"columns_observed"`
	HistoryAdded   int `json:"history_added"`
	HistoryRemoved int `json:"history_removed"`
}

// Suggest proposes tests for the models of p (all, or opts.Models) from their SQL, names,
// the inferred columns and the tests the team already wrote.
func Suggest(p *dbt.Project, inf *columns.Result, opts Options) *Result {
	dialect := p.Adapter
	if inf != nil && inf.Dialect != "" {
		dialect = inf.Dialect
	}
	opts.inferred = inf
	existing := existingTests(p)
	models := p.Models()

	// SQL signals of every model, in parallel: training needs them for every tested model.
	ephemeral := map[string]*dbt.Node{}
	for _, m := range models {
		if mat, _ := m.Config["materialized"].(string); mat == "ephemeral" {
			ephemeral["__dbt__cte__"+strings.ToLower(m.Name)] = m
		}
	}
	ephemeralSQL := func(cte string) string {
		if m := ephemeral[cte]; m != nil {
			return opts.sqlOf(m)
		}
		return ""
	}
	ps := newParses()
	if inf != nil && inf.Fallback != "" {
		if d, ok := sqldialect.Lookup(inf.Fallback); ok {
			ps.fallback = &d
		}
	}
	sigs := make([]*sqlSignals, len(models))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sigs[i] = safeSignals(opts.sqlOf(models[i]), dialect, ephemeralSQL, ps, parentKeys(p, models[i], existing))
			}
		}()
	}
	for i := range models {
		next <- i
	}
	close(next)
	wg.Wait()

	args := collectArgs(p)
	owners := keyOwners(models, sigs, inf)
	x := newExtra(p, models, sigs, inf, existing, owners, args, dialect, opts, ps)
	cols := make([][]*column, len(models))
	grains := make([]grain, len(models))
	for i, m := range models {
		names, _, _ := columnsOf(m, inf.Node(m.UniqueID), true)
		grains[i] = modelGrain(p, m, names, sigs[i])
		if len(grains[i].declared) > 1 {
			x.composite[m.UniqueID] = setOf(grains[i].declared)
		}
	}
	partitions := keysArePartitions(models, grains, existing)
	keyFloor := !declaredKeysUntested(models, grains, existing)
	if partitions {
		for i := range grains {
			grains[i].dropReplacedKey()
		}
	}
	for i, m := range models {
		// Columns are read for training (the tested models) and for the models proposed on;
		// on a change of a few models of a large project, the rest would be most of the work.
		inScope := len(opts.Models) == 0 || opts.Models[m.UniqueID]
		// A tested model's columns its property file leaves out are untested columns too: a
		// team that lists only what it tests would otherwise teach that it tests everything.
		// They are learned from, not proposed on (unlisted, below).
		if tested := hasColumnTests(existing[m.UniqueID]); tested || inScope && !opts.NewColumns {
			cols[i] = buildColumns(p, m, sigs[i], grains[i], inf, existing, owners, args, tested, x)
		}
	}

	h := newHabits()
	custom := newCustomHabits()
	res := &Result{}
	for i := range models {
		if !hasColumnTests(existing[models[i].UniqueID]) {
			continue
		}
		res.Learned.TestedModels++
		for _, c := range cols[i] {
			h.observe(c)
		}
		custom.observe(models[i], cols[i])
	}
	res.Learned.TestedColumns = h.total
	custom.finish()
	if opts.History != nil {
		res.Learned.HistoryAdded = len(opts.History.Added)
		res.Learned.HistoryRemoved = len(opts.History.Removed)
	}
	usesUtils := projectUsesDbtUtils(p)

	// Models switched off in this configuration (by a var or the target) are proposed on too,
	// from their declared columns and the habits learned above: another configuration builds
	// them, and the team documents and tests them as any other. They teach nothing and own
	// no key (a test may not refer to a model that is off).
	// Tests the SQL contradicts, on every column of a tested model: a CASE whose values changed
	// is no changed column, and what it breaks may be a test downstream, on a column that
	// passes its values through.
	for i, m := range models {
		for _, c := range cols[i] {
			if vc := x.valueConflict(m, c, opts.Models); vc != nil {
				res.Conflicts = append(res.Conflicts, vc)
			}
		}
	}

	for _, m := range disabledModels(p) {
		if len(opts.Models) > 0 && !opts.Models[m.UniqueID] {
			continue
		}
		names, _, _ := columnsOf(m, inf.Node(m.UniqueID), true)
		models = append(models, m)
		sigs = append(sigs, safeSignals(opts.sqlOf(m), dialect, ephemeralSQL, ps, parentKeys(p, m, existing)))
		g := modelGrain(p, m, names, sigs[len(sigs)-1])
		if partitions {
			g.dropReplacedKey()
		}
		grains = append(grains, g)
		cols = append(cols, nil)
	}

	for i, m := range models {
		if len(opts.Models) > 0 && !opts.Models[m.UniqueID] {
			continue
		}
		if m.Package != "" && p.Name != "" && m.Package != p.Name {
			// An installed package's models are its maintainers' to test: their property
			// files are not the team's to edit (the Synthesizer writes none either).
			continue
		}
		cs := cols[i]
		if opts.NewColumns || cs == nil {
			cs = buildColumns(p, m, sigs[i], grains[i], inf, existing, owners, args, opts.NewColumns, x)
		}
		only, scoped := opts.Columns[m.UniqueID]
		for _, c := range cs {
			if c.unlisted && !opts.NewColumns {
				continue
			}
			// A column the change did not touch is in scope only for the tests it dropped
			// with the model's entry (dropped.go).
			droppedOnly := scoped && !only[c.lower]
			if droppedOnly && len(opts.Dropped[m.UniqueID][c.lower]) == 0 {
				continue
			}
			for _, t := range columnTypes {
				if c.tests[t] {
					continue
				}
				if why := contradicts(c, t, grains[i], sigs[i]); why != "" && !(t == Unique && sqlGrainOnly(c, grains[i], sigs[i], why) && h.mostly(c, t)) {
					continue
				}
				baseArgs, dropped := opts.Dropped[m.UniqueID][c.lower][t]
				if droppedOnly && !dropped {
					continue
				}
				if t == Unique && c.pk != "sql" && c.pk != "name" && c.pk != "first" && c.alt == "" && !dropped && !h.always(c, t) && !(c.pk == "combo" && h.mostly(c, t)) {
					// Uniqueness is a claim about the model's grain: a name the team tests
					// unique elsewhere is no evidence of this model's grain, unless the team
					// tests it unique wherever it tested the name (a loader's row id).
					continue
				}
				est, why := h.estimate(c, t, prior(c, t))
				if t == Unique && keyFloor && grains[i].declaresKey(c.lower) {
					// The team declared this column the model's key (unique_key): how it
					// tests other columns of the name (a staging hash tested not_null
					// only) does not outweigh that.
					est = max(est, declaredKeyFloor)
				}
				est, hist := opts.History.adjust(c.lower, t, est)
				est, mem := recall(opts.Memory, c, t, est)
				if dropped {
					est = max(est, droppedConfidence)
				}
				if est < opts.threshold(t) {
					continue
				}
				s := &Suggestion{Model: m.Name, UniqueID: m.UniqueID, Column: c.name, Test: t, Confidence: round2(est), Status: Unverified, Pos: c.pos}
				s.Reasons = reasons(c, t, why, hist)
				if mem != "" {
					s.Reasons = append(s.Reasons, mem)
				}
				switch {
				case dropped && (len(baseArgs) > 0 || t == NotNull || t == Unique):
					s.Arguments, s.Source = baseArgs, SourceBase
					s.Reasons = append([]string{"the model's property entry at the base tested it; the change dropped the entry"}, s.Reasons...)
				case !s.fillArguments(c, args):
					continue
				}
				res.Suggestions = append(res.Suggestions, s)
			}
			if !droppedOnly {
				res.Suggestions = append(res.Suggestions, custom.suggest(c, opts.threshold(""))...)
			}
		}
		if !usesUtils || hasModelKeyTest(p, m) {
			continue
		}
		if keys, why := compositeKey(sigs[i], grains[i], cs); len(keys) >= 2 && (!scoped || allIn(keys, only)) {
			res.Suggestions = append(res.Suggestions, &Suggestion{
				Model: m.Name, UniqueID: m.UniqueID, Test: CombinationKey,
				Arguments:  map[string]any{"combination_of_columns": keys},
				Confidence: 0.8, Status: Unverified, Reasons: []string{why}, Pos: dbt.Pos{Path: m.OriginalFilePath, Line: 1, Column: 1},
			})
		}
	}
	res.Freshness = suggestFreshness(p, opts.Models)
	sort.SliceStable(res.Suggestions, func(a, b int) bool {
		x, y := res.Suggestions[a], res.Suggestions[b]
		if x.UniqueID != y.UniqueID {
			return x.UniqueID < y.UniqueID
		}
		if x.Column != y.Column {
			return x.Column < y.Column
		}
		return x.Test < y.Test
	})
	return res
}

func safeSignals(sql, dialect string, ephemeral func(string) string, ps *parses, uniqueOn func([]string) [][]string) (s *sqlSignals) {
	defer func() {
		if recover() != nil {
			s = newSignals()
		}
	}()
	return readSignalsThrough(sql, dialect, ephemeral, ps, uniqueOn)
}

// fromBase reports whether the column copies a column of the relation named base only: a
// select that joins a dimension on its key keeps the rows of the relation it reads first, not
// those of the dimension, whose key repeats once per row that refers to it.
func fromBase(p *dbt.Project, in *columns.Node, name, base string) bool {
	if in == nil || base == "" {
		return false
	}
	ic := in.Column(name)
	if ic == nil || len(ic.Lineage) == 0 {
		return false
	}
	for _, ref := range ic.Lineage {
		if !namedAs(p, ref.Node, base) {
			return false
		}
	}
	return true
}

// namedAs reports whether SQL names the model, seed, snapshot or source id as name (the last
// part of a relation, as written): its alias or identifier, or its name.
func namedAs(p *dbt.Project, id, name string) bool {
	var names []string
	if n := p.Nodes[id]; n != nil {
		names = []string{n.Alias, n.Name}
	} else if src := p.Sources[id]; src != nil {
		names = []string{src.Identifier, src.Name}
	}
	want := dbt.ColumnKey(dbt.UnquoteIdent(name))
	return slices.ContainsFunc(names, func(n string) bool { return n != "" && dbt.ColumnKey(dbt.UnquoteIdent(n)) == want })
}

// parentKeys returns, for model m, what signals.go asks of a relation its SQL joins: the
// columns the team tests unique on the model, seed, snapshot or source of that name among
// m's parents (its identifier as the SQL writes it, or its name), one set each.
func parentKeys(p *dbt.Project, m *dbt.Node, existing map[string]map[string]map[string]bool) func([]string) [][]string {
	return func(parts []string) [][]string {
		if len(parts) == 0 {
			return nil
		}
		for _, id := range p.ParentMap[m.UniqueID] {
			if !namedAs(p, id, parts[len(parts)-1]) {
				continue
			}
			var keys [][]string
			for col, tests := range existing[id] {
				if tests[Unique] {
					keys = append(keys, []string{strings.ToLower(col)})
				}
			}
			return keys
		}
		return nil
	}
}

// maxKeyWidth is the widest grouping read as a composite key. A rollup by a dozen dimensions
// (an income statement grouped by every account attribute) has a grain, but its columns are
// the report's dimensions, nullable as the data makes them: on the evaluation projects none of
// the columns of groupings past eight was tested not_null, where most of narrower ones were.
const maxKeyWidth = 8

// droppedConfidence is the confidence of a test the change dropped with its model's entry:
// the team wrote it on this model.
const droppedConfidence = 0.95

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

func hasColumnTests(m map[string]map[string]bool) bool {
	for _, ts := range m {
		if len(ts) > 0 {
			return true
		}
	}
	return false
}

func hasModelKeyTest(p *dbt.Project, m *dbt.Node) bool {
	for _, id := range p.ChildMap[m.UniqueID] {
		n := p.Nodes[id]
		if n != nil && n.TestMeta != nil && n.TestMeta.AttachedNode == m.UniqueID {
			switch normalizeTest(n.TestMeta.Name) {
			case "unique_combination_of_columns", "expect_compound_columns_to_be_unique", Unique:
				if n.TestMeta.ColumnName == "" || strings.Contains(n.TestMeta.ColumnName, ",") || strings.Contains(n.TestMeta.ColumnName, "||") {
					return true
				}
			}
		}
	}
	return false
}

// disabledModels lists the root project's models that are off and have no enabled node of
// the same id, in id order.
func disabledModels(p *dbt.Project) []*dbt.Node {
	var out []*dbt.Node
	for id, ns := range p.Disabled {
		if _, on := p.Nodes[id]; on || len(ns) == 0 {
			continue
		}
		if m := ns[0]; m.ResourceType == dbt.Model && m.Package == p.Name {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UniqueID < out[j].UniqueID })
	return out
}

func projectUsesDbtUtils(p *dbt.Project) bool {
	for _, pk := range p.Packages {
		if pk.Name == "dbt_utils" {
			return true
		}
	}
	return false
}

// keyOwners maps a key column name to the model that owns it: the model whose grain it is
// by SQL or by name. When several do, the one whose entity the column names wins, then a
// dimension over a staging model.
func keyOwners(models []*dbt.Node, sigs []*sqlSignals, inf *columns.Result) map[string][]*keyOwner {
	type cand struct {
		o     *keyOwner
		score int
	}
	all := map[string][]cand{}
	for i, m := range models {
		var keys []string
		if len(sigs[i].keys) == 1 {
			keys = append(keys, sigs[i].keys[0])
		}
		names, _, _ := columnsOf(m, inf.Node(m.UniqueID), false)
		for _, n := range names {
			ln := strings.ToLower(n)
			if nameKey(m.Name, ln) && ln != "id" && ln != "key" {
				keys = append(keys, ln)
			}
		}
		for _, k := range keys {
			score := 1
			if nameKey(m.Name, k) {
				score += 4
			}
			switch modelLayer(m) {
			case "dim", "dims":
				score += 3
			case "stg", "staging", "base":
				score += 2
			case "fct", "fact", "facts", "int", "intermediate":
				score -= 1
			}
			all[k] = append(all[k], cand{o: &keyOwner{model: m, column: k}, score: score})
		}
	}
	out := map[string][]*keyOwner{}
	for k, cs := range all {
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].score != cs[j].score {
				return cs[i].score > cs[j].score
			}
			return cs[i].o.model.UniqueID < cs[j].o.model.UniqueID
		})
		for _, c := range cs {
			out[k] = append(out[k], c.o)
		}
	}
	return out
}

// ownerFor picks the model a foreign key column of m refers to: the best owner among m's
// ancestors (what the model can already see), else the one of m's own system (sourceAffinity),
// best first, that is not downstream of m (a staging model does not point at a mart built
// from it). A column that is a plain copy of
// its owner's key carries the same entity through: it is no foreign key.
func ownerFor(m *dbt.Node, owners []*keyOwner, ic *columns.Column, up, down map[string]bool) *keyOwner {
	if ic != nil && ic.Kind == columns.KindDirect {
		for _, ref := range ic.Lineage {
			for _, o := range owners {
				if ref.Node == o.model.UniqueID && strings.EqualFold(ref.Column, o.column) {
					return nil
				}
			}
		}
	}
	var others []*keyOwner
	for _, o := range owners {
		if o.model == m {
			continue
		}
		if up[o.model.UniqueID] {
			return o
		}
		if !down[o.model.UniqueID] {
			others = append(others, o)
		}
	}
	return mostAffine(m, others)
}

// buildColumns computes the signals of each column of one model.
func buildColumns(p *dbt.Project, m *dbt.Node, sg *sqlSignals, g grain, inf *columns.Result, existing map[string]map[string]map[string]bool, owners map[string][]*keyOwner, args *argIndex, union bool, x *extra) []*column {
	in := inf.Node(m.UniqueID)
	names, pos, types := columnsOf(m, in, union)
	keySet := map[string]bool{}
	for _, k := range sg.keys {
		keySet[k] = true
	}
	declared := map[string]bool{}
	for _, k := range g.declared {
		declared[k] = true
	}
	// Only a list inferred in full from the SQL can say a documented column is gone.
	// A model reading a relation the project does not define has a column list and a lineage
	// of unknown truth: neither says a documented column is gone or where a column comes from.
	resolved := refsResolved(p, m)
	complete := resolved && in != nil && in.Origin == "sql" && in.Resolved() && len(in.Columns) > 0
	lineage := in
	if !resolved {
		lineage = nil
	}
	var out []*column
	var up, down map[string]bool // m's ancestors and descendants, computed when first needed
	copied := false              // a column already took the model's key from upstream
	for i, name := range names {
		l := strings.ToLower(name)
		c := &column{model: m, name: name, lower: l, pattern: columnPattern(l), layer: modelLayer(m), pos: pos[i], dataType: types[i]}
		c.unlisted = union && len(m.Columns) > 0 && i >= len(m.Columns)
		c.listed = i < len(m.Columns)
		switch {
		case len(g.declared) == 1 && declared[l]:
			c.pk, c.keyWhy = "sql", g.declaredWhy
		case len(g.declared) > 1 && declared[l]:
			c.pk, c.keyWhy = "combo", g.declaredWhy
		case sg.grainHash != "" && l == sg.grainHash:
			c.pk, c.keyWhy = "sql", sg.grainHashWhy
		case len(sg.keys) == 1 && keySet[l]:
			c.pk = "sql"
		case len(sg.keys) > 1 && len(sg.keys) <= maxKeyWidth && keySet[l]:
			c.pk = "combo"
		case nameKey(m.Name, l):
			c.pk = "name"
		case i == 0 && isIDLike(l) && x.partOfParentKey(in, name) != "":
			// A filter or projection of a model keyed on several columns keeps that key:
			// its leading id is part of it, not a key of its own.
			c.pk, c.keyWhy = "combo", "it copies the composite key of "+x.partOfParentKey(in, name)
		case i == 0 && (isIDLike(l) || keyPrefixed(l)) && !parentOfLines(m.Name, l):
			c.pk = "first"
		}
		if g.validFrom != "" && (c.pk == "name" || c.pk == "sql" && sg.keyFromHash) {
			if v := versionHashed(sg, l, g.validFrom); v != "" {
				// A hash of the version (its start or the snapshot's row id) is the key of
				// each version, not the entity's.
				c.pk, c.keyWhy = "sql", "it hashes "+v+", so each version has its own"
			} else {
				// A history table repeats its entity key once per version.
				c.pk, c.historyKey = "combo", true
			}
		} else if len(g.declared) > 1 && (c.pk == "name" || c.pk == "first" || c.pk == "sql" && sg.keyFromHash) {
			// The team says the key is composite: a name or a leading hash is not the key.
			c.pk = ""
		}
		if i == 0 && c.pk != "sql" && len(g.declared) <= 1 && g.validFrom == "" {
			// The team's own words outrank a grain read from the SQL: a deduplication per
			// (user, run) leaves the table's id unique as well.
			if why := documentedPrimaryKey(m, name); why != "" {
				c.pk, c.keyWhy = "sql", why
			} else if sg.commentKeys[l] {
				c.pk, c.keyWhy = "sql", "a comment in its SQL calls it the primary key"
			}
		}
		if c.pk == "" && len(sg.keys) <= 1 && len(g.declared) <= 1 && g.validFrom == "" {
			c.alt = altKey(m.Name, l)
		}
		c.stale = complete && in.Column(name) == nil
		c.up, c.upArgs = upstreamTests(lineage, name, existing, args)
		if c.pk != "sql" && c.pk != "combo" && !copied && c.up[Unique] && sg.preserves && !g.composite(sg) && (!sg.joined || fromBase(p, lineage, name, sg.base)) {
			// The first such column is the key; a later one (a product's sku beside its
			// id) is unique too, but teams guard it as an alternate key, seldom.
			copied = true
			// Each row is one row of the single relation read, so its unique key stays unique.
			c.pk, c.keyWhy = "sql", "it copies a unique upstream column and the model keeps one row per upstream row"
		}
		if c.pk != "sql" && c.pk != "name" && (isIDLike(l) || idPrefixed(l)) && len(owners[l]) > 0 {
			var ic *columns.Column
			if lineage != nil {
				ic = lineage.Column(name)
			}
			if up == nil {
				up, down = setOf(p.Upstream(m.UniqueID, -1)), setOf(p.Downstream(m.UniqueID, -1))
			}
			c.fkTo = ownerFor(m, owners[l], ic, up, down)
		}
		if c.fkTo == nil && c.pk != "sql" && c.pk != "name" {
			if a := args.common(l, Relationships); a != nil && a["to"] != nil && !refersTo(a, m.Name) {
				if down == nil {
					up, down = setOf(p.Upstream(m.UniqueID, -1)), setOf(p.Downstream(m.UniqueID, -1))
				}
				c.fkArgs = copyArgs(x.keys.ownSystem(m, a, down))
			}
		}
		c.notNull = sg.notNull[l]
		c.computedNotNull = sg.computedNotNull[l]
		if c.notNull == "" && c.computedNotNull == "" {
			c.notNull = sg.compared[l]
		}
		c.nullable = sg.nullable[l]
		if c.nullable == setsNullWhy && guessedNulls(in) {
			c.nullable = ""
		}
		if c.nullable == "" {
			c.nullable = documentedNullable(p, m, in, name)
		}
		c.joinKey = sg.joinKey[l]
		c.lits = sg.literal[l]
		c.litWhy = sg.litWhy[l]
		c.tests = existing[m.UniqueID][l]
		if c.tests == nil {
			c.tests = map[string]bool{}
		}
		x.annotate(c, lineage)
		out = append(out, c)
	}
	return out
}

// guessedNulls reports whether the model's template made columns null for want of another
// relation's columns (fivetran_utils.fill_staging_columns over a relation nobody described):
// its null select items are placeholders of what was not seen, not the model's intent.
func guessedNulls(in *columns.Node) bool {
	if in == nil {
		return false
	}
	for _, n := range in.Notes {
		if n.Kind == "columns-unknown" {
			return true
		}
	}
	return false
}

// upstreamTests lists the tests of the upstream columns a column is a plain copy of.
func upstreamTests(in *columns.Node, name string, existing map[string]map[string]map[string]bool, args *argIndex) (map[string]bool, map[string]map[string]any) {
	up := map[string]bool{}
	upArgs := map[string]map[string]any{}
	if in == nil {
		return up, upArgs
	}
	ic := in.Column(name)
	if ic == nil || ic.Kind != columns.KindDirect {
		return up, upArgs
	}
	for _, ref := range ic.Lineage {
		for t := range existing[ref.Node][strings.ToLower(ref.Column)] {
			if args.subset[ref.Node+"\x00"+strings.ToLower(ref.Column)+"\x00"+t] {
				continue
			}
			up[t] = true
			if a := args.byNode[ref.Node+"\x00"+strings.ToLower(ref.Column)+"\x00"+t]; a != nil {
				upArgs[t] = a
			}
		}
	}
	return up, upArgs
}

// argIndex holds the arguments of existing tests, to reuse them where the same column
// appears again.
type argIndex struct {
	byNode map[string]map[string]any            // node \0 column \0 test -> args
	byName map[string]map[string]map[string]any // column \0 test -> args json -> args
	count  map[string]map[string]int
	// subset marks the tests (node \0 column \0 test) limited to a subset of rows by another
	// attribute (subset.go): left out of the index, they lend nothing to other columns.
	subset map[string]bool
	// nodes lists the nodes with a test (column \0 test -> node ids), in the order seen.
	nodes map[string][]string
}

func collectArgs(p *dbt.Project) *argIndex {
	ix := &argIndex{byNode: map[string]map[string]any{}, byName: map[string]map[string]map[string]any{}, count: map[string]map[string]int{}, subset: map[string]bool{}, nodes: map[string][]string{}}
	add := func(node, col string, t *dbt.TestDef) {
		if len(t.Args) == 0 {
			return
		}
		name := normalizeTest(t.Name)
		col = strings.ToLower(col)
		if n := p.Nodes[node]; n != nil && subsetWhere(testWhere(t), documentedNames(n)) {
			ix.subset[node+"\x00"+col+"\x00"+name] = true
			return
		}
		ix.byNode[node+"\x00"+col+"\x00"+name] = t.Args
		k := col + "\x00" + name
		ix.nodes[k] = append(ix.nodes[k], node)
		b, _ := json.Marshal(t.Args)
		if ix.byName[k] == nil {
			ix.byName[k] = map[string]map[string]any{}
			ix.count[k] = map[string]int{}
		}
		ix.byName[k][string(b)] = t.Args
		ix.count[k][string(b)]++
	}
	for id, n := range p.Nodes {
		for _, c := range n.Columns {
			for _, t := range c.Tests {
				add(id, c.Name, t)
			}
		}
	}
	ix.sortNodes()
	return ix
}

// common returns the arguments most often given to a test on columns of that name.
func (ix *argIndex) common(col, test string) map[string]any {
	return ix.mostCommon(col, test, "")
}

// mostCommon is the arguments the team writes most often for test on columns of that name,
// leaving out one written form (the column's own test). For relationships the target must be
// the one of most of those tests: a name the team points at different models in different
// places (source_id, target_id of a graph's edge tables, parent_id) names no model by itself.
func (ix *argIndex) mostCommon(col, test, skip string) map[string]any {
	k := col + "\x00" + test
	best, n := "", 0
	for js, c := range ix.count[k] {
		if js == skip {
			c--
		}
		if c > n || (c == n && js < best) {
			best, n = js, c
		}
	}
	if n <= 0 {
		return nil
	}
	if test == Relationships {
		// The tests pointing at best's target, however spelled, against all of them.
		to, same, total := target(ix.byName[k][best]), 0, 0
		for js, c := range ix.count[k] {
			if js == skip {
				c--
			}
			total += c
			if target(ix.byName[k][js]) == to {
				same += c
			}
		}
		if 2*same <= total {
			return nil
		}
	}
	return ix.byName[k][best]
}

// target is the relation a relationships test points at, however its ref is spelled.
func target(a map[string]any) string {
	to, _ := a["to"].(string)
	if name, ok := refName(to); ok {
		return name
	}
	return strings.TrimSpace(to)
}

// fillArguments completes a test's arguments; false when the test cannot be written.
func (s *Suggestion) fillArguments(c *column, args *argIndex) bool {
	switch s.Test {
	case AcceptedValues:
		if a := c.upArgs[AcceptedValues]; a != nil && a["values"] != nil {
			s.Arguments = map[string]any{"values": a["values"]}
			s.Reasons = append(s.Reasons, "values taken from the same test on the upstream column")
			s.narrow(c)
			return true
		}
		if len(c.lits) > 0 {
			vals := make([]any, len(c.lits))
			for i, v := range c.lits {
				vals[i] = v
			}
			s.Arguments = map[string]any{"values": vals}
			return true
		}
		if a := c.ev.valuesArgs(c.dataType); a != nil {
			s.Arguments = a
			return true
		}
		if a := c.nameValues(args); a != nil && a["values"] != nil {
			s.Arguments = map[string]any{"values": a["values"]}
			s.Reasons = append(s.Reasons, "values taken from the same test on another "+c.lower+" column")
			s.narrow(c)
			return true
		}
		return false
	case Relationships:
		if a := c.ev.relArgs(true); a != nil {
			s.Arguments = a
			s.reasonsFor(c, a)
			return true
		}
		if c.fkTo != nil {
			s.Arguments = map[string]any{"to": "ref('" + c.fkTo.model.Name + "')", "field": c.fkTo.column}
			return true
		}
		if a := c.upArgs[Relationships]; a != nil && a["to"] != nil {
			s.Arguments = copyArgs(a)
			return true
		}
		if c.fkArgs != nil {
			s.Arguments = c.fkArgs
			s.Reasons = append(s.Reasons, fmt.Sprintf("the team tests %s elsewhere as a reference to %v", c.name, c.fkArgs["to"]))
			return true
		}
		if a := c.ev.relArgs(false); a != nil {
			s.Arguments = a
			return true
		}
		return false
	}
	return true
}

// reasonsFor keeps the reasons of a relationships suggestion about the target its arguments
// name: when the team's habit chose another model than the one the SQL or the keys pointed
// to, the reasons naming that one go, and the habit says why.
func (s *Suggestion) reasonsFor(c *column, a map[string]any) {
	to := target(a)
	var drop []string
	if c.ev != nil && c.ev.to != nil && c.ev.to.model.Name != to {
		drop = append(drop, c.ev.toWhy)
	}
	if c.fkTo != nil && c.fkTo.model.Name != to {
		drop = append(drop, fkReason(c))
	}
	if len(drop) == 0 {
		return
	}
	kept := s.Reasons[:0]
	for _, r := range s.Reasons {
		if !slices.Contains(drop, r) {
			kept = append(kept, r)
		}
	}
	s.Reasons = append(kept, fmt.Sprintf("the team tests %s elsewhere as a reference to %v", c.name, a["to"]))
}

// partOfParentKey names the parent whose declared composite key a column plainly copies
// (unique_key=['line', 'account_id']), or "".
func (x *extra) partOfParentKey(in *columns.Node, name string) string {
	if x == nil || in == nil {
		return ""
	}
	ic := in.Column(name)
	if ic == nil || len(ic.Lineage) != 1 || ic.Kind != "direct" {
		return ""
	}
	u := ic.Lineage[0]
	if !x.composite[u.Node][strings.ToLower(u.Column)] {
		return ""
	}
	return nodeName(x.p, u.Node)
}

// refersTo reports whether relationships arguments point at the model itself.
func refersTo(a map[string]any, model string) bool {
	to, _ := a["to"].(string)
	return strings.Contains(to, "'"+model+"'") || strings.Contains(to, "\""+model+"\"")
}

func copyArgs(a map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		if k == "to" || k == "field" {
			out[k] = v
		}
	}
	return out
}

// fkReason is the reason a column named as another model's key gives (reasonsFor drops it
// when the arguments name another target).
func fkReason(c *column) string { return c.name + " is the key of " + c.fkTo.model.Name }

// reasons lists the evidence behind one suggestion, strongest first.
func reasons(c *column, test, learned, hist string) []string {
	var r []string
	switch c.pk {
	case "sql":
		if (test == Unique || test == NotNull) && c.keyWhy != "" {
			r = append(r, c.name+" is the model's key: "+c.keyWhy)
		} else if test == Unique || test == NotNull {
			r = append(r, c.name+" is the model's grain (from its SQL)")
		}
	case "combo":
		switch {
		case test == NotNull && c.keyWhy != "":
			r = append(r, c.name+" is part of the model's composite key: "+c.keyWhy)
		case test == NotNull:
			r = append(r, c.name+" is part of the model's composite key (from its SQL)")
		}
	case "name":
		if test == Unique || test == NotNull {
			r = append(r, c.name+" names the model's entity, so it is its key")
		}
	case "first":
		if test == Unique || test == NotNull {
			r = append(r, c.name+" is an id in the model's first column, where a key usually stands")
		}
	case "":
		if test == Unique && c.alt != "" {
			r = append(r, c.name+" is the "+c.alt+" of the model's entity, an identifier beside its key")
		}
	}
	if test == NotNull {
		if c.notNull != "" {
			r = append(r, c.name+": "+c.notNull)
		} else if c.computedNotNull != "" {
			r = append(r, c.name+": "+c.computedNotNull)
		}
		if c.joinKey {
			r = append(r, c.name+" is an inner-join key")
		}
	}
	if test == Relationships && c.fkTo != nil {
		r = append(r, fkReason(c))
	}
	if test == AcceptedValues && c.litWhy != "" {
		r = append(r, c.name+": "+c.litWhy)
	}
	if why := c.ev.reason(test); why != "" {
		r = append(r, why)
	}
	if c.up[test] {
		r = append(r, "the upstream column it copies has "+test)
	}
	if learned != "" {
		r = append(r, learned)
	}
	if hist != "" {
		r = append(r, hist)
	}
	return r
}

func setOf(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func allIn(keys []string, set map[string]bool) bool {
	for _, k := range keys {
		if !set[strings.ToLower(k)] {
			return false
		}
	}
	return true
}
