package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/llm"
)

// AgentRules is the Test Enhancer's language agent in accounts and settings: business-rule
// tests that documents state in prose.
const AgentRules = "rules"

// Test names the rules agent proposes (dbt_utils ones only when the project declares it).
const (
	RuleAcceptedValues = "accepted_values"
	RuleRelationships  = "relationships"
	RuleAcceptedRange  = "dbt_utils.accepted_range"
	RuleExpressionTrue = "dbt_utils.expression_is_true"
)

const rulesSystem = `You read a data team's documents and turn the business rules they state about a model's columns into dbt data tests.
Propose a test only for a rule a numbered sentence states in words: values a column takes ("status is one of placed, shipped"), a range ("amount is never negative", "between 0 and 100"), a condition ("discount never exceeds amount"), or a column that refers to another model ("customer_id references dim_customers").
Cite the sentence by its number. Use only the columns and models the facts list; copy values exactly as the sentence writes them. Propose nothing the sentences do not say; an empty list is a good answer.
Tests: accepted_values (values), relationships (to: a model name, field: its column), accepted_range (min_value and/or max_value as numbers, "" when absent) and expression_is_true (expression: SQL over the model's columns) only when the facts say dbt_utils is available.
` + DataRule

var rulesSchema = json.RawMessage(`{"type":"object","properties":{"tests":{"type":"array","items":{"type":"object","properties":{` +
	`"sentence":{"type":"integer"},"column":{"type":"string"},` +
	`"test":{"type":"string","enum":["accepted_values","relationships","accepted_range","expression_is_true"]},` +
	`"values":{"type":"array","items":{"type":"string","maxLength":80},"maxItems":40},` +
	`"to":{"type":"string"},"field":{"type":"string"},"min_value":{"type":"string"},"max_value":{"type":"string"},` +
	`"expression":{"type":"string","maxLength":300}},` +
	`"required":["sentence","column","test","values","to","field","min_value","max_value","expression"],"additionalProperties":false}}},` +
	`"required":["tests"],"additionalProperties":false}`)

// Passage is a piece of a document with where it comes from.
type Passage struct {
	Source string // the file (or URL), with the line when known: "docs/design.md:12"
	Text   string
}

// PassageSearcher is memory that says where each hit comes from; the rules agent cites it.
type PassageSearcher interface {
	Passages(ctx context.Context, query string, limit int) ([]Passage, error)
}

// RuleModel is a model the rules agent may propose tests on.
type RuleModel struct {
	UniqueID string
	// Columns are the lower-cased columns in scope (what a change added or changed); empty:
	// every column of the model.
	Columns map[string]bool
}

// RuleTest is a business-rule test that passed the engine's checks.
type RuleTest struct {
	UniqueID  string
	Model     string
	Column    string // "" for a model-level test (expression_is_true)
	Test      string
	Arguments map[string]any
	// Source and Quote are the document sentence the rule comes from.
	Source string
	Quote  string
}

// Ruler proposes the business-rule tests documents state, each grounded in the sentence it
// cites and checked by the engine before the caller sees it.
type Ruler struct {
	Runtime *Runtime
	Facts   *Facts
	Redact  func(string) string
	Record  func(Outcome)
	// Utils: the project declares dbt_utils, so ranges and conditions can be tests. Without
	// it they cannot be written as tests the project runs, and are left out with a note.
	Utils bool
	// Compile renders the test's SQL as the runner does; an error drops the test.
	Compile func(RuleTest) error
	// Has reports a test of that name the project or the deterministic Enhancer already has
	// on the column (or model, for column ""): such a rule adds nothing.
	Has func(uniqueID, column, test string) bool
	// Passages caps the document passages retrieved from memory per model.
	Passages int
}

// candidate is a sentence a rule may come from.
type candidate struct {
	source, text string
	column       string // the column a description belongs to ("" for documents)
}

