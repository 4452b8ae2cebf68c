package dbt

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// buildSources creates one Source per source table of every package. A root-project source
// with `overrides: <package>` replaces fields of that package's source of the same name.
func (l *loader) buildSources() {
	type item struct {
		def *sourceDef
		pkg *pkgState
	}
	var defs []item
	overrides := map[string]*sourceDef{} // package.source → override
	for _, pr := range l.props {
		for _, s := range pr.Sources {
			if s.Overrides != "" {
				overrides[s.Overrides+"."+s.Name] = s
				continue
			}
			defs = append(defs, item{s, s.File.pkg})
		}
	}
	l.p.DisabledSources = map[string]*Source{}
	for _, it := range defs {
		sd, ps := it.def, it.pkg
		pkg := ps.pkg.Name
		fields := sd.Fields
		srcCfg := sd.Config
		ov := overrides[pkg+"."+sd.Name]
		if ov != nil {
			fields = mergeTrees(fields, ov.Fields)
			srcCfg = cloneConfig(srcCfg)
			mergeConfig(srcCfg, ov.Config)
		}
		file := sd.File
		for _, t := range sd.Tables {
			tfields := t.Fields
			tcfg := t.Config
			cols := t.Columns
			tests := t.Tests
			if ov != nil {
				for _, ot := range ov.Tables {
					if ot.Name == t.Name {
						tfields = mergeTrees(tfields, ot.Fields)
						tcfg = cloneConfig(tcfg)
						mergeConfig(tcfg, ot.Config)
						if len(ot.Columns) > 0 {
							cols = ot.Columns
						}
						tests = append(append([]*TestDef(nil), tests...), ot.Tests...)
					}
				}
			}
			render := func(v any) string {
				if v == nil {
					return ""
				}
				r := l.renderValue(pkg, t.Pos, v)
				if r == nil {
					return ""
				}
				return strings.TrimSpace(fmt.Sprint(r))
			}
			// dbt renders a property file's names like its other fields: an Airbyte-generated
			// project names its tables "{{ env_var('CTA_DATASET_ID', 'not-set') ~ '_raw__stream_x' }}"
			// and its models call source() with the same expression.
			srcName, tName := sd.Name, t.Name
			if hasJinja(srcName) {
				srcName = render(srcName)
			}
			if hasJinja(tName) {
				tName = render(tName)
			}
			s := &Source{
				UniqueID: "source." + pkg + "." + srcName + "." + tName, Package: pkg, SourceName: srcName, Name: tName,
				OriginalFilePath: file.rel, Pos: t.Pos, Loader: render(fields["loader"]),
				SourceDescription: l.resolveDocs(pkg, str(fields["description"])),
				Description:       l.resolveDocs(pkg, str(tfields["description"])),
			}
			s.FQN = fqnFor(pkg, file.pathRel, srcName, false)
			s.FQN = append(s.FQN, tName)
			cfg := map[string]any{"enabled": true}
			if tree := ps.pf.Trees["sources"]; tree != nil && !ps.pkg.IsRoot {
				treeConfig(cfg, tree, s.FQN)
			}
			if tree := l.root.pf.Trees["sources"]; tree != nil {
				treeConfig(cfg, tree, s.FQN)
			}
			mergeConfig(cfg, l.renderConfig(pkg, t.Pos, srcCfg))
			mergeConfig(cfg, l.renderConfig(pkg, t.Pos, tcfg))
			s.Config = cfg
			s.Database = firstNonEmpty(render(tfields["database"]), render(fields["database"]), render(fields["project"]), l.target.Database)
			s.Schema = firstNonEmpty(render(tfields["schema"]), render(fields["schema"]), render(fields["dataset"]), srcName)
			s.Identifier = firstNonEmpty(render(tfields["identifier"]), tName)
			s.LoadedAtField = firstNonEmpty(render(tfields["loaded_at_field"]), render(fields["loaded_at_field"]))
			if f, ok := tfields["freshness"].(map[string]any); ok {
				s.Freshness = f
			} else if f, ok := fields["freshness"].(map[string]any); ok {
				s.Freshness = f
			}
			s.Meta = map[string]any{}
			for _, m := range []any{fields["meta"], tfields["meta"], cfg["meta"]} {
				if mm, ok := m.(map[string]any); ok {
					for k, v := range mm {
						s.Meta[k] = v
					}
				}
			}
			s.Tags = unionStrings(unionStrings(toStrings(fields["tags"]), toStrings(tfields["tags"])), toStrings(cfg["tags"]))
			q := mergedQuoting(l.p.Quoting, fields["quoting"])
			if tq, ok := tfields["quoting"].(map[string]any); ok {
				for k, v := range tq {
					q[k] = v
				}
			}
			s.Quoting = q
			s.External = tfields["external"]
			s.PatchPath = pkg + "://" + file.rel
			l.checkDocs(t.Pos, pkg, str(tfields["description"]))
			for _, c := range cols {
				cc := *c
				cc.Description = l.resolveDocs(pkg, c.Description)
				if cc.Description != c.Description {
					cc.DocDescription = c.Description
				}
				l.checkDocs(c.Pos, pkg, c.Description)
				s.Columns = append(s.Columns, &cc)
			}
			s.Tests = tests
			s.RelationName = RelationName(l.target.Type, q, jinja.Relation{Database: s.Database, Schema: s.Schema, Identifier: s.Identifier})
			if !configBool(cfg, "enabled", true) {
				l.p.DisabledSources[s.UniqueID] = s
				continue
			}
			if prev, dup := l.p.Sources[s.UniqueID]; dup {
				l.warn(s.Pos, "duplicate-source", "source %s.%s is declared twice (also at %s:%d)", srcName, tName, prev.Pos.Path, prev.Pos.Line)
				continue
			}
			l.p.Sources[s.UniqueID] = s
		}
	}
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

var (
	refCallRE    = lazyregexp.New(`\bref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?(?:,\s*(?:v|version)\s*=\s*['"]?([\w.]+)['"]?\s*)?\)`)
	sourceCallRE = lazyregexp.New(`\bsource\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)`)
)

// callsIn finds ref() and source() calls in a YAML string (exposure depends_on, test
// arguments such as relationships' `to:`).
func callsIn(s string) ([]jinja.Ref, []jinja.SourceRef) {
	var refs []jinja.Ref
	var srcs []jinja.SourceRef
	for _, m := range refCallRE.FindAllStringSubmatch(s, -1) {
		r := jinja.Ref{Name: m[1], Version: m[3]}
		if m[2] != "" {
			r.Package, r.Name = m[1], m[2]
		}
		refs = append(refs, r)
	}
	for _, m := range sourceCallRE.FindAllStringSubmatch(s, -1) {
		srcs = append(srcs, jinja.SourceRef{Source: m[1], Table: m[2]})
	}
	return refs, srcs
}

// buildExposures creates exposures with their depends_on.
func (l *loader) buildExposures() {
	for _, pr := range l.props {
		for _, x := range pr.Exposures {
			pkg := x.File.pkg.pkg.Name
			e := &ExposureNode{
				UniqueID: "exposure." + pkg + "." + x.Name, Package: pkg, Name: x.Name,
				Type: str(x.Fields["type"]), Description: l.resolveDocs(pkg, str(x.Fields["description"])),
				Maturity: str(x.Fields["maturity"]), URL: str(x.Fields["url"]),
				OriginalFilePath: x.File.rel, Pos: x.Pos, Config: x.Config, Meta: map[string]any{}, Tags: []string{},
			}
			if o, ok := x.Fields["owner"].(map[string]any); ok {
				e.Owner = o
			}
			if m, ok := x.Fields["meta"].(map[string]any); ok {
				e.Meta = m
			}
			e.Tags = unionStrings(toStrings(x.Fields["tags"]), toStrings(x.Config["tags"]))
			e.FQN = fqnFor(pkg, x.File.pathRel, x.Name, false)
			for _, d := range x.Refs {
				refs, srcs := callsIn(d)
				if len(refs) == 0 && len(srcs) == 0 {
					l.warn(x.Pos, "exposure-depends-on", "exposure %s: cannot read depends_on entry %q (expected ref('...') or source('...', '...'))", x.Name, d)
				}
				for i := range refs {
					refs[i].Pos = jinja.Position{Line: x.Pos.Line, Column: x.Pos.Column}
				}
				for i := range srcs {
					srcs[i].Pos = jinja.Position{Line: x.Pos.Line, Column: x.Pos.Column}
				}
				e.Refs = append(e.Refs, refs...)
				e.SourceRefs = append(e.SourceRefs, srcs...)
			}
			if !configBool(x.Config, "enabled", true) {
				continue
			}
			if _, dup := l.p.Exposures[e.UniqueID]; dup {
				l.warn(x.Pos, "duplicate-exposure", "exposure %s is declared twice", x.Name)
				continue
			}
			l.p.Exposures[e.UniqueID] = e
		}
	}
}

// sortedSources returns the sources ordered by unique id.
func sortedSources(m map[string]*Source) []*Source {
	out := make([]*Source, 0, len(m))
	for _, s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UniqueID < out[j].UniqueID })
	return out
}
