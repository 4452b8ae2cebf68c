package testgen

import (
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// Coverage says, per model and column, what is documented and tested.
type Coverage struct {
	Models []*ModelCoverage `json:"models"`
	Totals Totals           `json:"totals"`
	Delta  *Delta           `json:"delta,omitempty"`
}

// ModelCoverage is one model's columns.
type ModelCoverage struct {
	UniqueID   string            `json:"unique_id"`
	Name       string            `json:"name"`
	Path       string            `json:"path"`
	Documented bool              `json:"documented"`
	Tests      []string          `json:"tests"` // model-level tests
	Columns    []*ColumnCoverage `json:"columns"`
}

// ColumnCoverage is one column: declared in a property file or inferred from the SQL.
type ColumnCoverage struct {
	Name       string   `json:"name"`
	Documented bool     `json:"documented"`
	Declared   bool     `json:"declared"` // listed in a property file
	Tests      []string `json:"tests"`
}

// Totals sums a coverage.
type Totals struct {
	Models               int     `json:"models"`
	DocumentedModels     int     `json:"documented_models"`
	TestedModels         int     `json:"tested_models"`
	Columns              int     `json:"columns"`
	DocumentedColumns    int     `json:"documented_columns"`
	TestedColumns        int     `json:"tested_columns"`
	ColumnsDocumentedPct float64 `json:"columns_documented_pct"`
	ColumnsTestedPct     float64 `json:"columns_tested_pct"`
}

// Delta compares a head coverage with its base.
type Delta struct {
	ColumnsDocumentedPct float64  `json:"columns_documented_pct"`
	ColumnsTestedPct     float64  `json:"columns_tested_pct"`
	NewColumns           int      `json:"new_columns"`
	NewUntested          []string `json:"new_untested"` // model.column
	NewUndocumented      []string `json:"new_undocumented"`
}

// Measure computes the coverage of every enabled model of p. Columns are the ones the
// property files declare plus the ones inferred from the SQL that they do not.
func Measure(p *dbt.Project, inf *columns.Result) *Coverage {
	existing := existingTests(p)
	cov := &Coverage{}
	for _, m := range p.Models() {
		mc := &ModelCoverage{UniqueID: m.UniqueID, Name: m.Name, Path: m.OriginalFilePath, Documented: strings.TrimSpace(m.Description) != "", Tests: modelTests(p, m)}
		seen := map[string]bool{}
		add := func(name, desc string, declared bool) {
			l := strings.ToLower(name)
			if seen[l] {
				return
			}
			seen[l] = true
			var ts []string
			for t := range existing[m.UniqueID][l] {
				ts = append(ts, t)
			}
			sort.Strings(ts)
			if ts == nil {
				ts = []string{}
			}
			mc.Columns = append(mc.Columns, &ColumnCoverage{Name: name, Documented: strings.TrimSpace(desc) != "", Declared: declared, Tests: ts})
		}
		for _, c := range m.Columns {
			add(c.Name, c.Description, true)
		}
		if in := inf.Node(m.UniqueID); in != nil {
			for _, c := range in.Columns {
				if !c.Unnamed {
					add(c.Name, "", false)
				}
			}
		}
		cov.Models = append(cov.Models, mc)
	}
	cov.Totals = totals(cov.Models)
	return cov
}

func modelTests(p *dbt.Project, m *dbt.Node) []string {
	out := []string{}
	for _, id := range p.ChildMap[m.UniqueID] {
		n := p.Nodes[id]
		if n != nil && n.TestMeta != nil && n.TestMeta.AttachedNode == m.UniqueID && n.TestMeta.ColumnName == "" {
			out = append(out, normalizeTest(n.TestMeta.Name))
		}
	}
	sort.Strings(out)
	return out
}

func totals(models []*ModelCoverage) Totals {
	var t Totals
	for _, m := range models {
		t.Models++
		if m.Documented {
			t.DocumentedModels++
		}
		tested := len(m.Tests) > 0
		for _, c := range m.Columns {
			t.Columns++
			if c.Documented {
				t.DocumentedColumns++
			}
			if len(c.Tests) > 0 {
				t.TestedColumns++
				tested = true
			}
		}
		if tested {
			t.TestedModels++
		}
	}
	if t.Columns > 0 {
		t.ColumnsDocumentedPct = pct(t.DocumentedColumns, t.Columns)
		t.ColumnsTestedPct = pct(t.TestedColumns, t.Columns)
	}
	return t
}

func pct(a, b int) float64 { return float64(int(float64(a)*1000/float64(b)+0.5)) / 10 }

// Compare fills head's delta against base: the change in percentages and the columns the
// head has that the base did not, named when they are untested or undocumented.
func (head *Coverage) Compare(base *Coverage) {
	d := &Delta{
		ColumnsDocumentedPct: round1(head.Totals.ColumnsDocumentedPct - base.Totals.ColumnsDocumentedPct),
		ColumnsTestedPct:     round1(head.Totals.ColumnsTestedPct - base.Totals.ColumnsTestedPct),
		NewUntested:          []string{}, NewUndocumented: []string{},
	}
	old := map[string]bool{}
	for _, m := range base.Models {
		for _, c := range m.Columns {
			old[m.Name+"."+strings.ToLower(c.Name)] = true
		}
	}
	for _, m := range head.Models {
		for _, c := range m.Columns {
			key := m.Name + "." + strings.ToLower(c.Name)
			if old[key] {
				continue
			}
			d.NewColumns++
			if len(c.Tests) == 0 {
				d.NewUntested = append(d.NewUntested, m.Name+"."+c.Name)
			}
			if !c.Documented {
				d.NewUndocumented = append(d.NewUndocumented, m.Name+"."+c.Name)
			}
		}
	}
	head.Delta = d
}

func round1(f float64) float64 {
	if f < 0 {
		return -round1(-f)
	}
	return float64(int(f*10+0.5)) / 10
}