// ruleCue finds the words that state a rule in prose: a closed list, a bound, a condition, a
// reference. A sentence without one makes no call.
var ruleCue = lazyregexp.New(`(?i)\b(one of|either|only|never|always|at least|at most|no more than|no less than|not more than|` +
	`between|greater|less than|exceeds?|non-negative|negative|positive|must|cannot|can't|references?|refers? to|` +
	`foreign key|points? to|belongs? to|matches|exists? in)\b|[<>]=?`)

// Propose asks, model by model, for the tests the documents state about the columns in
// scope. A model with no sentence stating a rule about them costs no call.
func (r *Ruler) Propose(ctx context.Context, models []RuleModel) ([]RuleTest, []string) {
	var out []RuleTest
	var notes []string
	sort.Slice(models, func(i, j int) bool { return models[i].UniqueID < models[j].UniqueID })
	for _, m := range models {
		got, ns := r.model(ctx, m)
		out = append(out, got...)
		notes = append(notes, ns...)
	}
	return out, notes
}

// columnsInScope are the model's inferred columns the agent may propose on, as written.
func (r *Ruler) columnsInScope(m RuleModel) []string {
	var out []string
	seen := map[string]bool{}
	add := func(name string) {
		l := strings.ToLower(name)
		if seen[l] || len(m.Columns) > 0 && !m.Columns[l] {
			return
		}
		seen[l] = true
		out = append(out, name)
	}
	if mc := r.Facts.Columns[m.UniqueID]; mc != nil {
		for _, c := range mc.Columns {
			add(c.Name)
		}
	}
	return out
}

// candidates are the sentences of the property files and of the retrieved documents that
// name a column in scope and state something like a rule.
func (r *Ruler) candidates(ctx context.Context, id string, cols []string) []candidate {
	f := r.Facts
	n := f.Project.Nodes[id]
	var out []candidate
	seen := map[string]bool{}
	add := func(source, text, column string) {
		for _, s := range sentences(text) {
			if !ruleCue.MatchString(s) {
				continue
			}
			about := column
			if about == "" {
				for _, c := range cols {
					if mentions(s, c) {
						about = c
						break
					}
				}
			}
			if about == "" || seen[s] {
				continue
			}
			seen[s] = true
			out = append(out, candidate{source: source, text: s, column: column})
		}
	}
	file, entry := "", ""
	if n.Patch != nil {
		file, entry = n.Patch.File, n.Patch.File
		if n.Patch.Pos.Line > 0 {
			entry = fmt.Sprintf("%s:%d", file, n.Patch.Pos.Line)
		}
	}
	inScope := map[string]bool{}
	for _, c := range cols {
		inScope[strings.ToLower(c)] = true
	}
	add(entry, n.Description, "")
	for _, c := range n.Columns {
		if inScope[strings.ToLower(c.Name)] {
			src := file
			if c.Pos.Line > 0 {
				src = fmt.Sprintf("%s:%d", file, c.Pos.Line)
			}
			add(src, c.Description, c.Name)
		}
	}
	if ps, ok := f.Memory.(PassageSearcher); ok && f.Memory != nil && len(cols) > 0 {
		limit := r.Passages
		if limit <= 0 {
			limit = 6
		}
		q := n.Name + " " + strings.ReplaceAll(strings.Join(cols, " "), "_", " ")
		if hits, err := ps.Passages(ctx, q, limit); err == nil {
			for _, h := range hits {
				add(h.Source, h.Text, "")
			}
		}
	}
	if len(out) > 12 {
		out = out[:12]
	}
	return out
}

