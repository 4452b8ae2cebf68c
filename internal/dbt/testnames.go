package dbt

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// testNameRE is dbt's TEST_NAME_PATTERN, `[namespace.]name` of identifiers. dbt applies it
// with Python's re.match, anchored at the start only: what follows the match is ignored.
var testNameRE = lazyregexp.New(`^(?:([a-zA-Z_][0-9a-zA-Z_]*)\.)?([a-zA-Z_][0-9a-zA-Z_]*)`)

// TestNameAsRead is the part of a test name as written that dbt reads: the name itself when
// it is `[namespace.]name` of identifiers, a prefix when something follows one, "" when it
// does not start with one (dbt parse fails).
func TestNameAsRead(written string) string { return testNameRE.FindString(written) }

// builtinTests are the generic tests dbt itself defines (macro.dbt.test_<name>).
var builtinTests = []string{"unique", "not_null", "accepted_values", "relationships"}

// Diagnostic kinds of generic test names.
const (
	// KindTestName is a test name dbt reads only in part ("not_null`": not_null), or not at
	// all (then an error: dbt parse fails).
	KindTestName = "test-name"
	// KindUnknownTest is a generic test no builtin, project or installed package defines:
	// dbt parse passes it, dbt compile, test and build fail on it.
	KindUnknownTest = "unknown-test"
)

// declaredPackagesInstalled says whether every package packages.yml or dependencies.yml
// declares is installed (true when they declare none). A package counts as installed when an
// installed package's name or folder is the declared one's last path part (`dbt-labs/dbt_utils`,
// `https://github.com/org/dbt-utils.git`, `local: ../shared`), `-` read as `_`. A git package
// whose repository is named unlike its project, or a name built with Jinja, reads as not
// installed: the unknown-test check then holds back, which costs a warning, never a false one.
func (l *loader) declaredPackagesInstalled() bool {
	installed := map[string]bool{}
	for _, ps := range l.pkgs[1:] {
		installed[normPackage(ps.pkg.Name)] = true
		installed[normPackage(path.Base(ps.pkg.Rel))] = true
	}
	for _, name := range []string{"packages.yml", "dependencies.yml"} {
		data, err := l.dir.ReadFile(name)
		if err != nil {
			continue
		}
		var doc struct {
			Packages []map[string]any `yaml:"packages"`
		}
		if yamllimit.Unmarshal(data, &doc) != nil {
			return false
		}
		for _, p := range doc.Packages {
			found := false
			for _, k := range []string{"package", "git", "local", "tarball", "private"} {
				if s, ok := p[k].(string); ok && s != "" {
					found = installed[normPackage(path.Base(strings.TrimSuffix(strings.TrimRight(s, "/"), ".git")))]
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

func normPackage(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "-", "_")
}

// checkTestName warns about a generic test's name: one dbt reads only in part or not at all,
// and one no macro defines. Each test entry is checked once (a versioned model's tests are
// added for each version).
func (l *loader) checkTestName(f *srcFile, td *TestDef, enabled bool) {
	pos := Pos{Path: f.rootRel, Line: td.Pos.Line, Column: td.Pos.Column}
	key := fmt.Sprintf("%s:%d:%d", pos.Path, pos.Line, pos.Column)
	if l.testsChecked[key] {
		return
	}
	if l.testsChecked == nil {
		l.testsChecked = map[string]bool{}
	}
	l.testsChecked[key] = true
	known := l.knownTests()
	if td.Written != "" {
		if !testNameRE.MatchString(td.Written) {
			msg := fmt.Sprintf("test name %q is not one dbt can read (it wants [package.]name, of letters, digits and underscores): dbt parse fails on it", td.Written)
			if s := closestTest(td.Written, known); s != "" {
				msg += "; did you mean " + s + "?"
			}
			l.addDiag(Diagnostic{Pos: pos, Severity: "error", Kind: KindTestName, Message: msg})
			return
		}
		m := testNameRE.FindString(td.Written)
		l.warn(pos, KindTestName, "test name %q: dbt reads it as %s and ignores %q after it; write %s",
			td.Written, m, td.Written[len(m):], m)
	}
	if !enabled || l.testMacro(f.pkg.pkg.Name, td) != "" {
		return
	}
	full := td.Name
	if td.Namespace != "" {
		full = td.Namespace + "." + td.Name
	}
	// A project writes the same undefined test on many columns (a package's test where the
	// package is not installed): its hint is looked for once.
	suggestion, seen := l.testHints[full]
	if !seen {
		suggestion = closestTest(full, known)
		if l.testHints == nil {
			l.testHints = map[string]string{}
		}
		l.testHints[full] = suggestion
	}
	if td.Namespace != "" && l.byName[td.Namespace] == nil && suggestion == "" {
		// A package that is not installed (declared and `dbt deps` not run, or declared where
		// this tree does not show) may well define it: nothing can be told.
		return
	}
	if td.Namespace == "" && !l.packagesComplete && suggestion == "" {
		// Likewise any test of a package not installed; a name this close to a known test
		// is a typo whatever the packages hold.
		return
	}
	where := "no test_" + td.Name + " macro in the project or its installed packages, and dbt defines only " + strings.Join(builtinTests, ", ")
	if td.Namespace != "" {
		if l.byName[td.Namespace] == nil {
			where = "no package " + td.Namespace + " is installed"
		} else {
			where = "package " + td.Namespace + " defines no test_" + td.Name
		}
	}
	msg := fmt.Sprintf("generic test %s is not defined (%s): dbt compile, test and build fail on it", full, where)
	if suggestion != "" {
		msg += "; did you mean " + suggestion + "?"
	}
	l.warn(pos, KindUnknownTest, "%s", msg)
}

// knownTests lists the generic tests the load knows: dbt's, then every `test_` macro of the
// project and its installed packages, a package's qualified too (dbt_utils.at_least_one).
func (l *loader) knownTests() []string {
	if l.testNames != nil {
		return l.testNames
	}
	out := slices.Clone(builtinTests)
	for _, m := range l.p.Macros {
		if name, ok := strings.CutPrefix(m.Name, "test_"); ok && name != "" {
			out = append(out, name, m.Package+"."+name)
		}
	}
	slices.Sort(out)
	l.testNames = slices.Compact(out)
	return l.testNames
}

// closestTest is the known test name a misspelt one most likely meant: the same once case,
// punctuation and whitespace are set aside (`Not-Null`, "not_null`"), else the nearest within
// a few edits (one per four letters, at least one). "" when none is that close, or two are.
func closestTest(name string, known []string) string {
	if slices.Contains(known, name) {
		return ""
	}
	bare := func(s string) string {
		var b strings.Builder
		for _, r := range strings.ToLower(s) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	nb := bare(name)
	for _, k := range known {
		if bare(k) == nb && nb != "" {
			return k
		}
	}
	return nearestName(strings.ToLower(name), known, max(1, len(name)/4))
}

// nearestName is the one of names (compared in lower case) within limit edits of name, itself
// lower case: "" when none is that close, or two are as close (a guess, not a hint).
func nearestName(name string, names []string, limit int) string {
	best, bestD, tie := "", limit+1, false
	for _, n := range names {
		// Lengths further apart than the best distance so far cannot come closer: most names
		// of a large project are skipped without a table.
		ln := strings.ToLower(n)
		if diff := len(ln) - len(name); diff > bestD || -diff > bestD {
			continue
		}
		d := editDistance(name, ln)
		switch {
		case d < bestD:
			best, bestD, tie = n, d, false
		case d == bestD:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// editDistance is Levenshtein's distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
