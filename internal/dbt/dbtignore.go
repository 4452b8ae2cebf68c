package dbt

import (
	"regexp"
	"strings"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/fsconfine"
)

// ignoreFile is a package's .dbtignore: files dbt leaves out of the project although they lie
// in a resource path (helper scripts beside the models, work in progress). dbt matches each
// file's path relative to the package root with pathspec's gitwildmatch patterns; a project
// that keeps, say, Python download scripts in `models/x/code/` and ignores `**.py` has no
// Python models, and reading them as models gives duplicate names and failed renders.
type ignoreFile struct {
	rules []ignoreRule
}

type ignoreRule struct {
	re      *regexp.Regexp
	include bool // a `!pattern`: matched files are taken back
}

// maxIgnoreFile bounds what is read of a .dbtignore; real ones are a few lines.
const maxIgnoreFile = 256 << 10

// readIgnoreFile reads root/.dbtignore (confined to root): nil when there is none, and the hash
// of what was read ("" without one), which a snapshot keeps to tell the file unchanged.
func readIgnoreFile(root string) (*ignoreFile, string) {
	data := ignoreBytes(root)
	if data == nil {
		return nil, ""
	}
	return parseIgnore(string(data)), cache.Sum256(data)
}

// ignoreBytes is what is read of root/.dbtignore, nil when there is none.
func ignoreBytes(root string) []byte {
	data, err := fsconfine.ReadFile(root, ".dbtignore")
	if err != nil || len(data) == 0 {
		return nil
	}
	return data[:min(len(data), maxIgnoreFile)]
}

func parseIgnore(text string) *ignoreFile {
	ig := &ignoreFile{}
	for _, line := range strings.Split(text, "\n") {
		if r, ok := ignorePattern(line); ok {
			ig.rules = append(ig.rules, r)
		}
	}
	if len(ig.rules) == 0 {
		return nil
	}
	return ig
}

// Ignored reports whether a file (its slash-separated path relative to the package root) is
// left out: the last pattern matching it decides, as in pathspec.
func (ig *ignoreFile) Ignored(rel string) bool {
	if ig == nil {
		return false
	}
	out := false
	for _, r := range ig.rules {
		if r.re.MatchString(rel) {
			out = !r.include
		}
	}
	return out
}

// ignorePattern translates one gitwildmatch line to a regexp the way pathspec does: a pattern
// without an inner slash matches at any depth, one with a slash is anchored at the root, a
// trailing slash or a match on a directory covers everything below it, `**` as a whole segment
// spans directories and elsewhere is `*`.
func ignorePattern(line string) (ignoreRule, bool) {
	line = strings.TrimRight(line, "\r")
	if !strings.HasSuffix(line, `\ `) {
		line = strings.TrimRight(line, " \t")
	}
	if line == "" || strings.HasPrefix(line, "#") {
		return ignoreRule{}, false
	}
	r := ignoreRule{}
	if strings.HasPrefix(line, "!") {
		r.include = true
		line = line[1:]
	}
	if strings.HasPrefix(line, `\`) && len(line) > 1 && (line[1] == '#' || line[1] == '!') {
		line = line[1:]
	}
	segs := strings.Split(line, "/")
	// Collapse runs of `**` segments, as pathspec does.
	var clean []string
	for i, s := range segs {
		if s == "**" && i > 0 && segs[i-1] == "**" {
			continue
		}
		clean = append(clean, s)
	}
	segs = clean
	switch {
	case segs[0] == "":
		segs = segs[1:] // a leading slash anchors at the root
	case len(segs) == 1 || (len(segs) == 2 && segs[1] == ""):
		if segs[0] != "**" {
			segs = append([]string{"**"}, segs...) // no inner slash: any depth
		}
	}
	if len(segs) == 0 || (len(segs) == 1 && segs[0] == "") {
		return ignoreRule{}, false
	}
	if segs[len(segs)-1] == "" {
		segs[len(segs)-1] = "**" // a directory: everything below it
	}
	var b strings.Builder
	b.WriteString("^")
	end := len(segs) - 1
	needSlash := false
	for i, s := range segs {
		switch {
		case s == "**":
			switch {
			case i == 0 && i == end:
				b.WriteString(".+")
			case i == 0:
				b.WriteString("(?:.+/)?")
				needSlash = false
			case i == end:
				b.WriteString("/.*")
			default:
				b.WriteString("(?:/.+)?")
				needSlash = true
			}
		default:
			if needSlash {
				b.WriteString("/")
			}
			if s == "*" {
				b.WriteString("[^/]+")
			} else {
				b.WriteString(globSegment(s))
			}
			if i == end {
				b.WriteString("(?:/.*)?")
			}
			needSlash = true
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return ignoreRule{}, false
	}
	r.re = re
	return r, true
}

// globSegment translates one path segment's glob: `*` and `?` stay within the segment,
// `[...]` is a class (`[!...]` negated), a backslash escapes.
func globSegment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '*':
			b.WriteString("[^/]*")
		case '?':
			b.WriteString("[^/]")
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteString(regexp.QuoteMeta(s[i : i+1]))
			}
		case '[':
			j := strings.IndexByte(s[i+1:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			class := s[i+1 : i+1+j]
			if j == 0 { // `[]...]`: a literal ] first
				k := strings.IndexByte(s[i+2:], ']')
				if k < 0 {
					b.WriteString(`\[`)
					continue
				}
				class = s[i+1 : i+2+k]
				j = k + 1
			}
			i += j + 1
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			class = strings.ReplaceAll(class, `\`, `\\`)
			b.WriteString("[" + class + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}
