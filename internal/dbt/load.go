package dbt

import (
	"context"
	"errors"
)

// LoadOptions say which project to load and how to render it.
type LoadOptions struct {
	Dir         string         // directory holding dbt_project.yml
	Vars        map[string]any // --vars
	Target      string         // --target (profiles.yml target name)
	ProfilesDir string         // --profiles-dir
	Adapter     string         // overrides the adapter type from the profile (e.g. --dialect)
	Getenv      func(string) (string, bool)
	// Compile renders compiled_code with refs resolved to relations (needed by parse output,
	// build and lint); without it only the parse-time render is done.
	Compile bool
}

// Load reads a dbt project the way dbt parses it. A malformed dbt_project.yml or property file
// is an *InputError (exit 2, with file:line:column); everything else that is wrong with the
// project becomes a Diagnostic on the returned Project.
// PLACEHOLDER: implemented by the project loader.
func Load(ctx context.Context, opts LoadOptions) (*Project, error) {
	return nil, errors.New("dbt.Load: not implemented")
}

// InputError is bad user input at a position: malformed YAML, duplicate model names.
type InputError struct {
	Pos Pos
	Msg string
}

func (e *InputError) Error() string {
	if e.Pos.Line > 0 {
		return e.Pos.Path + ":" + itoa(e.Pos.Line) + ":" + itoa(e.Pos.Column) + ": " + e.Msg
	}
	return e.Pos.Path + ": " + e.Msg
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}
