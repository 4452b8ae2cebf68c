package ingest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// A data dictionary is read in the shapes schema.dictionary accepts (internal/schema): a CSV
// of `column,description` (a header naming them is optional), or YAML — a mapping of column to
// description, such a mapping under `columns:`, or a list of {name, description} — and the same
// shapes in JSON. Beyond those, a CSV header or an entry may name the model (or table) and
// the data type of the column.

// dictEntry is one entry of a data dictionary.
type dictEntry struct {
	model, column, description, dataType string
	line                                 int
}

func dictionaryRecords(b *builder, name string, data []byte) error {
	var entries []dictEntry
	var err error
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		entries, err = readDictCSV(data)
	case ".json":
		var n *dnode
		if n, err = jsonTree(data); err == nil {
			entries, err = readDictTree(n)
		}
	default:
		var n *dnode
		if n, err = yamlTree(data); err == nil {
			entries, err = readDictTree(n)
		}
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.column == "" || e.description == "" {
			continue
		}
		subject := e.column
		if e.model != "" {
			subject = e.model + "." + e.column
		}
		md := memory.Metadata{Model: e.model, Column: strings.ToLower(e.column), Line: e.line,
			Extra: map[string]string{"origin": OriginDictionary, "description": e.description}}
		if e.dataType != "" {
			md.Extra["data_type"] = e.dataType
		}
		b.add(memory.KindColumnDoc, "dict\x00"+e.model+"\x00"+strings.ToLower(e.column), subject+": "+oneLine(e.description), md)
	}
	return nil
}

// lineError is a parse error at a line of the file.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("%d: %s", e.line, e.msg) }

func headerIs(s string, names ...string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, n := range names {
		if s == n {
			return true
		}
	}
	return false
}

var (
	columnHeaders = []string{"column", "name", "column_name", "field"}
	descHeaders   = []string{"description", "desc", "definition", "comment"}
	modelHeaders  = []string{"model", "table", "table_name", "model_name"}
	typeHeaders   = []string{"data_type", "type", "datatype"}
)

func readDictCSV(data []byte) ([]dictEntry, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.Comment = '#'
	col, desc, model, typ := 0, 1, -1, -1
	var out []dictEntry
	first := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &lineError{pe.Line, pe.Err.Error()}
			}
			return nil, err
		}
		line, _ := r.FieldPos(0)
		if first {
			first = false
			c, d, m, t := -1, -1, -1, -1
			for i, h := range rec {
				switch {
				case c < 0 && headerIs(h, columnHeaders...):
					c = i
				case d < 0 && headerIs(h, descHeaders...):
					d = i
				case m < 0 && headerIs(h, modelHeaders...):
					m = i
				case t < 0 && headerIs(h, typeHeaders...):
					t = i
				}
			}
			if c >= 0 && d >= 0 {
				col, desc, model, typ = c, d, m, t
				continue
			}
		}
		if len(rec) <= max(col, desc) {
			return nil, &lineError{line, fmt.Sprintf("want `column,description`, got %d field(s)", len(rec))}
		}
		e := dictEntry{column: strings.TrimSpace(rec[col]), description: strings.TrimSpace(rec[desc]), line: line}
		if model >= 0 && model < len(rec) {
			e.model = strings.TrimSpace(rec[model])
		}
		if typ >= 0 && typ < len(rec) {
			e.dataType = strings.TrimSpace(rec[typ])
		}
		out = append(out, e)
	}
}

// dnode is a YAML or JSON value with its line, enough to read a dictionary with positions.
type dnode struct {
	kind   byte // 'm' mapping, 's' sequence, 'v' scalar
	keys   []string
	vals   []*dnode
	lines  []int // line of each key
	scalar string
	isStr  bool
	line   int
}

func (n *dnode) get(keys ...string) *dnode {
	if n == nil || n.kind != 'm' {
		return nil
	}
	for i, k := range n.keys {
		for _, want := range keys {
			if strings.EqualFold(k, want) {
				return n.vals[i]
			}
		}
	}
	return nil
}

func (n *dnode) str() string {
	if n == nil || n.kind != 'v' {
		return ""
	}
	return n.scalar
}

func readDictTree(n *dnode) ([]dictEntry, error) {
	if n == nil {
		return nil, nil
	}
	if c := n.get("columns"); c != nil && len(n.keys) == 1 {
		n = c
	}
	var out []dictEntry
	switch n.kind {
	case 'm':
		for i, k := range n.keys {
			v := n.vals[i]
			e := dictEntry{column: k, line: n.lines[i]}
			switch v.kind {
			case 'v':
				e.description = v.scalar
			case 'm':
				e.description = v.get(descHeaders...).str()
				e.model = v.get(modelHeaders...).str()
				e.dataType = v.get(typeHeaders...).str()
			default:
				return nil, &lineError{n.lines[i], fmt.Sprintf("entry %q: want a description", k)}
			}
			out = append(out, e)
		}
	case 's':
		for i, item := range n.vals {
			name := item.get(columnHeaders...).str()
			if item.kind != 'm' || name == "" {
				return nil, &lineError{item.line, fmt.Sprintf("item %d: want {name, description}", i+1)}
			}
			out = append(out, dictEntry{column: name, description: item.get(descHeaders...).str(),
				model: item.get(modelHeaders...).str(), dataType: item.get(typeHeaders...).str(), line: item.line})
		}
	case 'v':
		if n.scalar != "" || n.isStr {
			return nil, &lineError{n.line, "want a mapping of column to description"}
		}
	}
	return out, nil
}

