package schema

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// Description sources, in their default order. A new column's description comes from the
// first source that has one; the order can be changed by what the team accepted before
// (Config.SourceOrder).
const (
	FromUpstream    = "upstream"    // the upstream column it passes through unchanged
	FromProject     = "project"     // the same column documented in another model of the project
	FromBlock       = "block"       // the project's docs block named for the column
	FromHistory     = "history"     // the same column as described earlier (the team's memory)
	FromDictionary  = "dictionary"  // the data dictionary file of the settings
	FromDocs        = "docs"        // a doc chunk or dictionary entry retrieved from memory
	FromName        = "name"        // written from the column's own name
	FromPlaceholder = "placeholder" // schema.placeholder
)

// DefaultSourceOrder is the order description sources are tried in when nothing was learned.
// The placeholder is always last.
var DefaultSourceOrder = []string{FromUpstream, FromProject, FromBlock, FromHistory, FromDictionary, FromDocs, FromName}

// DocsThreshold is the score (see Candidate.Score) a retrieved doc chunk or dictionary entry
// needs to become a description: below it, retrieval picks a related text more often than the
// column's own meaning (docs/schema.md says how it was measured).
const DocsThreshold = 0.7

// Knowledge is what the team's memory knows about columns beyond the project's files. The
// Synthesizer works without it (nil) exactly as it does with an empty memory.
type Knowledge interface {
	// Earlier returns the descriptions columns of this name were given before (in the
	// project's history or as a human's version of a proposal), best example first.
	Earlier(column string) []Candidate
	// Retrieve returns doc chunks and dictionary entries about a column of a model, best
	// first, each scored in [0, 1].
	Retrieve(model, column string) []Candidate
}

// Candidate is a description some source offers.
type Candidate struct {
	Text   string
	Model  string // the model it was written for; "" when not about one model
	Source string // the file (or URL) it comes from
	Line   int
	Commit string
	Score  float64
}

// Described says where a planned column description came from.
type Described struct {
	Model       string `json:"model"`
	Column      string `json:"column"`
	Description string `json:"description"`
	// From is the source kind and what in it: "upstream:<node>.<column>",
	// "project:<model>.<column>", "block:<name>", "history:<commit>", "dictionary", "docs", "name", "placeholder",
	// "base" (an entry the change dropped, written again: restore.go).
	From string `json:"description_from"`
	// Source is the file and line the text was taken from ("" for the placeholder).
	Source string `json:"source,omitempty"`
	// File is the property file the description is written to.
	File string `json:"file"`
}

// Descriptions lists every description the plan writes, with its source, in plan order.
func (p *Plan) Descriptions() []Described {
	var out []Described
	add := func(file, model string, c ColumnSpec) {
		if c.Description == "" || c.DescriptionFrom == "" {
			return
		}
		out = append(out, Described{Model: model, Column: c.Name, Description: c.Description, From: c.DescriptionFrom,
			Source: c.DescriptionSource, File: file})
	}
	for _, op := range p.Ops {
		switch op.Kind {
		case OpAddColumn:
			add(op.File, op.Model, op.Column)
		case OpAddModel:
			if op.Entry != nil {
				for _, c := range op.Entry.Columns {
					add(op.File, op.Model, c)
				}
			}
		}
	}
	return out
}

// description finds a new column's description: from the sources in order, else the
// placeholder. It returns the text, where it came from and the file:line it was taken from.
func (s *synth) description(n *dbt.Node, c change.Column) (text, from, source string) {
	order := s.in.Config.SourceOrder
	if len(order) == 0 {
		order = DefaultSourceOrder
	}
	for _, src := range order {
		switch src {
		case FromUpstream:
			if s.in.Config.inherit() {
				text, from, source = s.inherited(n, c)
			}
		case FromBlock:
			text, from, source = s.fromBlock(n, c)
		case FromProject:
			text, from, source = s.fromProject(n, c)
		case FromHistory:
			text, from, source = s.fromHistory(n, c)
		case FromDictionary:
			if d, ok := s.in.Dictionary.Lookup(c.Name); ok && d != "" {
				text, from, source = d, FromDictionary, s.in.Dictionary.Locate(c.Name)
			}
		case FromDocs:
			text, from, source = s.fromDocs(n, c)
		case FromName:
			// A placeholder the team set is what it wants undocumented columns to say.
			if s.in.Config.DescribeFromName && s.in.Config.DescriptionPlaceholder == "" {
				describe := func(col string) string { return nameDescription(n.Name, col) }
				if !s.writesEnglish() {
					describe = plainNameDescription
				}
				if d := describe(splitJoined(c.Name, s.nameVocabulary())); d != "" {
					text, from, source = d, FromName, posString(c.Pos.Path, c.Pos.Line)
				}
			}
		}
		if text != "" && len(s.in.Project.UnknownDocs(text)) > 0 {
			// A description calling a docs block the project lacks would break its parse
			// where it is copied: the next source speaks instead.
			text = ""
		}
		if text != "" {
			return text, from, source
		}
	}
	if p := s.in.Config.DescriptionPlaceholder; p != "" {
		return p, FromPlaceholder, ""
	}
	return "", "", ""
}