func (r *Ruler) model(ctx context.Context, m RuleModel) ([]RuleTest, []string) {
	f := r.Facts
	n := f.Project.Nodes[m.UniqueID]
	if n == nil {
		return nil, nil
	}
	cols := r.columnsInScope(m)
	cands := r.candidates(ctx, m.UniqueID, cols)
	if len(cands) == 0 {
		return nil, nil // nothing needs language: no call
	}
	oc := Outcome{Agent: AgentRules, Subject: n.Name, Status: "ok"}
	defer func() {
		if r.Record != nil {
			r.Record(oc)
		}
	}()
	input := r.input(n.Name, n.OriginalFilePath, m.UniqueID, cols, cands)
	task := Task{Agent: AgentRules, System: rulesSystem, Input: input, Tools: f.Tools("model_columns"),
		Output: llm.Schema{Name: "rule_tests", Description: "The tests the numbered sentences state.", Schema: rulesSchema}}
	res, err := r.Runtime.Run(ctx, task)
	oc.Steps, oc.Usage = res.Steps, res.Usage
	if err != nil {
		oc.Status, oc.Error = "fallback", err.Error()
		return nil, []string{fmt.Sprintf("language model proposed no business-rule test for %s (%v)", n.Name, err)}
	}
	oc.Repaired = res.Repaired
	var ans struct {
		Tests []ruleAnswer
	}
	json.Unmarshal(res.Output, &ans)
	var out []RuleTest
	var notes []string
	dup := map[string]bool{}
	for _, a := range ans.Tests {
		t, why := r.check(m, n.Name, cols, cands, a)
		if why != "" {
			oc.Dropped++
			notes = append(notes, fmt.Sprintf("language model's %s test on %s.%s dropped (%s)", a.Test, n.Name, a.Column, why))
			continue
		}
		if t == nil {
			continue // already tested
		}
		k := t.Column + "\x00" + t.Test
		if dup[k] {
			continue
		}
		dup[k] = true
		oc.Kept++
		out = append(out, *t)
	}
	return out, notes
}

type ruleAnswer struct {
	Sentence   int      `json:"sentence"`
	Column     string   `json:"column"`
	Test       string   `json:"test"`
	Values     []string `json:"values"`
	To         string   `json:"to"`
	Field      string   `json:"field"`
	MinValue   string   `json:"min_value"`
	MaxValue   string   `json:"max_value"`
	Expression string   `json:"expression"`
}

