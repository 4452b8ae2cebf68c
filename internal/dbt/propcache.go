package dbt

import (
	"bytes"

	"github.com/dataops-dev/dataops/internal/cache"
)

// A property file's parse depends on its bytes, where it sits (positions name the file, raw
// entries carry its path and package) and the tool's build alone: nothing is rendered at this
// stage. So with a cache it is stored under that key and decoded on the next load, which costs
// a fraction of parsing the YAML again. A file that does not parse is never stored (the load
// fails on it anyway), nor one holding a value the entry format does not store.

// readPropertyFile parses f, or decodes the stored parse of the same file.
func (l *loader) readPropertyFile(f *srcFile) (*properties, error) {
	c := l.opts.Cache
	if c == nil {
		return parseProperties(f)
	}
	key := cache.NewHasher("properties").String(cache.ToolVersion()).
		String(f.rootRel).String(f.rel).String(f.pkg.pkg.Name).Bytes(f.data).Sum()
	if data, ok := c.Get(key); ok {
		if pr, err := decodeProperties(f, data); err == nil {
			return pr, nil
		}
		c.Reject()
	}
	pr, err := parseProperties(f)
	if err != nil {
		return nil, err
	}
	w := &propWriter{f: f}
	w.properties(pr)
	if w.err != nil {
		return pr, nil
	}
	data := w.b.Bytes()
	if m := l.opts.Secrets; m != nil && m.Len() > 0 && !bytes.Equal(m.Mask(data), data) {
		return pr, nil
	}
	c.Put(key, data)
	return pr, nil
}

// propWriter writes a parsed property file field by field. Lists keep the difference between
// none and empty (the manifest shows it); a version's columns taken from the model's own list
// are written as their index in it, so they stay the same *Column as after a parse.
type propWriter struct {
	entryWriter
	f   *srcFile
	err error
}

func (w *propWriter) list(n int, isNil bool) {
	if isNil {
		w.int(-1)
		return
	}
	w.int(n)
}

func (w *propWriter) pos(p Pos) {
	if p.Path == w.f.rootRel {
		w.bool(true)
	} else {
		w.bool(false)
		w.str(p.Path)
	}
	w.int(p.Line)
	w.int(p.Column)
}

func (w *propWriter) value(v any) {
	if w.err == nil {
		w.err = encodeValue(&w.b, v)
	}
}

func (w *propWriter) strings(l []string) {
	w.list(len(l), l == nil)
	for _, s := range l {
		w.str(s)
	}
}

func (w *propWriter) properties(pr *properties) {
	w.list(len(pr.Patches), pr.Patches == nil)
	for _, p := range pr.Patches {
		w.str(p.Key)
		w.str(p.Name)
		w.pos(p.Pos)
		w.str(p.Description)
		w.value(p.Config)
		w.columns(p.Columns, nil)
		w.tests(p.Tests)
		w.list(len(p.Versions), p.Versions == nil)
		for _, v := range p.Versions {
			w.str(v.V)
			w.pos(v.Pos)
			w.value(v.Config)
			w.columns(v.Columns, p.Columns)
			w.tests(v.Tests)
			w.str(v.Desc)
			w.str(v.Defined)
		}
		w.str(p.Latest)
		w.str(p.Relation)
	}
	w.list(len(pr.Sources), pr.Sources == nil)
	for _, s := range pr.Sources {
		w.str(s.Name)
		w.pos(s.Pos)
		w.str(s.Overrides)
		w.value(s.Fields)
		w.value(s.Config)
		w.list(len(s.Tables), s.Tables == nil)
		for _, t := range s.Tables {
			w.str(t.Name)
			w.pos(t.Pos)
			w.value(t.Fields)
			w.value(t.Config)
			w.columns(t.Columns, nil)
			w.tests(t.Tests)
		}
	}
	w.list(len(pr.Exposures), pr.Exposures == nil)
	for _, x := range pr.Exposures {
		w.str(x.Name)
		w.pos(x.Pos)
		w.value(x.Fields)
		w.value(x.Config)
		w.strings(x.Refs)
	}
	un := make(map[string]any, len(pr.Unparsed))
	for k, l := range pr.Unparsed {
		items := make([]any, len(l))
		for i, m := range l {
			items[i] = m
		}
		un[k] = items
	}
	w.value(un)
}

// columns writes cols; a column that is also in base is written as its index there.
func (w *propWriter) columns(cols, base []*Column) {
	w.list(len(cols), cols == nil)
	for _, c := range cols {
		shared := -1
		for i, b := range base {
			if b == c {
				shared = i
				break
			}
		}
		w.int(shared)
		if shared >= 0 {
			continue
		}
		w.str(c.Name)
		w.str(c.Description)
		w.str(c.DataType)
		w.bool(c.Quote != nil)
		if c.Quote != nil {
			w.bool(*c.Quote)
		}
		w.list(len(c.Constraints), c.Constraints == nil)
		for _, m := range c.Constraints {
			w.value(m)
		}
		w.value(c.Meta)
		w.strings(c.Tags)
		w.value(c.Config)
		w.tests(c.Tests)
		w.pos(c.Pos)
	}
}

