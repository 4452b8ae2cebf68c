package testgen

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// evidence is what the project beyond a column's own SQL says about its accepted_values and
// relationships tests: the documents, the SQL of the whole graph, the data.
type evidence struct {
	vals     []string // values the column holds
	valsFrom string   // "lits", "graph", "down", "doc", "data", "decode", "flag" or "bool"
	valsWhy  string
	// valsTeam: the values come from a test the team wrote (on a column this one copies).
	valsTeam bool

	to     *keyOwner // the key the column refers to
	toFrom string    // "doc", "down", "data", "join", "key", "entity" or "lookup"
	toWhy  string
	// habitTo is where the team points the same column elsewhere: preferred as the target.
	habitTo map[string]any
	// refuted says why the data contradicts the key the column was thought to refer to.
	refuted string
	// nameArgs are the accepted_values arguments borrowed from columns of the same name
	// (namevalues.go); named says they were computed.
	nameArgs map[string]any
	named    bool
	// kept are the values a filter on the column's way keeps, which narrow a list borrowed
	// from upstream or by name (keptvalues.go).
	kept []string
}

// Where each kind of evidence starts before the team's habits weigh it: about the share of
// the columns with that evidence that the teams of the evaluation projects did test
// (docs/measurements.md), moderated toward one half where the counts were small. A model's
// own closed set of literals and a description naming the referenced model are usually
// tested; a set that only passes through from upstream, a join to a key, a key of the same name
// and a code table named like the column much less often; a description listing values is
// as often prose as a contract, and the habits decide. A name the team tests elsewhere, with
// no other evidence, starts low: teams repeat a column in many models and guard few copies,
// and the folder and name rungs say which. A flag's two values are known from its type and
// name alone, and few teams test them: it starts low, and only a team's habit lifts it; so
// does a key copied from its source's key. A boolean's test cannot fail while it is one, and
// fewer teams still write it: it starts lowest.
var evidencePriors = map[string]map[string]float64{
	AcceptedValues: {"lits": 0.6, "graph": 0.45, "down": 0.5, "doc": 0.5, "data": 0.5, "decode": 0.3, "name": 0.3, "flag": 0.1, "bool": 0.05},
	Relationships:  {"doc": 0.75, "down": 0.5, "data": 0.6, "entity": 0.55, "fk": 0.5, "key": 0.4, "join": 0.35, "lookup": 0.3, "self": 0.5, "src": 0.1},
}

// extra computes evidence from the documents, the graph and data for one Suggest run.
type extra struct {
	p     *dbt.Project
	inf   *columns.Result
	keys  *keyIndex
	graph *sqlGraph
	dict  Glossary
	data  *DataEvidence
	args  *argIndex
	down  map[string]map[string]bool
	up    map[string]map[string]bool
	// copies maps a column to the downstream columns that copy it unchanged.
	copies map[colRef][]colRef
	// bounded holds the filtered accepted_values lenders of each column name (namevalues.go).
	bounded map[string][]boundedLender
	// composite holds the columns of each model's declared composite key.
	composite map[string]map[string]bool
}

func newExtra(p *dbt.Project, models []*dbt.Node, sigs []*sqlSignals, inf *columns.Result, existing map[string]map[string]map[string]bool, owners map[string][]*keyOwner, args *argIndex, dialect string, opts Options, ps *parses) *extra {
	return &extra{
		p: p, inf: inf, args: args, dict: opts.Dictionary, data: opts.Data,
		keys:      newKeyIndex(p, models, sigs, inf, existing, owners),
		graph:     newSQLGraph(p, models, dialect, opts.sqlOf, ps),
		down:      map[string]map[string]bool{},
		up:        map[string]map[string]bool{},
		copies:    directCopies(p, inf),
		bounded:   map[string][]boundedLender{},
		composite: map[string]map[string]bool{},
	}
}

