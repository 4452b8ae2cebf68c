package columns

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// inferSource lists a source table's columns: as declared in its property file, else as the
// catalog lists them, else as the warehouse describes them.
func (inf *inferrer) inferSource(s *dbt.Source) *Node {
	out := &Node{UniqueID: s.UniqueID}
	pos := s.Pos
	if len(s.Columns) > 0 {
		out.Origin = "properties"
		out.Columns = inf.declaredColumns(s.UniqueID, s.Columns)
		// Declared columns are often a documented subset: the catalog, when present, is the
		// whole table.
		if cat := inf.fromCatalog(s.UniqueID); len(cat) > 0 {
			out.Origin = "catalog"
			out.Columns = mergeDeclaredTypes(cat, out.Columns)
		}
		return out
	}
	if cols := inf.fromCatalog(s.UniqueID); len(cols) > 0 {
		out.Origin = "catalog"
		out.Columns = cols
		return out
	}
	ident := s.Identifier
	if ident == "" {
		ident = s.Name
	}
	if cols := inf.describe(s.UniqueID, s.Database, s.Schema, ident); len(cols) > 0 {
		out.Origin = "warehouse"
		out.Columns = cols
		return out
	}
	out.Unresolved = append(out.Unresolved, Problem{Pos: pos, Kind: "no-columns",
		Reason: "source " + s.SourceName + "." + s.Name + " declares no columns and no catalog lists it"})
	return out
}

// declared turns a property-file column into an output column of the node that declares it.
func (inf *inferrer) declared(id string, c *dbt.Column) *Column {
	name := c.Name
	quoted := c.Quote != nil && *c.Quote
	return &Column{Name: name, Quoted: quoted, DataType: normalizeType(c.DataType), Pos: c.Pos,
		Lineage: []ColumnRef{}}
}

// mergeDeclaredTypes keeps the catalog's columns and order, taking a declared data_type where
// the catalog has none.
func mergeDeclaredTypes(cat, decl []*Column) []*Column {
	byName := map[string]*Column{}
	for _, c := range decl {
		byName[foldName(c.Name)] = c
	}
	for _, c := range cat {
		if d := byName[foldName(c.Name)]; d != nil {
			c.Pos = d.Pos
			if c.DataType == "" {
				c.DataType = d.DataType
			}
		}
	}
	return cat
}

func (inf *inferrer) fromCatalog(id string) []*Column {
	cols := inf.opts.Catalog[id]
	if len(cols) == 0 {
		return nil
	}
	out := make([]*Column, len(cols))
	for i, c := range cols {
		out[i] = &Column{Name: inf.d.catalogName(c.Name), DataType: normalizeType(c.DataType), Lineage: []ColumnRef{}}
	}
	return out
}

func (inf *inferrer) describe(id, db, schema, ident string) []*Column {
	if inf.opts.Describer == nil {
		return nil
	}
	cols, ok, err := inf.opts.Describer.DescribeRelation(inf.opts.Ctx, db, schema, ident)
	if err != nil || !ok {
		return nil
	}
	out := make([]*Column, len(cols))
	for i, c := range cols {
		out[i] = &Column{Name: inf.d.catalogName(c.Name), DataType: normalizeType(c.DataType), Lineage: []ColumnRef{}}
	}
	return out
}

// upstream returns the columns of a node or source for star expansion and reference
// resolution: inferred, what was inferred for it, when complete, else its property-file
// columns, else the catalog's, else the warehouse's; complete is false when none of these knows
// the whole list (the columns returned are then what is known). origin says which one answered.
// The caller passes inferred only for a node that is done (see relationOf).
func (inf *inferrer) upstream(id string, inferred *Node) (cols []*Column, complete bool, origin string) {
	s := inf.slots[id]
	if inferred != nil && inferred.Resolved() {
		return inferred.Columns, true, inferred.Origin
	}
	if n := inf.node(id); n != nil && len(n.Columns) > 0 {
		out := inf.declaredColumns(id, n.Columns)
		listed := make(map[string]bool, len(n.Columns))
		for _, c := range n.Columns {
			listed[foldName(dbt.ColumnKey(c.Name))] = true
		}
		// Most entries list only the columns a team tests or describes: what the model's own
		// select list names, though part of it is unknown, is there too.
		if inferred != nil {
			for _, c := range inferred.Columns {
				if !c.Unnamed && !listed[foldName(c.Name)] {
					out = append(out, c)
				}
			}
		}
		return out, true, "properties"
	}
	if s != nil && s.source != nil {
		// inferSource already tried properties, catalog and warehouse
		if inferred != nil {
			return inferred.Columns, false, ""
		}
		return nil, false, ""
	}
	if cols := inf.fromCatalog(id); len(cols) > 0 {
		return cols, true, "catalog"
	}
	if n := inf.node(id); n != nil {
		ident := n.Alias
		if ident == "" {
			ident = n.Name
		}
		if cols := inf.describe(id, n.Database, n.Schema, ident); len(cols) > 0 {
			return cols, true, "warehouse"
		}
	}
	if inferred != nil {
		return inferred.Columns, false, ""
	}
	return nil, false, ""
}