func (w *propWriter) tests(ts []*TestDef) {
	w.list(len(ts), ts == nil)
	for _, t := range ts {
		w.str(t.Name)
		w.str(t.Namespace)
		w.value(t.Args)
		w.value(t.Config)
		w.str(t.CustomName)
		w.str(t.Key)
		w.bool(t.Nested)
		w.pos(t.Pos)
		w.str(t.Written)
	}
}

// propReader reads what propWriter wrote.
type propReader struct {
	valueReader
	f *srcFile
}

// list reads a length written by propWriter.list: -1 is none.
func (r *propReader) list() (int, bool) {
	n := r.int()
	if n == -1 {
		return 0, true
	}
	if n < 0 || n > len(r.b) {
		r.err = errValueType
		return 0, true
	}
	return n, false
}

func (r *propReader) pos() Pos {
	var p Pos
	if r.bool() {
		p.Path = r.f.rootRel
	} else {
		p.Path = r.rstr()
	}
	p.Line, p.Column = r.int(), r.int()
	return p
}

func (r *propReader) value() any {
	if r.err != nil {
		return nil
	}
	return r.valueReader.value()
}

func (r *propReader) mapValue() map[string]any {
	m, ok := r.value().(map[string]any)
	if !ok && r.err == nil {
		r.err = errValueType
	}
	return m
}

func (r *propReader) strings() []string {
	n, isNil := r.list()
	if isNil {
		return nil
	}
	out := make([]string, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		out = append(out, r.rstr())
	}
	return out
}

func decodeProperties(f *srcFile, data []byte) (*properties, error) {
	r := &propReader{valueReader: valueReader{b: data}, f: f}
	pr := &properties{}
	if n, isNil := r.list(); !isNil {
		pr.Patches = make([]*patch, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			p := &patch{File: f, Key: r.rstr(), Name: r.rstr(), Pos: r.pos(), Description: r.rstr(), Config: r.mapValue()}
			p.Columns = r.columns(nil)
			p.Tests = r.tests()
			if n, isNil := r.list(); !isNil {
				p.Versions = make([]*versionPatch, 0, n)
				for j := 0; j < n && r.err == nil; j++ {
					v := &versionPatch{V: r.rstr(), Pos: r.pos(), Config: r.mapValue()}
					v.Columns = r.columns(p.Columns)
					v.Tests = r.tests()
					v.Desc, v.Defined = r.rstr(), r.rstr()
					p.Versions = append(p.Versions, v)
				}
			}
			p.Latest, p.Relation = r.rstr(), r.rstr()
			pr.Patches = append(pr.Patches, p)
		}
	}
	if n, isNil := r.list(); !isNil {
		pr.Sources = make([]*sourceDef, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			s := &sourceDef{File: f, Name: r.rstr(), Pos: r.pos(), Overrides: r.rstr(), Fields: r.mapValue(), Config: r.mapValue()}
			if n, isNil := r.list(); !isNil {
				s.Tables = make([]*tableDef, 0, n)
				for j := 0; j < n && r.err == nil; j++ {
					t := &tableDef{Name: r.rstr(), Pos: r.pos(), Fields: r.mapValue(), Config: r.mapValue()}
					t.Columns = r.columns(nil)
					t.Tests = r.tests()
					s.Tables = append(s.Tables, t)
				}
			}
			pr.Sources = append(pr.Sources, s)
		}
	}
	if n, isNil := r.list(); !isNil {
		pr.Exposures = make([]*exposureDef, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			x := &exposureDef{File: f, Name: r.rstr(), Pos: r.pos(), Fields: r.mapValue(), Config: r.mapValue()}
			x.Refs = r.strings()
			pr.Exposures = append(pr.Exposures, x)
		}
	}
	un := r.mapValue()
	pr.Unparsed = make(map[string][]map[string]any, len(un))
	for k, v := range un {
		items, _ := v.([]any)
		l := make([]map[string]any, 0, len(items))
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, errValueType
			}
			l = append(l, m)
		}
		pr.Unparsed[k] = l
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errValueType
	}
	return pr, nil
}

func (r *propReader) columns(base []*Column) []*Column {
	n, isNil := r.list()
	if isNil {
		return nil
	}
	out := make([]*Column, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		if shared := r.int(); shared >= 0 {
			if shared >= len(base) {
				r.err = errValueType
				return nil
			}
			out = append(out, base[shared])
			continue
		}
		c := &Column{Name: r.rstr(), Description: r.rstr(), DataType: r.rstr()}
		if r.bool() {
			q := r.bool()
			c.Quote = &q
		}
		if n, isNil := r.list(); !isNil {
			c.Constraints = make([]map[string]any, 0, n)
			for j := 0; j < n && r.err == nil; j++ {
				c.Constraints = append(c.Constraints, r.mapValue())
			}
		}
		c.Meta = r.mapValue()
		c.Tags = r.strings()
		c.Config = r.mapValue()
		c.Tests = r.tests()
		c.Pos = r.pos()
		out = append(out, c)
	}
	return out
}

func (r *propReader) tests() []*TestDef {
	n, isNil := r.list()
	if isNil {
		return nil
	}
	out := make([]*TestDef, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		t := &TestDef{Name: r.rstr(), Namespace: r.rstr(), Args: r.mapValue(), Config: r.mapValue(),
			CustomName: r.rstr(), Key: r.rstr(), Nested: r.bool(), Pos: r.pos()}
		t.Written = r.rstr()
		out = append(out, t)
	}
	return out
}