// directCopies indexes the plain copies of each column: the downstream columns whose only
// lineage is that column, unchanged.
func directCopies(p *dbt.Project, inf *columns.Result) map[colRef][]colRef {
	out := map[colRef][]colRef{}
	if inf == nil {
		return out
	}
	for _, id := range inf.IDs() {
		if n := p.Nodes[id]; n != nil && !refsResolved(p, n) {
			continue
		}
		for _, c := range inf.Node(id).Columns {
			if c.Kind == columns.KindDirect && len(c.Lineage) == 1 {
				u := c.Lineage[0]
				k := colRef{u.Node, strings.ToLower(u.Column)}
				out[k] = append(out[k], colRef{id, strings.ToLower(c.Name)})
			}
		}
	}
	return out
}

// downstreamArgs finds the arguments of a test the team wrote on a downstream copy of a
// column, and which copy.
func (x *extra) downstreamArgs(c *column, test string) (map[string]any, colRef) {
	for _, d := range x.copies[colRef{c.model.UniqueID, c.lower}] {
		if x.graph.filtered(d) {
			// The copy keeps only some of the column's values: its test speaks for those.
			continue
		}
		if a := x.args.byNode[d.node+"\x00"+d.col+"\x00"+test]; a != nil {
			return a, d
		}
	}
	return nil, colRef{}
}

func (x *extra) downstream(id string) map[string]bool {
	if d, ok := x.down[id]; ok {
		return d
	}
	d := setOf(x.p.Downstream(id, -1))
	x.down[id] = d
	return d
}

func (x *extra) upstream(id string) map[string]bool {
	if u, ok := x.up[id]; ok {
		return u
	}
	u := setOf(x.p.Upstream(id, -1))
	x.up[id] = u
	return u
}

// annotate fills c.ev.
func (x *extra) annotate(c *column, in *columns.Node) {
	if x == nil {
		return
	}
	m := c.model
	ev := &evidence{}
	c.ev = ev
	var descs []string
	for _, dc := range m.Columns {
		if strings.EqualFold(dc.Name, c.name) && strings.TrimSpace(dc.Description) != "" {
			descs = append(descs, dc.Description)
		}
	}
	if x.dict != nil {
		if d, ok := x.dict.Lookup(c.name); ok && strings.TrimSpace(d) != "" {
			descs = append(descs, d)
		}
	}
	x.valueEvidence(c, descs)
	if c.pk == "sql" || c.pk == "name" {
		x.sourceKeyEvidence(c, in)
		return
	}
	if describesCode(c.lower) {
		return
	}
	x.keyEvidence(c, in, descs)
}