// check is the engine's look at one answer: the cited sentence exists and carries the values
// and names the test pins, the model and columns exist, the test compiles. It returns the test
// (nil when the project already has it) or why it is dropped.
func (r *Ruler) check(m RuleModel, model string, cols []string, cands []candidate, a ruleAnswer) (*RuleTest, string) {
	if a.Sentence < 1 || a.Sentence > len(cands) {
		return nil, fmt.Sprintf("it cites sentence %d, which was not given", a.Sentence)
	}
	c := cands[a.Sentence-1]
	for _, s := range append([]string{a.Column, a.To, a.Field, a.MinValue, a.MaxValue, a.Expression}, a.Values...) {
		if Suspicious(s, r.Redact) {
			return nil, "it carries an instruction or a credential-shaped value"
		}
	}
	if Suspicious(c.text, r.Redact) {
		return nil, "the sentence it cites carries an instruction"
	}
	column := ""
	for _, name := range cols {
		if strings.EqualFold(name, strings.TrimSpace(a.Column)) {
			column = name
		}
	}
	t := &RuleTest{UniqueID: m.UniqueID, Model: model, Column: column, Source: c.source, Quote: c.text, Arguments: map[string]any{}}
	if a.Test != "expression_is_true" {
		if column == "" {
			return nil, "the model has no column " + strconv.Quote(a.Column) + " in scope"
		}
		if c.column != "" && !strings.EqualFold(c.column, column) || c.column == "" && !mentions(c.text, column) {
			return nil, "the sentence it cites is not about " + column
		}
	}
	// In a document the rule must follow its column: the nearest column the sentence names
	// before the values (or bound, or model) is the one tested.
	about := func(at int) string {
		if c.column != "" || at < 0 {
			return ""
		}
		if got := columnBefore(c.text, at, cols); !strings.EqualFold(got, column) {
			return "in the sentence it cites, that rule is about " + or(got, "no column") + ", not " + column
		}
		return ""
	}
	switch a.Test {
	case "accepted_values":
		t.Test = RuleAcceptedValues
		var vals []string
		seen := map[string]bool{}
		for _, v := range a.Values {
			v = strings.TrimSpace(v)
			if v == "" || seen[strings.ToLower(v)] {
				continue
			}
			seen[strings.ToLower(v)] = true
			if !containsWord(c.text, v) {
				return nil, "the sentence does not contain the value " + strconv.Quote(v)
			}
			vals = append(vals, v)
		}
		if len(vals) < 2 {
			return nil, "a list needs at least two values"
		}
		if why := about(wordAt(c.text, vals[0])); why != "" {
			return nil, why
		}
		t.Arguments["values"] = vals
	case "relationships":
		t.Test = RuleRelationships
		to := strings.TrimSpace(a.To)
		if mm := refArg.FindStringSubmatch(to); mm != nil {
			to = mm[1]
		}
		id, tn, _ := r.Facts.node(to)
		if tn == nil || id == m.UniqueID {
			return nil, "there is no other model named " + strconv.Quote(to)
		}
		if !containsWord(c.text, tn.Name) && !containsWord(c.text, entity(tn.Name)) {
			return nil, "the sentence does not name " + tn.Name
		}
		at := wordAt(c.text, tn.Name)
		if at < 0 {
			at = wordAt(c.text, entity(tn.Name))
		}
		if why := about(at); why != "" {
			return nil, why
		}
		field := strings.TrimSpace(a.Field)
		if r.Facts.Columns[id].Find(field) == nil && r.Facts.description(id, field) == "" && !hasColumn(tn.Columns, field) {
			return nil, tn.Name + " has no column " + strconv.Quote(field)
		}
		t.Arguments["to"] = "ref('" + tn.Name + "')"
		t.Arguments["field"] = field
	case "accepted_range":
		t.Test = RuleAcceptedRange
		if !r.Utils {
			return nil, "a range is a dbt_utils test and the project does not declare dbt_utils in packages.yml"
		}
		for _, b := range []struct{ key, v string }{{"min_value", a.MinValue}, {"max_value", a.MaxValue}} {
			v := strings.TrimSpace(b.v)
			if v == "" {
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, b.key + " " + strconv.Quote(v) + " is not a number"
			}
			if !boundStated(c.text, v) {
				return nil, "the sentence does not state the bound " + v
			}
			if why := about(boundAt(c.text, v)); why != "" {
				return nil, why
			}
			t.Arguments[b.key] = number(x)
		}
		if len(t.Arguments) == 0 {
			return nil, "a range needs a bound"
		}
	case "expression_is_true":
		t.Test = RuleExpressionTrue
		if !r.Utils {
			return nil, "a condition is a dbt_utils test and the project does not declare dbt_utils in packages.yml"
		}
		why := r.checkExpression(m.UniqueID, c.text, a.Expression)
		if why != "" {
			return nil, why
		}
		t.Column = ""
		t.Arguments["expression"] = strings.Join(strings.Fields(a.Expression), " ")
	default:
		return nil, "unknown test " + strconv.Quote(a.Test)
	}
	if r.Has != nil && r.Has(t.UniqueID, t.Column, t.Test) {
		return nil, ""
	}
	if r.Compile != nil {
		if err := r.Compile(*t); err != nil {
			return nil, "it does not compile: " + firstLine(err.Error())
		}
	}
	return t, ""
}

var refArg = lazyregexp.New(`^ref\(\s*['"]([^'"]+)['"]\s*\)$`)

// exprToken is what a condition may hold: names, numbers, strings, comparisons, arithmetic.
var exprToken = lazyregexp.New(`^(\s+|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|'[^'\\]*'|<=|>=|<>|!=|=|<|>|\(|\)|,|\+|-|\*|/)`)

