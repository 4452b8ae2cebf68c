package dbt

import (
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/jinja"
)

// Compiling in the same render as parsing: while rendering, every ref(), source() and `this`
// gets a relation whose parts are placeholder tokens; once every node's config (and so every
// relation) is known, the tokens in the output are replaced by the real parts and the offset
// map is shifted to match. This saves a second render of every node. Tokens are built from
// private-use characters and digits, which no case or trim filter changes; output where a token
// was cut or altered (e.g. a slice of ref('x').identifier) is detected and that node alone is
// rendered again with the real relations.

const (
	phOpen  = '\ue000'
	phClose = '\ue001'
)

// Placeholder parts.
const (
	phDatabase = '0'
	phSchema   = '1'
	phIdent    = '2'
)

// phEntry is one relation a render asked for.
type phEntry struct {
	this          bool
	ref           jinja.Ref
	source, table string
	isSource      bool
}

// phResolver hands out placeholder relations for one node's render. A render runs on one
// goroutine, so it needs no lock.
type phResolver struct {
	entries []phEntry
	// read: the render read a part as a string (this.name, ref('x').schema), and may have
	// branched on it (this.name.startswith('stg_')), which the token's text would answer
	// wrongly: the node is rendered again with the real relations.
	read bool
}

// phToken is open, part, index, the case marker "xY", close. The marker shows what a case
// filter did to the token: "XY" upper, "xy" lower, anything else (capitalize, title) makes the
// node render again.
func phToken(part byte, idx int) string {
	return string(phOpen) + string(part) + strconv.Itoa(idx) + "xY" + string(phClose)
}

func (r *phResolver) relation(e phEntry) jinja.Relation {
	idx := len(r.entries)
	r.entries = append(r.entries, e)
	return jinja.Relation{Database: phToken(phDatabase, idx), Schema: phToken(phSchema, idx), Identifier: phToken(phIdent, idx),
		PartRead: &r.read}
}

func (r *phResolver) Ref(pkg, name, version string) (jinja.Relation, bool) {
	return r.relation(phEntry{ref: jinja.Ref{Package: pkg, Name: name, Version: version}}), true
}

func (r *phResolver) Source(source, table string) (jinja.Relation, bool) {
	return r.relation(phEntry{isSource: true, source: source, table: table}), true
}

// this must be entry 0, taken before the render starts.
func (r *phResolver) this() jinja.Relation { return r.relation(phEntry{this: true}) }

// resolvedParts is what a placeholder entry stands for once the graph is known.
type resolvedParts struct {
	db, schema, ident string
	ephemeral         bool
	name              string // the node's name, which an ephemeral CTE is named after
	// quote is the relation's own quoting (a source's `quoting:`), which the adapter's policy
	// the placeholder was printed with may lack.
	quote jinja.QuotePolicy
}

func (l *loader) resolveEntry(n *Node, e phEntry) resolvedParts {
	switch {
	case e.this:
		rel := nodeRelation(n)
		return resolvedParts{db: rel.Database, schema: rel.Schema, ident: rel.Identifier, ephemeral: isEphemeral(n), name: n.Name}
	case e.isSource:
		if s := l.ix.source(n.Package, jinja.SourceRef{Source: e.source, Table: e.table}); s != nil {
			return resolvedParts{db: s.Database, schema: s.Schema, ident: s.Identifier, quote: QuotePolicy(l.target.Type, s.Quoting)}
		}
		return resolvedParts{schema: e.source, ident: e.table}
	default:
		t, _ := l.ix.ref(n.Package, e.ref)
		if t == nil && n.Disabled {
			t = l.ix.refAny(n.Package, e.ref)
		}
		if t != nil {
			rel := nodeRelation(t)
			return resolvedParts{db: rel.Database, schema: rel.Schema, ident: rel.Identifier, ephemeral: isEphemeral(t), name: t.Name}
		}
		return resolvedParts{ident: e.ref.Name}
	}
}

func isEphemeral(n *Node) bool { return configString(n.Config, "materialized") == "ephemeral" }

// substitute replaces the tokens of out. It reports false when a token is malformed or names
// no entry, so the caller renders the node again instead.
func (l *loader) substitute(n *Node, ph *phResolver, r *jinja.Result) (string, *jinja.OffsetMap, bool) {
	out := r.Output
	if !strings.ContainsRune(out, phOpen) {
		if strings.ContainsRune(out, phClose) {
			return "", nil, false
		}
		return out, r.Map, true
	}
	parts := make([]resolvedParts, len(ph.entries))
	done := make([]bool, len(ph.entries))
	res, spans, ok := replaceTokens(out, len(ph.entries), quoteChar(l.target.Type)[0], func(idx int) resolvedParts {
		if !done[idx] {
			parts[idx] = l.resolveEntry(n, ph.entries[idx])
			done[idx] = true
		}
		return parts[idx]
	})
	if !ok {
		return "", nil, false
	}
	return res, shiftMap(r.Map, spans), true
}