func (x *extra) valueEvidence(c *column, descs []string) {
	ev := c.ev
	ev.nameArgs, ev.named = x.nameValues(c), true
	var raw, set []string
	var dataWhy string
	if x.data != nil && len(c.lits) == 0 {
		names, _, _ := columnsOf(c.model, x.inf.Node(c.model.UniqueID), true)
		raw, set, dataWhy = x.data.values(c, names)
	}
	if len(c.lits) == 0 && x.graph != nil {
		if t := x.graph.traceOutput(c.model.UniqueID, c.lower); t != nil {
			if t.filter {
				ev.kept = union(t.lits, t.extra)
			}
			switch {
			case len(t.lits) > 0 && len(union(t.lits, t.extra)) >= 2:
				ev.vals, ev.valsFrom = union(t.lits, t.extra), "graph"
				if t.where == c.model.UniqueID {
					// The model's own CASE, constants or filter, found off the chain signals.go reads.
					ev.valsFrom = "lits"
				}
				ev.valsWhy = x.tracedWhy(t, c.model.UniqueID, c.name, ev.vals)
			case t.from.node != "":
				if a := x.args.byNode[t.from.node+"\x00"+t.from.col+"\x00"+AcceptedValues]; a != nil {
					if vs := stringValues(a["values"]); len(vs) >= 2 {
						ev.vals, ev.valsFrom, ev.valsTeam = union(vs, t.extra), "graph", true
						ev.valsWhy = fmt.Sprintf("%s passes through %s.%s, which the team tests with accepted_values", c.name, nodeName(x.p, t.from.node), t.from.col)
					}
				}
			}
		}
	}
	if ev.vals == nil && len(c.lits) == 0 {
		if a, d := x.downstreamArgs(c, AcceptedValues); a != nil {
			if vs := stringValues(a["values"]); len(vs) >= 2 {
				ev.vals, ev.valsFrom = vs, "down"
				ev.valsWhy = fmt.Sprintf("%s flows unchanged into %s.%s, which the team tests with accepted_values", c.name, nodeName(x.p, d.node), d.col)
			}
		}
	}
	if ev.vals == nil && len(c.lits) == 0 {
		for _, d := range descs {
			dv := valuesIn(d)
			if s := scaleValues(c, d); s != nil {
				dv = &docValues{values: s, formatted: true}
			}
			if dv != nil {
				if measureWords(c, d, dv.values) || !docListFits(c, dv.values) {
					// A list of words on a count or an amount names what was counted
					// ("Number of bytes ... (named, table, and user)"), never a value; on
					// a date or a flag, what it is about (docfit.go).
					continue
				}
				vals := dv.values
				if raw != nil {
					vals = spellAsData(vals, raw)
				}
				from := "doc"
				if yesNo(vals) {
					// "(0=Bill, 1=Do Not Bill)" explains a flag: the team's habit with
					// flags (or with the name) decides. Of a boolean ("converted to
					// boolean") it says nothing a test could check.
					switch {
					case flagValues(c) != nil && ev.nameArgs == nil:
						from = "flag"
					case flagValues(c) != nil, typeClass(c.dataType) == "boolean":
						from = ""
					}
				}
				if from != "" {
					ev.vals, ev.valsFrom = vals, from
					ev.valsWhy = c.name + ": its description lists " + quoteList(vals)
				}
				break
			}
		}
	}
	if ev.vals == nil && set != nil {
		ev.vals, ev.valsFrom = set, "data"
		ev.valsWhy = c.name + ": the data holds only " + quoteList(set) + " (" + dataWhy + ")"
	}
	if ev.vals == nil && ev.nameArgs == nil && len(c.lits) == 0 {
		// The team's tests on columns of the same name say more than a decoding, whose set may
		// be partial (a mart decoding only the statuses it counts).
		if vals, in := x.decodedValues(c); vals != nil {
			ev.vals, ev.valsFrom = vals, "decode"
			ev.valsWhy = c.name + ": " + nodeName(x.p, in) + " decodes it as one of " + quoteList(vals)
		}
	}
	if ev.vals == nil && ev.nameArgs == nil && len(c.lits) == 0 {
		// Last: a test the team wrote on the same name says more than the type does (its
		// class, "name", is learned apart), so a flag is one whose name the team does not
		// test elsewhere, in the models it learns from as in the one it proposes for.
		if vals := flagValues(c); vals != nil {
			ev.vals, ev.valsFrom = vals, "flag"
			ev.valsWhy = c.name + " is a flag: it holds only " + strings.Join(vals, " and ")
		} else if vals := boolValues(c); vals != nil {
			ev.vals, ev.valsFrom = vals, "bool"
			ev.valsWhy = c.name + " is a boolean: it holds only true and false"
		}
	}
}

// tracedWhy says where the closed set vals of the column name of node self comes from, as
// traced: the node's own expression or filter, or one upstream its values pass through.
func (x *extra) tracedWhy(t *traced, self, name string, vals []string) string {
	switch {
	case t.where == self && t.filter:
		return name + ": the model keeps only rows where it is in " + quoteList(vals)
	case t.where == self:
		return name + ": the model only produces " + quoteList(vals)
	case t.filter:
		return name + " passes through " + nodeName(x.p, t.where) + ", which keeps only rows where it is in " + quoteList(vals)
	}
	return name + " passes through values that " + nodeName(x.p, t.where) + " only produces: " + quoteList(vals)
}

// sourceKeyEvidence: a model's key copied unchanged from the key of the model it is built
// from (dim_patient.patient_id from stg_patient.patient_id) may be tested as a reference to
// it, so that no row appears that the source does not hold. Few teams write that test (most
// trust the lineage), so the evidence starts lowest and the team's habit decides.
func (x *extra) sourceKeyEvidence(c *column, in *columns.Node) {
	if in == nil {
		return
	}
	ic := in.Column(c.name)
	if ic == nil || ic.Kind != columns.KindDirect || len(ic.Lineage) != 1 {
		return
	}
	u := ic.Lineage[0]
	up := x.p.Nodes[u.Node]
	if up == nil || up == c.model || up.ResourceType != dbt.Model && up.ResourceType != dbt.Seed && up.ResourceType != dbt.Snapshot {
		return
	}
	col := strings.ToLower(u.Column)
	if x.keys.isKey[colRef{u.Node, col}] == "" {
		return
	}
	ev := c.ev
	ev.to, ev.toFrom = &keyOwner{model: up, column: col}, "src"
	ev.toWhy = fmt.Sprintf("%s is the key of %s, copied from the key of %s", c.name, c.model.Name, up.Name)
}

