package config

// Tests configures the Test Enhancer.
type Tests struct {
	// MinConfidence drops suggestions below this confidence (0..1), of every test kind; 0
	// (the default) takes each kind's threshold as calibrated on held-out models.
	MinConfidence float64 `yaml:"min_confidence" default:"0"`
	// Verify runs suggested tests on data (seeds built in the warehouse) before proposing them.
	Verify bool `yaml:"verify" default:"true"`
	// Types limits the generic tests suggested.
	Types []string `yaml:"types" default:"not_null,unique,accepted_values,relationships"`
	// MaxAcceptedValues is the most distinct values an accepted_values suggestion may list.
	MaxAcceptedValues int `yaml:"max_accepted_values" default:"12"`
}

func (t *Tests) validate() error {
	if t.MinConfidence < 0 || t.MinConfidence > 1 {
		return errorf("min_confidence: %v is outside 0..1", t.MinConfidence)
	}
	if t.MaxAcceptedValues < 1 {
		return errorf("max_accepted_values: must be at least 1")
	}
	return nil
}
