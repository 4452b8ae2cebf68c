package config

// Review configures `dataops review`.
type Review struct {
	// FailOn is the lowest severity that makes the command exit 1.
	FailOn string `yaml:"fail_on" default:"error"`
	// MaxComments caps the inline comments of one review.
	MaxComments int `yaml:"max_comments" default:"50"`
	// Agents enables only these agents (schema, tests, review); empty means all.
	Agents []string `yaml:"agents"`
}

func (r *Review) validate() error {
	return oneOf("fail_on", r.FailOn, "info", "warning", "error", "never")
}