func (x *extra) keyEvidence(c *column, in *columns.Node, descs []string) {
	ev := c.ev
	m := c.model
	down := x.downstream(m.UniqueID)
	if a := x.args.commonElsewhere(c.lower, Relationships, m.UniqueID); a != nil && a["to"] != nil && !refersTo(a, m.Name) {
		a = x.keys.ownSystem(m, a, down)
		// A model does not point at one built from it, whatever the team does elsewhere; nor
		// does its own key point at another model's key of the same name, unless it is built
		// from that model (dim_a_company.company_id is no reference to dim_b_company).
		o := x.habitTarget(a, field(a))
		ownKey := keyClass(c.pk) == "key"
		if (o == nil || !down[o.model.UniqueID]) && (!ownKey || o != nil && x.upstream(m.UniqueID)[o.model.UniqueID]) {
			ev.habitTo = copyArgs(a)
		}
	}
	ev.to, ev.toFrom, ev.toWhy = x.keyCandidate(c, in, descs, down)
	if x.data == nil {
		return
	}
	// The data has the last word on the key the test would name.
	target := ev.to
	if ev.toFrom != "doc" {
		if o := x.habitTarget(ev.habitTo, field(ev.habitTo)); o != nil {
			target = o
		} else if c.fkTo != nil {
			target = c.fkTo
		}
	}
	if target == nil {
		return
	}
	meas := x.data.contains(c, target)
	switch {
	case meas == nil:
	case meas.ratio == 1:
		ev.to, ev.toFrom, ev.toWhy = target, "data", meas.why
	default:
		ev.to, ev.toFrom, ev.toWhy = nil, "", ""
		ev.refuted = meas.why
	}
}

// keyCandidate finds the key a column refers to, strongest evidence first: the documents, a
// test on a downstream copy, the entity the column names, a key of the same name the team
// tests, a join to a key anywhere in the project, a code table named like the column.
// typesMayMatch: a column can refer to a key only if their types compare: an integer id is no
// reference to a text key (communication_id int and dm_communications.id string). Unknown
// types may.
func (x *extra) typesMayMatch(c *column, o *keyOwner) bool {
	var ot string
	if n := x.inf.Node(o.model.UniqueID); n != nil {
		if oc := n.Column(o.column); oc != nil {
			ot = oc.DataType
		}
	}
	a, b := typeClass(c.dataType), typeClass(ot)
	num := func(t string) bool { return t == "integer" || t == "number" }
	return a == "" || b == "" || a == b || num(a) && num(b)
}

