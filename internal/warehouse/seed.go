package warehouse

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// SeedType is a column type inferred from CSV text, the way dbt's agate type tester does:
// the first of integer, numeric, date, timestamp, boolean that accepts every non-empty value,
// else text.
type SeedType int

const (
	TypeText SeedType = iota
	TypeInteger
	TypeBigInt // integers outside the 32-bit range
	TypeNumeric
	TypeBoolean
	TypeDate
	TypeTimestamp
)

func (t SeedType) String() string {
	return [...]string{"text", "integer", "bigint", "numeric", "boolean", "date", "timestamp"}[t]
}

// The cell tests are byte scanners, not regular expressions: type inference reads every cell
// of files that can hold millions of rows.

func digits(s string, i int) int {
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	return j
}

func isInteger(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	j := digits(s, i)
	return j > i && j == len(s)
}

func isNumeric(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	j := digits(s, i)
	n := j - i
	if j < len(s) && s[j] == '.' {
		k := digits(s, j+1)
		n += k - j - 1
		j = k
	}
	if n == 0 {
		return false
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			j++
		}
		k := digits(s, j)
		if k == j {
			return false
		}
		j = k
	}
	return j == len(s)
}

// fixed checks s[i:] starts with n digits.
func fixed(s string, i, n int) bool { return i+n <= len(s) && digits(s, i) >= i+n }

// isDate accepts YYYY-MM-DD.
func isDate(s string) bool {
	return len(s) == 10 && fixed(s, 0, 4) && s[4] == '-' && fixed(s, 5, 2) && s[7] == '-' && fixed(s, 8, 2)
}

// isTimestamp accepts YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z|+HH[:MM]].
func isTimestamp(s string) bool {
	if len(s) < 16 || !isDate(s[:10]) || (s[10] != ' ' && s[10] != 'T') || !fixed(s, 11, 2) || s[13] != ':' || !fixed(s, 14, 2) {
		return false
	}
	i := 16
	if i < len(s) && s[i] == ':' {
		if !fixed(s, i+1, 2) {
			return false
		}
		i += 3
		if i < len(s) && s[i] == '.' {
			j := digits(s, i+1)
			if j == i+1 {
				return false
			}
			i = j
		}
	}
	switch {
	case i == len(s):
		return true
	case s[i] == 'Z':
		return i+1 == len(s)
	case s[i] == '+' || s[i] == '-':
		if !fixed(s, i+1, 2) {
			return false
		}
		i += 3
		if i < len(s) && s[i] == ':' {
			i++
		}
		if i == len(s) {
			return true
		}
		return fixed(s, i, 2) && i+2 == len(s)
	}
	return false
}

// isNull says whether a CSV cell is NULL: empty, or the word null.
func isNull(s string) bool { return s == "" || strings.EqualFold(s, "null") }

// candidates tracks which types still accept every value seen in a column.
type candidates struct {
	integer, bigint, numeric, date, timestamp, boolean bool
	seen                                               bool
}

func newCandidates() candidates {
	return candidates{integer: true, numeric: true, date: true, timestamp: true, boolean: true}
}

func (c *candidates) observe(v string) {
	if isNull(v) {
		return
	}
	c.seen = true
	if c.integer && !isInteger(v) {
		c.integer = false
	}
	if c.integer && !c.bigint {
		if _, err := strconv.ParseInt(v, 10, 32); err != nil {
			c.bigint = true
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				c.integer = false // too large even for bigint: numeric
			}
		}
	}
	if c.numeric && !isNumeric(v) {
		c.numeric = false
	}
	if c.date && !isDate(v) {
		c.date = false
	}
	if c.timestamp && !isTimestamp(v) && !isDate(v) {
		c.timestamp = false
	}
	if c.boolean && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
		c.boolean = false
	}
}

