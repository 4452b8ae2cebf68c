package lint

// Context is what a rule sees of one file.
type Context struct {
	Doc     *Doc
	Opts    Options
	Config  *Config
	Dialect string
	// Source is the file as written (before templating); JJ01 reads Jinja tags from it.
	Source string
	meta   *Meta
	found  []finding
	smap   *sourceMap
}

// ToSource maps a rendered offset to the source file, and says whether the byte there was
// copied literally from the source (false: Jinja generated it).
func (c *Context) ToSource(off int) (int, bool) {
	if c.smap == nil {
		return off, true
	}
	return c.smap.toSource(off)
}

// finding is a rule's report before it is mapped to the source file.
type finding struct {
	start, end int // byte offsets; rendered text unless inSource
	inSource   bool
	desc       string
	edits      []Edit // in the same coordinates as start/end
}

// Report flags token i of the rendered SQL.
func (c *Context) Report(i int, desc string, edits ...Edit) {
	t := &c.Doc.Toks[i]
	c.ReportRange(int(t.Pos), int(t.End), desc, edits...)
}

// ReportRange flags rendered bytes [start, end).
func (c *Context) ReportRange(start, end int, desc string, edits ...Edit) {
	if desc == "" {
		desc = c.meta.Description
	}
	c.found = append(c.found, finding{start: start, end: end, desc: desc, edits: edits})
}

// ReportSource flags bytes [start, end) of the source file itself.
func (c *Context) ReportSource(start, end int, desc string, edits ...Edit) {
	if desc == "" {
		desc = c.meta.Description
	}
	c.found = append(c.found, finding{start: start, end: end, inSource: true, desc: desc, edits: edits})
}

// Replace is an edit replacing token i.
func (c *Context) Replace(i int, text string) Edit {
	t := &c.Doc.Toks[i]
	return Edit{Start: int(t.Pos), End: int(t.End), Text: text}
}

// Meta is the rule being run.
func (c *Context) Meta() *Meta { return c.meta }