func posString(file string, line int) string {
	if file == "" {
		return ""
	}
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

// Column roles: a description written for a model's key says "unique identifier of ..."; on
// a column of the same name that refers to that key from another model it would be false.
const (
	roleKey  = "key"
	roleRef  = "reference"
	roleAttr = "attribute"
)

// columnRole is what a column is to its model, by name and tests: the key (its name names the
// model's entity, or it has a unique test), a reference (an id-like column that is not the
// key) or an attribute.
func columnRole(model, column string, unique bool) string {
	col := strings.ToLower(column)
	switch {
	case unique || keyOf(model, col):
		return roleKey
	case keyLikeName(col):
		return roleRef
	}
	return roleAttr
}

// textRole is the role a description claims for its column, if it says.
func textRole(desc string) string {
	d := strings.ToLower(desc)
	for _, k := range []string{"foreign key", "references the", "refers to the", "reference to the"} {
		if strings.Contains(d, k) {
			return roleRef
		}
	}
	for _, k := range []string{"primary key", "unique identifier", "unique id", "unique key", "surrogate key", "one row per", "grain of"} {
		if strings.Contains(d, k) {
			return roleKey
		}
	}
	return ""
}

// rolesAgree: a description moves between columns of the same name only when neither is the
// key where the other is a reference.
func rolesAgree(target, candidate, text string) bool {
	if t := textRole(text); t != "" {
		candidate = t
	}
	if target == roleAttr || candidate == roleAttr {
		// An attribute may share its name with an id elsewhere (status, type): the text
		// decides when it claims a key.
		return !(target == roleAttr && candidate == roleKey && textRole(text) == roleKey)
	}
	return target == candidate
}

// otherEntity reports whether a description written for a column of another model is about
// that model's entity rather than the target's. A key describes its own model's rows (the id
// of stg_payments is no description of the id of stg_refunds); a generic name (status, name,
// created_at, author_id) means what its model is about, so "The name of the account." says
// nothing true of the name of a user. A name that says what it is about (customer_id,
// refunded_at) keeps its meaning across models.
//
// A generic name's text is the source's when it names a word of the source's entity and either
// does not name what a row of the target is, or names a word of the source's entity the
// target's lacks: "the ticket field value" is not about an sla policy history, nor "when the
// issue was last updated" about an issue field history, whose rows are changes, not issues.
// Entities are compared without the words that say how their rows are kept (history,
// snapshot, daily, enhanced): models about different things share them and a text rarely says
// them. What they say is kept in one respect: rows of a history, log or audit are changes of
// their entity, so a text about the entity is not about them, nor the other way.
func otherEntity(target, from, column, text string) bool {
	et, ef := entityWords(target), entityWords(from)
	if et == ef || ef == "" {
		return false
	}
	if keyOf(from, strings.ToLower(column)) {
		return true
	}
	if !genericName(column) {
		return false
	}
	ct, changesT := entityCore(target)
	cf, changesF := entityCore(from)
	if changesT == changesF && slices.Equal(ct, cf) {
		// orders and orders_snapshot, ticket_field_history and its daily rows
		return false
	}
	named := map[string]bool{}
	for _, t := range identifierParts(text) {
		named[singularWord(t)] = true
	}
	namesTarget := changesT == changesF && named[ct[len(ct)-1]]
	for _, w := range cf {
		if named[w] && (!namesTarget || !slices.Contains(ct, w)) {
			return true
		}
	}
	return false
}

// entityCore is a model's entity as singular words without those that say how its rows are
// kept (ticket_field_history → ticket field, jira__user_enhanced → user), and whether its rows
// are changes of that entity rather than the entity itself. A name made of such words alone
// keeps them.
func entityCore(model string) (core []string, changes bool) {
	ws := strings.Fields(entityWords(model))
	for i, w := range ws {
		w = singularWord(w)
		ws[i] = w
		switch {
		case changeRows[w]:
			changes = true
		case !keptRows[w]:
			core = append(core, w)
		}
	}
	if len(core) == 0 {
		return ws, false
	}
	return core, changes
}

// changeRows are entity words (singular) that make a model's rows the changes of its entity;
// keptRows, words that say how rows of the entity are kept: as versions, per period, widened
// with other models' columns, as a temporary copy.
var (
	changeRows = map[string]bool{"history": true, "hist": true, "historical": true, "change": true,
		"changelog": true, "log": true, "audit": true}
	keptRows = map[string]bool{"snapshot": true, "scd": true, "scd2": true, "daily": true, "weekly": true,
		"monthly": true, "hourly": true, "quarterly": true, "yearly": true, "latest": true, "enhanced": true,
		"enriched": true, "summary": true, "overview": true, "tmp": true, "temp": true}
)

// genericWords name a value without saying what it belongs to.
var genericWords = map[string]bool{"id": true, "key": true, "name": true, "type": true, "status": true, "state": true,
	"code": true, "description": true, "title": true, "label": true, "category": true, "value": true, "amount": true,
	"total": true, "count": true, "number": true, "date": true, "at": true, "time": true, "timestamp": true, "day": true,
	"created": true, "updated": true, "deleted": true, "modified": true, "loaded": true, "inserted": true, "started": true,
	"ended": true, "email": true, "url": true, "is": true, "has": true, "active": true, "valid": true, "current": true,
	"first": true, "last": true, "start": true, "end": true, "version": true, "source": true, "level": true, "rank": true,
	// validity windows: valid_starting_at, valid_from, effective_to
	"starting": true, "ending": true, "from": true, "to": true, "until": true, "since": true, "effective": true,
	"expired": true, "expires": true,
	// who acted on the row: author_id, created_by, owner_id
	"author": true, "creator": true, "owner": true, "by": true, "editor": true, "updater": true, "modifier": true}

func genericName(column string) bool {
	for _, p := range identifierParts(column) {
		if !genericWords[p] {
			return false
		}
	}
	return true
}

func keyOf(model, col string) bool {
	if col == "id" {
		return true
	}
	e := entityOf(model)
	for _, suf := range []string{"_id", "_key", "_sk", "_pk"} {
		if base, ok := strings.CutSuffix(col, suf); ok {
			if base == e || base == singularWord(e) || e == base+"s" {
				return true
			}
		}
	}
	return false
}

func keyLikeName(c string) bool {
	for _, suf := range []string{"_id", "_key", "_sk", "_pk", "_fk"} {
		if strings.HasSuffix(c, suf) {
			return true
		}
	}
	return c == "id"
}

// modelLayers are name prefixes that say a model's layer rather than its entity.
var modelLayers = map[string]bool{
	"stg": true, "staging": true, "base": true, "src": true, "raw": true, "int": true, "intermediate": true,
	"fct": true, "fact": true, "facts": true, "dim": true, "dims": true, "mart": true, "rpt": true, "report": true,
	"agg": true, "obt": true, "snap": true, "bdg": true, "grp": true, "sync": true, "prep": true, "ez": true, "bi": true,
	// views named as such, and Data Vault's hubs, links and satellites
	"v": true, "vw": true, "hub": true, "lnk": true, "sat": true,
	// Kimball's one-letter prefixes (f_results, d_drivers)
	"f": true, "d": true,
}

// entityOf is the entity a model is about: its name without the source prefix of
// stg_source__table names and without a layer prefix.
func entityOf(model string) string {
	m := strings.ToLower(model)
	if i := strings.LastIndex(m, "__"); i >= 0 {
		m = m[i+2:]
	}
	for {
		i := strings.IndexByte(m, '_')
		if i <= 0 || !modelLayers[m[:i]] {
			break
		}
		m = m[i+1:]
	}
	return m
}

// singularWord is a plain English singular, enough to match customers and customer_id.
func singularWord(s string) string {
	if w, ok := irregularSingulars[s]; ok {
		return w
	}
	switch {
	case strings.HasSuffix(s, "ias"): // alias, bias
		return s
	case strings.HasSuffix(s, "ies") && len(s) > 4:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"), strings.HasSuffix(s, "ches"), strings.HasSuffix(s, "shes"), strings.HasSuffix(s, "uses"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss") && !strings.HasSuffix(s, "us") && !strings.HasSuffix(s, "is") && len(s) > 3:
		return s[:len(s)-1]
	}
	return s
}