// inferSeed lists a seed's columns from its CSV header, typed by column_types, then by
// property-file data_type, then by what the values look like.
func (inf *inferrer) inferSeed(n *dbt.Node) *Node {
	out := &Node{UniqueID: n.UniqueID, Origin: "seed"}
	header := n.SeedColumns
	var sample [][]string
	if n.FilePath != "" {
		h, rows, err := readCSVSample(n.FilePath, 500)
		if err == nil {
			if len(header) == 0 {
				header = h
			}
			sample = rows
		}
	}
	if len(header) == 0 {
		if len(n.Columns) > 0 {
			out.Origin = "properties"
			out.Columns = inf.declaredColumns(n.UniqueID, n.Columns)
			return out
		}
		out.Origin = ""
		out.Unresolved = append(out.Unresolved, Problem{Pos: dbt.Pos{Path: n.OriginalFilePath}, Kind: "no-columns",
			Reason: "seed has no readable CSV header"})
		return out
	}
	colTypes := map[string]string{}
	if ct, ok := n.Config["column_types"].(map[string]any); ok {
		for k, v := range ct {
			if s, ok := v.(string); ok {
				colTypes[foldName(k)] = s
			}
		}
	}
	declaredTypes := map[string]*dbt.Column{}
	for _, c := range n.Columns {
		declaredTypes[foldName(c.Name)] = c
	}
	for i, h := range header {
		c := &Column{Name: h, Pos: dbt.Pos{Path: n.OriginalFilePath, Line: 1, Column: 1}, Lineage: []ColumnRef{}}
		if t, ok := colTypes[foldName(h)]; ok {
			c.DataType = normalizeType(t)
		} else if d := declaredTypes[foldName(h)]; d != nil && d.DataType != "" {
			c.DataType = normalizeType(d.DataType)
		} else {
			c.DataType = inf.seedValueType(sample, i)
		}
		if d := declaredTypes[foldName(h)]; d != nil {
			c.Pos = d.Pos
		}
		out.Columns = append(out.Columns, c)
	}
	return out
}

func readCSVSample(path string, rows int) ([]string, [][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		return nil, nil, err
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	var out [][]string
	for len(out) < rows {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			break
		}
		out = append(out, rec)
	}
	return header, out, nil
}

// seedValueType guesses a seed column's type the way dbt's agate-based seed loader does:
// integers, decimals, booleans, dates and datetimes, else text. Empty values are ignored.
func (inf *inferrer) seedValueType(rows [][]string, col int) string {
	isInt, isNum, isBool, isDate, isTS := true, true, true, true, true
	seen := false
	for _, r := range rows {
		if col >= len(r) {
			continue
		}
		v := strings.TrimSpace(r[col])
		if v == "" || strings.EqualFold(v, "null") {
			continue
		}
		seen = true
		if isInt {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				isInt = false
			}
		}
		if isNum {
			if _, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", ""), 64); err != nil {
				isNum = false
			}
		}
		if isBool {
			switch strings.ToLower(v) {
			case "true", "false", "yes", "no", "t", "f":
			default:
				isBool = false
			}
		}
		if isDate {
			if _, err := time.Parse("2006-01-02", v); err != nil {
				isDate = false
			}
		}
		if isTS {
			if !parsesTimestamp(v) {
				isTS = false
			}
		}
	}
	switch {
	case !seen:
		return inf.d.types.str
	case isInt:
		return inf.d.types.integer
	case isNum:
		return inf.d.types.float
	case isBool:
		return inf.d.types.boolean
	case isDate:
		return inf.d.types.date
	case isTS:
		return inf.d.types.timestamp
	}
	return inf.d.types.str
}

func parsesTimestamp(v string) bool {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999",
		"2006-01-02T15:04:05.999999", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05.999999Z07:00", "2006-01-02T15:04:05.999999Z07:00"} {
		if _, err := time.Parse(layout, v); err == nil {
			return true
		}
	}
	return false
}