func (x *extra) keyCandidate(c *column, in *columns.Node, descs []string, down map[string]bool) (*keyOwner, string, string) {
	m := c.model
	var refs []docRef
	for _, d := range descs {
		refs = append(refs, refsIn(d)...)
	}
	if o := x.keys.docTarget(x.p, x.inf, m, c.lower, refs); o != nil && !down[o.model.UniqueID] {
		return o, "doc", fmt.Sprintf("its description says %s refers to %s", c.name, o.model.Name)
	}
	for _, d := range descs {
		if o := x.keys.phraseTarget(x.inf, m, c.lower, d); o != nil && !down[o.model.UniqueID] {
			return o, "doc", fmt.Sprintf("its description names %s", o.model.Name)
		}
	}
	if a, d := x.downstreamArgs(c, Relationships); a != nil {
		if o := x.habitTarget(a, field(a)); o != nil && o.model != m && !down[o.model.UniqueID] {
			return o, "down", fmt.Sprintf("%s flows unchanged into %s.%s, which the team tests as a reference to %s", c.name, nodeName(x.p, d.node), d.col, o.model.Name)
		}
	}
	if isIDLike(c.lower) && c.fkTo == nil {
		if c.pk != "combo" {
			// The model's own key names its own entity: another model of that entity is no
			// target unless this one is built from it.
			if o := x.keys.entityOwner(m, c.lower, down); o != nil && (keyClass(c.pk) != "key" || x.upstream(m.UniqueID)[o.model.UniqueID]) && x.typesMayMatch(c, o) {
				return o, "entity", fmt.Sprintf("%s names the entity of %s, whose key is %s", c.name, o.model.Name, o.column)
			}
		}
		// After the entity: a role that names another model's entity (a bridge's
		// complementary_service_key) is no row of this one.
		if o := x.keys.selfOwner(x.inf, m, c.lower); o != nil {
			return o, "self", fmt.Sprintf("%s names another row of %s by its key %s", c.name, m.Name, o.column)
		}
		var ic *columns.Column
		if in != nil {
			ic = in.Column(c.name)
		}
		if o := ownerFor(m, x.keys.owners[c.lower], ic, x.upstream(m.UniqueID), down); o != nil && x.keys.isKey[colRef{o.model.UniqueID, o.column}] == "test" {
			return o, "key", fmt.Sprintf("%s is the key the team tests unique in %s", c.name, o.model.Name)
		}
	}
	if o, n, inner := x.keys.joinTarget(x.graph, m, c.lower, down); o != nil {
		kind := "joined"
		if inner {
			kind = "inner-joined"
		}
		return o, "join", fmt.Sprintf("%s is %s to %s.%s in %d model(s)", c.name, kind, o.model.Name, o.column, n)
	}
	if c.fkTo == nil && c.pk == "" {
		if o := x.keys.lookupOwner(x.inf, m, c.lower, down); o != nil {
			return o, "lookup", fmt.Sprintf("%s is named after %s, which has a %s column", c.name, o.model.Name, o.column)
		}
	}
	return nil, "", ""
}

// habitTarget reads relationships arguments back into a model and column.
func (x *extra) habitTarget(a map[string]any, f string) *keyOwner {
	to, _ := a["to"].(string)
	name, ok := refName(to)
	if !ok || f == "" {
		return nil
	}
	n := x.keys.byName[strings.ToLower(name)]
	if n == nil {
		return nil
	}
	return &keyOwner{model: n, column: strings.ToLower(f)}
}

func field(a map[string]any) string {
	f, _ := a["field"].(string)
	return f
}

// refName reads the model name of a `ref('name')` argument.
func refName(to string) (string, bool) {
	to = strings.TrimSpace(to)
	if !strings.HasPrefix(to, "ref(") || !strings.HasSuffix(to, ")") {
		return "", false
	}
	inner := strings.TrimSpace(to[4 : len(to)-1])
	if i := strings.LastIndexByte(inner, ','); i >= 0 {
		inner = strings.TrimSpace(inner[i+1:])
	}
	inner = strings.Trim(inner, `'"`)
	return inner, inner != ""
}

// evidenceSignal is the evidence class of a column for accepted_values or relationships:
// the strongest kind of evidence there is, one word, so that the team's habits are learned
// per kind of evidence.
func evidenceSignal(c *column, test string) string {
	if cl := evidenceClass(c, test); cl != "" {
		return "+" + cl
	}
	return ""
}

func evidenceClass(c *column, test string) string {
	ev := c.ev
	switch test {
	case AcceptedValues:
		if len(c.lits) > 0 {
			return "lits"
		}
		if ev != nil && ev.vals != nil {
			return ev.valsFrom
		}
		if ev != nil && ev.nameArgs != nil {
			// The team tests columns of this name elsewhere (namevalues.go): whether it does
			// so in this folder is for the habits to say.
			return "name"
		}
	case Relationships:
		if ev != nil && ev.to != nil && (ev.toFrom == "doc" || ev.toFrom == "down" || ev.toFrom == "data" || ev.toFrom == "entity") {
			return ev.toFrom
		}
		// The team's own test on this very column is not evidence for it: habitTo leaves it out.
		if c.fkTo != nil || ev != nil && ev.habitTo != nil {
			return "fk"
		}
		if ev != nil && ev.to != nil {
			return ev.toFrom
		}
	}
	return ""
}

