package columns

import "github.com/dataops-dev/dataops/internal/dbt"

// declaredColumns turns a property entry's column list into output columns of the node that
// declares it. A name listed twice (a copy-pasted entry) is one column, as in dbt, which keys
// an entry's columns by name: the first entry's place, and the data_type of the last entry
// that gives one.
func (inf *inferrer) declaredColumns(id string, cols []*dbt.Column) []*Column {
	out := make([]*Column, 0, len(cols))
	at := make(map[string]int, len(cols))
	for _, c := range cols {
		key := foldName(dbt.ColumnKey(c.Name))
		if i, dup := at[key]; dup {
			if t := normalizeType(c.DataType); t != "" {
				out[i].DataType = t
			}
			continue
		}
		at[key] = len(out)
		out = append(out, inf.declared(id, c))
	}
	return out
}
