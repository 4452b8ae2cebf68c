package review

import (
	"html"
	"strings"
)

// Text a pull request controls (file, model and column names, SQL, messages built from them)
// reaches Markdown that GitHub renders and that notifies people. These helpers make such text
// inert: outside code it can start no HTML, link, image, mention or issue reference; inside
// code it stays byte for byte (a suggestion must apply exactly) but cannot close its span or
// fence early.

const zwsp = "\u200b"

// MarkdownText renders s as one line of Markdown text. Code spans s already holds (backtick
// runs that close, paired as CommonMark pairs them) are kept as they are; everything else has
// HTML and entities shown as text, backslashes, unpaired backticks and link brackets escaped,
// and a zero-width space after every @, between # and a digit, and inside :// and www., so
// no mention, issue reference or link is made.
func MarkdownText(s string) string {
	s = inline(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c == '`' {
			n := backtickRun(s, i)
			if j := closingRun(s, i+n, n); j >= 0 {
				b.WriteString(s[i : j+n])
				i = j + n
				continue
			}
			for k := 0; k < n; k++ {
				b.WriteString("\\`")
			}
			i += n
			continue
		}
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '[', ']':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '@':
			b.WriteString("@" + zwsp)
		case '#':
			b.WriteByte('#')
			if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				b.WriteString(zwsp)
			}
		case ':':
			// A bare URL becomes a link; the space keeps it text.
			b.WriteByte(':')
			if strings.HasPrefix(s[i+1:], "//") {
				b.WriteString(zwsp)
			}
		case '.':
			b.WriteByte('.')
			if i >= 3 && strings.EqualFold(s[i-3:i], "www") {
				b.WriteString(zwsp)
			}
		case '-':
			// GH-123 is an issue reference too.
			b.WriteByte('-')
			if i >= 2 && strings.EqualFold(s[i-2:i], "gh") && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				b.WriteString(zwsp)
			}
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// MarkdownCode renders s as one inline code span, delimited by more backticks than any run
// inside it. Line breaks become spaces: a span cannot hold them without the line after it
// being read as a new block.
func MarkdownCode(s string) string {
	s = inline(s)
	longest := longestBacktickRun(s)
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		// CommonMark strips one space on each side when both are there.
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// longestBacktickRun is the length of the longest run of backticks in s.
func longestBacktickRun(s string) int {
	longest := 0
	for i := 0; i < len(s); {
		if s[i] == '`' {
			n := backtickRun(s, i)
			longest = max(longest, n)
			i += n
			continue
		}
		i++
	}
	return longest
}

// MarkdownFence renders s as a fenced code block with the info string info, fenced with more
// backticks than any run in s so no line of s can close it. s is kept exactly (a suggestion
// block must apply as written) and given a final newline when it has none.
func MarkdownFence(info, s string) string {
	longest := longestBacktickRun(s)
	fence := strings.Repeat("`", max(3, longest+1))
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return fence + info + "\n" + s + fence
}

// PlainText neutralises mentions and issue references in text GitHub shows as plain text
// (check-run annotations): HTML is not rendered there, and is left as it is.
func PlainText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		switch {
		case s[i] == '@':
			b.WriteString(zwsp)
		case s[i] == '#' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			b.WriteString(zwsp)
		}
	}
	return b.String()
}

// htmlText escapes s for an HTML element of ours (the edits' <summary>), mentions included.
func htmlText(s string) string { return PlainText(html.EscapeString(inline(s))) }

func backtickRun(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == '`' {
		n++
	}
	return n
}

// closingRun finds the next run of exactly n backticks at or after i (CommonMark's closing
// delimiter of a code span), or -1.
func closingRun(s string, i, n int) int {
	for i < len(s) {
		if s[i] != '`' {
			i++
			continue
		}
		m := backtickRun(s, i)
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// mermaidLabel keeps a node label inside its quotes and shows markup as text: Mermaid reads
// #name; as an entity and renders labels as HTML.
func mermaidLabel(s string) string {
	return strings.NewReplacer("#", "#35;", `"`, "#quot;", "<", "#lt;", ">", "#gt;", "&", "#amp;", "`", "#96;", "@", "@"+zwsp,
		"\r", " ", "\n", " ").Replace(s)
}
