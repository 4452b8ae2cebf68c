package testgen

import (
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// grain is what a model says about its own key beyond its final select: the key the team
// declared (an incremental model's unique_key, a model-level composite key test) and whether
// it keeps history (one row per key and validity period, SCD type 2).
type grain struct {
	declared    []string // folded column names; one for a single key
	declaredWhy string
	// replacedKey is set when declared is the unique_key of a delete+insert model.
	replacedKey bool
	// validFrom is the column that starts a row's validity in a history table ("" when the
	// model is not one); history says which columns showed it.
	validFrom string
	history   string
	// documented are the columns the model's description gives as its grain, when it names
	// several ("the grain is issue_id + status_sequence"); documentedWhy quotes it.
	documented    []string
	documentedWhy string
}

// composite reports whether the model's rows are identified by more than one column, so that
// no single column is unique unless its own SQL makes it so.
func (g grain) composite(sg *sqlSignals) bool {
	return len(g.declared) > 1 || g.validFrom != "" || len(sg.keys) > 1 || len(g.documented) > 1
}

// declaresKey reports whether col alone is the key the team declared, in a model that keeps
// no history.
func (g grain) declaresKey(col string) bool {
	return len(g.declared) == 1 && g.declared[0] == col && g.validFrom == ""
}

// deleteInsert reports whether m is an incremental model whose runs delete the rows of the
// unique_key values they bring and insert the new ones: the key names what a run replaces,
// and a block number or a day replaces many rows.
func deleteInsert(m *dbt.Node) bool {
	s, _ := m.Config["incremental_strategy"].(string)
	return strings.EqualFold(strings.TrimSpace(s), "delete+insert")
}

// dropReplacedKey forgets a delete+insert model's unique_key as its grain (keysArePartitions).
func (g *grain) dropReplacedKey() {
	if g.replacedKey {
		g.declared, g.declaredWhy, g.replacedKey = nil, "", false
	}
}

// keysArePartitions reports whether the team's delete+insert models replace partitions
// rather than rows: of the single unique_key columns of its tested delete+insert models that
// it tests at all, it tests fewer than half unique (seen five times or more). Their keys are
// then no evidence of those models' grain.
func keysArePartitions(models []*dbt.Node, grains []grain, existing map[string]map[string]map[string]bool) bool {
	_, tested, unique := declaredKeyCounts(models, grains, existing, func(g grain) bool { return g.replacedKey })
	return tested >= 5 && 2*unique < tested
}

// declaredKeyCounts counts the tested models whose grain keep accepts and that declare a
// single key: all of them, those whose key carries a test, and those whose key is tested
// unique.
func declaredKeyCounts(models []*dbt.Node, grains []grain, existing map[string]map[string]map[string]bool, keep func(grain) bool) (all, tested, unique int) {
	for i, m := range models {
		if len(grains[i].declared) != 1 || !keep(grains[i]) || !hasColumnTests(existing[m.UniqueID]) {
			continue
		}
		all++
		ts := existing[m.UniqueID][grains[i].declared[0]]
		if len(ts) > 0 {
			tested++
		}
		if ts[Unique] {
			unique++
		}
	}
	return all, tested, unique
}

// declaredKeyFloor is the least confidence a declared key's unique test keeps, unless the
// team leaves its declared keys untested (declaredKeysUntested).
const declaredKeyFloor = 0.6

// declaredKeysUntested reports whether the team's tested models declare a single-column key
// (unique_key) and mostly leave it without a unique test: five such models at least, fewer
// than one in four of their keys tested unique. Such a team declares unique_key for its
// incremental merges and checks the grain otherwise (a combination test, or not at all): its
// declared keys are no reason to propose unique beyond what its habits say.
func declaredKeysUntested(models []*dbt.Node, grains []grain, existing map[string]map[string]map[string]bool) bool {
	all, _, unique := declaredKeyCounts(models, grains, existing, func(grain) bool { return true })
	return all >= 5 && 4*unique < all
}

// validity column names of history tables: dbt snapshots and hand-written SCD-2 models.
var (
	validFromNames = map[string]bool{"valid_from": true, "dbt_valid_from": true, "effective_from": true, "effective_date": true,
		"effective_start": true, "effective_start_date": true, "effective_start_at": true, "valid_start": true, "valid_start_date": true,
		"valid_from_date": true, "valid_from_at": true, "start_effective_date": true, "row_effective_date": true, "scd_valid_from": true,
		"effective_at": true, "version_start": true, "version_valid_from": true}
	validToNames = map[string]bool{"valid_to": true, "dbt_valid_to": true, "effective_to": true, "effective_end": true,
		"effective_end_date": true, "effective_end_at": true, "valid_end": true, "valid_end_date": true, "valid_to_date": true,
		"valid_to_at": true, "valid_until": true, "end_effective_date": true, "row_expiration_date": true, "scd_valid_to": true,
		"expiration_date": true, "expired_at": true, "version_end": true, "version_valid_to": true}
	currentNames = map[string]bool{"is_current": true, "current_flag": true, "is_latest": true, "is_current_version": true,
		"is_active_version": true, "current_record": true, "is_current_record": true, "dbt_is_current": true}
)

// modelGrain reads the declared key and history columns of m. names are its output columns;
// sg is what its SQL says.
func modelGrain(p *dbt.Project, m *dbt.Node, names []string, sg *sqlSignals) grain {
	var g grain
	uniqueKey := m.Config["unique_key"]
	if s, _ := m.Config["incremental_strategy"].(string); strings.EqualFold(s, "append") {
		// An appending model's unique_key is ignored: each run adds rows, whatever the key.
		uniqueKey = nil
	}
	switch v := uniqueKey.(type) {
	case string:
		if k := strings.ToLower(strings.TrimSpace(v)); k != "" && !strings.ContainsAny(k, "(|,' ") {
			g.declared, g.declaredWhy = []string{k}, "it is the model's unique_key"
			g.replacedKey = deleteInsert(m)
		}
	case []any:
		var keys []string
		for _, x := range v {
			if s, ok := x.(string); ok && s != "" {
				keys = append(keys, strings.ToLower(s))
			}
		}
		if len(keys) == len(v) && len(keys) > 0 {
			g.declared, g.declaredWhy = keys, "the model's unique_key is "+strings.Join(keys, ", ")
		}
	}
	if len(g.declared) == 0 {
		if keys := uniqueIndex(m); len(keys) > 0 {
			g.declared, g.declaredWhy = keys, "the model declares a unique index on "+strings.Join(keys, ", ")
		}
	}
	if len(g.declared) == 0 {
		if keys := constraintKey(m); len(keys) > 0 {
			g.declared, g.declaredWhy = keys, "its property file declares a primary_key constraint on "+strings.Join(keys, ", ")
		}
	}
	if len(g.declared) == 0 {
		if keys := declaredCompositeKey(p, m); len(keys) > 1 {
			g.declared, g.declaredWhy = keys, "the model's key test names "+strings.Join(keys, ", ")
		}
	}
	g.documented, g.documentedWhy = documentedGrain(m.Description, names)
	var from, to, current string
	for _, n := range names {
		l := strings.ToLower(n)
		switch {
		case validFromNames[l]:
			from = l
		case validToNames[l]:
			to = l
		case currentNames[l] || strings.HasSuffix(l, "_is_current"):
			current = l
		}
	}
	if to != "" && sg != nil && sg.filteredNull[to] {
		// Only the rows still valid (`where dbt_valid_to is null`): one per entity, the
		// current version, not a history.
		from = ""
	}
	if from != "" && (to != "" || current != "") {
		g.validFrom = from
		other := to
		if other == "" {
			other = current
		}
		g.history = from + " and " + other
	}
	return g
}

// grainPhrase finds where a model's description states its grain: "the grain is", "grain:",
// "one row per", "one record for each", "unique on", "unique combination of", "primary key
// is". grainItem and grainSep read the columns after it, joined by "+", ",", "&", "/", "and",
// "per" or "x", each bare, quoted or in parentheses.
var (
	grainPhrase = lazyregexp.New(`(?i)\b(?:grain(?:\s+of\s+(?:this|the)\s+(?:model|table))?\s*(?:is|:|=)\s*(?:at\s+)?(?:the\s+)?(?:(?:one\s+)?(?:row|record)s?\s+(?:per|for\s+each|for)\s+|each\s+)?|one\s+(?:row|record|entry)\s+(?:per|for\s+each|for\s+every)\s+|(?:is\s+)?unique\s+(?:on|by|per|across|for)\s+(?:the\s+)?(?:combination\s+of\s+)?|unique\s+combination\s+of\s+|(?:primary|composite|unique)\s+key\s+(?:is|of|:)\s+(?:the\s+)?(?:combination\s+of\s+)?)`)
	grainItem   = lazyregexp.New("^\\s*[`\"'(]?([A-Za-z_][A-Za-z0-9_]*)[`\"')]?")
	grainSep    = lazyregexp.New(`(?i)^\s*(?:,\s*(?:and\b)?|\+|&|/|\band\b|\bper\b|\bx\b)\s*`)
)

// documentedGrain returns the columns a model's description gives as its grain, when it
// names two or more of its columns (names), and the reason that says so. Words that are not
// its columns end the list: "one row per issue and day" names no column, and "the grain is
// issue_id + status_sequence, providing ..." names two.
func documentedGrain(desc string, names []string) ([]string, string) {
	if desc == "" {
		return nil, ""
	}
	cols := map[string]bool{}
	for _, n := range names {
		cols[strings.ToLower(n)] = true
	}
	for _, loc := range grainPhrase.FindAllStringIndex(desc, -1) {
		rest := desc[loc[1]:]
		var keys []string
		for {
			m := grainItem.FindStringSubmatchIndex(rest)
			if m == nil {
				break
			}
			name := strings.ToLower(rest[m[2]:m[3]])
			if !cols[name] || slices.Contains(keys, name) {
				break
			}
			keys = append(keys, name)
			rest = rest[m[1]:]
			sep := grainSep.FindStringIndex(rest)
			if sep == nil {
				break
			}
			rest = rest[sep[1]:]
		}
		if len(keys) > 1 {
			return keys, "the model's description gives its grain as " + strings.Join(keys, " + ")
		}
	}
	return nil, ""
}

// foreignKeyWords: a description calling the column a reference to another table's key.
// primaryKeyWords: one calling it a key of its own too (a one-to-one extension's id is both).
var (
	foreignKeyWords = lazyregexp.New(`(?i)\bforeign[\s-]+key\b|\bfk\b`)
	primaryKeyWords = lazyregexp.New(`(?i)\bprimary[\s-]+key\b|\bpk\b|\bunique\b|\bsurrogate\s+key\b`)
)

// documentedForeignKey returns the reason when m's property file describes column name as a
// foreign key and not as a key of its own, or "".
func documentedForeignKey(m *dbt.Node, name string) string {
	for _, c := range m.Columns {
		if strings.EqualFold(c.Name, name) && foreignKeyWords.MatchString(c.Description) && !primaryKeyWords.MatchString(c.Description) {
			return "its description calls it a foreign key"
		}
	}
	return ""
}

// ownPrimaryKey: a description calling the column a primary key. elsewhereKey: one saying whose
// key it is when that is another table's ("primary key in ecommerce_order", "the primary key
// of the record in dim_feeds"), calling it foreign or part of a composite key, or speaking of
// duplicates of a key ("rows with true here have a duplicate primary key").
var (
	ownPrimaryKey = lazyregexp.New(`(?i)\bprimary[\s-]+key\b|\bpk\b`)
	elsewhereKey  = lazyregexp.New(`(?i)\b(?:primary[\s-]+key|pk)\s+(?:in|of|from|for\s+the\s+\w+\s+in)\s+(?:(?:this|the|same)\s+(?:table|model|view)\b)?|\bforeign[\s-]+key\b|\bfk\b|\bduplicat|\bcomposite\b|\bpart\s+of\b`)
)

// documentedPrimaryKey returns the reason when m's property file describes column name as the
// model's own primary key, or "". Of the columns so described in the first place, nine in ten
// carry a unique test where teams test them; further down a model, "primary key" is mostly the
// key of the table a column refers to, and is not read.
func documentedPrimaryKey(m *dbt.Node, name string) string {
	for _, c := range m.Columns {
		if !strings.EqualFold(c.Name, name) || !ownPrimaryKey.MatchString(c.Description) {
			continue
		}
		for _, phrase := range elsewhereKey.Regexp().FindAllString(c.Description, -1) {
			if !ownTable(phrase) {
				return ""
			}
		}
		return "its description calls it the primary key"
	}
	return ""
}

// ownTable reports whether a key phrase found by elsewhereKey names the model itself ("primary
// key of this table").
func ownTable(phrase string) bool {
	l := strings.ToLower(phrase)
	return strings.HasSuffix(l, "table") || strings.HasSuffix(l, "model") || strings.HasSuffix(l, "view")
}

// uniqueIndex returns the columns of the first unique index the model's config declares
// (dbt-postgres' and dbt-redshift's `indexes=[{'columns': ['bbl'], 'unique': True}]`), folded.
func uniqueIndex(m *dbt.Node) []string {
	list, _ := m.Config["indexes"].([]any)
	for _, x := range list {
		ix, _ := x.(map[string]any)
		if u, _ := ix["unique"].(bool); !u {
			continue
		}
		cols, _ := ix["columns"].([]any)
		var keys []string
		for _, c := range cols {
			s, ok := c.(string)
			if !ok || strings.TrimSpace(s) == "" || strings.ContainsAny(s, "(|,' ") {
				keys = nil
				break
			}
			keys = append(keys, strings.ToLower(strings.TrimSpace(s)))
		}
		if len(keys) > 0 {
			return keys
		}
	}
	return nil
}

// constraintKey returns the columns whose property entries carry a primary_key constraint
// (a model contract's key). Most warehouses do not enforce it; the teams that declare one
// test the column unique.
func constraintKey(m *dbt.Node) []string {
	var keys []string
	for _, c := range m.Columns {
		for _, ct := range c.Constraints {
			if t, _ := ct["type"].(string); strings.EqualFold(t, "primary_key") && c.Name != "" {
				keys = append(keys, strings.ToLower(c.Name))
				break
			}
		}
	}
	return keys
}

// declaredCompositeKey returns the columns of a model-level uniqueness test over several
// columns (dbt_utils and dbt_expectations spell it differently), when its arguments are plain
// column names.
func declaredCompositeKey(p *dbt.Project, m *dbt.Node) []string {
	for _, id := range p.ChildMap[m.UniqueID] {
		n := p.Nodes[id]
		if n == nil || n.TestMeta == nil || n.TestMeta.AttachedNode != m.UniqueID {
			continue
		}
		var list any
		switch normalizeTest(n.TestMeta.Name) {
		case "unique_combination_of_columns":
			list = n.TestMeta.Kwargs["combination_of_columns"]
		case "expect_compound_columns_to_be_unique":
			list = n.TestMeta.Kwargs["column_list"]
		default:
			continue
		}
		items, ok := list.([]any)
		if !ok {
			continue
		}
		var keys []string
		for _, x := range items {
			s, ok := x.(string)
			if !ok || strings.ContainsAny(s, "(|' ") {
				keys = nil
				break
			}
			keys = append(keys, strings.ToLower(s))
		}
		if len(keys) > 1 {
			return keys
		}
	}
	return nil
}

// mayBeNull finds prose that says a column can be empty: "Null for Zendesk", "may be null",
// "nullable", "when available". neverNull finds the denials ("never null", "non-null"), which
// are taken out first so they do not read as admissions.
var (
	mayBeNull = lazyregexp.New(`(?i)\b(?:(?:may|might|can|could|will|would|stays?|remains?|left|be)\s+(?:also\s+|often\s+|sometimes\s+)?(?:null|nulls|empty|missing|blank|absent)\b|nullable\b|nulls?\s+(?:for|when|if|until|where|unless|before|after|on|in|otherwise)\b|or\s+null\b|(?:when|where|if)\s+(?:available|known|present|applicable|provided|any|exists?|given|supplied|reported)\b|optional\b)`)
	neverNull = lazyregexp.New(`(?i)\b(?:never|not|non)[\s-]+(?:be\s+)?(?:null|nullable|empty|missing)\b`)
)

// docSaysNullable reports whether a description says the column may hold no value.
func docSaysNullable(desc string) bool {
	return desc != "" && mayBeNull.MatchString(neverNull.ReplaceAllString(desc, " "))
}

// documentedNullable returns the description that says the column (or the upstream column it
// copies) may be null, or "".
func documentedNullable(p *dbt.Project, m *dbt.Node, in *columns.Node, name string) string {
	for _, c := range m.Columns {
		if strings.EqualFold(c.Name, name) && docSaysNullable(c.Description) {
			return "its description says it may be null"
		}
	}
	if in == nil {
		return ""
	}
	ic := in.Column(name)
	if ic == nil || ic.Kind != columns.KindDirect {
		return ""
	}
	refs := ic.Lineage
	if len(refs) == 0 {
		// A plain reference whose relation's columns are not known (a star over an unknown
		// source upstream): when the model reads one relation, the column is that relation's.
		if parents := p.ParentMap[m.UniqueID]; len(parents) == 1 {
			refs = []columns.ColumnRef{{Node: parents[0], Column: name}}
		}
	}
	for _, ref := range refs {
		var cols []*dbt.Column
		label := ref.Node
		if n := p.Nodes[ref.Node]; n != nil {
			cols, label = n.Columns, n.Name
		} else if s := p.Sources[ref.Node]; s != nil {
			cols, label = s.Columns, s.SourceName+"."+s.Name
		}
		for _, c := range cols {
			if strings.EqualFold(c.Name, ref.Column) && docSaysNullable(c.Description) {
				return "the upstream column " + label + "." + c.Name + " is documented as possibly null"
			}
		}
	}
	return ""
}

// everyName lists the model's output columns as inferred, and the documented ones besides.
func everyName(in *columns.Node, documented []string) []string {
	out := append([]string(nil), documented...)
	if in != nil {
		for _, c := range in.Columns {
			out = append(out, c.Name)
		}
	}
	return out
}

// sqlGrainOnly reports whether why, a contradiction of unique on c, is only the composite grain
// the model's SQL shows (a dedup per id and code), neither declared by the team nor a history.
func sqlGrainOnly(c *column, g grain, sg *sqlSignals, why string) bool {
	return c.pk == "combo" && !c.historyKey && g.validFrom == "" && len(g.declared) <= 1 && len(sg.keys) > 1 && why == sg.keyWhy
}

// contradicts returns why proposing test t on c would contradict what the model says about
// itself (its grain, an outer join, its documentation), or "" when nothing does. Such a test is
// never proposed: a reviewer would have to catch it.
func contradicts(c *column, t string, g grain, sg *sqlSignals) string {
	if c.stale {
		return c.name + " is documented but the model no longer outputs it"
	}
	switch t {
	case Unique:
		if c.pk != "sql" && g.composite(sg) {
			switch {
			case g.validFrom != "":
				return c.model.Name + " keeps history (" + g.history + "): a key repeats once per version"
			case len(g.declared) > 1:
				return g.declaredWhy
			case len(sg.keys) <= 1 && len(g.documented) > 1:
				if cols, ok := sg.hashed(c.lower); !ok || c.pk != "name" || !sameNames(cols, g.documented) {
					return g.documentedWhy
				}
				// The key the team names after the model hashes the grain its description
				// gives (topic_pk of topic_name + platform): the key of that grain.
			case c.pk == "name":
				if _, ok := sg.hashed(c.lower); !ok {
					return sg.keyWhy
				}
				// A surrogate key the team names as the model's key (key, order_key) is
				// its row identity, whatever columns a dedup partitions by: the habits of the
				// name decide.
			default:
				return sg.keyWhy
			}
		}
		if why := sg.partitioned[c.lower]; c.pk != "sql" && why != "" {
			// The model numbers or compares its rows per value: a window is written so
			// because several rows share one.
			return c.name + " is no key of " + c.model.Name + ": " + why
		}
		if c.pk == "first" {
			// Only its place says a leading id is the key; its description says otherwise.
			if why := documentedForeignKey(c.model, c.name); why != "" {
				return c.name + " is no key of " + c.model.Name + ": " + why
			}
		}
	case NotNull:
		if c.nullable != "" && c.notNull == "" {
			return c.nullable
		}
		if sg.d.Name == "bigquery" && strings.HasPrefix(strings.ToLower(strings.TrimSpace(c.dataType)), "array") {
			return "BigQuery stores a null array as an empty one: the test cannot fail"
		}
	}
	return ""
}

// compositeKey is the key a model-level uniqueness test should name: the SQL's composite grain,
// else the declared unique_key, else a history table's entity key with its validity start.
func compositeKey(sg *sqlSignals, g grain, cs []*column) ([]string, string) {
	switch {
	case len(sg.keys) >= 2:
		return append([]string(nil), sg.keys...), sg.keyWhy
	case len(g.declared) >= 2:
		return append([]string(nil), g.declared...), g.declaredWhy
	case g.validFrom != "":
		for _, c := range cs {
			if c.historyKey {
				return []string{c.lower, g.validFrom}, c.model.Name + " keeps history (" + g.history + "): one row per " + c.lower + " and " + g.validFrom
			}
		}
	}
	return nil, ""
}

// sameNames reports whether two lists name the same columns, in any order and case.
func sameNames(a, b []string) bool {
	x, y := make([]string, len(a)), make([]string, len(b))
	for i, v := range a {
		x[i] = strings.ToLower(v)
	}
	for i, v := range b {
		y[i] = strings.ToLower(v)
	}
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// versionHashed returns the column by which col, a surrogate key of a history table, hashes
// the version rather than the entity alone (its valid-from column, or a snapshot's
// dbt_scd_id), or "": generate_surrogate_key(["item_id", "effective_date_start"]).
func versionHashed(sg *sqlSignals, col, validFrom string) string {
	if sg == nil {
		return ""
	}
	cols, ok := sg.hashed(col)
	if !ok {
		return ""
	}
	for _, c := range cols {
		if c == validFrom || validFromNames[c] || c == "dbt_scd_id" || strings.HasSuffix(c, "_scd_id") {
			return c
		}
		words := strings.Split(c, "_")
		if (slices.Contains(words, "effective") || slices.Contains(words, "valid")) && (slices.Contains(words, "start") || slices.Contains(words, "from")) {
			return c
		}
	}
	return ""
}