// evidenceLadder is the ladder of accepted_values and relationships: the kind of evidence
// first, so that evidence the project never showed for tested columns keeps its prior instead
// of the base rate of all columns; then the key class, the name pattern and the layer, each
// with the evidence; then the folder, for the columns whose evidence has the same source
// (evidenceTier) and for this evidence (a team often guards one folder's models, its input
// layer or its marts, and writes none of these tests elsewhere whatever the evidence); then
// the name, alone, within the layer (accepted_values only) and within the folder; for
// relationships last the name within the materialization and the property file declaring
// the model (propertyFileRung). The name
// rungs leave the evidence out: what a team does with `report_year` or `source_code_type` does
// not depend on how the values or the target were found, and the same name in another folder
// is often left alone on purpose.
func evidenceLadder(c *column, test, s string) []string {
	tier := evidenceTier(c, test)
	k := keyClass(c.pk)
	d := folderOf(c.model)
	rungs := []string{
		"s=" + s,
		"pk=" + c.pk + "|s=" + s,
		"p=" + c.pattern + "|pk=" + c.pk + "|s=" + s,
		"p=" + c.pattern + "|l=" + c.layer + "|pk=" + c.pk + "|s=" + s,
		"d=" + d + "|e=" + tier,
		"d=" + d + "|pk=" + c.pk + "|s=" + s,
	}
	if test == Relationships && evidenceClass(c, test) == "src" {
		// A key copied from its source's key shares its name with that key, which no
		// test of this kind guards: the name rungs would weigh the source against the copy.
		return rungs
	}
	rungs = append(rungs, nameRung(c, test))
	if test == AcceptedValues && c.layer != "other" {
		// A team checks a name's values in the layer that shapes them (staging decodes the
		// source's codes, intermediate combines them) and leaves the copies the marts carry
		// alone: user_gender tested in nine of eleven staging models and two of seven marts.
		// For keys the layer said nothing the folder does not (it cost relationships
		// precision on the measured projects). A model whose layer is unknown has none to
		// learn from.
		rungs = append(rungs, "n="+c.lower+"|l="+c.layer+"|k="+k)
	}
	rungs = append(rungs, "n="+c.lower+"|d="+d+"|k="+k)
	if test == Relationships {
		// The same name in a view and in a table of one folder: user_fk tested in the
		// event tables, never in the event views.
		rungs = append(rungs, "n="+c.lower+"|m="+materialization(c.model)+"|k="+k)
	}
	if test == Relationships {
		rungs = append(rungs, propertyFileRung(c, s)...)
	}
	return rungs
}

// materialization is how a model is stored: view, table, incremental, ephemeral...
func materialization(n *dbt.Node) string {
	m, _ := n.Config["materialized"].(string)
	switch {
	case m == "":
		return "view"
	case strings.Contains(m, jinja.RefusedEnvVar):
		// set from an env var the configuration does not let the project read
		return "unknown"
	}
	return strings.ToLower(m)
}

// evidenceTier sorts a column's evidence for one test by where it comes from: "team" when it
// is a test the team wrote elsewhere (on the column this one copies, on a downstream copy, on
// a column of the same name), "found" when the SQL, the documents or the data show it, "flag"
// or "src" when only its type and name or a key's lineage does, "none" without evidence. A
// folder whose CASE columns go untested may still get every copy of a tested column tested,
// and the other way round.
func evidenceTier(c *column, test string) string {
	cl := evidenceClass(c, test)
	ev := c.ev
	team := c.up[test]
	switch test {
	case AcceptedValues:
		team = team || cl == "down" || cl == "name" || cl == "graph" && ev != nil && ev.valsTeam
	case Relationships:
		team = team || cl == "down" || c.fkArgs != nil || ev != nil && ev.habitTo != nil
	}
	switch {
	case team:
		return "team"
	case cl == "flag" || cl == "bool" || cl == "src" || cl == "decode":
		// Known from the type and name alone, from a key's own lineage or from a decoding
		// elsewhere, each a habit of its own: a folder full of untested flags says nothing
		// of its CASE columns, its keys' sources nothing of its foreign keys, and the codes
		// a mart decodes nothing of the columns a model produces.
		return cl
	case cl != "":
		return "found"
	}
	return "none"
}

