package schema

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// Version is a dbt version, major.minor.patch.
type Version struct {
	Major, Minor, Patch int
}

func (v Version) String() string {
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) + "." + strconv.Itoa(v.Patch)
}

// Known reports whether the version was found anywhere.
func (v Version) Known() bool { return v != Version{} }

// AtLeast compares versions.
func (v Version) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch >= patch
}

var versionRe = lazyregexp.New(`(\d+)\.(\d+)(?:\.(\d+))?`)

// ParseVersion reads the first x.y[.z] in s ("1.8", ">=1.7.0", "1.10.5-rc1").
func ParseVersion(s string) (Version, bool) {
	m := versionRe.FindStringSubmatch(s)
	if m == nil {
		return Version{}, false
	}
	v := Version{}
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		v.Patch, _ = strconv.Atoi(m[3])
	}
	return v, true
}

// DbtVersion decides which dbt version the property files must suit: an explicit version
// (--dbt-version or config) wins; then the lowest version require-dbt-version admits (the
// files must parse on every version the project claims to support); then the version that
// wrote target/manifest.json. The source says which one was used, for messages.
func DbtVersion(explicit string, require []string, projectDir string) (v Version, source string) {
	if explicit != "" {
		if v, ok := ParseVersion(explicit); ok {
			return v, "--dbt-version"
		}
	}
	if v, ok := lowestAdmitted(require); ok {
		return v, "require-dbt-version"
	}
	if v, ok := manifestVersion(projectDir, "target/manifest.json"); ok {
		return v, "target/manifest.json"
	}
	return Version{}, ""
}

// lowestAdmitted returns the lower bound of require-dbt-version constraints: ">=1.7.0" gives
// 1.7.0, "1.8.2" gives 1.8.2; "<2.0.0" alone gives nothing.
func lowestAdmitted(require []string) (Version, bool) {
	var best Version
	found := false
	for _, r := range require {
		for _, part := range strings.Split(r, ",") {
			part = strings.TrimSpace(part)
			if strings.HasPrefix(part, "<") || strings.HasPrefix(part, "!=") {
				continue
			}
			v, ok := ParseVersion(part)
			if !ok {
				continue
			}
			if strings.HasPrefix(part, ">") && !strings.HasPrefix(part, ">=") {
				v.Patch++ // ">1.7.0": the first version above
			}
			if !found || v.AtLeast(best.Major, best.Minor, best.Patch) {
				// The strongest lower bound among several is the highest one.
				best, found = v, true
			}
		}
	}
	return best, found
}

// manifestVersion reads metadata.dbt_version from the manifest at rel in the project at dir,
// without decoding the rest. A manifest leading outside the project is not read.
func manifestVersion(dir, rel string) (Version, bool) {
	d, err := fsconfine.Open(dir)
	if err != nil {
		return Version{}, false
	}
	defer d.Close()
	f, err := d.Open(rel)
	if err != nil {
		return Version{}, false
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	// The metadata object comes first in every manifest dbt writes; read tokens until it ends.
	depth := 0
	inMeta := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return Version{}, false
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				depth++
			} else {
				depth--
				if inMeta && depth == 1 {
					return Version{}, false
				}
			}
		case string:
			if depth == 1 && t == "metadata" {
				inMeta = true
				continue
			}
			if inMeta && depth == 2 && t == "dbt_version" {
				var s string
				if err := dec.Decode(&s); err != nil {
					return Version{}, false
				}
				return ParseVersion(s)
			}
			if depth == 1 && !inMeta {
				// Another top-level key first: skip its value.
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return Version{}, false
				}
			}
		}
	}
}

// Forms are the spellings of property-file keys a dbt version expects.
type Forms struct {
	// TestsKey is "data_tests" (dbt 1.8+) or "tests".
	TestsKey string
	// TestArguments nests generic test arguments under `arguments:` (dbt 1.10.5+).
	TestArguments bool
	// ConfigMetaTags writes meta and tags under `config:` (dbt 1.10+).
	ConfigMetaTags bool
}

// FormsFor returns what version v expects. An unknown version gets the forms that every dbt
// from 1.8 on accepts without deprecation warnings up to 1.10 (data_tests, top-level arguments,
// meta beside config), which is what most maintained projects run today.
func FormsFor(v Version) Forms {
	if !v.Known() {
		return Forms{TestsKey: "data_tests"}
	}
	f := Forms{TestsKey: "tests"}
	if v.AtLeast(1, 8, 0) {
		f.TestsKey = "data_tests"
	}
	if v.AtLeast(1, 10, 0) {
		f.ConfigMetaTags = true
	}
	if v.AtLeast(1, 10, 5) {
		f.TestArguments = true
	}
	return f
}

