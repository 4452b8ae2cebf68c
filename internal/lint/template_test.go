package lint

import "testing"

// A CRLF file renders with "\n" line ends: its literal text comes back as runs cut at each
// dropped "\r", and a span over them is still all literal (LT09 and ST06 anchor on such spans).
func TestLiteralAcrossDroppedCarriageReturns(t *testing.T) {
	src := "select a,\r\n  b\r\nfrom {{ x }}\r\n"
	// rendered: "select a,\n  b\nfrom t\n"
	segs := []Segment{
		{Out: 0, Len: 9, Src: 0, Literal: true},    // "select a,"
		{Out: 9, Len: 4, Src: 10, Literal: true},   // "\n  b"
		{Out: 13, Len: 6, Src: 15, Literal: true},  // "\nfrom "
		{Out: 19, Len: 1, Src: 21, Literal: false}, // "t" from {{ x }}
		{Out: 20, Len: 1, Src: 29, Literal: true},  // "\n"
	}
	m := newSourceMap(segs, 21, src)
	if !m.allLiteral(0, 19) {
		t.Error("a span over dropped carriage returns is literal")
	}
	if m.allLiteral(0, 20) {
		t.Error("a span over generated text is not literal")
	}
	// Without the source's carriage returns at the gaps, the pieces are not one run.
	if newSourceMap(segs, 21, "select a,X\n  bX\nfrom {{ x }}\r\n").allLiteral(0, 19) {
		t.Error("a gap holding other text is not literal")
	}
}
