package testgen

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// keyIndex is what the project says about keys: which column is the key of which model or
// seed (by its SQL grain, by its name, by the unique test the team wrote on it) and which
// models each entity name stands for, so that `feed_key` finds `dim_schedule_feeds.key`.
type keyIndex struct {
	p        *dbt.Project
	owners   map[string][]*keyOwner // column -> owners, best first
	isKey    map[colRef]string      // (node, column) -> "test", "sql" or "name"
	keysOf   map[string][]string    // node -> its key columns, best first
	byEntity map[string][]*keyOwner // singular entity -> owners whose key is id, key or <entity>_id
	byName   map[string]*dbt.Node   // model and seed names -> node (the root project's first)
	// lookups are the models and seeds by singular entity, key or not: the code tables a
	// column is named after (terminology__admit_source for admit_source_code).
	lookups map[string][]*dbt.Node
	// phrases are the seeds whose entity has several words, by those words ("present on
	// admission"), for descriptions that name a code table in prose.
	phrases map[string]*dbt.Node
	// endingIn memoizes, per stem, the entities ending in _<stem>, shortest first
	// (entityOwner): scanning every entity for every key column is quadratic.
	endingIn map[string][]string
}

// newKeyIndex extends the owners found by SQL and name with the columns the team tests
// unique, and ranks them.
func newKeyIndex(p *dbt.Project, models []*dbt.Node, sigs []*sqlSignals, inf *columns.Result, existing map[string]map[string]map[string]bool, owners map[string][]*keyOwner) *keyIndex {
	ix := &keyIndex{p: p, owners: map[string][]*keyOwner{}, isKey: map[colRef]string{}, keysOf: map[string][]string{}, byEntity: map[string][]*keyOwner{}, byName: map[string]*dbt.Node{},
		lookups: map[string][]*dbt.Node{}, phrases: map[string]*dbt.Node{}, endingIn: map[string][]string{}}
	grain := map[string]string{}
	for i, m := range models {
		if len(sigs[i].keys) == 1 {
			grain[m.UniqueID] = sigs[i].keys[0]
		}
	}
	for col, os := range owners {
		for _, o := range os {
			how := "name"
			if grain[o.model.UniqueID] == col {
				how = "sql"
			}
			ix.add(col, o, how)
		}
	}
	var nodes []*dbt.Node
	for _, n := range p.Nodes {
		if n.ResourceType == dbt.Model || n.ResourceType == dbt.Seed || n.ResourceType == dbt.Snapshot {
			nodes = append(nodes, n)
		}
	}
	sort.Slice(nodes, func(i, j int) bool {
		ri, rj := nodes[i].Package == p.Name, nodes[j].Package == p.Name
		if ri != rj {
			return ri
		}
		return nodes[i].UniqueID < nodes[j].UniqueID
	})
	for _, n := range nodes {
		if _, dup := ix.byName[strings.ToLower(n.Name)]; !dup {
			ix.byName[strings.ToLower(n.Name)] = n
		}
		e := singular(entityOf(n.Name))
		ix.lookups[e] = append(ix.lookups[e], n)
		if words := strings.Split(e, "_"); n.ResourceType == dbt.Seed && len(words) >= 2 && len(e) >= 10 {
			ix.phrases[strings.Join(words, " ")] = n
		}
		for col, tests := range existing[n.UniqueID] {
			if tests[Unique] {
				ix.add(col, &keyOwner{model: n, column: col}, "test")
			}
		}
	}
	// In the order of the column names: the entity lists below keep it among equal scores, and
	// a map's order would change the proposals from run to run.
	for _, col := range slices.Sorted(maps.Keys(ix.owners)) {
		os := ix.owners[col]
		sort.SliceStable(os, func(i, j int) bool {
			si, sj := ix.score(os[i]), ix.score(os[j])
			if si != sj {
				return si > sj
			}
			return os[i].model.UniqueID < os[j].model.UniqueID
		})
		for _, o := range os {
			if col == "id" || col == "key" || nameKey(o.model.Name, col) {
				e := singular(entityOf(o.model.Name))
				ix.byEntity[e] = append(ix.byEntity[e], o)
			}
		}
	}
	ix.addPlainKeys(nodes, inf)
	for _, os := range ix.byEntity {
		sort.SliceStable(os, func(i, j int) bool { return ix.score(os[i]) > ix.score(os[j]) })
	}
	for r := range ix.isKey {
		ix.keysOf[r.node] = append(ix.keysOf[r.node], r.col)
	}
	for node, ks := range ix.keysOf {
		sort.Slice(ks, func(i, j int) bool {
			ri, rj := keyRank[ix.isKey[colRef{node, ks[i]}]], keyRank[ix.isKey[colRef{node, ks[j]}]]
			if ri != rj {
				return ri < rj
			}
			return ks[i] < ks[j]
		})
	}
	return ix
}

