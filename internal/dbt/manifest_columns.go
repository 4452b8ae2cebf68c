package dbt

import (
	"bytes"

	gojson "github.com/goccy/go-json"
)

// mColumns is an entry's columns as dbt writes them in manifest.json: an object keyed by
// name in the order the property file lists them. dbt keys them by name, so a name listed
// twice keeps its first place and takes its last entry.
type mColumns struct {
	names  []string
	byName map[string]*mColumn
}

func (c *mColumns) add(col *mColumn) {
	if c.byName == nil {
		c.byName = map[string]*mColumn{}
	}
	if _, dup := c.byName[col.Name]; !dup {
		c.names = append(c.names, col.Name)
	}
	c.byName[col.Name] = col
}

func (c mColumns) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, name := range c.names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := gojson.MarshalWithOption(name, gojson.DisableHTMLEscape())
		if err != nil {
			return nil, err
		}
		v, err := gojson.MarshalWithOption(c.byName[name], gojson.DisableHTMLEscape())
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
