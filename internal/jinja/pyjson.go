package jinja

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/goccy/go-yaml"
	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/dataops-dev/dataops/internal/yamllimit"
)

// maxJSONInput bounds what fromjson parses: decoded JSON takes several times its size, and
// what templates parse this way (a var holding a list or a mapping) is small.
const maxJSONInput = 1 << 20

func fromJSONFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	s, _ := argString(va, 0, "string")
	if len(s) > maxJSONInput {
		return exec.AsValue(errors.New("fromjson: input larger than 1 MiB"))
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		if def, ok := argValue(va, 1, "default"); ok {
			return def
		}
		return exec.AsValue(nil)
	}
	return exec.AsValue(normalizeJSON(v))
}

func toJSONFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	v, _ := argValue(va, 0, "value")
	limit, st := valueLimit(e)
	if jsonSize(v, 0, limit) > limit {
		return exec.AsValue(tooBig(st, "a value of more than %d bytes once serialized", limit))
	}
	b, err := json.Marshal(toGo(v))
	if err != nil {
		if def, ok := argValue(va, 1, "default"); ok {
			return def
		}
		return exec.AsValue(nil)
	}
	return exec.AsValue(string(b))
}

// maxYAMLInput bounds what fromyaml parses: the YAML parser recurses on nesting, and the
// YAML dbt projects parse this way (a list of columns, a mapping of settings) is small.
const maxYAMLInput = 64 << 10

// maxYAMLNodes bounds what fromyaml's input may expand to through aliases.
const maxYAMLNodes = 100_000

func fromYAMLFn(_ *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	s, _ := argString(va, 0, "value")
	var v any
	if len(s) > maxYAMLInput {
		return exec.AsValue(errors.New("fromyaml: input larger than 64 KiB"))
	}
	// A 64 KiB alias bomb still expands to gigabytes; what a template parses is small.
	if _, _, err := yamllimit.Parse([]byte(s), maxYAMLNodes); err != nil {
		if _, refused := err.(*yamllimit.Error); refused {
			return exec.AsValue(fmt.Errorf("fromyaml: %s", err.(*yamllimit.Error).Msg))
		}
	}
	// PyYAML, which dbt's fromyaml calls, keeps a mapping's keys in document order and lets a
	// repeated key's last value win: AutomateDV's stage() lists derived and hashed columns in
	// the order of the model's metadata block.
	if err := yaml.UnmarshalWithOptions([]byte(s), &v, yaml.AllowDuplicateMapKey(), yaml.UseOrderedMap()); err != nil {
		if def, ok := argValue(va, 1, "default"); ok {
			return def
		}
		return exec.AsValue(nil)
	}
	return exec.AsValue(orderedYAML(v))
}

// orderedYAML turns decoded YAML into template values, mappings as dicts in document order.
func orderedYAML(v any) any {
	switch x := v.(type) {
	case yaml.MapSlice:
		d := exec.NewDict()
		at := make(map[string]int, len(x))
		for _, it := range x {
			k := fmt.Sprint(it.Key)
			val := exec.AsValue(orderedYAML(it.Value))
			if i, ok := at[k]; ok {
				d.Pairs[i].Value = val // Python's dict: the first place, the last value
				continue
			}
			at[k] = len(d.Pairs)
			d.Pairs = append(d.Pairs, &exec.Pair{Key: exec.AsValue(k), Value: val})
		}
		return d
	case []any:
		for i, e := range x {
			x[i] = orderedYAML(e)
		}
		return x
	}
	return normalizeJSON(v)
}

func toYAMLFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	v, _ := argValue(va, 0, "value")
	// YAML indents each level as JSON with an indent of two does, and quotes much as JSON.
	limit, st := valueLimit(e)
	if jsonSize(v, 2, limit) > limit {
		return exec.AsValue(tooBig(st, "a value of more than %d bytes once serialized", limit))
	}
	b, err := yaml.Marshal(toGo(v))
	if err != nil {
		return exec.AsValue(nil)
	}
	return exec.AsValue(string(b))
}

// normalizeJSON turns decoded numbers that are whole into ints and YAML's map keys into
// strings, so templates see what Python would give them.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) && x < 1<<53 && x > -(1<<53) {
			return int(x)
		}
		return x
	case uint64:
		return int(x)
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeJSON(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		keys := make([]string, 0, len(x))
		for k, e := range x {
			ks := fmt.Sprint(k)
			keys = append(keys, ks)
			out[ks] = normalizeJSON(e)
		}
		sort.Strings(keys)
		return out
	case []any:
		for i, e := range x {
			x[i] = normalizeJSON(e)
		}
		return x
	}
	return v
}
