package testgen

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// Profiler reads the data of built models for the Test Enhancer. The CLI implements it on the
// project's warehouse; testgen never writes SQL and runs the same without one.
type Profiler interface {
	// Columns describes the named columns of a built model: rows, NULLs, distinct values
	// and, for a column with at most max distinct values, every value with its count (most
	// frequent first). An error (the model was never built) means no evidence.
	Columns(ctx context.Context, model *dbt.Node, columns []string, max int) ([]ColumnData, error)
	// Contained measures how many of the distinct non-NULL values of column are found in key
	// of target, reading at most sample rows of model when it is larger.
	Contained(ctx context.Context, model *dbt.Node, column string, target *dbt.Node, key string, sample int) (Containment, error)
}

// ColumnData is what the data says about one column.
type ColumnData struct {
	Name     string
	Type     string
	Rows     int64
	Nulls    int64
	Distinct int64
	Values   []ValueCount // nil when Distinct is over the max asked
}

// ValueCount is one value, as text, and the rows that hold it.
type ValueCount struct {
	Value string
	Count int64
}

// Containment is a measured inclusion of a column's values in a key.
type Containment struct {
	Checked int64 // distinct non-NULL values checked
	Found   int64 // of those, found in the key
	Sampled bool  // the values came from a sample of the rows
}

// containmentSample is how many rows of a large model containment reads: enough to see the
// common values and most rare ones, cheap on any warehouse.
const containmentSample = 100_000

// maxProfiledModels bounds the relations one run reads, so that a remote warehouse answers in
// time; models past it give no data evidence.
const maxProfiledModels = 400

// DataEvidence reads data lazily, column by column as Suggest asks, and keeps what it read.
type DataEvidence struct {
	ctx  context.Context
	prof Profiler
	mu   sync.Mutex
	// models read: unique id -> column (lower) -> data; nil entry when the model had no data.
	models map[string]map[string]*ColumnData
	// contained: child column -> measured containment in a key.
	contained map[colRef]*measured
	notes     []string
}

type measured struct {
	to    *keyOwner
	ratio float64
	why   string
}

// NewDataEvidence reads evidence through prof for one run; ctx bounds every query.
func NewDataEvidence(ctx context.Context, prof Profiler) *DataEvidence {
	return &DataEvidence{ctx: ctx, prof: prof, models: map[string]map[string]*ColumnData{}, contained: map[colRef]*measured{}}
}

// Notes lists what could not be read (for the command's warnings).
func (d *DataEvidence) Notes() []string {
	if d == nil {
		return nil
	}
	return d.notes
}

// column returns the data of one column, reading its model's columns on first use.
func (d *DataEvidence) column(m *dbt.Node, names []string, col string) *ColumnData {
	if d == nil || d.ctx.Err() != nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	cols, seen := d.models[m.UniqueID]
	if !seen {
		if len(d.models) >= maxProfiledModels {
			return nil
		}
		rows, err := d.prof.Columns(d.ctx, m, names, maxDataValues)
		if err != nil {
			d.models[m.UniqueID] = nil
			return nil
		}
		cols = map[string]*ColumnData{}
		for i := range rows {
			cols[strings.ToLower(rows[i].Name)] = &rows[i]
		}
		d.models[m.UniqueID] = cols
	}
	return cols[col]
}

// values returns the raw values of a column with few enough of them, and the value set the
// data rule accepts (with why), reading the data of the model's columns (names) on first use.
func (d *DataEvidence) values(c *column, names []string) (raw, set []string, why string) {
	cd := d.column(c.model, names, c.lower)
	if cd == nil || cd.Values == nil {
		return nil, nil, ""
	}
	for _, v := range cd.Values {
		raw = append(raw, v.Value)
	}
	set, why = dataValueSet(c.name, *cd)
	return raw, set, why
}

// contains measures whether a column's values are found in a key (memoized).
func (d *DataEvidence) contains(c *column, to *keyOwner) *measured {
	if d == nil || to == nil || d.ctx.Err() != nil {
		return nil
	}
	r := colRef{c.model.UniqueID, c.lower}
	d.mu.Lock()
	if m, ok := d.contained[r]; ok && (m == nil || m.to == to || m.to.model == to.model && m.to.column == to.column) {
		d.mu.Unlock()
		return m
	}
	d.mu.Unlock()
	ct, err := d.prof.Contained(d.ctx, c.model, c.name, to.model, to.column, containmentSample)
	var m *measured
	if err == nil && ct.Checked > 0 {
		m = &measured{to: to, ratio: float64(ct.Found) / float64(ct.Checked)}
		sampled := ""
		if ct.Sampled {
			sampled = fmt.Sprintf(" (a sample of %d rows)", containmentSample)
		}
		m.why = fmt.Sprintf("%d of %d distinct %s values%s are found in %s.%s", ct.Found, ct.Checked, c.name, sampled, to.model.Name, to.column)
	}
	d.mu.Lock()
	d.contained[r] = m
	d.mu.Unlock()
	return m
}
