package warehouse

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// ProfileOptions tune Profile.
type ProfileOptions struct {
	// Sample profiles a random sample of at most this many rows; 0 profiles every row.
	Sample int
	// TopN is how many most frequent values to keep per column (default 5).
	TopN int
	// Columns limits the profile to these columns (default: all).
	Columns []string
	// MaxKeyWidth is the widest composite key searched, 1 to 3 (default 3).
	MaxKeyWidth int
}

// Profile describes the data of one relation.
type Profile struct {
	Relation Relation        `json:"relation"`
	Rows     int64           `json:"rows"`
	Sampled  bool            `json:"sampled"`
	Columns  []ColumnProfile `json:"columns"`
	// CandidateKeys are minimal column sets with no NULLs whose values are unique across the
	// profiled rows: single columns first, then pairs, then (only when neither exists) triples.
	CandidateKeys [][]string `json:"candidate_keys"`
}

// ColumnProfile describes one column.
type ColumnProfile struct {
	Name     string       `json:"name"`
	Type     string       `json:"data_type"`
	Nulls    int64        `json:"nulls"`
	Distinct int64        `json:"distinct"`
	Min      any          `json:"min"`
	Max      any          `json:"max"`
	Top      []ValueCount `json:"top_values"`
	// Unique: no NULLs and every value distinct (over at least one row).
	Unique bool `json:"unique"`
}

// ValueCount is one value and how many rows hold it.
type ValueCount struct {
	Value any   `json:"value"`
	Count int64 `json:"count"`
}

// Column type families, for choosing aggregates the warehouse accepts.
const (
	famNumber = "number"
	famText   = "text"
	famBool   = "boolean"
	famTime   = "time"
	famOther  = "other"
)

// TypeFamily classifies a warehouse type name (DuckDB or PostgreSQL spelling).
func TypeFamily(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	switch {
	case strings.HasSuffix(t, "[]") || strings.HasPrefix(t, "struct") || strings.HasPrefix(t, "map") ||
		strings.HasPrefix(t, "list") || t == "array" || strings.HasPrefix(t, "union"):
		return famOther
	case strings.Contains(t, "int") && !strings.Contains(t, "interval") && !strings.Contains(t, "point"),
		strings.HasPrefix(t, "numeric"), strings.HasPrefix(t, "decimal"), t == "real", t == "float",
		t == "double", t == "double precision", strings.HasPrefix(t, "float"):
		return famNumber
	case strings.HasPrefix(t, "bool"):
		return famBool
	case strings.HasPrefix(t, "date"), strings.HasPrefix(t, "timestamp"), strings.HasPrefix(t, "time"):
		return famTime
	case strings.HasPrefix(t, "varchar"), strings.HasPrefix(t, "char"), t == "text", t == "string",
		strings.HasPrefix(t, "character"), t == "name", t == "bpchar":
		return famText
	}
	return famOther
}

const profileTemp = "__dataops_profile"

func (e *engine) Profile(ctx context.Context, r Relation, opts ProfileOptions) (*Profile, error) {
	if opts.TopN <= 0 {
		opts.TopN = 5
	}
	if opts.MaxKeyWidth <= 0 || opts.MaxKeyWidth > 3 {
		opts.MaxKeyWidth = 3
	}
	var p *Profile
	err := e.withConn(ctx, func(c Conn) error {
		kind, cols, err := e.describe(ctx, c, r)
		if err != nil {
			return err
		}
		if kind == "" {
			return &Error{Warehouse: e.Type(), Message: "relation " + r.String() + " does not exist (build it first)"}
		}
		if len(opts.Columns) > 0 {
			want := map[string]bool{}
			for _, n := range opts.Columns {
				want[strings.ToLower(n)] = true
			}
			var keep []Column
			for _, col := range cols {
				if want[strings.ToLower(col.Name)] {
					keep = append(keep, col)
				}
			}
			cols = keep
		}
		src := e.Render(r)
		p = &Profile{Relation: r}
		if opts.Sample > 0 {
			p.Sampled = true
			tmp := e.Render(Relation{Name: profileTemp})
			_ = c.Exec(ctx, "drop table if exists "+tmp)
			if err := c.Exec(ctx, "create temporary table "+tmp+" as "+e.sample(src, opts.Sample)); err != nil {
				return err
			}
			defer c.Exec(context.WithoutCancel(ctx), "drop table if exists "+tmp)
			src = tmp
		}
		if err := e.columnStats(ctx, c, src, cols, p); err != nil {
			return err
		}
		for i := range p.Columns {
			if err := e.topValues(ctx, c, src, &p.Columns[i], opts.TopN); err != nil {
				return err
			}
		}
		return e.candidateKeys(ctx, c, src, p, opts.MaxKeyWidth)
	})
	return p, err
}

func (e *engine) sample(src string, n int) string {
	if s, ok := e.d.(interface{ Sample(string, int) string }); ok {
		return s.Sample(src, n)
	}
	return fmt.Sprintf("select * from %s order by random() limit %d", src, n)
}

