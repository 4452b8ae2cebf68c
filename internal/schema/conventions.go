package schema

import (
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/finding"
)

// Finding is one problem in a file the user wrote, the review contract's finding
// (internal/finding); Suggestion, when set, is the replacement the rule proposes (a new
// name), never applied without the user.
type Finding = finding.Finding

// Severities (internal/finding's).
const (
	SeverityError   = finding.Error
	SeverityWarning = finding.Warning
	SeverityInfo    = finding.Info
)

// Convention rule names, as they appear in findings and in Conventions.Disable/Severity.
const (
	RuleSnakeCase           = "naming-snake-case"
	RuleBooleanPrefix       = "naming-boolean-prefix"
	RuleTimestampSuffix     = "naming-timestamp-suffix"
	RuleDateSuffix          = "naming-date-suffix"
	RuleIDSuffix            = "naming-id-suffix"
	RuleModelPrefix         = "naming-model-prefix"
	RuleForbiddenName       = "naming-forbidden"
	RuleDescriptionRequired = "description-required"
	RulePlaceholder         = "description-placeholder"
)

// Conventions are the naming and documentation standards the schema agent checks. The zero
// value checks nothing; ProjectConventions is what a project gets: the rules its settings
// state (schema.naming), and the ones its own names clearly follow. They are computed, not
// read from settings: there is no `schema.conventions` section.
type Conventions struct {
	SnakeCase           bool
	BooleanPrefixes     []string            // a boolean column starts with one of these
	TimestampSuffix     string              // a timestamp column ends with this
	DateSuffix          string              // a date column ends with this
	IDSuffix            string              // an identifier written `customerid` ends with this instead
	ModelPrefixes       map[string][]string // folder name → allowed model name prefixes
	RequireDescriptions []string
	ForbiddenNames      []string
	Placeholders        []string          // descriptions that say nothing
	Disable             []string          // rule names to skip
	Severity            map[string]string // rule name → severity
	// Sources says where each rule came from (the settings, or the project's habit, with the
	// numbers); a finding quotes it so the reader can check the rule, not only the name.
	Sources map[string]string
	// stated holds the rules the team stated (settings), as opposed to habits read from the
	// project; folderSources says where a rule about one folder came from ("rule/folder").
	stated        map[string]bool
	folderSources map[string]string
}

// sourceOf is where the rule applied to folder (or to the whole project) came from.
func (c *Conventions) sourceOf(rule, folder string) string {
	if s, ok := c.folderSources[rule+"/"+folder]; ok {
		return s
	}
	return c.Sources[rule]
}

// DefaultConventions follow dbt Labs' style guide: snake_case, `is_`/`has_` booleans, `_at`
// timestamps, `_date` dates, `stg_`/`int_`/`fct_`/`dim_` by layer, and documented marts. A
// project gets them only by stating them (schema.naming.preset: dbt-labs).
func DefaultConventions() Conventions {
	return Conventions{
		SnakeCase:       true,
		BooleanPrefixes: []string{"is_", "has_"},
		TimestampSuffix: "_at",
		DateSuffix:      "_date",
		IDSuffix:        "_id",
		ModelPrefixes: map[string][]string{
			"staging":      {"stg_"},
			"intermediate": {"int_"},
			"marts":        {"fct_", "dim_"},
		},
		RequireDescriptions: []string{"marts"},
		ForbiddenNames:      []string{"tmp", "temp", "foo", "bar", "baz", "test", "todo"},
		Placeholders:        []string{"todo", "tbd", "tba", "fixme", "xxx", "n/a", "na", "none", "null", "description", "placeholder", "add description", "add a description", "describe", "fill in", "fill me in", "to do", "...", "-", "?", "<description>", "description placeholder"},
	}
}

// ModelFacts is what the checks need to know about a model: plain values, so the checks run on
// what the synthesizer planned as well as on what a project already has.
type ModelFacts struct {
	Name string
	// Path is the model's file relative to the project (models/marts/fct_orders.sql); its folders
	// pick the prefix and description rules.
	Path string
	// PropertyPath and Line locate the model's property-file entry; without one, findings
	// point at Path line 1.
	PropertyPath string
	Line         int
	Description  string
	Columns      []ColumnFacts
}

