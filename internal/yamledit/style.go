package yamledit

import "strings"

// Style is how new text is written. Load detects it from the file so that what we add reads like
// what is there; a caller may change fields before planning edits (for a new file, or to follow
// the project's dbt version where the file says nothing).
type Style struct {
	Indent        int    // spaces per mapping level (`config:\n  materialized:`)
	SeqIndent     int    // spaces between a key and the dashes of its list: 0 flush, 2 indented
	ItemGap       int    // columns from a dash to its item's content (`- name` is 2)
	TestsKey      string // "tests" or "data_tests"
	Arguments     bool   // write test arguments under `arguments:` (dbt >= 1.10.5) instead of inline
	Quote         byte   // quote to use when a string must be quoted: '"' or '\''
	QuoteDescs    bool   // the file quotes descriptions even when plain would do
	Block         string // block scalar header for multi-line text: "|", "|-", ">", ">-"
	FoldLong      bool   // the file writes long descriptions as folded (`>`) scalars
	DataTypeFirst bool   // columns list data_type before description
	CRLF          bool   // new lines end in CRLF
	FlowTests     bool   // the file writes test lists in flow style: `tests: [unique, not_null]`

	testsKeyFromFile  bool
	argumentsFromFile bool
}

// DefaultStyle is the style of a new file: two-space indentation with list items indented under
// their key, which is how dbt's documentation writes property files.
func DefaultStyle() Style {
	return Style{Indent: 2, SeqIndent: 2, ItemGap: 2, TestsKey: "data_tests", Quote: '"', Block: "|"}
}

// ForDbtVersion settles what the file itself did not: `data_tests` from dbt 1.8 on (`tests`
// before), and test arguments under `arguments:` from dbt 1.10.5 on. A file that already uses
// one form keeps it. An unparsable version leaves the style as it is.
func (s Style) ForDbtVersion(v string) Style {
	maj, min, pat, ok := parseVersion(v)
	if !ok {
		return s
	}
	if !s.testsKeyFromFile {
		if maj > 1 || (maj == 1 && min >= 8) {
			s.TestsKey = "data_tests"
		} else {
			s.TestsKey = "tests"
		}
	}
	if !s.argumentsFromFile {
		s.Arguments = maj > 1 || (maj == 1 && (min > 10 || (min == 10 && pat >= 5)))
	}
	return s
}

// Settle fills what the file itself did not show (its tests key, whether test arguments nest
// under `arguments:`) with what the caller decided for the whole project, from its habit or its
// dbt version. A file that writes one form keeps it.
func (s Style) Settle(testsKey string, arguments bool) Style {
	if !s.testsKeyFromFile && testsKey != "" {
		s.TestsKey = testsKey
	}
	if !s.argumentsFromFile {
		s.Arguments = arguments
	}
	return s
}

// parseVersion reads "1.10.5", ">=1.8.0", "1.9" and the like.
func parseVersion(v string) (maj, min, pat int, ok bool) {
	v = strings.TrimLeft(strings.TrimSpace(v), "<>=~^v ")
	parts := strings.SplitN(v, ".", 4)
	nums := [3]int{}
	for i := 0; i < 3 && i < len(parts); i++ {
		n, digits := 0, 0
		for _, c := range parts[i] {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int(c-'0')
			digits++
		}
		if digits == 0 {
			if i == 0 {
				return 0, 0, 0, false
			}
			break
		}
		nums[i] = n
	}
	return nums[0], nums[1], nums[2], true
}

