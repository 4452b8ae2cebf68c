package llm

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/google/jsonschema-go/jsonschema"
)

var resolved sync.Map // schema text -> *jsonschema.Resolved

// Validate checks that data is one JSON value following schema. The error says what is wrong
// in words a model can act on (it is sent back once as a repair request).
func Validate(schema json.RawMessage, data []byte) error {
	rs, err := resolve(schema)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	return rs.Validate(v)
}

func resolve(schema json.RawMessage) (*jsonschema.Resolved, error) {
	if r, ok := resolved.Load(string(schema)); ok {
		return r.(*jsonschema.Resolved), nil
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(schema, &s); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	r, err := s.Resolve(nil)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	resolved.Store(string(schema), r)
	return r, nil
}
