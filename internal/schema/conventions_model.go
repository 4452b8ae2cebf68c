package schema

import (
	"fmt"
	"sort"
	"strings"
)

// checkModelPrefix: a model's name says its layer; the innermost configured folder on its path
// decides (models/marts/finance/fct_x.sql is a mart).
func checkModelPrefix(c *Conventions, m *ModelFacts, out *[]Finding) {
	if len(c.ModelPrefixes) == 0 || m.Name == "" {
		return
	}
	folders := m.folders()
	for i := len(folders) - 1; i >= 0; i-- {
		prefixes, ok := c.ModelPrefixes[folders[i]]
		if !ok || len(prefixes) == 0 {
			continue
		}
		if hasAnyPrefix(strings.ToLower(m.Name), prefixes) {
			return
		}
		p, l := m.modelPos()
		suggestion := ""
		if len(prefixes) == 1 {
			suggestion = prefixes[0] + m.Name
		}
		*out = append(*out, Finding{Path: p, Line: l,
			Message:    fmt.Sprintf("model %q is in %s/ and should be named %s...", m.Name, folders[i], orList(prefixes)) + ruleNote(c.sourceOf(RuleModelPrefix, folders[i])),
			Suggestion: suggestion})
		return
	}
}

// checkForbidden: names that say nothing about the data (tmp, test, foo).
func checkForbidden(c *Conventions, m *ModelFacts, out *[]Finding) {
	if len(c.ForbiddenNames) == 0 {
		return
	}
	bad := map[string]bool{}
	for _, n := range c.ForbiddenNames {
		bad[strings.ToLower(n)] = true
	}
	if bad[strings.ToLower(m.Name)] {
		p, l := m.modelPos()
		*out = append(*out, Finding{Path: p, Line: l, Message: fmt.Sprintf("model name %q is on the forbidden list", m.Name)})
	}
	for i := range m.Columns {
		col := &m.Columns[i]
		if bad[strings.ToLower(col.Name)] {
			*out = append(*out, m.columnFinding(col, fmt.Sprintf("column name %q is on the forbidden list", col.Name), ""))
		}
	}
}

// requiresDescriptions says the model sits under a folder whose models must be documented.
func (c *Conventions) requiresDescriptions(m *ModelFacts) bool { return c.describedFolder(m) != "" }

// describedFolder is the innermost folder on the model's path whose models must be documented.
func (c *Conventions) describedFolder(m *ModelFacts) string {
	fs := m.folders()
	for i := len(fs) - 1; i >= 0; i-- {
		for _, r := range c.RequireDescriptions {
			if fs[i] == r {
				return r
			}
		}
	}
	return ""
}

// ruleNote is the "(rule: ...)" a finding quotes, "" without a source.
func ruleNote(src string) string {
	if src == "" {
		return ""
	}
	return " (rule: " + src + ")"
}

// checkDescriptionRequired: models (and their columns) in the listed folders are documented;
// a placeholder does not count.
func checkDescriptionRequired(c *Conventions, m *ModelFacts, out *[]Finding) {
	folder := c.describedFolder(m)
	if folder == "" {
		return
	}
	why := ruleNote(c.sourceOf(RuleDescriptionRequired, folder))
	if strings.TrimSpace(m.Description) == "" || c.isPlaceholder(m.Description, m.Name) {
		p, l := m.modelPos()
		*out = append(*out, Finding{Path: p, Line: l, Message: fmt.Sprintf("model %q needs a description", m.Name) + why})
	}
	for i := range m.Columns {
		col := &m.Columns[i]
		if strings.TrimSpace(col.Description) == "" || c.isPlaceholder(col.Description, col.Name) {
			*out = append(*out, m.columnFinding(col, fmt.Sprintf("column %q of %q needs a description", col.Name, m.Name)+why, ""))
		} else if col.FromName {
			*out = append(*out, m.columnFinding(col, fmt.Sprintf("column %q of %q needs a description: the one written from its name only restates it", col.Name, m.Name)+why, ""))
		}
	}
}

// checkPlaceholder: descriptions that are there but say nothing (TODO, the column's own name).
// Columns already reported as missing a required description are not reported twice.
func checkPlaceholder(c *Conventions, m *ModelFacts, out *[]Finding) {
	required := c.requiresDescriptions(m) && !c.disabled(RuleDescriptionRequired)
	if !required && strings.TrimSpace(m.Description) != "" && c.isPlaceholder(m.Description, m.Name) {
		p, l := m.modelPos()
		*out = append(*out, Finding{Path: p, Line: l, Message: fmt.Sprintf("model %q has a placeholder description %q", m.Name, strings.TrimSpace(m.Description))})
	}
	for i := range m.Columns {
		col := &m.Columns[i]
		if !required && strings.TrimSpace(col.Description) != "" && c.isPlaceholder(col.Description, col.Name) {
			*out = append(*out, m.columnFinding(col, fmt.Sprintf("column %q has a placeholder description %q", col.Name, strings.TrimSpace(col.Description)), ""))
		}
	}
}

func (c *Conventions) disabled(rule string) bool {
	for _, r := range c.Disable {
		if r == rule {
			return true
		}
	}
	return false
}

// isPlaceholder: the description, lowercased and stripped of punctuation, is a listed
// placeholder, starts with "todo"/"tbd", or only repeats the name.
func (c *Conventions) isPlaceholder(desc, name string) bool {
	d := normDesc(desc)
	if d == "" {
		// Only punctuation ("...", "-", "?") is a placeholder; an empty string is missing.
		return strings.TrimSpace(desc) != ""
	}
	for _, p := range c.Placeholders {
		// (DESCRIPTION_PLACEHOLDERs, a slip of the hand, is one too)
		if np := normDesc(p); np != "" && (d == np || d == np+"s") {
			return true
		}
	}
	for _, p := range []string{"todo", "tbd", "fixme"} {
		if strings.HasPrefix(d, p+" ") {
			return true
		}
	}
	return d == normDesc(strings.ReplaceAll(name, "_", " "))
}

func normDesc(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f && r != 0xa0:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		default:
			space = true
		}
	}
	return b.String()
}

// RuleNames lists the convention rules, for configuration help and validation.
func RuleNames() []string {
	var out []string
	for _, ck := range checks {
		out = append(out, ck.rule)
	}
	sort.Strings(out)
	return out
}