// yamlTree parses YAML with the limits every YAML a change can bring is read under.
func yamlTree(data []byte) (n *dnode, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("invalid YAML: %v", r)
		}
	}()
	f, _, err := yamllimit.Parse(data, yamllimit.MaxNodes, parser.AllowDuplicateMapKey())
	if err != nil {
		var le *yamllimit.Error
		if errors.As(err, &le) {
			return nil, &lineError{le.Line, le.Msg}
		}
		msg := err.Error()
		var ye yaml.Error
		if errors.As(err, &ye) {
			msg = ye.GetMessage()
		}
		return nil, &lineError{yamlErrLine(err), "invalid YAML: " + strings.SplitN(msg, "\n", 2)[0]}
	}
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			return yamlNode(doc.Body, 0), nil
		}
	}
	return nil, nil
}

func yamlErrLine(err error) int {
	var ye yaml.Error
	if errors.As(err, &ye) {
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			return tk.Position.Line
		}
	}
	return 1
}

func nodeLine(n ast.Node) int {
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			return tk.Position.Line
		}
	}
	return 0
}

func yamlNode(n ast.Node, depth int) *dnode {
	if n == nil || depth > 100 {
		return &dnode{kind: 'v'}
	}
	switch v := n.(type) {
	case *ast.DocumentNode:
		return yamlNode(v.Body, depth+1)
	case *ast.AnchorNode:
		return yamlNode(v.Value, depth+1)
	case *ast.TagNode:
		return yamlNode(v.Value, depth+1)
	case *ast.MappingNode:
		out := &dnode{kind: 'm', line: nodeLine(v)}
		for _, mv := range v.Values {
			addYAMLPair(out, mv, depth)
		}
		return out
	case *ast.MappingValueNode:
		out := &dnode{kind: 'm', line: nodeLine(v)}
		addYAMLPair(out, v, depth)
		return out
	case *ast.SequenceNode:
		out := &dnode{kind: 's', line: nodeLine(v)}
		for _, item := range v.Values {
			c := yamlNode(item, depth+1)
			if c.line == 0 {
				c.line = nodeLine(item)
			}
			out.vals = append(out.vals, c)
		}
		return out
	case *ast.StringNode:
		return &dnode{kind: 'v', scalar: v.Value, isStr: true, line: nodeLine(v)}
	case *ast.LiteralNode:
		s := ""
		if v.Value != nil {
			s = v.Value.Value
		}
		return &dnode{kind: 'v', scalar: s, isStr: true, line: nodeLine(v)}
	case *ast.NullNode:
		return &dnode{kind: 'v', line: nodeLine(v)}
	case ast.ScalarNode:
		return &dnode{kind: 'v', scalar: fmt.Sprint(v.GetValue()), line: nodeLine(v)}
	}
	return &dnode{kind: 'v', line: nodeLine(n)}
}

func addYAMLPair(out *dnode, mv *ast.MappingValueNode, depth int) {
	key := ""
	if mv.Key != nil {
		key = strings.TrimSpace(mv.Key.String())
		if sn, ok := mv.Key.(*ast.StringNode); ok {
			key = sn.Value
		}
	}
	line := nodeLine(mv.Key)
	out.keys = append(out.keys, key)
	out.lines = append(out.lines, line)
	out.vals = append(out.vals, yamlNode(mv.Value, depth+1))
	if out.line == 0 || line < out.line {
		out.line = line
	}
}

// jsonTree parses JSON keeping the line of each key and item.
func jsonTree(data []byte) (*dnode, error) {
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// The decoder's offset is the end of the last token; the next token starts after
	// whitespace, commas and colons.
	at := func() int {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		return lines.line(off)
	}
	var value func(depth int) (*dnode, error)
	value = func(depth int) (*dnode, error) {
		if depth > 100 {
			return nil, &lineError{at(), "JSON nested too deep"}
		}
		line := at()
		tok, err := dec.Token()
		if err != nil {
			return nil, &lineError{at(), "invalid JSON: " + err.Error()}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				n := &dnode{kind: 'm', line: line}
				for dec.More() {
					kl := at()
					kt, err := dec.Token()
					if err != nil {
						return nil, &lineError{at(), "invalid JSON: " + err.Error()}
					}
					k, _ := kt.(string)
					v, err := value(depth + 1)
					if err != nil {
						return nil, err
					}
					n.keys, n.lines, n.vals = append(n.keys, k), append(n.lines, kl), append(n.vals, v)
				}
				_, err := dec.Token()
				if err != nil {
					return nil, &lineError{at(), "invalid JSON: " + err.Error()}
				}
				return n, nil
			case '[':
				n := &dnode{kind: 's', line: line}
				for dec.More() {
					v, err := value(depth + 1)
					if err != nil {
						return nil, err
					}
					n.vals = append(n.vals, v)
				}
				if _, err := dec.Token(); err != nil {
					return nil, &lineError{at(), "invalid JSON: " + err.Error()}
				}
				return n, nil
			}
		case string:
			return &dnode{kind: 'v', scalar: t, isStr: true, line: line}, nil
		case nil:
			return &dnode{kind: 'v', line: line}, nil
		}
		return &dnode{kind: 'v', scalar: fmt.Sprint(tok), line: line}, nil
	}
	return value(0)
}
