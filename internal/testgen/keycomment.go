package testgen

import (
	"strings"
)

// Engineers mark a model's key in its SQL as often as in its property file: a comment on the
// select item (`cb_marq, -- Sage's technical id (PK)`) or a header over it (`-- Primary key`
// above `"PatNum" as patient_id,`). Such a comment names the column the team means the key
// to be even when its name does not say so, and where the SQL's grain is another column.

// commentKeys returns the columns (lower case) a line comment of sql calls the primary key:
// the item the comment ends, or, for a comment alone on its line, the item on the next line
// with code. A comment that speaks of another table's key, a foreign or composite key, is
// not read (elsewhereKey).
func commentKeys(sql string) map[string]bool {
	var out map[string]bool
	lines := strings.Split(sql, "\n")
	for i, line := range lines {
		code, comment, ok := splitLineComment(line)
		if !ok || !ownPrimaryKey.MatchString(comment) || elsewhereKey.MatchString(comment) {
			continue
		}
		if strings.TrimSpace(code) == "" {
			for j := i + 1; j < len(lines); j++ {
				next, _, _ := splitLineComment(lines[j])
				if strings.TrimSpace(next) != "" {
					code = next
					break
				}
			}
		}
		if name := itemName(code); name != "" {
			if out == nil {
				out = map[string]bool{}
			}
			out[name] = true
		}
	}
	return out
}

// splitLineComment splits a line at its `--` comment, outside quotes.
func splitLineComment(line string) (code, comment string, ok bool) {
	var quote byte
	for i := 0; i+1 < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '-' && line[i+1] == '-':
			return line[:i], line[i+2:], true
		}
	}
	return line, "", false
}

// itemName is the output name of a select item written on one line (`x as name,`, `t.name,`,
// `"Name"`), lower case, or "" when the line holds something else (an open parenthesis, a
// keyword clause, several items).
func itemName(code string) string {
	code = strings.TrimSpace(code)
	code = strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(code, ","), ","))
	if low := strings.ToLower(code); strings.HasPrefix(low, "select ") {
		code = strings.TrimSpace(code[len("select "):])
	}
	if code == "" || !oneItem(code) {
		return ""
	}
	fields := strings.Fields(code)
	last := fields[len(fields)-1]
	if len(fields) > 1 && !strings.EqualFold(fields[len(fields)-2], "as") && len(fields) != 2 {
		return ""
	}
	if i := strings.LastIndex(last, "."); i >= 0 && !strings.ContainsAny(last, "\"`") {
		last = last[i+1:]
	}
	last = strings.Trim(last, "\"`[]")
	for _, r := range last {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return ""
		}
	}
	return strings.ToLower(last)
}

// oneItem reports whether code is one whole expression: its parentheses balance and no comma
// stands outside them (`coalesce(a, b) as k` is one item, `a, b` two).
func oneItem(code string) bool {
	depth := 0
	for _, r := range code {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false
			}
		case ',':
			if depth == 0 {
				return false
			}
		}
	}
	return depth == 0
}
