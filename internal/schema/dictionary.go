package schema

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// Dictionary maps column names to the team's standard descriptions. Names compare
// case-insensitively.
type Dictionary struct {
	Path    string
	entries map[string]string
	lines   map[string]int // the line of each entry, where known
}

// Locate returns where a column's entry is written: the file and, where known, its line.
func (d *Dictionary) Locate(column string) string {
	if d == nil {
		return ""
	}
	return posString(d.Path, d.lines[strings.ToLower(column)])
}

// Lookup returns the description for a column name.
func (d *Dictionary) Lookup(column string) (string, bool) {
	if d == nil {
		return "", false
	}
	s, ok := d.entries[strings.ToLower(column)]
	return s, ok
}

// Len is the number of entries.
func (d *Dictionary) Len() int {
	if d == nil {
		return 0
	}
	return len(d.entries)
}

// LoadDictionary reads a data dictionary at path, relative to the project directory root: a
// CSV file with `column,description` records (a header row naming those is skipped), or a YAML
// file that is a mapping of column to description, or has such a mapping under a `columns:`
// key, or a list of {name, description}. A path that is absolute, climbs out of the project or
// leads out of it through a symbolic link is refused unread. Errors name the file and line.
func LoadDictionary(root, path string) (*Dictionary, error) {
	if !fsconfine.Local(path) {
		return nil, fmt.Errorf("%s %w", path, fsconfine.ErrOutside)
	}
	data, err := fsconfine.ReadFile(root, path)
	if errors.Is(err, fsconfine.ErrOutside) {
		return nil, fmt.Errorf("%s %w", path, fsconfine.ErrOutside)
	}
	if err != nil {
		return nil, err
	}
	d := &Dictionary{Path: path, entries: map[string]string{}, lines: map[string]int{}}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		err = d.readCSV(data)
	case ".yml", ".yaml":
		err = d.readYAML(data)
	default:
		return nil, fmt.Errorf("%s: data dictionary must be .csv, .yml or .yaml", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	if len(d.lines) == 0 {
		d.locateYAML(data)
	}
	return d, nil
}

func (d *Dictionary) readCSV(data []byte) error {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.Comment = '#'
	first := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("%d: %v", pe.Line, pe.Err)
			}
			return fmt.Errorf("%d: %v", line, err)
		}
		if first {
			first = false
			if len(rec) >= 2 && isHeader(rec[0], "column", "name", "column_name") && isHeader(rec[1], "description", "desc") {
				continue
			}
		}
		if len(rec) < 2 {
			return fmt.Errorf("%d: want `column,description`, got %d field(s)", line, len(rec))
		}
		name := strings.TrimSpace(rec[0])
		if name == "" {
			return fmt.Errorf("%d: empty column name", line)
		}
		d.entries[strings.ToLower(name)] = strings.TrimSpace(rec[1])
		d.lines[strings.ToLower(name)] = line
	}
}

func isHeader(s string, names ...string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, n := range names {
		if s == n {
			return true
		}
	}
	return false
}

func (d *Dictionary) readYAML(data []byte) error {
	var v any
	if err := yamllimit.Unmarshal(data, &v); err != nil {
		// goccy's messages start with [line:col]; keep them.
		return fmt.Errorf(" %v", err)
	}
	if m, ok := v.(map[string]any); ok {
		if cols, ok := m["columns"]; ok && len(m) == 1 {
			v = cols
		}
	}
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			s, ok := val.(string)
			if !ok {
				if mm, isMap := val.(map[string]any); isMap {
					s, ok = mm["description"].(string)
				}
			}
			if !ok {
				return fmt.Errorf(" entry %q: description must be a string", k)
			}
			d.entries[strings.ToLower(k)] = strings.TrimSpace(s)
		}
	case []any:
		for i, item := range t {
			m, ok := item.(map[string]any)
			name, _ := m["name"].(string)
			desc, _ := m["description"].(string)
			if !ok || name == "" {
				return fmt.Errorf(" item %d: want {name, description}", i+1)
			}
			d.entries[strings.ToLower(name)] = strings.TrimSpace(desc)
		}
	case nil:
	default:
		return fmt.Errorf(" want a mapping of column to description")
	}
	return nil
}

// locateYAML finds the line of each entry of a YAML dictionary: the first line that names it
// as a key (`customer_id:`) or as a list item's name (`- name: customer_id`).
func (d *Dictionary) locateYAML(data []byte) {
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		t = strings.TrimSpace(strings.TrimPrefix(t, "-"))
		if rest, ok := strings.CutPrefix(t, "name:"); ok {
			t = strings.TrimSpace(rest)
		} else if k, _, ok := strings.Cut(t, ":"); ok {
			t = k
		} else {
			continue
		}
		k := strings.ToLower(strings.Trim(strings.TrimSpace(t), `"'`))
		if _, known := d.entries[k]; known && d.lines[k] == 0 {
			d.lines[k] = i + 1
		}
	}
}
