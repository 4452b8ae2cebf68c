package dbt

import (
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/source"
)

var (
	docsBlockRE = lazyregexp.New(`(?s)\{%-?\s*docs\s+([A-Za-z_][\w]*)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}`)
	macroTagRE  = lazyregexp.New(`\{%-?\s*(macro|test|materialization)\s+([A-Za-z_]\w*)([^%]*)-?%\}`)
	docCallRE   = lazyregexp.New(`\{\{-?\s*doc\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*-?\}\}`)
	macroEndRE  = lazyregexp.New(`\{%-?\s*end(?:macro|test|materialization)\s*-?%\}`)
	adapterArg  = lazyregexp.New(`adapter\s*=\s*['"]([\w]+)['"]`)
)

// scanDocs finds the {% docs %} blocks of a markdown file.
func scanDocs(f *srcFile) []*Doc {
	var out []*Doc
	for _, m := range docsBlockRE.FindAllSubmatch(f.data, -1) {
		name := string(m[1])
		out = append(out, &Doc{
			UniqueID: "doc." + f.pkg.pkg.Name + "." + name, Package: f.pkg.pkg.Name, Name: name,
			Content: strings.TrimSpace(string(m[2])), OriginalFilePath: f.rel,
		})
	}
	return out
}

// scanMacros lists the macros a macro file defines, with dbt's names: `test_<name>` for
// {% test %} and `materialization_<name>_<adapter>` for materializations.
func scanMacros(f *srcFile) []*Macro {
	var out []*Macro
	src := f.data
	var file *source.File
	for _, loc := range macroTagRE.FindAllSubmatchIndex(src, -1) {
		if file == nil {
			file = source.NewFile(f.rootRel, string(src))
		}
		kind := string(src[loc[2]:loc[3]])
		name := string(src[loc[4]:loc[5]])
		rest := string(src[loc[6]:loc[7]])
		switch kind {
		case "test":
			name = "test_" + name
		case "materialization":
			adapter := "default"
			if m := adapterArg.FindStringSubmatch(rest); m != nil {
				adapter = m[1]
			}
			name = "materialization_" + name + "_" + adapter
		}
		end := len(src)
		if e := macroEndRE.FindIndex(src[loc[1]:]); e != nil {
			end = loc[1] + e[1]
		}
		out = append(out, &Macro{
			UniqueID: "macro." + f.pkg.pkg.Name + "." + name, Package: f.pkg.pkg.Name, Name: name,
			OriginalFilePath: f.rel, Pos: file.Position(loc[0]), Kind: kind,
			SQL: string(src[loc[0]:end]),
		})
	}
	return out
}

// resolveDocs replaces {{ doc('name') }} in a description with the docs block's content,
// looking in the package first, then the root project, then any package. An unknown doc is
// left as written (dbt fails the parse; we report it).
func (l *loader) resolveDocs(pkg, desc string) string {
	if !strings.Contains(desc, "doc(") {
		return desc
	}
	return docCallRE.ReplaceAllStringFunc(desc, func(call string) string {
		docPkg, name := docCallParts(docCallRE.FindStringSubmatch(call))
		if d := l.lookupDoc(pkg, docPkg, name); d != nil {
			return d.Content
		}
		return call
	})
}

// docCallParts reads a docCallRE match: doc('name') or doc('package', 'name').
func docCallParts(m []string) (pkg, name string) {
	if m[2] != "" {
		return m[1], m[2]
	}
	return "", m[1]
}

func (l *loader) lookupDoc(from, pkg, name string) *Doc {
	if pkg != "" {
		return l.p.Docs["doc."+pkg+"."+name]
	}
	if d := l.p.Docs["doc."+from+"."+name]; d != nil {
		return d
	}
	if d := l.p.Docs["doc."+l.root.pkg.Name+"."+name]; d != nil {
		return d
	}
	for _, ps := range l.pkgs {
		if d := l.p.Docs["doc."+ps.pkg.Name+"."+name]; d != nil {
			return d
		}
	}
	return nil
}

// UnknownDocs lists the docs blocks a description calls that no package of the project
// defines: copied elsewhere, such a description would break dbt's parse.
func (p *Project) UnknownDocs(desc string) []string {
	if p == nil || !strings.Contains(desc, "doc(") {
		return nil
	}
	var out []string
	for _, m := range docCallRE.FindAllStringSubmatch(desc, -1) {
		docPkg, name := docCallParts(m)
		if docPkg != "" {
			if p.Docs["doc."+docPkg+"."+name] == nil {
				out = append(out, name)
			}
			continue
		}
		found := false
		for _, d := range p.Docs {
			if d.Name == name {
				found = true
				break
			}
		}
		if !found {
			out = append(out, name)
		}
	}
	return out
}

// unknownDocs reports doc() calls that did not resolve, at the entry that holds them.
func (l *loader) checkDocs(pos Pos, pkg, desc string) {
	if !strings.Contains(desc, "doc(") {
		return
	}
	for _, m := range docCallRE.FindAllStringSubmatch(desc, -1) {
		docPkg, name := docCallParts(m)
		if l.lookupDoc(pkg, docPkg, name) == nil {
			l.warn(pos, "unknown-doc", "doc(%q) names no docs block", name)
		}
	}
}