// columnStats computes counts, NULLs, distinct counts and min/max of every column, in batches
// of columns so one scan serves many columns.
func (e *engine) columnStats(ctx context.Context, c Conn, src string, cols []Column, p *Profile) error {
	const batch = 40
	for start := 0; start == 0 || start < len(cols); start += batch {
		end := min(start+batch, len(cols))
		exprs := []string{"count(*)"}
		for _, col := range cols[start:end] {
			q := e.Quote(col.Name)
			switch TypeFamily(col.Type) {
			case famBool:
				exprs = append(exprs, "count("+q+")", "count(distinct "+q+")", "bool_and("+q+")", "bool_or("+q+")")
			case famOther:
				v := "cast(" + q + " as varchar)"
				exprs = append(exprs, "count("+q+")", "count(distinct "+v+")", "min("+v+")", "max("+v+")")
			default:
				exprs = append(exprs, "count("+q+")", "count(distinct "+q+")", "min("+q+")", "max("+q+")")
			}
		}
		rows, err := c.Query(ctx, "select "+strings.Join(exprs, ", ")+" from "+src, 1)
		if err != nil {
			return err
		}
		v := rows.Values[0]
		p.Rows = toInt(v[0])
		for i, col := range cols[start:end] {
			o := 1 + 4*i
			nonNull := toInt(v[o])
			cp := ColumnProfile{Name: col.Name, Type: col.Type, Nulls: p.Rows - nonNull, Distinct: toInt(v[o+1]), Min: v[o+2], Max: v[o+3]}
			cp.Unique = p.Rows > 0 && cp.Nulls == 0 && cp.Distinct == p.Rows
			p.Columns = append(p.Columns, cp)
		}
	}
	return nil
}

func (e *engine) topValues(ctx context.Context, c Conn, src string, cp *ColumnProfile, n int) error {
	if cp.Distinct == 0 {
		return nil
	}
	v := e.Quote(cp.Name)
	order := v
	if f := TypeFamily(cp.Type); f == famOther || f == famBool {
		v = "cast(" + v + " as varchar)"
		order = v
	}
	rows, err := c.Query(ctx, fmt.Sprintf("select %s, count(*) from %s where %s is not null group by 1 order by 2 desc, %s limit %d",
		v, src, e.Quote(cp.Name), order, n), n)
	if err != nil {
		return err
	}
	for _, r := range rows.Values {
		cp.Top = append(cp.Top, ValueCount{Value: r[0], Count: toInt(r[1])})
	}
	return nil
}

// candidateKeys finds minimal unique column sets. Single columns come from the stats. For
// composites, only NULL-free, non-unique columns are combined, widest-cardinality first, and a
// set is counted only when the product of its columns' distinct counts can reach the row count
// and no subset is already a key; all counts of one width run in one scan.
func (e *engine) candidateKeys(ctx context.Context, c Conn, src string, p *Profile, width int) error {
	if p.Rows == 0 {
		return nil
	}
	var pool []ColumnProfile
	for _, cp := range p.Columns {
		if cp.Unique {
			p.CandidateKeys = append(p.CandidateKeys, []string{cp.Name})
			continue
		}
		if cp.Nulls == 0 && cp.Distinct > 1 && TypeFamily(cp.Type) != famOther {
			pool = append(pool, cp)
		}
	}
	sort.SliceStable(pool, func(i, j int) bool { return pool[i].Distinct > pool[j].Distinct })
	limits := map[int]int{2: 12, 3: 8} // 66 pairs and 56 triples at most
	var keys [][]int                   // indexes into pool
	for w := 2; w <= width; w++ {
		if w == 3 && len(p.CandidateKeys) > 0 {
			// A table that already has a key of one or two columns is rarely keyed by three;
			// the triple search is the expensive one, so it runs only when nothing smaller is.
			break
		}
		n := min(len(pool), limits[w])
		var sets [][]int
		combos(n, w, func(set []int) {
			prod := 1.0
			for _, i := range set {
				prod *= float64(pool[i].Distinct)
			}
			if prod < float64(p.Rows) || hasSubsetKey(set, keys) {
				return
			}
			sets = append(sets, append([]int(nil), set...))
		})
		const perQuery = 40
		for s := 0; s < len(sets); s += perQuery {
			chunk := sets[s:min(s+perQuery, len(sets))]
			var exprs []string
			for _, set := range chunk {
				var names []string
				for _, i := range set {
					names = append(names, e.Quote(pool[i].Name))
				}
				exprs = append(exprs, "count(distinct ("+strings.Join(names, ", ")+"))")
			}
			rows, err := c.Query(ctx, "select "+strings.Join(exprs, ", ")+" from "+src, 1)
			if err != nil {
				return err
			}
			for k, set := range chunk {
				if toInt(rows.Values[0][k]) == p.Rows {
					keys = append(keys, set)
					var names []string
					for _, i := range set {
						names = append(names, pool[i].Name)
					}
					p.CandidateKeys = append(p.CandidateKeys, names)
				}
			}
		}
	}
	return nil
}

func hasSubsetKey(set []int, keys [][]int) bool {
	in := map[int]bool{}
	for _, i := range set {
		in[i] = true
	}
	for _, k := range keys {
		all := true
		for _, i := range k {
			if !in[i] {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// combos calls f with every increasing w-subset of 0..n-1.
func combos(n, w int, f func([]int)) {
	set := make([]int, w)
	var rec func(start, depth int)
	rec = func(start, depth int) {
		if depth == w {
			f(set)
			return
		}
		for i := start; i < n; i++ {
			set[depth] = i
			rec(i+1, depth+1)
		}
	}
	rec(0, 0)
}