var keyRank = map[string]int{"test": 0, "sql": 1, "name": 2}

func (ix *keyIndex) add(col string, o *keyOwner, how string) {
	r := colRef{node: o.model.UniqueID, col: col}
	if prev, ok := ix.isKey[r]; ok {
		if keyRank[how] < keyRank[prev] {
			ix.isKey[r] = how
		}
		return
	}
	ix.isKey[r] = how
	ix.owners[col] = append(ix.owners[col], o)
}

// score ranks the owners of one key: the column naming the model's entity, a key the team
// tests, a dimension or a seed over staging, staging over facts and intermediates.
func (ix *keyIndex) score(o *keyOwner) int {
	s := 1
	if nameKey(o.model.Name, o.column) {
		s += 4
	}
	if ix.isKey[colRef{o.model.UniqueID, o.column}] == "test" {
		s += 3
	}
	if o.model.ResourceType == dbt.Seed {
		s += 2
	}
	switch modelLayer(o.model) {
	case "dim", "dims":
		s += 3
	case "stg", "staging", "base":
		s += 2
	case "fct", "fact", "facts", "int", "intermediate":
		s--
	}
	return s
}

// entityOwner finds the model a `<entity>_id` or `<entity>_key` column refers to by the
// entity it names: dim_schedule_feeds for feed_key, dim_gtfs_datasets for
// schedule_gtfs_dataset_key. The longest entity named wins; an exact entity before one that
// only ends with the name.
func (ix *keyIndex) entityOwner(m *dbt.Node, col string, down map[string]bool) *keyOwner {
	stem := ""
	for _, suf := range []string{"_id", "_key", "_sk", "_fk", "_pk"} {
		if strings.HasSuffix(col, suf) {
			stem = strings.TrimSuffix(col, suf)
			break
		}
	}
	if stem == "" {
		return nil
	}
	pick := func(os []*keyOwner) *keyOwner {
		// The key of the same name first (marketplace_sk refers to marketplace_sk, not to the
		// natural marketplace_id beside it), then the best scored.
		// Among each, the owner of the referring model's own system (sourceAffinity).
		var same, others []*keyOwner
		for _, o := range os {
			if o.model != m && !down[o.model.UniqueID] {
				if o.column == col {
					same = append(same, o)
				} else {
					others = append(others, o)
				}
			}
		}
		if len(same) > 0 {
			return mostAffine(m, same)
		}
		return mostAffine(m, others)
	}
	words := strings.Split(stem, "_")
	for i := range words {
		if o := pick(ix.byEntity[strings.Join(words[i:], "_")]); o != nil {
			return o
		}
	}
	ents, ok := ix.endingIn[stem]
	if !ok {
		for e := range ix.byEntity {
			if strings.HasSuffix(e, "_"+stem) {
				ents = append(ents, e)
			}
		}
		sort.Slice(ents, func(i, j int) bool {
			return len(ents[i]) < len(ents[j]) || len(ents[i]) == len(ents[j]) && ents[i] < ents[j]
		})
		ix.endingIn[stem] = ents
	}
	for _, e := range ents {
		if o := pick(ix.byEntity[e]); o != nil {
			return o
		}
	}
	return nil
}

