package columns

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// ReadCatalog reads the columns of every node and source listed in a dbt catalog.json, in
// their warehouse order, keyed by unique id. Errors name the file.
func ReadCatalog(path string) (map[string][]CatalogColumn, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Nodes   map[string]catalogEntry `json:"nodes"`
		Sources map[string]catalogEntry `json:"sources"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: not a dbt catalog.json: %v", path, err)
	}
	out := make(map[string][]CatalogColumn, len(doc.Nodes)+len(doc.Sources))
	for _, m := range []map[string]catalogEntry{doc.Nodes, doc.Sources} {
		for id, e := range m {
			out[id] = e.ordered()
		}
	}
	return out, nil
}

type catalogEntry struct {
	Columns map[string]struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
		Name  string `json:"name"`
	} `json:"columns"`
}

func (e catalogEntry) ordered() []CatalogColumn {
	type ic struct {
		idx int
		c   CatalogColumn
	}
	l := make([]ic, 0, len(e.Columns))
	for k, c := range e.Columns {
		name := c.Name
		if name == "" {
			name = k
		}
		l = append(l, ic{c.Index, CatalogColumn{Name: name, DataType: c.Type}})
	}
	sort.Slice(l, func(i, j int) bool {
		if l[i].idx != l[j].idx {
			return l[i].idx < l[j].idx
		}
		return l[i].c.Name < l[j].c.Name
	})
	out := make([]CatalogColumn, len(l))
	for i, x := range l {
		out[i] = x.c
	}
	return out
}
