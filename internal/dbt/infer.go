package dbt

import (
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
)

// When a template calls a macro that no installed package defines (dbt_packages out of date,
// or a package not installed at all), the stub renders nothing and any source() the macro
// would have called is lost. Package macros that wrap source() take the source and table
// names as string arguments (e.g. union_connections(single_source_name='stripe',
// single_table_name='account')); when two string arguments of such a call name an existing
// source table, and the node reads nothing else (no ref, no source: the macro is its data),
// the node is taken to read that table, and a warning says the edge was inferred.

var stringLitRE = lazyregexp.New(`'([^'\\]*)'|"([^"\\]*)"`)

// inferSources adds source dependencies for calls to unknown macros. It runs once the sources
// are indexed.
func (l *loader) inferSources(n *Node) {
	if n.Render == nil || n.RawCode == "" || len(n.Refs) > 0 || len(n.SourceRefs) > 0 {
		return
	}
	for _, w := range n.Render.Warnings {
		if w.Kind != "unknown-macro" || w.Pos.Line <= 0 || (w.Path != "" && w.Path != n.RelPath) {
			continue
		}
		line, col := n.Template.FromFile(w.Pos.Line, w.Pos.Column)
		args := callArgs(n.RawCode, line, col)
		if args == "" {
			continue
		}
		var lits []string
		for _, m := range stringLitRE.FindAllStringSubmatch(args, -1) {
			lits = append(lits, m[1]+m[2])
		}
		for _, a := range lits {
			for _, b := range lits {
				if a == b || a == "" || b == "" {
					continue
				}
				s := l.ix.source(n.Package, jinja.SourceRef{Source: a, Table: b})
				if s == nil || slices.Contains(n.DependsOn.Nodes, s.UniqueID) {
					continue
				}
				n.SourceRefs = append(n.SourceRefs, jinja.SourceRef{Source: a, Table: b, Pos: w.Pos})
				n.DependsOn.Nodes = append(n.DependsOn.Nodes, s.UniqueID)
				l.warn(Pos{Path: n.RelPath, Line: w.Pos.Line, Column: w.Pos.Column}, "inferred-source",
					"%s; its arguments name source('%s', '%s'), taken as a dependency", strings.TrimSuffix(w.Message, "; rendered as empty"), a, b)
			}
		}
	}
}

// callArgs returns the text between the parentheses of the call that starts at line:col of
// src (1-based), or "" when there is none.
func callArgs(src string, line, col int) string {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(src[off:], '\n')
		if i < 0 {
			return ""
		}
		off += i + 1
	}
	off += col - 1
	if off < 0 || off >= len(src) {
		return ""
	}
	open := strings.IndexByte(src[off:], '(')
	if open < 0 {
		return ""
	}
	// The call must follow the name directly (dotted names and spaces only in between).
	for _, c := range src[off : off+open] {
		if !(c == '.' || c == '_' || c == ' ' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	start := off + open + 1
	depth, end := 1, -1
	unquoted(src[start:], func(i int, c byte) bool {
		switch c {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				end = start + i
				return false
			}
		}
		return true
	})
	if end < 0 {
		return ""
	}
	return src[start:end]
}

// unquoted calls fn with each byte of Jinja expression text s that is outside its quoted
// strings (where a backslash escapes the byte after it), and its index, until fn returns
// false. It reports whether s ended outside a string.
func unquoted(s string, fn func(i int, c byte) bool) bool {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case !fn(i, c):
			return true
		}
	}
	return quote == 0
}