// selfOwner finds the key of the model itself that a column names with a role before it: a
// parent_account_id or reports_to_employee_id in the model whose key is account_id or
// employee_id, a parent_id in any model with a key (else a leading id column). The rows of a
// tree or a chain point at other rows of the same model, which no other evidence names: the
// entity lookup leaves the model itself out.
func (ix *keyIndex) selfOwner(inf *columns.Result, m *dbt.Node, col string) *keyOwner {
	keys := ix.keysOf[m.UniqueID]
	if len(keys) == 0 {
		// No key known (a model no test guards yet): its leading id column, as one reads
		// a table.
		names, _, _ := columnsOf(m, inf.Node(m.UniqueID), true)
		if len(names) == 0 || !isIDLike(strings.ToLower(names[0])) {
			return nil
		}
		keys = []string{strings.ToLower(names[0])}
	}
	if col == "parent_id" || col == "parent_key" {
		if keys[0] == col {
			return nil
		}
		if k := parentKey(col, keys); k != "" {
			return &keyOwner{model: m, column: k}
		}
		return nil
	}
	for _, k := range keys {
		// A plain id or key would make every *_id column a reference to its own model.
		if k == col || k == "id" || k == "key" || !strings.HasSuffix(col, "_"+k) {
			continue
		}
		return &keyOwner{model: m, column: k}
	}
	return nil
}

// joinTarget finds the key a column is joined to in the project's SQL: the other side of a
// join is the key of its model and this column is not this model's key. The key joined on
// in the most models wins.
func (ix *keyIndex) joinTarget(g *sqlGraph, m *dbt.Node, col string, down map[string]bool) (*keyOwner, int, bool) {
	if g == nil || ix.isKey[colRef{m.UniqueID, col}] != "" {
		return nil, 0, false
	}
	type tally struct {
		in    map[string]bool
		inner bool
	}
	seen := map[colRef]*tally{}
	for _, e := range g.joins[colRef{m.UniqueID, col}] {
		if e.other.node == m.UniqueID || ix.isKey[e.other] == "" || down[e.other.node] {
			continue
		}
		t := seen[e.other]
		if t == nil {
			t = &tally{in: map[string]bool{}}
			seen[e.other] = t
		}
		t.in[e.in] = true
		t.inner = t.inner || e.inner
	}
	var best colRef
	n, inner := 0, false
	for r, t := range seen {
		if len(t.in) > n || len(t.in) == n && (t.inner && !inner || t.inner == inner && (r.node < best.node || r.node == best.node && r.col < best.col)) {
			best, n, inner = r, len(t.in), t.inner
		}
	}
	if n == 0 {
		return nil, 0, false
	}
	return &keyOwner{model: ix.node(best.node), column: best.col}, n, inner
}

func (ix *keyIndex) node(id string) *dbt.Node { return ix.p.Nodes[id] }

// docTarget resolves what a description names as the relation a column refers to: a model
// or seed by name, or by the entity of a "<entity> table" phrase; the field is the one the
// description names, else the target's key, else a column of the same name.
func (ix *keyIndex) docTarget(p *dbt.Project, inf *columns.Result, m *dbt.Node, col string, refs []docRef) *keyOwner {
	for _, r := range refs {
		n := ix.byName[strings.ToLower(r.model)]
		if n == nil && r.entity != "" {
			n = ix.entityModel(r.entity)
		}
		if n == nil {
			n = ix.siblingNamed(m, r.model)
		}
		if n == nil || n == m {
			continue
		}
		field := strings.ToLower(r.field)
		if field == "" {
			field = ix.fieldOf(n, inf, col)
		}
		if field != "" {
			return &keyOwner{model: n, column: field}
		}
	}
	return nil
}