// distinctRungs marks the tests whose ladder skips a rung that holds the same columns as the
// one before (evidenceLadder refines rung by rung, except the folder rung).
var distinctRungs = map[string]bool{AcceptedValues: true, Relationships: true}

// prior is where the evidence puts a test before the team's habits weigh it (0 for none).
func (ev *evidence) prior(c *column, test string) float64 {
	return evidencePriors[test][evidenceClass(c, test)]
}

func (ev *evidence) reason(test string) string {
	if ev == nil {
		return ""
	}
	switch test {
	case AcceptedValues:
		if ev.vals != nil {
			return ev.valsWhy
		}
	case Relationships:
		if ev.to != nil {
			return ev.toWhy
		}
	}
	return ""
}

// valuesArgs writes accepted_values arguments for the evidence's values, typed as the
// column's data type needs.
func (ev *evidence) valuesArgs(dataType string) map[string]any {
	if ev == nil || ev.vals == nil {
		return nil
	}
	return valuesArguments(ev.vals, dataType)
}

// relArgs writes relationships arguments: the relation a description names first, then the
// one the team points the same column to elsewhere; with strong false, whatever the evidence
// found.
func (ev *evidence) relArgs(strong bool) map[string]any {
	if ev == nil {
		return nil
	}
	if ev.to != nil && (ev.toFrom == "doc" || ev.toFrom == "down") {
		return map[string]any{"to": "ref('" + ev.to.model.Name + "')", "field": ev.to.column}
	}
	if ev.habitTo != nil {
		return copyArgs(ev.habitTo)
	}
	if !strong && ev.to != nil {
		return map[string]any{"to": "ref('" + ev.to.model.Name + "')", "field": ev.to.column}
	}
	return nil
}

func nodeName(p *dbt.Project, id string) string {
	if n := p.Nodes[id]; n != nil {
		return n.Name
	}
	return id
}

// stringValues reads a values argument as strings.
func stringValues(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		if x == nil {
			continue
		}
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// commonElsewhere is common without the column's own test: what the team does with columns of
// that name in other models.
func (ix *argIndex) commonElsewhere(col, test, node string) map[string]any {
	self := ""
	if a := ix.byNode[node+"\x00"+col+"\x00"+test]; a != nil {
		b, _ := json.Marshal(a)
		self = string(b)
	}
	return ix.mostCommon(col, test, self)
}

// folderOf is the folder of a model's file, relative to its package.
func folderOf(n *dbt.Node) string {
	return path.Dir(strings.ReplaceAll(n.OriginalFilePath, "\\", "/"))
}

// measureSuffixes and measurePrefixes name the columns that hold quantities.
var (
	measureSuffixes = []string{"_count", "_cnt", "_amount", "_amt", "_total", "_sum", "_bytes", "_kib", "_kb", "_mib",
		"_mb", "_gib", "_gb", "_tb", "_size", "_usd", "_price", "_cost", "_revenue", "_credits", "_seconds", "_ms"}
	measurePrefixes = []string{"num_", "n_", "nb_", "count_", "total_", "sum_", "bytes_"}
)

// measureDesc finds a description that says the column is a quantity: "Number of bytes ...",
// "Total amount ...", "Count of orders".
var measureDesc = lazyregexp.New(`(?i)^\s*(?:the\s+|a\s+)?(?:(?:total\s+)?(?:number|count|amount|sum|size|quantity)\s+(?:of|in)\b|total\b|bytes\b)`)

// measureWords says a value list of words cannot be the column's values because the column
// holds numbers: its type is numeric (as declared or inferred; arithmetic infers one), or,
// with no type known, its name or description says it is a count or an amount. Numbers in the
// list ("(0=Bill, 1=Do Not Bill)") are codes of a numeric column and stay.
func measureWords(c *column, desc string, vals []string) bool {
	for _, v := range vals {
		if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			return false
		}
	}
	if number, known := numberByType(c.dataType); known {
		return number
	}
	return quantityName(c, desc)
}
