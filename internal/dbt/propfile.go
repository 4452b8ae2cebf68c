package dbt

import (
	"strings"
)

// Declaration is one model, seed, snapshot, analysis, macro or source table of a property
// file, as written there.
type Declaration struct {
	Key         string // models, seeds, snapshots, analyses, macros or sources
	Name        string // the entry's name; a source table is "source.table"
	Description string // as written: a {{ doc() }} call stays a call
	Pos         Pos    // the `- name:` line
	Columns     []*Column
	Tests       []*TestDef // entry-level tests
}

// ParsePropertyFile reads one property file on its own, as the loader reads it but without a
// project: nothing is rendered and no doc() is resolved. It serves readers of files at other
// commits (history) and of files a project load would not cover. path names the file in
// positions and errors; shape errors are *InputError at the offending key.
func ParsePropertyFile(path string, data []byte) ([]*Declaration, error) {
	f := &srcFile{pkg: &pkgState{pkg: &Package{}}, rel: path, rootRel: path, data: data}
	props, err := parseProperties(f)
	if err != nil {
		return nil, err
	}
	var out []*Declaration
	for _, p := range props.Patches {
		d := &Declaration{Key: p.Key, Name: p.Name, Description: p.Description, Pos: p.Pos, Columns: p.Columns, Tests: p.Tests}
		// A version's own columns (those the base list lacks) belong to the model too.
		for _, v := range p.Versions {
			for _, c := range v.Columns {
				if !hasColumn(d.Columns, c.Name) {
					d.Columns = append(d.Columns, c)
				}
			}
		}
		out = append(out, d)
	}
	for _, s := range props.Sources {
		for _, t := range s.Tables {
			desc, _ := t.Fields["description"].(string)
			out = append(out, &Declaration{Key: "sources", Name: s.Name + "." + t.Name, Description: desc,
				Pos: t.Pos, Columns: t.Columns, Tests: t.Tests})
		}
	}
	return out, nil
}

// DocsBlock is a {% docs name %} block of a markdown file.
type DocsBlock struct {
	Name    string
	Content string // trimmed
	Line    int    // 1-based line of the opening tag
}

// DocsBlocks finds the {% docs %} blocks of a markdown file's content.
func DocsBlocks(data []byte) []DocsBlock {
	var out []DocsBlock
	line, at := 1, 0
	for _, m := range docsBlockRE.FindAllSubmatchIndex(data, -1) {
		line += strings.Count(string(data[at:m[0]]), "\n")
		at = m[0]
		out = append(out, DocsBlock{Name: string(data[m[2]:m[3]]), Content: strings.TrimSpace(string(data[m[4]:m[5]])), Line: line})
	}
	return out
}

// DocCalls lists the docs blocks a description names with {{ doc('name') }} (or
// doc('package', 'name')), by name.
func DocCalls(desc string) []string {
	if !strings.Contains(desc, "doc(") {
		return nil
	}
	var out []string
	for _, m := range docCallRE.FindAllStringSubmatch(desc, -1) {
		if m[2] != "" {
			out = append(out, m[2])
		} else {
			out = append(out, m[1])
		}
	}
	return out
}

// ReplaceDocCalls replaces each {{ doc(...) }} in desc by what lookup returns for its name;
// a name lookup does not know is left as written.
func ReplaceDocCalls(desc string, lookup func(name string) (string, bool)) string {
	if !strings.Contains(desc, "doc(") {
		return desc
	}
	return docCallRE.ReplaceAllStringFunc(desc, func(call string) string {
		m := docCallRE.FindStringSubmatch(call)
		name := m[1]
		if m[2] != "" {
			name = m[2]
		}
		if s, ok := lookup(name); ok {
			return s
		}
		return call
	})
}
