package dbt

import "strconv"

// InputError is bad user input at a position: malformed YAML, duplicate model names.
type InputError struct {
	Pos Pos
	Msg string
}

func (e *InputError) Error() string {
	if e.Pos.Line > 0 {
		return e.Pos.Path + ":" + strconv.Itoa(e.Pos.Line) + ":" + strconv.Itoa(e.Pos.Column) + ": " + e.Msg
	}
	return e.Pos.Path + ": " + e.Msg
}