// irregularSingulars are the words the rules above would get wrong: the same in both numbers,
// or plurals of words ending in -ie.
var irregularSingulars = map[string]string{
	"series": "series", "species": "species", "news": "news", "movies": "movie", "cookies": "cookie",
	"calories": "calorie", "ties": "tie", "rookies": "rookie", "selfies": "selfie",
}

func hasUnique(c *dbt.Column) bool {
	for _, t := range c.Tests {
		if t.Name == "unique" {
			return true
		}
	}
	return false
}

// projectIndex maps folded column names to the documented columns of that name in the root
// package's models and sources, built on first use.
type documentedColumn struct {
	node   string // unique id
	model  string // model name, or source.table
	path   string // the model's (or source's) file, for nearness
	column *dbt.Column
}

func (s *synth) projectColumns() map[string][]documentedColumn {
	if s.documented != nil {
		return s.documented
	}
	s.documented = map[string][]documentedColumn{}
	add := func(id, model, file string, cols []*dbt.Column) {
		for _, c := range cols {
			d := strings.TrimSpace(c.Description)
			// A description written from the column's name is not the team's words
			// (fromItsName): the name source writes it again for the new column's own model.
			if d == "" || s.isPlaceholder(d) || s.fromItsName(nameModel(model), c) {
				continue
			}
			k := dbt.ColumnKey(c.Name)
			s.documented[k] = append(s.documented[k], documentedColumn{node: id, model: model, path: file, column: c})
		}
	}
	for id, n := range s.p.Nodes {
		if n.Package == s.root && (n.ResourceType == dbt.Model || n.ResourceType == dbt.Seed || n.ResourceType == dbt.Snapshot) && !n.Disabled {
			add(id, n.Name, n.OriginalFilePath, n.Columns)
		}
	}
	// The team documents its models that are off as the others: their words count too.
	for _, n := range s.p.OffModels(s.root) {
		add(n.UniqueID, n.Name, n.OriginalFilePath, n.Columns)
	}
	for id, src := range s.p.Sources {
		if src.Package == s.root {
			add(id, src.SourceName+"."+src.Name, src.OriginalFilePath, src.Columns)
		}
	}
	// Nodes come from maps: without an order, which of two equally good models lends its text
	// (and the source the note names) would change from run to run.
	for _, list := range s.documented {
		sort.Slice(list, func(i, j int) bool {
			a, b := list[i], list[j]
			if a.path != b.path {
				return a.path < b.path
			}
			if a.model != b.model {
				return a.model < b.model
			}
			return a.column.Pos.Line < b.column.Pos.Line
		})
	}
	return s.documented
}

