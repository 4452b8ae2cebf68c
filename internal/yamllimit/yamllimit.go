// Package yamllimit parses YAML that a pull request controls without letting it cost more than
// a real file could. goccy/go-yaml expands aliases when decoding, so nine aliases of an anchor
// that holds nine aliases of the one before... grow nine times per level (an "alias bomb"), and
// its parser takes time quadratic in how deeply flow collections nest. Parse refuses both before
// anything is expanded: it bounds flow nesting with a scan of the text, then counts the nodes
// the document holds once every alias is expanded, on the syntax tree, remembering the size of
// each anchor so the count is linear in the file.
package yamllimit

import (
	"bytes"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// MaxNodes bounds the nodes (mappings, sequences, keys and scalars) one YAML file may hold
// after alias expansion. The largest property files of real projects hold tens of thousands.
const MaxNodes = 1_000_000

// MaxBytes bounds the size of one YAML file: goccy's parser takes some sixty times the size of
// its input in memory. Real property files are at most a few hundred KiB.
const MaxBytes = 4 << 20

// MaxFlowDepth bounds how deeply flow collections ([...] and {...}) nest. The parser's time
// grows with the square of this depth; dbt's own readers refuse anything past a few hundred.
const MaxFlowDepth = 1000

// Error is YAML refused for its size or nesting. It satisfies goccy's yaml.Error, so callers
// that report a parser error's line and column report this one's too.
type Error struct {
	Line, Column int
	Msg          string
	tok          *token.Token
}

func (e *Error) Error() string { return fmt.Sprintf("[%d:%d] %s", e.Line, e.Column, e.Msg) }

// GetToken is where the input went past the limit (an alias, for an alias bomb).
func (e *Error) GetToken() *token.Token { return e.tok }

// GetMessage is the message without the position.
func (e *Error) GetMessage() string { return e.Msg }

// FormatError is the message with its position, as goccy formats its own errors without
// source.
func (e *Error) FormatError(bool, bool) string { return e.Error() }

var _ yaml.Error = (*Error)(nil)

func newError(line, col int, format string, args ...any) *Error {
	return &Error{Line: line, Column: col, Msg: fmt.Sprintf(format, args...),
		tok: &token.Token{Position: &token.Position{Line: line, Column: col}}}
}

// Stats is what Count found in a file.
type Stats struct {
	Nodes    int // nodes after alias expansion
	Literal  int // nodes as written
	Expanded int // nodes added by aliases (Nodes - Literal)
}

// Parse parses data as goccy's parser.ParseBytes does, refusing (with an *Error at the place)
// files larger than MaxBytes, flow collections nested deeper than MaxFlowDepth and documents
// holding more than limit nodes after alias expansion (limit <= 0 means MaxNodes).
func Parse(data []byte, limit int, opts ...parser.Option) (*ast.File, Stats, error) {
	if len(data) > MaxBytes {
		return nil, Stats{}, newError(1, 1, "file larger than %d MiB", MaxBytes>>20)
	}
	if err := CheckNesting(data); err != nil {
		return nil, Stats{}, err
	}
	f, err := parser.ParseBytes(data, 0, opts...)
	if err != nil {
		return nil, Stats{}, err
	}
	st, err := Count(f, limit)
	if err != nil {
		return nil, st, err
	}
	return f, st, nil
}

// Unmarshal is yaml.UnmarshalWithOptions for YAML a pull request controls: the document is
// parsed and checked as Parse does (with MaxNodes) before it is decoded.
func Unmarshal(data []byte, v any, opts ...yaml.DecodeOption) error {
	if len(data) <= unaliasedMax && bytes.IndexByte(data, '*') < 0 {
		// No alias: the document holds its nodes as written, fewer than unaliasedMax times
		// nodesPerByte, within MaxNodes. Only the nesting is checked before the decoder parses
		// it: parsing it a first time to count its nodes cost as much as the decoding.
		if err := CheckNesting(data); err != nil {
			return err
		}
		return yaml.UnmarshalWithOptions(data, v, opts...)
	}
	if _, _, err := Parse(data, MaxNodes, parser.AllowDuplicateMapKey()); err != nil {
		if _, ok := err.(*Error); ok {
			return err
		}
		// A syntax error: let the decoder report it in its own words.
	}
	return yaml.UnmarshalWithOptions(data, v, opts...)
}

// nodesPerByte bounds the nodes a document holds as written per byte of its text: an indicator
// (":", "-", "[", "{") makes a collection and an entry, its key and its value at most, either
// of them null when not written.
const nodesPerByte = 4

// unaliasedMax is the size below which a document without aliases cannot hold MaxNodes nodes.
const unaliasedMax = MaxNodes/nodesPerByte - 1

// Count counts the nodes of a parsed file after alias expansion and refuses more than limit
// (limit <= 0 means MaxNodes) with an *Error at the alias (or node) that went past it.
func Count(f *ast.File, limit int) (Stats, error) {
	if limit <= 0 {
		limit = MaxNodes
	}
	c := &counter{limit: limit, anchors: map[string]int{}}
	if f != nil {
		for _, doc := range f.Docs {
			if doc == nil || !c.walk(doc.Body) {
				break
			}
		}
	}
	return Stats{Nodes: c.total, Literal: c.literal, Expanded: c.total - c.literal}, c.err
}

type counter struct {
	limit   int
	total   int // nodes so far, aliases expanded
	literal int // nodes so far, as written
	// anchors holds the expanded size of the latest anchor of each name: an alias refers to the
	// nearest anchor of its name before it, as the decoder resolves it.
	anchors map[string]int
	err     error
}

func pos(n ast.Node) (int, int) {
	if n == nil {
		return 0, 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

// walk adds n's expanded size to the total; false stops the walk (the limit was passed).
func (c *counter) walk(n ast.Node) bool {
	if n == nil || c.err != nil {
		return c.err == nil
	}
	switch v := n.(type) {
	case *ast.DocumentNode:
		return c.walk(v.Body)
	case *ast.AnchorNode:
		before := c.total
		if !c.walk(v.Value) {
			return false
		}
		c.anchors[anchorName(v.Name)] = c.total - before
		return true
	case *ast.AliasNode:
		c.literal++
		size, ok := c.anchors[anchorName(v.Value)]
		if !ok {
			size = 1 // an unknown alias: the decoder refuses it
		}
		c.total += size
		if c.total > c.limit {
			line, col := pos(v)
			c.err = newError(line, col, "alias *%s expands the document past %d nodes (%d here); anchors reused this much are refused",
				anchorName(v.Value), c.limit, size)
			return false
		}
		return true
	case *ast.TagNode:
		return c.walk(v.Value)
	case *ast.MappingNode:
		if !c.add(v) {
			return false
		}
		for _, mv := range v.Values {
			if !c.walk(mv) {
				return false
			}
		}
		return true
	case *ast.MappingValueNode:
		// Counted as its key and its value.
		return c.walk(v.Key) && c.walk(v.Value)
	case *ast.MappingKeyNode:
		return c.walk(v.Value)
	case *ast.SequenceNode:
		if !c.add(v) {
			return false
		}
		for _, item := range v.Values {
			if !c.walk(item) {
				return false
			}
		}
		return true
	case *ast.CommentNode, *ast.CommentGroupNode:
		return true
	}
	return c.add(n)
}

func (c *counter) add(n ast.Node) bool {
	c.total++
	c.literal++
	if c.total > c.limit {
		line, col := pos(n)
		c.err = newError(line, col, "the document holds more than %d nodes", c.limit)
		return false
	}
	return true
}

func anchorName(n ast.Node) string {
	if n == nil {
		return ""
	}
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	return n.String()
}

// CheckNesting refuses flow collections nested deeper than MaxFlowDepth, from the text alone:
// a [ or { opens a flow collection inside another one, or where a block node starts (at the
// start of a line, or after "- ", ": ", "? ", an anchor or a tag). Quoted scalars, block
// scalars and comments are skipped. The scan is approximate (a plain scalar continued on a
// line that starts with "[" counts as nesting), which is why the limit is five times the depth
// dbt's readers accept at all.
func CheckNesting(data []byte) error {
	depth := 0
	line, lineStart := 1, 0
	// nodeStart: the next non-blank character would start a node.
	nodeStart := true
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '\n':
			line++
			lineStart = i + 1
			if depth == 0 {
				nodeStart = true
			}
			continue
		case ' ', '\t', '\r':
			continue
		case '#':
			if i == lineStart || data[i-1] == ' ' || data[i-1] == '\t' {
				for i < len(data) && data[i] != '\n' {
					i++
				}
				i--
				continue
			}
		case '\'', '"':
			if nodeStart {
				i = skipQuoted(data, i, &line, &lineStart)
				nodeStart = false
				continue
			}
		case '[', '{':
			if nodeStart || depth > 0 {
				depth++
				if depth > MaxFlowDepth {
					return newError(line, i-lineStart+1, "flow collections nested deeper than %d levels", MaxFlowDepth)
				}
				nodeStart = true
				continue
			}
		case ']', '}':
			if depth > 0 {
				depth--
				nodeStart = false
				continue
			}
		case ',':
			if depth > 0 {
				nodeStart = true
				continue
			}
		case '-', ':', '?':
			if depth > 0 && c == ':' {
				nodeStart = true
				continue
			}
			if i+1 >= len(data) || data[i+1] == ' ' || data[i+1] == '\n' || data[i+1] == '\r' || data[i+1] == '\t' {
				nodeStart = true
				continue
			}
		case '|', '>':
			if nodeStart && depth == 0 {
				i = skipBlockScalar(data, i, lineStart, &line, &lineStart)
				continue
			}
		case '&', '!':
			if nodeStart {
				// An anchor or a tag: the node follows it.
				for i+1 < len(data) && data[i+1] != ' ' && data[i+1] != '\n' && data[i+1] != '\t' {
					i++
				}
				continue
			}
		}
		nodeStart = false
	}
	return nil
}

// skipQuoted returns the index of the quote closing the scalar opened at data[i].
func skipQuoted(data []byte, i int, line, lineStart *int) int {
	q := data[i]
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\n':
			*line++
			*lineStart = j + 1
		case '\\':
			if q == '"' {
				j++
			}
		case q:
			if q == '\'' && j+1 < len(data) && data[j+1] == '\'' {
				j++
				continue
			}
			return j
		}
	}
	return len(data)
}

// skipBlockScalar returns the index of the last byte of the block scalar whose indicator is at
// data[i]: the rest of the indicator's line and every following line that is blank or indented
// more than the line holding the indicator.
func skipBlockScalar(data []byte, i, start int, line, lineStart *int) int {
	indent := 0
	for start+indent < len(data) && data[start+indent] == ' ' {
		indent++
	}
	j := i
	for j < len(data) && data[j] != '\n' {
		j++
	}
	for j < len(data) {
		// data[j] is the newline ending a line of the scalar.
		k := j + 1
		n := 0
		for k+n < len(data) && data[k+n] == ' ' {
			n++
		}
		if k+n < len(data) && data[k+n] != '\n' && data[k+n] != '\r' && n <= indent {
			return j - 1 // the newline is seen by the caller
		}
		*line++
		*lineStart = k
		j = k + n
		for j < len(data) && data[j] != '\n' {
			j++
		}
	}
	return len(data)
}