var exprWords = map[string]bool{"and": true, "or": true, "not": true, "is": true, "null": true, "between": true, "in": true,
	"true": true, "false": true, "coalesce": true, "abs": true, "length": true, "lower": true, "upper": true}

// checkExpression: "" when the condition is a plain comparison over the model's columns whose
// columns and numbers the sentence names.
func (r *Ruler) checkExpression(id, sentence, expr string) string {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return "the condition is empty"
	}
	mc := r.Facts.Columns[id]
	named := 0
	for rest := expr; rest != ""; {
		tok := exprToken.FindString(rest)
		if tok == "" {
			return "the condition holds " + strconv.Quote(clip(rest, 20)) + ", which a plain condition does not"
		}
		rest = rest[len(tok):]
		switch {
		case strings.TrimSpace(tok) == "":
		case exprWords[strings.ToLower(tok)]:
		case tok[0] >= '0' && tok[0] <= '9':
			if !boundStated(sentence, tok) {
				return "the sentence does not state " + tok
			}
		case tok[0] == '\'':
			if !containsWord(sentence, strings.Trim(tok, "'")) {
				return "the sentence does not state " + tok
			}
		case tok[0] == '_' || unicode.IsLetter(rune(tok[0])):
			if mc.Find(tok) == nil {
				return "the model has no column " + strconv.Quote(tok)
			}
			if !mentions(sentence, tok) {
				return "the sentence does not name " + tok
			}
			named++
		}
	}
	if named == 0 {
		return "the condition names no column"
	}
	return ""
}

// wordAt is where s holds w as whole words, or -1.
func wordAt(s, w string) int {
	re, err := regexp.Compile(`(?i)(^|[^A-Za-z0-9_])` + regexp.QuoteMeta(strings.TrimSpace(w)) + `($|[^A-Za-z0-9_])`)
	if err != nil || strings.TrimSpace(w) == "" {
		return -1
	}
	if loc := re.FindStringIndex(s); loc != nil {
		return loc[0]
	}
	return -1
}

// boundAt is where a sentence states a number (see boundStated), or -1.
func boundAt(s, v string) int {
	x, _ := strconv.ParseFloat(v, 64)
	for _, loc := range numberRE.FindAllStringIndex(s, -1) {
		if y, err := strconv.ParseFloat(strings.ReplaceAll(s[loc[0]:loc[1]], ",", ""), 64); err == nil && y == x {
			return loc[0]
		}
	}
	if x == 0 {
		if loc := zeroWords.FindStringIndex(s); loc != nil {
			return loc[0]
		}
	}
	return -1
}

// columnBefore is the column of cols a sentence names last before position at ("" if none).
func columnBefore(s string, at int, cols []string) string {
	best, pos := "", -1
	for _, c := range cols {
		for _, form := range []string{c, strings.ReplaceAll(c, "_", " ")} {
			re, err := regexp.Compile(`(?i)(^|[^A-Za-z0-9_])` + regexp.QuoteMeta(form) + `($|[^A-Za-z0-9_])`)
			if err != nil {
				continue
			}
			for _, loc := range re.FindAllStringIndex(s, -1) {
				if loc[0] < at && loc[0] > pos {
					best, pos = c, loc[0]
				}
			}
		}
	}
	return best
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

var (
	numberRE  = lazyregexp.New(`-?\d[\d,]*(?:\.\d+)?`)
	zeroWords = lazyregexp.New(`(?i)\b(negative|positive|zero)\b`)
)

// boundStated reports whether a sentence states a number: written out, or zero said as
// "negative", "positive" or "zero".
func boundStated(sentence, v string) bool {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return false
	}
	if x == 0 && zeroWords.MatchString(sentence) {
		return true
	}
	for _, m := range numberRE.FindAllString(sentence, -1) {
		if y, err := strconv.ParseFloat(strings.ReplaceAll(m, ",", ""), 64); err == nil && y == x {
			return true
		}
	}
	return false
}