// detectStyle reads the file's habits. Every count is a vote; ties keep the default.
func detectStyle(t *text, root *node) Style {
	st := DefaultStyle()
	st.CRLF = t.crlf
	var (
		indent, seqIndent, gap     = map[int]int{}, map[int]int{}, map[int]int{}
		testsVotes, dataTestsVotes int
		plainD, singleD, doubleD   int
		singleAny, doubleAny       int
		blocks                     = map[string]int{}
		longPlain, longFolded      int
		dtFirst, descFirst         int
		args                       bool
		flowTests, blockTests      int
	)
	var walk func(n *node, depth int)
	walk = func(n *node, depth int) {
		if n == nil || depth > maxDepth {
			return
		}
		switch n.kind {
		case kMap:
			di, ti := -1, -1
			for i, e := range n.entries {
				switch e.key {
				case "tests", "data_tests":
					if e.key == "tests" {
						testsVotes++
					} else {
						dataTestsVotes++
					}
					if e.val != nil && e.val.kind == kSeq {
						if e.val.flow {
							flowTests++
						} else {
							blockTests++
						}
					}
				case "arguments":
					args = true
				case "description":
					di = i
				case "data_type":
					ti = i
				}
				v := e.val
				if v != nil && !n.flow && !v.flow && t.lineOf(v.valStart) > e.line {
					switch v.kind {
					case kMap:
						indent[t.colOf(v.valStart)-e.col]++
					case kSeq:
						if len(v.items) > 0 {
							seqIndent[v.items[0].col-e.col]++
						}
					}
				}
				if v != nil && v.kind == kScalar {
					switch v.style {
					case singleQuoted:
						singleAny++
					case doubleQuoted:
						doubleAny++
					}
					if e.key == "description" {
						switch v.style {
						case plain:
							plainD++
							if len(v.str) > 100 {
								longPlain++
							}
						case singleQuoted:
							singleD++
						case doubleQuoted:
							doubleD++
						case literal, folded:
							hdr := blockHeader(t.src, v.valStart)
							blocks[hdr]++
							if v.style == folded && !strings.Contains(strings.TrimRight(v.str, "\n"), "\n") {
								longFolded++
							}
						}
					}
				}
				walk(v, depth+1)
			}
			if di >= 0 && ti >= 0 {
				if ti < di {
					dtFirst++
				} else {
					descFirst++
				}
			}
		case kSeq:
			for _, it := range n.items {
				if !n.flow && it.val != nil && (it.val.kind == kMap || it.val.kind == kScalar) && t.lineOf(it.val.valStart) == it.line {
					gap[it.val.valStart-it.dash]++
				}
				walk(it.val, depth+1)
			}
		}
	}
	walk(root, 0)
	if v, ok := vote(indent); ok && v > 0 && v <= 8 {
		st.Indent = v
	}
	if v, ok := vote(seqIndent); ok && v >= 0 && v <= 8 {
		st.SeqIndent = v
	}
	if v, ok := vote(gap); ok && v >= 2 && v <= 8 {
		st.ItemGap = v
	}
	if testsVotes+dataTestsVotes > 0 {
		st.testsKeyFromFile = true
		if testsVotes > dataTestsVotes {
			st.TestsKey = "tests"
		}
	}
	if args {
		st.Arguments, st.argumentsFromFile = true, true
	}
	if singleD > doubleD || (singleD == doubleD && singleAny > doubleAny) {
		st.Quote = '\''
	}
	st.QuoteDescs = singleD+doubleD > plainD
	if h, ok := voteS(blocks); ok {
		st.Block = h
	}
	st.FoldLong = longFolded > longPlain
	st.DataTypeFirst = dtFirst > descFirst
	st.FlowTests = flowTests > blockTests
	return st
}

// blockHeader returns a block scalar's indicator (`|`, `>-`, ...) without indentation digits.
func blockHeader(src []byte, off int) string {
	var b strings.Builder
	for i := off; i < len(src); i++ {
		c := src[i]
		if c == '|' || c == '>' || c == '-' || c == '+' {
			b.WriteByte(c)
			continue
		}
		if c >= '1' && c <= '9' {
			continue
		}
		break
	}
	return b.String()
}

func vote(m map[int]int) (int, bool) {
	best, bestN := 0, 0
	for k, n := range m {
		if n > bestN || (n == bestN && k < best) {
			best, bestN = k, n
		}
	}
	return best, bestN > 0
}

func voteS(m map[string]int) (string, bool) {
	best, bestN := "", 0
	for k, n := range m {
		if n > bestN || (n == bestN && k < best) {
			best, bestN = k, n
		}
	}
	return best, bestN > 0
}