// ColumnFacts is one output column. Path/Line locate its property entry (or its SQL).
type ColumnFacts struct {
	Name        string
	DataType    string
	Description string
	Path        string
	Line        int
	// FromName: the description was written from the column's name, which says no more than
	// the name: a required description is still asked for.
	FromName bool
}

// check is one convention: it appends findings for one model.
type check func(c *Conventions, m *ModelFacts, out *[]Finding)

// checks in the order findings are reported for a model.
var checks = []struct {
	rule     string
	severity string // default
	fn       check
}{
	{RuleModelPrefix, SeverityWarning, checkModelPrefix},
	{RuleSnakeCase, SeverityWarning, checkSnakeCase},
	{RuleBooleanPrefix, SeverityWarning, checkBooleanPrefix},
	{RuleTimestampSuffix, SeverityWarning, checkTimestampSuffix},
	{RuleDateSuffix, SeverityWarning, checkDateSuffix},
	{RuleIDSuffix, SeverityWarning, checkIDSuffix},
	{RuleForbiddenName, SeverityWarning, checkForbidden},
	{RuleDescriptionRequired, SeverityWarning, checkDescriptionRequired},
	// Placeholders are a nudge: the synthesizer writes them on purpose for humans to fill.
	{RulePlaceholder, SeverityInfo, checkPlaceholder},
}

// Check runs every enabled convention over one model and returns its findings, ordered by
// position.
func (c Conventions) Check(m ModelFacts) []Finding {
	disabled := map[string]bool{}
	for _, r := range c.Disable {
		disabled[r] = true
	}
	var out []Finding
	for _, ck := range checks {
		if disabled[ck.rule] {
			continue
		}
		start := len(out)
		ck.fn(&c, &m, &out)
		sev := ck.severity
		if s, ok := c.Severity[ck.rule]; ok && s != "" {
			sev = s
		}
		for i := start; i < len(out); i++ {
			out[i].Agent, out[i].Rule, out[i].Severity = "schema", ck.rule, sev
			if src := c.Sources[ck.rule]; src != "" && !strings.Contains(out[i].Message, " (rule: ") {
				out[i].Message += " (rule: " + src + ")"
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// modelPos is where a finding about the model itself points.
func (m *ModelFacts) modelPos() (string, int) {
	if m.PropertyPath != "" {
		return m.PropertyPath, maxInt(m.Line, 1)
	}
	return m.Path, 1
}

// columnPos is where a finding about a column points.
func (m *ModelFacts) columnPos(col *ColumnFacts) (string, int) {
	if col.Path != "" {
		return col.Path, maxInt(col.Line, 1)
	}
	return m.modelPos()
}

func (m *ModelFacts) columnFinding(col *ColumnFacts, msg, suggestion string) Finding {
	p, l := m.columnPos(col)
	return Finding{Path: p, Line: l, Message: msg, Suggestion: suggestion}
}

// folders lists the model's directories, outermost first, without the file name.
func (m *ModelFacts) folders() []string {
	parts := strings.Split(strings.ReplaceAll(m.Path, "\\", "/"), "/")
	if len(parts) <= 1 {
		return nil
	}
	return parts[:len(parts)-1]
}

// typeClass reduces a warehouse type to the classes the naming rules care about.
func typeClass(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexAny(t, "( "); i >= 0 && !strings.HasPrefix(t, "timestamp with") && !strings.HasPrefix(t, "timestamp without") {
		t = t[:i]
	}
	switch {
	case t == "bool" || t == "boolean":
		return "boolean"
	case t == "date":
		return "date"
	case strings.HasPrefix(t, "timestamp") || t == "datetime" || t == "datetime2" || t == "datetimeoffset" || t == "smalldatetime":
		return "timestamp"
	}
	return ""
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
