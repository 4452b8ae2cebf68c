package ingest

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	gmtext "github.com/yuin/goldmark/text"

	"github.com/dataops-dev/dataops/internal/memory"
)

// Chunk sizes: a chunk gathers the paragraphs of one section up to chunkSize characters, so a
// hit carries enough context to be useful and little enough to stay on topic; one block
// longer than maxBlock (a long table, a code listing) is cut at line ends.
const (
	chunkSize = 1500
	maxBlock  = 4000
)

// notText says why data is not a text document (binary, not UTF-8), with the line where that
// shows; "" when it is text.
func notText(data []byte) (int, string) {
	head := data[:min(len(data), 8000)]
	if i := bytes.IndexByte(head, 0); i >= 0 {
		return 1 + bytes.Count(data[:i], []byte{'\n'}), "binary file (NUL byte)"
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return 1 + bytes.Count(data[:off], []byte{'\n'}), fmt.Sprintf("not UTF-8 text (byte 0x%02x)", data[off])
	}
	return 0, ""
}

// lineIndex turns byte offsets into 1-based lines.
type lineIndex []int // offsets where lines start

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (l lineIndex) line(off int) int {
	return sort.Search(len(l), func(i int) bool { return l[i] > off })
}

// block is a piece of a document under a heading path, with the line it starts at.
type block struct {
	heading string // "Title > Section"
	text    string
	line    int
	// code marks a code listing, which belongs with the rule before it in a playbook.
	code bool
}

// headingStack keeps the path of headings above the current position.
type headingStack struct {
	levels []int
	titles []string
}

func (h *headingStack) push(level int, title string) {
	for len(h.levels) > 0 && h.levels[len(h.levels)-1] >= level {
		h.levels, h.titles = h.levels[:len(h.levels)-1], h.titles[:len(h.titles)-1]
	}
	h.levels, h.titles = append(h.levels, level), append(h.titles, title)
}

func (h *headingStack) path() string { return strings.Join(h.titles, " > ") }

// markdownBlocks splits markdown into its top-level blocks (paragraphs, lists, code, quotes,
// tables) under their headings; with items, each item of a top-level list is a block of its
// own (the rules of a playbook). Text is the source as written, list markers removed from
// items.
func markdownBlocks(src []byte, items bool) []block {
	doc := goldmark.New().Parser().Parse(gmtext.NewReader(src))
	lines := newLineIndex(src)
	// The text of a node runs from its start to the start of what follows it.
	rawBetween := func(from, to int) string {
		if to < 0 || to > len(src) {
			to = len(src)
		}
		if from < 0 || from >= to {
			return ""
		}
		from = lines[lines.line(from)-1] // whole first line, indentation and marker included
		return strings.TrimSpace(string(src[from:to]))
	}
	nextStart := func(n ast.Node) int {
		for x := n; x != nil; x = x.Parent() {
			if s := x.NextSibling(); s != nil && s.Pos() >= 0 {
				return lines[lines.line(s.Pos())-1]
			}
			if x.Parent() == doc {
				break
			}
		}
		return len(src)
	}
	var out []block
	var hs headingStack
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch v := n.(type) {
		case *ast.Heading:
			hs.push(v.Level, headingText(v, src))
			continue
		case *ast.HTMLBlock, *ast.ThematicBreak:
			continue
		case *ast.List:
			if items {
				for it := v.FirstChild(); it != nil; it = it.NextSibling() {
					text := stripMarker(rawBetween(it.Pos(), nextStart(it)))
					if text != "" {
						out = append(out, block{heading: hs.path(), text: text, line: lines.line(it.Pos())})
					}
				}
				continue
			}
		}
		if n.Pos() < 0 {
			continue
		}
		text := rawBetween(n.Pos(), nextStart(n))
		if text == "" {
			continue
		}
		_, fenced := n.(*ast.FencedCodeBlock)
		_, indented := n.(*ast.CodeBlock)
		out = append(out, block{heading: hs.path(), text: text, line: lines.line(n.Pos()), code: fenced || indented})
	}
	return out
}

func headingText(h *ast.Heading, src []byte) string {
	var b strings.Builder
	for i := 0; i < h.Lines().Len(); i++ {
		seg := h.Lines().At(i)
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(seg.Value(src))
	}
	return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(b.String()), "#"))
}

// stripMarker removes a list item's marker (-, *, +, 1., 1)) and a task box from its first
// line, and the item's indentation from the lines after it.
func stripMarker(s string) string {
	first, rest, _ := strings.Cut(s, "\n")
	t := strings.TrimLeft(first, " \t")
	indent := len(first) - len(t)
	switch {
	case strings.HasPrefix(t, "- "), strings.HasPrefix(t, "* "), strings.HasPrefix(t, "+ "):
		t = t[2:]
		indent += 2
	default:
		i := 0
		for i < len(t) && i < 9 && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i > 0 && i+1 < len(t) && (t[i] == '.' || t[i] == ')') && t[i+1] == ' ' {
			t = t[i+2:]
			indent += i + 2
		}
	}
	t = strings.TrimLeft(t, " ")
	for _, box := range []string{"[ ] ", "[x] ", "[X] "} {
		t = strings.TrimPrefix(t, box)
	}
	if rest == "" {
		return strings.TrimSpace(t)
	}
	var b strings.Builder
	b.WriteString(t)
	for _, l := range strings.Split(rest, "\n") {
		b.WriteByte('\n')
		trimmed := strings.TrimLeft(l, " ")
		cut := min(len(l)-len(trimmed), indent)
		b.WriteString(l[cut:])
	}
	return strings.TrimSpace(b.String())
}

