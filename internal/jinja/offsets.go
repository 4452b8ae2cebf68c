package jinja

import (
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/source"
)

// Source maps an offset in the rendered output to the template offset it came from. literal
// reports whether the output byte was copied from the template (then srcOffset is that exact
// byte); otherwise srcOffset is the start of the tag or expression that produced it. Offsets
// past the end map to the end of the last segment; an empty map maps everything to 0.
func (m *OffsetMap) Source(outOffset int) (srcOffset int, literal bool) {
	if m == nil || len(m.Segments) == 0 {
		return 0, false
	}
	segs := m.Segments
	i := sort.Search(len(segs), func(i int) bool { return segs[i].Out+segs[i].Len > outOffset })
	if i == len(segs) {
		last := segs[len(segs)-1]
		if last.Literal {
			return last.Src + last.Len, true
		}
		return last.Src, false
	}
	s := segs[i]
	if outOffset < s.Out {
		outOffset = s.Out
	}
	if s.Literal {
		return s.Src + (outOffset - s.Out), true
	}
	return s.Src, false
}

// Position is where the output byte at outOffset came from, as a line and column in src (the
// template text that was rendered).
func (m *OffsetMap) Position(src string, outOffset int) Position {
	off, _ := m.Source(outOffset)
	return PositionAt(src, off)
}

// PositionAt turns a byte offset in src into a 1-based line and column, by internal/source's
// rule: columns count characters (runes), not bytes, as editors and SQLFluff do.
func PositionAt(src string, offset int) Position {
	return positionOf(source.NewFile("", src).Position(offset))
}

func positionOf(p source.Position) Position { return Position{Line: p.Line, Column: p.Column} }

// OffsetAt is the inverse of PositionAt: the byte offset of a 1-based line and column in src.
// Positions past the end of a line or of the text are clamped.
func OffsetAt(src string, pos Position) int {
	return source.NewFile("", src).Offset(pos.Line, pos.Column)
}

// trackWriter collects the rendered output of the top-level template and, for every byte,
// where in the template it came from. Only the model's own renderer writes here: macro calls
// render into their own buffers and come back as expression values, so their text is
// attributed to the calling expression.
type trackWriter struct {
	buf     strings.Builder
	segs    []Segment
	origin  int // template offset non-literal writes are attributed to
	limit   int
	st      *renderState
	crlfOff []int // normalized offsets where a "\r" was dropped from "\r\n"
	loneCR  []int // normalized offsets of a lone "\r" the output shows as "\n"
}

func (w *trackWriter) Write(p []byte) (int, error) { return w.WriteString(string(p)) }

func (w *trackWriter) WriteString(s string) (int, error) {
	return w.write(s, w.origin, false)
}

func (w *trackWriter) writeLiteral(s string, src int) (int, error) {
	return w.write(s, src, true)
}

func (w *trackWriter) write(s string, src int, literal bool) (int, error) {
	if len(s) == 0 {
		return 0, nil
	}
	if w.buf.Len()+len(s) > w.limit {
		w.st.limitExceeded("output larger than %d bytes", w.limit)
		return 0, errAborted
	}
	out := w.buf.Len()
	w.buf.WriteString(s)
	if n := len(w.segs); n > 0 {
		last := &w.segs[n-1]
		if literal && last.Literal && last.Src+last.Len == src {
			last.Len += len(s)
			return len(s), nil
		}
		if !literal && !last.Literal && last.Src == src {
			last.Len += len(s)
			return len(s), nil
		}
	}
	w.segs = append(w.segs, Segment{Out: out, Len: len(s), Src: src, Literal: literal})
	return len(s), nil
}

// offsetMap converts the collected segments from normalized-template offsets (gonja sees
// "\r\n" as "\n") to offsets in the original text.
func (w *trackWriter) offsetMap() *OffsetMap {
	segs := w.segs
	if len(w.loneCR) > 0 {
		segs = splitAt(segs, w.loneCR)
	}
	if len(w.crlfOff) == 0 {
		return &OffsetMap{Segments: segs}
	}
	var out []Segment
	for _, s := range segs {
		if !s.Literal {
			s.Src = origOffset(w.crlfOff, s.Src)
			out = append(out, s)
			continue
		}
		// Split a literal run wherever a "\r" was dropped: on each side the mapping is still
		// byte for byte.
		start := s.Src
		end := s.Src + s.Len
		outPos := s.Out
		for start < end {
			cut := end
			i := sort.SearchInts(w.crlfOff, start+1)
			if i < len(w.crlfOff) && w.crlfOff[i] < end {
				cut = w.crlfOff[i]
			}
			out = append(out, Segment{Out: outPos, Len: cut - start, Src: origOffset(w.crlfOff, start), Literal: true})
			outPos += cut - start
			start = cut
		}
	}
	return &OffsetMap{Segments: out}
}

// normalizeNewlines turns "\r\n" into "\n" (as gonja's lexer does) and records where, so
// offsets can be mapped back. A lone "\r" becomes "\n" without shifting anything; its
// offset is recorded too, since that output byte is no longer a copy of the template's.
func normalizeNewlines(src string) (norm string, crlf, loneCR []int) {
	if strings.IndexByte(src, '\r') < 0 {
		return src, nil, nil
	}
	var b strings.Builder
	b.Grow(len(src))
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\r' {
			if i+1 < len(src) && src[i+1] == '\n' {
				crlf = append(crlf, b.Len())
				continue
			}
			loneCR = append(loneCR, b.Len())
			b.WriteByte('\n')
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), crlf, loneCR
}

// origOffset maps an offset in the normalized text back to the original text.
func origOffset(crlf []int, off int) int {
	// Every dropped "\r" at a normalized offset <= off shifted off by one.
	return off + sort.SearchInts(crlf, off+1)
}

// splitAt marks the single bytes at the given template offsets as not literal, splitting the
// literal segments that hold them.
func splitAt(segs []Segment, offs []int) []Segment {
	var out []Segment
	for _, s := range segs {
		if !s.Literal {
			out = append(out, s)
			continue
		}
		i := sort.SearchInts(offs, s.Src)
		for i < len(offs) && offs[i] < s.Src+s.Len {
			cut := offs[i] - s.Src
			if cut > 0 {
				out = append(out, Segment{Out: s.Out, Len: cut, Src: s.Src, Literal: true})
			}
			out = append(out, Segment{Out: s.Out + cut, Len: 1, Src: offs[i]})
			s = Segment{Out: s.Out + cut + 1, Len: s.Len - cut - 1, Src: s.Src + cut + 1, Literal: true}
			i++
		}
		if s.Len > 0 {
			out = append(out, s)
		}
	}
	return out
}