func (c candidates) result() SeedType {
	switch {
	case !c.seen:
		return TypeText
	case c.integer && c.bigint:
		return TypeBigInt
	case c.integer:
		return TypeInteger
	case c.numeric:
		return TypeNumeric
	case c.date:
		return TypeDate
	case c.timestamp:
		return TypeTimestamp
	case c.boolean:
		return TypeBoolean
	}
	return TypeText
}

// SeedSchema is the header and inferred column types of a seed file.
type SeedSchema struct {
	Columns []string
	Types   []SeedType
	Rows    int64
}

func (s Seed) open() (io.ReadCloser, error) {
	if s.Data != nil {
		return io.NopCloser(bytes.NewReader(s.Data)), nil
	}
	path := s.File
	if path == "" {
		path = s.Path
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{Path: s.Path, Msg: err.Error()}
	}
	return f, nil
}

func (s Seed) reader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	if s.Delimiter != 0 {
		cr.Comma = s.Delimiter
	}
	cr.ReuseRecord = true
	return cr
}

func (s Seed) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &InputError{Path: s.Path, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return &InputError{Path: s.Path, Msg: err.Error()}
}

// InferSeed reads the whole file once and infers each column's type.
func InferSeed(s Seed) (*SeedSchema, error) {
	f, err := s.open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := s.reader(f)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &InputError{Path: s.Path, Line: 1, Msg: "the seed file is empty: it needs a header row"}
	}
	if err != nil {
		return nil, s.csvError(err)
	}
	sch := &SeedSchema{}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if h == "" {
			// dbt's CSV reader (agate) names a blank header after its position: a, b, ... z, aa.
			h = strings.Repeat(string(rune('a'+i%26)), i/26+1)
		}
		if seen[strings.ToLower(h)] {
			return nil, &InputError{Path: s.Path, Line: 1, Msg: "column " + strconv.Quote(h) + " appears twice in the header"}
		}
		seen[strings.ToLower(h)] = true
		sch.Columns = append(sch.Columns, h)
	}
	cands := make([]candidates, len(header))
	for i := range cands {
		cands[i] = newCandidates()
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, s.csvError(err)
		}
		sch.Rows++
		for i, v := range rec {
			cands[i].observe(v)
		}
	}
	for _, c := range cands {
		sch.Types = append(sch.Types, c.result())
	}
	return sch, nil
}

var simpleIdent = lazyregexp.New(`^[A-Za-z_][A-Za-z0-9_]*$`)

// typeName is a column type as column_types gives it ("varchar(256)", "numeric(10, 2)",
// "timestamp with time zone", "text[]"): it goes into SQL as written, so it may hold nothing
// else.
var typeName = lazyregexp.New(`^[A-Za-z_][A-Za-z0-9_]*( +[A-Za-z_][A-Za-z0-9_]*)*( *\( *[0-9]+ *(, *[0-9]+ *)?\))?( +[A-Za-z_][A-Za-z0-9_]*)*( *\[\])*$`)

// seedColumn names a seed column in SQL. Names are always quoted, so reserved words ("from",
// "at") work; without quote_columns a plain identifier keeps the meaning it has unquoted: folded
// to lower case where the warehouse folds (PostgreSQL), as written where it does not matter
// (DuckDB matches names case-insensitively).
func (e *engine) seedColumn(s Seed, name string) string {
	if s.QuoteColumns || !simpleIdent.MatchString(name) || e.d.FoldsCase() {
		return e.Quote(name)
	}
	return e.Quote(strings.ToLower(name))
}

