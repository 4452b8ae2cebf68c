package yamledit

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// KV is one key and value of a mapping we write, in the order given.
type KV struct {
	Key   string
	Value any // string, bool, int, int64, float64, nil, []any, []string, []KV, map[string]any
}

// kind of string being written: it picks which of the file's quoting habits applies.
type strRole int

const (
	roleValue strRole = iota
	roleName
	roleDesc
)

// scalar renders s as a YAML scalar. indent is the column that continuation lines of a block
// scalar start at; inFlow means the scalar sits inside [...] or {...}.
func (st *Style) scalar(s string, role strRole, indent int, inFlow bool) string {
	if role == roleDesc && strings.Contains(s, "\n") && !inFlow && blockSafe(s) {
		return st.block(s, indent)
	}
	needs := needsQuote(s, inFlow)
	if !needs && role == roleDesc && st.QuoteDescs {
		needs = true
	}
	if !needs {
		if role == roleDesc && st.FoldLong && !inFlow && len(s) > 100 && foldSafe(s) {
			return st.foldedLong(s, indent)
		}
		return s
	}
	// A Jinja expression holding single quotes and no double one ("{{ doc('orders') }}") is
	// written in double quotes even where the file quotes with single ones: doubled quotes
	// inside the expression ('{{ doc(''orders'') }}') read back the same, but nobody writes
	// them.
	jinjaSingle := strings.Contains(s, "{{") && strings.Contains(s, "'") && !strings.Contains(s, `"`)
	if st.Quote == '\'' && singleSafe(s) && !jinjaSingle {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	// Text holding double quotes and no single one ('{{ doc("orders") }}') is written in
	// single quotes, as people write it, rather than with its quotes escaped.
	if strings.Contains(s, `"`) && !strings.Contains(s, "'") && singleSafe(s) {
		return "'" + s + "'"
	}
	return doubleQuote(s)
}

// block writes multi-line text as a literal block scalar: the text comes back byte for byte.
func (st *Style) block(s string, indent int) string {
	chomp := "-"
	body := s
	switch {
	case strings.HasSuffix(s, "\n\n"):
		chomp = "+"
	case strings.HasSuffix(s, "\n"):
		chomp = ""
		body = strings.TrimSuffix(s, "\n")
	}
	if chomp == "+" {
		body = strings.TrimSuffix(s, "\n")
	}
	var b strings.Builder
	b.WriteString("|" + chomp)
	pad := strings.Repeat(" ", indent)
	for _, line := range strings.Split(body, "\n") {
		b.WriteByte('\n')
		if line != "" {
			b.WriteString(pad)
			b.WriteString(line)
		}
	}
	return b.String()
}

// foldedLong wraps a long single-line text as a `>-` scalar at about 80 columns; folding joins
// the lines back with single spaces, so the value is unchanged.
func (st *Style) foldedLong(s string, indent int) string {
	var b strings.Builder
	b.WriteString(">-")
	words := strings.Split(s, " ")
	lineLen := 0
	for i, w := range words {
		if i == 0 || lineLen+1+len(w) > 80-indent {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(" ", indent))
			b.WriteString(w)
			lineLen = len(w)
			continue
		}
		b.WriteByte(' ')
		b.WriteString(w)
		lineLen += 1 + len(w)
	}
	return b.String()
}

// blockSafe says a literal block scalar can carry s exactly: no leading space on the first line
// (it would need an indentation indicator), no tabs or control characters, no trailing spaces.
func blockSafe(s string) bool {
	if s == "" || s[0] == ' ' || s[0] == '\n' {
		return false
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasSuffix(line, " ") {
			return false
		}
	}
	for _, r := range s {
		if r != '\n' && (r < ' ' || r == 0x7f || r == 0xfeff || !unicode.IsPrint(r) && r != ' ') {
			return false
		}
	}
	return true
}

// foldSafe: only single spaces between words, so folding and unfolding are exact.
func foldSafe(s string) bool {
	return !strings.Contains(s, "  ") && !strings.ContainsAny(s, "\t\n") && s == strings.TrimSpace(s) && !needsQuote(s, false)
}

// singleSafe: a single-quoted scalar can carry s on one line.
func singleSafe(s string) bool {
	for _, r := range s {
		if r < ' ' || r == 0x7f || r == 0xfeff || (r > 0x7f && !unicode.IsPrint(r)) {
			return false
		}
	}
	return true
}

func doubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < ' ' || r == 0x7f || r == 0xfeff || r == utf8.RuneError || (r > 0x7f && !unicode.IsPrint(r)) {
				if r <= 0xff {
					fmt.Fprintf(&b, `\x%02x`, r)
				} else if r <= 0xffff {
					fmt.Fprintf(&b, `\u%04x`, r)
				} else {
					fmt.Fprintf(&b, `\U%08x`, r)
				}
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// needsQuote says a string cannot be written plain: YAML would read it as something else (a
// number, a boolean in YAML 1.1 as PyYAML and so dbt read it, null), or its characters would end
// or change the scalar.
func needsQuote(s string, inFlow bool) bool {
	if s == "" || s != strings.TrimSpace(s) {
		return true
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf", "+.inf", ".nan", "<<", "=":
		return true
	}
	if strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>'\"%@`") {
		return true
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") || strings.Contains(s, ":\t") {
		return true
	}
	if inFlow && strings.ContainsAny(s, ",[]{}") {
		return true
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f || r == 0xfeff || r == utf8.RuneError || (r > 0x7f && !unicode.IsPrint(r)) {
			return true
		}
	}
	return looksNumeric(s)
}