// nameModel is the model (or source table) name of a documentedColumn's model: a source's
// is written source.table.
func nameModel(model string) string {
	if i := strings.LastIndexByte(model, '.'); i >= 0 {
		return model[i+1:]
	}
	return model
}

// lineageOf lists the nodes a column is computed from, through any number of models.
func (s *synth) lineageOf(c change.Column) map[string]bool {
	out := map[string]bool{}
	var walk func(c change.Column, depth int)
	walk = func(c change.Column, depth int) {
		if depth > 8 {
			return
		}
		for _, u := range c.Lineage {
			if out[u.Node+"\x00"+strings.ToLower(u.Column)] {
				continue
			}
			out[u.Node] = true
			out[u.Node+"\x00"+strings.ToLower(u.Column)] = true
			if up := s.in.Columns[u.Node]; up != nil {
				if uc := up.Find(u.Column); uc != nil {
					walk(*uc, depth+1)
				}
			}
		}
	}
	walk(c, 0)
	return out
}

// fromProject takes the description the same column has in another model of the project. A
// model the column is computed from comes first (the lineage agrees), then the models nearest
// in the folder tree, then the text most models share. Never across a change of role.
func (s *synth) fromProject(n *dbt.Node, c change.Column) (string, string, string) {
	cands := s.projectColumns()[strings.ToLower(c.Name)]
	if len(cands) == 0 {
		return "", "", ""
	}
	target := columnRole(n.Name, c.Name, false)
	lineage := s.lineageOf(c)
	type option struct {
		dc        documentedColumn
		text      string
		agrees    bool
		near      int
		nameShare int
		count     int
	}
	var opts []*option
	byText := map[string]*option{}
	for _, dc := range cands {
		if dc.node == n.UniqueID {
			continue
		}
		text := dc.column.Description
		if !s.blockFits(dc.column, target) && !rolesAgree(target, columnRole(dc.model, dc.column.Name, hasUnique(dc.column)), text) {
			continue
		}
		agrees := lineage[dc.node+"\x00"+strings.ToLower(c.Name)]
		if !agrees && otherEntity(n.Name, dc.model, c.Name, text) {
			continue
		}
		near := commonDirs(n.OriginalFilePath, dc.path)
		share := commonPrefix(n.Name, dc.model)
		k := strings.TrimSpace(text)
		if o := byText[k]; o != nil {
			o.count++
			better := agrees && !o.agrees || agrees == o.agrees && (near > o.near || near == o.near && share > o.nameShare)
			if better {
				o.dc, o.agrees, o.near, o.nameShare = dc, agrees, near, share
			}
			continue
		}
		o := &option{dc: dc, text: text, agrees: agrees, near: near, nameShare: share, count: 1}
		byText[k] = o
		opts = append(opts, o)
	}
	if len(opts) == 0 {
		return "", "", ""
	}
	sort.SliceStable(opts, func(i, j int) bool {
		a, b := opts[i], opts[j]
		if a.agrees != b.agrees {
			return a.agrees
		}
		if a.near != b.near {
			return a.near > b.near
		}
		if a.nameShare != b.nameShare {
			return a.nameShare > b.nameShare
		}
		if a.count != b.count {
			return a.count > b.count
		}
		return a.dc.path < b.dc.path
	})
	best := opts[0]
	return s.asWritten(best.dc.node, best.dc.column), FromProject + ":" + best.dc.model + "." + best.dc.column.Name,
		posString(best.dc.column.Pos.Path, best.dc.column.Pos.Line)
}