func (e *engine) LoadSeed(ctx context.Context, s Seed) (int64, error) {
	sch, err := InferSeed(s)
	if err != nil {
		return 0, err
	}
	if err := e.EnsureSchema(ctx, s.Relation.Schema); err != nil {
		return 0, err
	}
	overrides := map[string]string{}
	for k, v := range s.ColumnTypes {
		v = strings.TrimSpace(v)
		if !typeName.MatchString(v) {
			return 0, &InputError{Path: s.Path, Msg: fmt.Sprintf("column_types: %s: %q is not a type name", k, v)}
		}
		overrides[strings.ToLower(k)] = v
	}
	defs := make([]string, len(sch.Columns))
	staged := make([]string, len(sch.Columns))
	casts := make([]string, len(sch.Columns))
	names := make([]string, len(sch.Columns))
	for i, c := range sch.Columns {
		typ := overrides[strings.ToLower(c)]
		if typ == "" {
			typ = e.d.TypeName(sch.Types[i])
		}
		names[i] = e.seedColumn(s, c)
		defs[i] = names[i] + " " + typ
		staged[i] = "c" + strconv.Itoa(i)
		// Empty cells and "null" in any case are NULL, as the type inference read them, whichever
		// way the driver staged them.
		casts[i] = "cast(case when " + staged[i] + " = '' or lower(" + staged[i] + ") = 'null' then null else " + staged[i] + " end as " + typ + ")"
	}
	stage := Relation{Name: s.Relation.Name + "__dbt_seed"}
	err = e.inTx(ctx, func(c Conn) error {
		kind, cols, err := e.describe(ctx, c, s.Relation)
		if err != nil {
			return err
		}
		if kind == KindTable && !s.FullRefresh && sameNames(cols, sch.Columns) {
			// Refill in place: PostgreSQL views built on the seed keep working.
			if err := c.Exec(ctx, "delete from "+e.Render(s.Relation)); err != nil {
				return err
			}
		} else {
			if kind != "" {
				if err := c.Exec(ctx, e.drop(kind, s.Relation)); err != nil {
					return err
				}
			}
			if err := c.Exec(ctx, "create table "+e.Render(s.Relation)+" ("+strings.Join(defs, ", ")+")"); err != nil {
				return err
			}
		}
		var sdefs []string
		for _, n := range staged {
			sdefs = append(sdefs, n+" varchar")
		}
		if err := c.Exec(ctx, "create temporary table "+e.Render(stage)+" ("+strings.Join(sdefs, ", ")+")"); err != nil {
			return err
		}
		if err := e.stage(ctx, c, s, stage, staged); err != nil {
			return err
		}
		if err := c.Exec(ctx, "insert into "+e.Render(s.Relation)+" ("+strings.Join(names, ", ")+") select "+strings.Join(casts, ", ")+" from "+e.Render(stage)); err != nil {
			return err
		}
		return c.Exec(ctx, "drop table "+e.Render(stage))
	})
	if err != nil {
		return 0, err
	}
	return sch.Rows, nil
}

func sameNames(cols []Column, names []string) bool {
	if len(cols) != len(names) {
		return false
	}
	for i := range cols {
		if !strings.EqualFold(cols[i].Name, names[i]) {
			return false
		}
	}
	return true
}

// stage fills the text staging table, through the driver's bulk CSV path when it has one.
func (e *engine) stage(ctx context.Context, c Conn, s Seed, stage Relation, cols []string) error {
	if cs, ok := c.(CSVStager); ok {
		src := CSVSource{Open: s.open, Delimiter: s.Delimiter}
		if s.Data == nil {
			src.File = s.File
			if src.File == "" {
				src.File = s.Path
			}
		}
		if src.Delimiter == 0 {
			src.Delimiter = ','
		}
		done, err := cs.StageCSV(ctx, stage, cols, src)
		if err != nil || done {
			return err
		}
	}
	return e.appendCSV(ctx, c, s, stage, cols)
}

func (e *engine) appendCSV(ctx context.Context, c Conn, s Seed, stage Relation, cols []string) error {
	f, err := s.open()
	if err != nil {
		return err
	}
	defer f.Close()
	cr := s.reader(f)
	if _, err := cr.Read(); err != nil {
		return s.csvError(err)
	}
	row := make([]any, len(cols))
	return c.Append(ctx, stage, cols, func() ([]any, bool, error) {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, s.csvError(err)
		}
		for i, v := range rec {
			if isNull(v) {
				row[i] = nil
			} else {
				row[i] = v
			}
		}
		return row, true, nil
	})
}