// looksNumeric is deliberately broad: YAML 1.1 reads 1_000, 0x1F, 1:30 and 2024-01-01 as
// numbers or timestamps; quoting a string that did not need it is harmless.
func looksNumeric(s string) bool {
	c := s[0]
	if !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9') && !strings.ContainsRune("+-._:eExXoOabcdefABCDEFtTzZ ", rune(c)) {
			return false
		}
	}
	return true
}

// emitter writes block YAML for values we create, in the file's style.
type emitter struct {
	st *Style
	b  strings.Builder
}

func pad(n int) string { return strings.Repeat(" ", n) }

// mapping writes kvs as block mapping lines at column col, each line ending in "\n".
func (e *emitter) mapping(kvs []KV, col int) {
	for _, kv := range kvs {
		e.b.WriteString(pad(col))
		e.b.WriteString(e.key(kv.Key))
		e.b.WriteByte(':')
		e.value(kv.Key, kv.Value, col)
	}
}

// key renders a mapping key.
func (e *emitter) key(k string) string {
	if needsQuote(k, false) {
		return doubleQuote(k)
	}
	return k
}

// value writes the part after `key:` (including the line break) for a key at column col.
func (e *emitter) value(key string, v any, col int) {
	role := roleValue
	switch key {
	case "name":
		role = roleName
	case "description":
		role = roleDesc
	}
	switch x := normalize(v).(type) {
	case []any:
		if len(x) == 0 {
			e.b.WriteString(" []\n")
			return
		}
		if flowable(x) && (e.st.FlowTests || (key != "tests" && key != "data_tests")) {
			if s := e.flow(x); len(s)+col+len(key) < 100 {
				e.b.WriteString(" " + s + "\n")
				return
			}
		}
		e.b.WriteByte('\n')
		e.list(x, col+e.st.SeqIndent)
	case []KV:
		if len(x) == 0 {
			e.b.WriteString(" {}\n")
			return
		}
		e.b.WriteByte('\n')
		e.mapping(x, col+e.st.Indent)
	default:
		e.b.WriteString(" " + e.scalarOf(x, role, col+e.st.Indent, false) + "\n")
	}
}

// list writes block sequence items with dashes at column dash.
func (e *emitter) list(items []any, dash int) {
	for _, it := range items {
		e.item(it, dash)
	}
}

// item writes one block sequence item with its dash at column dash.
func (e *emitter) item(v any, dash int) {
	gap := e.st.ItemGap
	if gap < 2 {
		gap = 2
	}
	switch x := normalize(v).(type) {
	case []KV:
		if len(x) == 0 {
			e.b.WriteString(pad(dash) + "- {}\n")
			return
		}
		sub := emitter{st: e.st}
		sub.mapping(x, dash+gap)
		s := sub.b.String()
		e.b.WriteString(pad(dash) + "-" + pad(gap-1) + s[dash+gap:])
	case []any:
		if flowable(x) {
			e.b.WriteString(pad(dash) + "- " + e.flow(x) + "\n")
			return
		}
		e.b.WriteString(pad(dash) + "-\n")
		e.list(x, dash+gap)
	default:
		e.b.WriteString(pad(dash) + "-" + pad(gap-1) + e.scalarOf(x, roleValue, dash+gap, false) + "\n")
	}
}

// flow renders a value in flow style: `[a, b]`, `{k: v}`.
func (e *emitter) flow(v any) string {
	switch x := normalize(v).(type) {
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = e.flow(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []KV:
		parts := make([]string, len(x))
		for i, kv := range x {
			role := roleValue
			if kv.Key == "description" {
				role = roleDesc
			}
			k := kv.Key
			if needsQuote(k, true) {
				k = doubleQuote(k)
			}
			if nx, ok := normalize(kv.Value).(string); ok {
				parts[i] = k + ": " + e.scalarOf(nx, role, 0, true)
			} else {
				parts[i] = k + ": " + e.flow(kv.Value)
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		return e.scalarOf(x, roleValue, 0, true)
	}
}

// scalarOf renders a non-collection value.
func (e *emitter) scalarOf(v any, role strRole, indent int, inFlow bool) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return e.st.scalar(x, role, indent, inFlow)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		switch {
		case math.IsInf(x, 1):
			return ".inf"
		case math.IsInf(x, -1):
			return "-.inf"
		case math.IsNaN(x):
			return ".nan"
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	default:
		return e.st.scalar(fmt.Sprint(x), role, indent, inFlow)
	}
}

// flowable: a list of scalars, short enough to sit on one line.
func flowable(x []any) bool {
	n := 0
	for _, it := range x {
		switch v := normalize(it).(type) {
		case []any, []KV:
			return false
		case string:
			if strings.Contains(v, "\n") {
				return false
			}
			n += len(v) + 2
		default:
			n += 8
		}
	}
	return n < 80
}

// normalize maps the value types we accept onto string, bool, int64, float64, nil, []any, []KV.
func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
		return float64(x)
	case float32:
		return float64(x)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]KV, len(keys))
		for i, k := range keys {
			out[i] = KV{k, x[k]}
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out
	}
	return v
}