// commonDirs counts the folders two files share from the project root.
func commonDirs(a, b string) int {
	da := strings.Split(path.Dir(a), "/")
	db := strings.Split(path.Dir(b), "/")
	n := 0
	for n < len(da) && n < len(db) && da[n] == db[n] && da[n] != "." {
		n++
	}
	return n
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// fromHistory takes the description the team gave a column of this name before, when the
// role agrees.
func (s *synth) fromHistory(n *dbt.Node, c change.Column) (string, string, string) {
	if s.in.Knowledge == nil {
		return "", "", ""
	}
	target := columnRole(n.Name, c.Name, false)
	for _, cand := range s.in.Knowledge.Earlier(c.Name) {
		text := strings.TrimSpace(cand.Text)
		if text == "" || s.isPlaceholder(text) {
			continue
		}
		role := roleAttr
		if cand.Model != "" {
			role = columnRole(cand.Model, c.Name, false)
		}
		if !rolesAgree(target, role, text) || cand.Model != "" && otherEntity(n.Name, cand.Model, c.Name, text) {
			continue
		}
		from := FromHistory
		if cand.Commit != "" {
			from += ":" + shortCommit(cand.Commit)
		}
		return text, from, posString(cand.Source, cand.Line)
	}
	return "", "", ""
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// fromDocs takes the best retrieved doc chunk or dictionary entry when its score reaches
// DocsThreshold.
func (s *synth) fromDocs(n *dbt.Node, c change.Column) (string, string, string) {
	if s.in.Knowledge == nil {
		return "", "", ""
	}
	target := columnRole(n.Name, c.Name, false)
	for _, cand := range s.in.Knowledge.Retrieve(n.Name, c.Name) {
		if cand.Score < DocsThreshold {
			break
		}
		text := strings.TrimSpace(cand.Text)
		if text == "" || s.isPlaceholder(text) || !rolesAgree(target, roleAttr, text) {
			continue
		}
		return text, FromDocs, posString(cand.Source, cand.Line)
	}
	return "", "", ""
}