func number(x float64) any {
	if x == float64(int64(x)) {
		return int64(x)
	}
	return x
}

// mentions reports whether a sentence names a column: as written, or with its underscores
// read as spaces ("order amount").
func mentions(s, column string) bool {
	return containsWord(s, column) || strings.Contains(column, "_") && containsWord(s, strings.ReplaceAll(column, "_", " "))
}

// containsWord reports whether s holds w as whole words, whatever the case.
func containsWord(s, w string) bool {
	w = strings.TrimSpace(w)
	if w == "" {
		return false
	}
	re, err := regexp.Compile(`(?i)(^|[^A-Za-z0-9_])` + regexp.QuoteMeta(w) + `($|[^A-Za-z0-9_])`)
	return err == nil && re.MatchString(s)
}

// entity is what a model is about, by its name: dim_customers -> customers.
func entity(name string) string {
	for _, p := range []string{"stg_", "int_", "dim_", "fct_", "fact_", "mart_", "base_"} {
		if strings.HasPrefix(name, p) {
			return name[len(p):]
		}
	}
	return name
}

func hasColumn(cols []*dbt.Column, name string) bool {
	for _, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return true
		}
	}
	return false
}

// sentences splits a text into its sentences and list items, whitespace collapsed.
func sentences(text string) []string {
	var out []string
	for _, para := range regexp.MustCompile(`\n\s*\n|\n\s*[-*]\s+|\n#+\s`).Split(text, -1) {
		para = strings.Join(strings.Fields(para), " ")
		for _, s := range regexp.MustCompile(`[.!?;](\s+|$)`).Split(para, -1) {
			if s = strings.TrimSpace(s); len(s) >= 8 && len(s) <= 600 {
				out = append(out, s)
			}
		}
	}
	return out
}

// input is the task's prompt: the model's columns, the models the sentences name, what the
// project can run, and the numbered sentences as quoted data.
func (r *Ruler) input(name, path, id string, cols []string, cands []candidate) string {
	f := r.Facts
	var b strings.Builder
	fmt.Fprintf(&b, "Model %s (%s). Propose the tests these sentences state about its columns: %s.\n\n", name, path, strings.Join(cols, ", "))
	b.WriteString("Its columns as the engine infers them:\n" + Quote("columns", f.columnFacts(id)))
	var others []string
	seen := map[string]bool{}
	for _, c := range cands {
		for _, other := range f.Project.Nodes {
			if other.UniqueID == id || seen[other.UniqueID] || other.ResourceType != "model" {
				continue
			}
			if containsWord(c.text, other.Name) || containsWord(c.text, entity(other.Name)) {
				seen[other.UniqueID] = true
				var cs []string
				if mc := f.Columns[other.UniqueID]; mc != nil {
					for _, oc := range mc.Columns {
						cs = append(cs, oc.Name)
					}
				}
				others = append(others, other.Name+": "+strings.Join(cs, ", "))
			}
		}
	}
	if len(others) > 0 {
		sort.Strings(others)
		b.WriteString("\n\nModels the sentences name, with their columns:\n" + Quote("models", strings.Join(others, "\n")))
	}
	if r.Utils {
		b.WriteString("\n\ndbt_utils is available: accepted_range and expression_is_true may be used.")
	} else {
		b.WriteString("\n\ndbt_utils is not available: use only accepted_values and relationships.")
	}
	var lines []string
	for i, c := range cands {
		about := ""
		if c.column != "" {
			about = " (description of " + c.column + ")"
		}
		lines = append(lines, fmt.Sprintf("[%d] %s%s: %s", i+1, c.source, about, c.text))
	}
	b.WriteString("\n\nThe sentences:\n" + Quote("documents", strings.Join(lines, "\n")))
	b.WriteString("\n\nAnswer with the JSON object of tests.")
	return b.String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