// entityModel finds the model an entity word stands for: a model of that name, else the
// best-ranked owner of that entity, else the model whose key is named after it ("the user
// table" is the model keyed by user_id, whatever the application calls its table).
func (ix *keyIndex) entityModel(entity string) *dbt.Node {
	e := singular(strings.ToLower(entity))
	if os := ix.byEntity[e]; len(os) > 0 {
		return os[0].model
	}
	// The words of a longer phrase from the last ones: "late charge adjustment" is an
	// adjustment.
	words := strings.Split(e, "_")
	for i := range words {
		k := strings.Join(words[i:], "_")
		for _, os := range [][]*keyOwner{ix.owners[k+"_id"], ix.owners[k+"_key"]} {
			for _, o := range os {
				if ix.isKey[colRef{o.model.UniqueID, o.column}] != "name" {
					return o.model
				}
			}
		}
	}
	return nil
}

// fieldOf picks the column of target n that a column named col refers to.
func (ix *keyIndex) fieldOf(n *dbt.Node, inf *columns.Result, col string) string {
	if ks := ix.keysOf[n.UniqueID]; len(ks) > 0 {
		for _, k := range ks {
			if k == col {
				return k
			}
		}
		return ks[0]
	}
	names, _, _ := columnsOf(n, inf.Node(n.UniqueID), true)
	for _, want := range []string{col, "id", "key"} {
		for _, c := range names {
			if strings.EqualFold(c, want) {
				return strings.ToLower(c)
			}
		}
	}
	return ""
}

// lookupOwner finds the code table a column is named after: a model or seed whose entity is
// the column's name (payer_type) or its name without _code or _id (admit_source_code) and that
// has a column of the same name.
func (ix *keyIndex) lookupOwner(inf *columns.Result, m *dbt.Node, col string, down map[string]bool) *keyOwner {
	ents := []string{col}
	for _, suf := range []string{"_code", "_id", "_key"} {
		if strings.HasSuffix(col, suf) {
			ents = append(ents, strings.TrimSuffix(col, suf))
		}
	}
	for _, e := range ents {
		for _, n := range ix.lookups[singular(e)] {
			if n == m || down[n.UniqueID] || !hasColumn(n, inf, col) {
				continue
			}
			return &keyOwner{model: n, column: col}
		}
	}
	return nil
}

// phraseTarget finds a code table a description names in words followed by "code" ("Present
// on admission code" names terminology__present_on_admission); the field is the table's column
// of the same name, else its only code column.
func (ix *keyIndex) phraseTarget(inf *columns.Result, m *dbt.Node, col, desc string) *keyOwner {
	d := " " + strings.Join(strings.FieldsFunc(strings.ToLower(desc), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), " ") + " "
	best := ""
	for ph := range ix.phrases {
		// "<table words> code": the column holds the table's codes, not its descriptions.
		if (len(ph) > len(best) || len(ph) == len(best) && ph < best) && strings.Contains(d, " "+ph+" code ") {
			best = ph
		}
	}
	if best == "" {
		return nil
	}
	n := ix.phrases[best]
	if n == m {
		return nil
	}
	names, _, _ := columnsOf(n, inf.Node(n.UniqueID), true)
	var codes []string
	for _, c := range names {
		l := strings.ToLower(c)
		if l == col {
			return &keyOwner{model: n, column: l}
		}
		if l == "code" || strings.HasSuffix(l, "_code") {
			codes = append(codes, l)
		}
	}
	if len(codes) == 1 {
		return &keyOwner{model: n, column: codes[0]}
	}
	return nil
}

func hasColumn(n *dbt.Node, inf *columns.Result, col string) bool {
	names, _, _ := columnsOf(n, inf.Node(n.UniqueID), true)
	for _, c := range names {
		if strings.EqualFold(c, col) {
			return true
		}
	}
	return false
}