// readable replaces the tokens in a message (a compiler error that printed `this` or a ref)
// with what the render knew: this's relation before the graph was built (thisRel, asked only
// when the message printed it), a ref's model name, a source's name and table. Messages are
// read by people; a token shows them nothing. A message whose tokens cannot be read is left as
// it is.
func (r *phResolver) readable(msg string, thisRel func() jinja.Relation, q byte) string {
	if r == nil || !strings.ContainsRune(msg, phOpen) {
		return msg
	}
	out, _, ok := replaceTokens(msg, len(r.entries), q, func(idx int) resolvedParts {
		switch e := r.entries[idx]; {
		case e.this:
			this := thisRel()
			return resolvedParts{db: this.Database, schema: this.Schema, ident: this.Identifier}
		case e.isSource:
			return resolvedParts{schema: e.source, ident: e.table}
		default:
			return resolvedParts{ident: e.ref.Name}
		}
	})
	if !ok {
		return msg
	}
	return out
}

// replaceTokens replaces each token of out with its part of the relation partsOf gives its
// entry: quoted as q quotes (a quote inside doubled), in the case its marker asks; an empty
// part, or a database or schema of an ephemeral model, is dropped with its quotes and the dot
// after it. It returns the new text and the replaced ranges of out; false when a token is
// malformed, names none of the entries, or a token character is left over.
func replaceTokens(out string, entries int, q byte, partsOf func(idx int) resolvedParts) (string, []span, bool) {
	type edit struct {
		start, end int // replaced range of the old output
		text       string
	}
	var edits []edit
	i := 0
	for i < len(out) {
		j := strings.IndexRune(out[i:], phOpen)
		if j < 0 {
			break
		}
		start := i + j
		body := start + len(string(phOpen))
		end := strings.IndexRune(out[body:], phClose)
		if end < 4 {
			return "", nil, false
		}
		end += body
		kind := out[body]
		marker := out[end-2 : end]
		idx, err := strconv.Atoi(out[body+1 : end-2])
		if err != nil || idx < 0 || idx >= entries {
			return "", nil, false
		}
		p := partsOf(idx)
		tokEnd := end + len(string(phClose))
		quoted := start > 0 && out[start-1] == q && tokEnd < len(out) && out[tokEnd] == q
		var val string
		var quote bool
		switch kind {
		case phDatabase:
			val, quote = p.db, p.quote.Database
		case phSchema:
			val, quote = p.schema, p.quote.Schema
		case phIdent:
			val, quote = p.ident, p.quote.Identifier
			if p.ephemeral {
				val = "__dbt__cte__" + p.name
			}
		default:
			return "", nil, false
		}
		switch marker {
		case "xY":
		case "XY":
			val = strings.ToUpper(val)
		case "xy":
			val = strings.ToLower(val)
		default:
			return "", nil, false
		}
		drop := val == "" || (p.ephemeral && kind != phIdent)
		e := edit{start: start, end: tokEnd}
		switch {
		case drop:
			if quoted {
				e.start, e.end = start-1, tokEnd+1
			}
			if e.end < len(out) && out[e.end] == '.' {
				e.end++
			}
		case quoted && p.ephemeral:
			e.start, e.end, e.text = start-1, tokEnd+1, val
		case quoted:
			// the quotes around the token stay; only the name's own quotes are doubled
			e.text = strings.ReplaceAll(val, string(q), string(q)+string(q))
		case quote:
			e.text = jinja.QuoteIdent(val, q)
		default:
			e.text = val
		}
		edits = append(edits, e)
		i = tokEnd
	}
	var b strings.Builder
	b.Grow(len(out))
	prev := 0
	spans := make([]span, len(edits))
	for k, e := range edits {
		if e.start < prev {
			return "", nil, false
		}
		b.WriteString(out[prev:e.start])
		b.WriteString(e.text)
		prev = e.end
		spans[k] = span{start: e.start, end: e.end, newLen: len(e.text)}
	}
	b.WriteString(out[prev:])
	res := b.String()
	if strings.ContainsRune(res, phOpen) || strings.ContainsRune(res, phClose) {
		return "", nil, false
	}
	return res, spans, true
}

type span struct{ start, end, newLen int }

// shiftMap moves the segments of an offset map over replaced ranges of the output. A segment
// that contains a replaced range grows or shrinks with it and stops being a literal copy.
func shiftMap(m *jinja.OffsetMap, edits []span) *jinja.OffsetMap {
	if m == nil {
		return nil
	}
	out := &jinja.OffsetMap{Segments: make([]jinja.Segment, 0, len(m.Segments))}
	k := 0
	delta := 0
	for _, s := range m.Segments {
		ns := s
		ns.Out = s.Out + delta
		segEnd := s.Out + s.Len
		for k < len(edits) && edits[k].start < segEnd {
			e := edits[k]
			d := e.newLen - (e.end - e.start)
			ns.Len += d
			delta += d
			ns.Literal = false
			k++
		}
		if ns.Len < 0 {
			ns.Len = 0
		}
		out.Segments = append(out.Segments, ns)
	}
	return out
}
