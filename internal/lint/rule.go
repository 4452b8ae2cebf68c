package lint

// Rule is one lint rule. Check reads the file through the Context and reports findings there;
// it must not keep state between calls, because files are linted in parallel.
type Rule interface {
	Meta() *Meta
	Check(c *Context)
}

// Meta describes a rule the way SQLFluff names and configures it.
type Meta struct {
	Code        string   // LT01
	Name        string   // layout.spacing
	Description string   // one line, shown when a finding has no more specific message
	Groups      []string // besides "all": "core", "layout", ...
	Aliases     []string // legacy codes (L001...) and former names, accepted in selections and noqa
	Fixable     bool
	Options     []Option
	// Layout rules judge whitespace and line breaks: their findings inside text that Jinja
	// generated are dropped, because the user cannot edit that text.
	Layout bool
}

// Option is one configuration option a rule reads, with SQLFluff's default.
type Option struct {
	Name    string
	Default string // as written in a config file; "None" for no value
	Doc     string
}

// InGroup reports whether the rule belongs to group g ("all" always matches).
func (m *Meta) InGroup(g string) bool {
	if g == "all" {
		return true
	}
	for _, x := range m.Groups {
		if x == g {
			return true
		}
	}
	return false
}