// plainBlocks splits reStructuredText or plain text into paragraphs (blank-line separated)
// under their headings: a line underlined (and optionally overlined) with a run of one
// punctuation character at least as long as it; heading levels follow the order in which
// underline styles first appear, as reStructuredText defines them.
func plainBlocks(src []byte) []block {
	lines := strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	var out []block
	var hs headingStack
	styles := map[string]int{}
	var para []string
	paraLine := 0
	flush := func() {
		if text := strings.TrimSpace(strings.Join(para, "\n")); text != "" {
			out = append(out, block{heading: hs.path(), text: text, line: paraLine})
		}
		para = nil
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		// Overline, title, underline.
		if c, ok := adornment(l); ok && i+2 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
			if c2, ok2 := adornment(lines[i+2]); ok2 && c2 == c && len(strings.TrimSpace(lines[i+2])) >= len(strings.TrimSpace(lines[i+1])) {
				flush()
				hs.push(styleLevel(styles, "over"+string(c)), strings.TrimSpace(lines[i+1]))
				i += 2
				continue
			}
		}
		if len(para) == 0 && i+1 < len(lines) {
			if c, ok := adornment(lines[i+1]); ok && len(strings.TrimSpace(lines[i+1])) >= len(strings.TrimSpace(l)) {
				flush()
				hs.push(styleLevel(styles, string(c)), strings.TrimSpace(l))
				i++
				continue
			}
		}
		if len(para) == 0 {
			paraLine = i + 1
		}
		para = append(para, l)
	}
	flush()
	return out
}

// adornment says whether a line is a reStructuredText section adornment: at least three of
// one punctuation character and nothing else.
func adornment(l string) (byte, bool) {
	t := strings.TrimRight(l, " \t")
	if len(t) < 3 || !strings.ContainsRune("=-~^\"'`#*+:._", rune(t[0])) {
		return 0, false
	}
	for i := 1; i < len(t); i++ {
		if t[i] != t[0] {
			return 0, false
		}
	}
	return t[0], true
}

func styleLevel(styles map[string]int, style string) int {
	if l, ok := styles[style]; ok {
		return l
	}
	styles[style] = len(styles) + 1
	return styles[style]
}

// docChunks gathers blocks into chunks: consecutive blocks of one section up to chunkSize
// characters, each long block cut at line ends.
func docChunks(b *builder, blocks []block) {
	ordinal := map[string]int{}
	var cur *block
	emit := func() {
		if cur == nil {
			return
		}
		ordinal[cur.heading]++
		text := cur.text
		if cur.heading != "" {
			text = cur.heading + "\n" + text
		}
		md := memory.Metadata{Line: cur.line, Extra: map[string]string{"origin": OriginDocs}}
		if cur.heading != "" {
			md.Extra["heading"] = cur.heading
		}
		b.add(memory.KindDocChunk, fmt.Sprintf("chunk\x00%s\x00%d", cur.heading, ordinal[cur.heading]), text, md)
		cur = nil
	}
	for _, bl := range splitLong(blocks) {
		if cur != nil && (cur.heading != bl.heading || len(cur.text)+len(bl.text) > chunkSize) {
			emit()
		}
		if cur == nil {
			c := bl
			cur = &c
			continue
		}
		cur.text += "\n\n" + bl.text
	}
	emit()
}

// splitLong cuts blocks longer than maxBlock at line ends.
func splitLong(blocks []block) []block {
	var out []block
	for _, bl := range blocks {
		for len(bl.text) > maxBlock {
			cut := strings.LastIndexByte(bl.text[:maxBlock], '\n')
			if cut <= 0 {
				cut = maxBlock
				for cut > 0 && !utf8.RuneStart(bl.text[cut]) {
					cut--
				}
			}
			head := bl
			head.text = strings.TrimSpace(bl.text[:cut])
			out = append(out, head)
			rest := bl.text[cut:]
			trimmed := strings.TrimLeft(rest, " \t\r\n")
			bl.line += strings.Count(bl.text[:cut], "\n") + strings.Count(rest[:len(rest)-len(trimmed)], "\n")
			bl.text = strings.TrimSpace(trimmed)
		}
		if bl.text != "" {
			out = append(out, bl)
		}
	}
	return out
}

// playbookRules makes one playbook_rule per list item or paragraph, with its heading path; a
// code listing belongs to the rule before it.
func playbookRules(b *builder, blocks []block) {
	type rule struct {
		block
		n int
	}
	ordinal := map[string]int{}
	var rules []rule
	for _, bl := range blocks {
		if bl.code && len(rules) > 0 && rules[len(rules)-1].heading == bl.heading {
			rules[len(rules)-1].text += "\n" + bl.text
			continue
		}
		ordinal[bl.heading]++
		rules = append(rules, rule{bl, ordinal[bl.heading]})
	}
	for _, r := range rules {
		text := r.text
		if r.heading != "" {
			text = r.heading + ": " + text
		}
		md := memory.Metadata{Line: r.line, Extra: map[string]string{"origin": OriginDocs}}
		if r.heading != "" {
			md.Extra["heading"] = r.heading
		}
		b.add(memory.KindPlaybookRule, fmt.Sprintf("rule\x00%s\x00%d", r.heading, r.n), text, md)
	}
}
