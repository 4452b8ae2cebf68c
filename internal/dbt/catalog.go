package dbt

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/dataops-dev/dataops/internal/source"
)

// CatalogColumn is one column of a relation as dbt's catalog.json records it.
type CatalogColumn struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Index   int    `json:"index"`
	Comment string `json:"comment,omitempty"`
}

// CatalogEntry is one relation of catalog.json: a node or a source.
type CatalogEntry struct {
	UniqueID string
	Database string
	Schema   string
	Name     string
	Type     string          // table, view, ...
	Columns  []CatalogColumn // ordered by index
}

// Catalog is catalog.json read back: nodes and sources by unique id.
type Catalog struct {
	Nodes   map[string]*CatalogEntry
	Sources map[string]*CatalogEntry
}

type rawCatalog struct {
	Nodes   map[string]rawCatalogEntry `json:"nodes"`
	Sources map[string]rawCatalogEntry `json:"sources"`
}

type rawCatalogEntry struct {
	Metadata struct {
		Type     string  `json:"type"`
		Schema   string  `json:"schema"`
		Name     string  `json:"name"`
		Database *string `json:"database"`
		Comment  *string `json:"comment"`
	} `json:"metadata"`
	Columns  map[string]rawCatalogColumn `json:"columns"`
	UniqueID string                      `json:"unique_id"`
}

type rawCatalogColumn struct {
	Type    string  `json:"type"`
	Index   int     `json:"index"`
	Name    string  `json:"name"`
	Comment *string `json:"comment"`
}

// ReadCatalog reads a dbt catalog.json. A file that is not JSON of that shape is an
// *InputError naming the file.
func ReadCatalog(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw rawCatalog
	if err := json.Unmarshal(data, &raw); err != nil {
		msg := err.Error()
		pos := Pos{Path: path}
		if se, ok := err.(*json.SyntaxError); ok {
			pos = source.NewFile(path, string(data)).Position(int(se.Offset))
		}
		return nil, &InputError{Pos: pos, Msg: fmt.Sprintf("invalid catalog.json: %s", msg)}
	}
	conv := func(in map[string]rawCatalogEntry) map[string]*CatalogEntry {
		out := make(map[string]*CatalogEntry, len(in))
		for id, e := range in {
			ce := &CatalogEntry{UniqueID: id, Schema: e.Metadata.Schema, Name: e.Metadata.Name, Type: e.Metadata.Type}
			if e.Metadata.Database != nil {
				ce.Database = *e.Metadata.Database
			}
			for key, c := range e.Columns {
				name := c.Name
				if name == "" {
					name = key
				}
				cc := CatalogColumn{Name: name, Type: c.Type, Index: c.Index}
				if c.Comment != nil {
					cc.Comment = *c.Comment
				}
				ce.Columns = append(ce.Columns, cc)
			}
			sort.SliceStable(ce.Columns, func(i, j int) bool {
				if ce.Columns[i].Index != ce.Columns[j].Index {
					return ce.Columns[i].Index < ce.Columns[j].Index
				}
				return ce.Columns[i].Name < ce.Columns[j].Name
			})
			out[id] = ce
		}
		return out
	}
	return &Catalog{Nodes: conv(raw.Nodes), Sources: conv(raw.Sources)}, nil
}

// Lookup returns the catalog entry for a node or source id.
func (c *Catalog) Lookup(id string) *CatalogEntry {
	if c == nil {
		return nil
	}
	if e := c.Nodes[id]; e != nil {
		return e
	}
	return c.Sources[id]
}
