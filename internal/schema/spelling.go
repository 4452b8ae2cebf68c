package schema

import (
	"path"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// nameCase is the case a new column name is written in.
type nameCase int

const (
	asSQL     nameCase = iota // as the SQL spells it
	lowerCase                 // in lower case
	upperCase                 // in upper case
)

// nameCounts counts documented column names by case: all lower, all upper, and the others
// (CustomerId). Names with nothing to fold (_1) and names that carry their identifier quotes
// ("`Order Total`", written so on purpose) are not counted.
type nameCounts struct{ lower, upper, other int }

func (c *nameCounts) add(cols []*dbt.Column) {
	for _, col := range cols {
		n := col.Name
		if strings.ToLower(n) != dbt.ColumnKey(n) {
			continue
		}
		lo, up := n == strings.ToLower(n), n == strings.ToUpper(n)
		switch {
		case lo && up:
		case lo:
			c.lower++
		case up:
			c.upper++
		default:
			c.other++
		}
	}
}

func (c nameCounts) total() int { return c.lower + c.upper + c.other }

// decide: the case nine in ten or more of the names are written in, else the SQL's spelling.
func (c nameCounts) decide() nameCase {
	switch {
	case c.lower > 0 && (c.upper+c.other)*10 <= c.lower:
		return lowerCase
	case c.upper > 0 && (c.lower+c.other)*10 <= c.upper:
		return upperCase
	}
	return asSQL
}

// nameCaseFor is the case a new column name is written in, in an entry listing cols in file:
// the entry's own names decide, else those of the file's entries, else of the folder's
// property files, else of the project (lower case when it documents no column yet). Teams on
// Snowflake often write the warehouse's upper-case names (ORDER_ID) though their SQL is lower
// case; a new column among them is written AMOUNT. Where the names mix cases, the SQL's
// spelling is kept.
func (s *synth) nameCaseFor(cols []*dbt.Column, file string) nameCase {
	var own nameCounts
	own.add(cols)
	if own.total() > 0 {
		return own.decide()
	}
	if s.namesByFile == nil {
		s.namesByFile, s.namesByDir = map[string]*nameCounts{}, map[string]*nameCounts{}
		for _, m := range s.p.Nodes {
			if m.ResourceType != dbt.Model || m.Package != s.root || m.Disabled || m.Patch == nil || m.Patch.File == "" {
				continue
			}
			f, d := m.Patch.File, path.Dir(m.Patch.File)
			if s.namesByFile[f] == nil {
				s.namesByFile[f] = &nameCounts{}
			}
			if s.namesByDir[d] == nil {
				s.namesByDir[d] = &nameCounts{}
			}
			s.namesByFile[f].add(m.Columns)
			s.namesByDir[d].add(m.Columns)
			s.namesInProject.add(m.Columns)
		}
	}
	for _, c := range []*nameCounts{s.namesByFile[file], s.namesByDir[path.Dir(file)]} {
		if c != nil && c.total() > 0 {
			return c.decide()
		}
	}
	if s.namesInProject.total() == 0 {
		// With no documented column to follow, names are written in lower case, as dbt's own
		// conventions and the snake_case standard want: unquoted, any case names the same
		// column.
		return lowerCase
	}
	return s.namesInProject.decide()
}

// spell writes a column name in the case nc says; a name the SQL quotes is written as it is.
func spell(c change.Column, nc nameCase) string {
	switch {
	case c.Quoted:
		return c.Name
	case nc == lowerCase:
		return strings.ToLower(c.Name)
	case nc == upperCase:
		return strings.ToUpper(c.Name)
	}
	return c.Name
}