// FollowFile adjusts forms to what a property file already writes: its tests key, and whether
// its generic tests nest arguments. A file that uses neither keeps the version's forms.
func FollowFile(f Forms, content string) Forms {
	var data, plain, args, inline int
	lines := strings.Split(content, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "#") {
			continue
		}
		t = strings.TrimPrefix(t, "- ")
		switch {
		case strings.HasPrefix(t, "data_tests:"):
			data++
		case strings.HasPrefix(t, "tests:"):
			plain++
		case strings.HasPrefix(t, "arguments:"):
			args++
		case strings.HasPrefix(t, "accepted_values:") || strings.HasPrefix(t, "relationships:"):
			// The key on the next non-empty line tells inline arguments from nested ones.
			for _, n := range lines[i+1:] {
				nt := strings.TrimSpace(n)
				if nt == "" || strings.HasPrefix(nt, "#") {
					continue
				}
				if strings.HasPrefix(nt, "values:") || strings.HasPrefix(nt, "to:") || strings.HasPrefix(nt, "field:") {
					inline++
				}
				break
			}
		}
	}
	switch {
	case data > plain:
		f.TestsKey = "data_tests"
	case plain > data:
		f.TestsKey = "tests"
	}
	if args > 0 && args >= inline {
		f.TestArguments = true
	} else if inline > 0 {
		f.TestArguments = false
	}
	return f
}

// ProjectForms decides the forms new text takes where a property file does not show its own:
// the project's clear habit first (what most of its tests with arguments, and most of its
// tests keys, are written as), then what its dbt version expects. A version the user stated
// (--dbt-version or schema.dbt_version: DbtVersion's source "--dbt-version") wins over habit. A project that sets
// dbt's require_generic_test_arguments_property flag nests arguments whatever its files do:
// dbt refuses the other form there.
func ProjectForms(p *dbt.Project, v Version, source string) Forms {
	f := FormsFor(v)
	if source == "--dbt-version" {
		return f
	}
	var nested, inline, tests, dataTests int
	count := func(cols []*dbt.Column, own []*dbt.TestDef) {
		for _, t := range own {
			countTest(t, &nested, &inline, &tests, &dataTests)
		}
		for _, c := range cols {
			for _, t := range c.Tests {
				countTest(t, &nested, &inline, &tests, &dataTests)
			}
		}
	}
	root := rootPackage(p)
	for _, n := range p.Nodes {
		if n.Package == root && n.ResourceType != dbt.Test {
			count(n.Columns, nil)
		}
	}
	for _, s := range p.Sources {
		if s.Package == root {
			count(s.Columns, s.Tests)
		}
	}
	if habit, ok := majority(nested, inline); ok {
		f.TestArguments = habit
	}
	if habit, ok := majority(dataTests, tests); ok {
		f.TestsKey = "tests"
		if habit {
			f.TestsKey = "data_tests"
		}
	}
	if requiresArguments(p.Root) {
		f.TestArguments = true
	}
	return f
}

func countTest(t *dbt.TestDef, nested, inline, tests, dataTests *int) {
	switch t.Key {
	case "tests":
		*tests++
	case "data_tests":
		*dataTests++
	}
	if len(t.Args) == 0 {
		return
	}
	if t.Nested {
		*nested++
	} else {
		*inline++
	}
}

// majority: yes wins over no by two to one or more, on at least three votes; a split project
// has no habit to follow.
func majority(yes, no int) (bool, bool) {
	switch {
	case yes+no < 3:
		return false, false
	case yes >= 2*no:
		return true, true
	case no >= 2*yes:
		return false, true
	}
	return false, false
}

// requiresArguments reads dbt_project.yml's flags.require_generic_test_arguments_property.
func requiresArguments(dir string) bool {
	data, err := fsconfine.ReadFile(dir, "dbt_project.yml")
	if err != nil {
		return false
	}
	var doc struct {
		Flags map[string]any `yaml:"flags"`
	}
	if yamllimit.Unmarshal(data, &doc) != nil {
		return false
	}
	b, _ := doc.Flags["require_generic_test_arguments_property"].(bool)
	return b
}
