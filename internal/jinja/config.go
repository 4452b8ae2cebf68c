package jinja

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// configFn is dbt's `config`: callable (config(materialized='table')) with methods
// (config.get('key', default), config.require('key')).
type configFn func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value

func configCall(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOfEval(e)
	if st == nil {
		return exec.AsValue("")
	}
	for _, a := range va.Args {
		if m, ok := toGo(a).(map[string]any); ok {
			for k, v := range m {
				st.setConfig(k, v)
			}
		}
	}
	keys := make([]string, 0, len(va.KwArgs))
	for k := range va.KwArgs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		st.setConfig(k, toGo(va.KwArgs[k]))
	}
	return exec.AsValue("")
}

// setConfig merges one config() key the way dbt merges a file's config over the project's:
// tags accumulate, meta merges, everything else replaces.
func (st *renderState) setConfig(k string, v any) {
	st.configSet = true
	switch k {
	case "tags":
		var tags []any
		if old, ok := st.config["tags"].([]any); ok {
			tags = append(tags, old...)
		} else if s, ok := st.config["tags"].(string); ok {
			tags = append(tags, s)
		}
		add := func(t any) {
			for _, x := range tags {
				if x == t {
					return
				}
			}
			tags = append(tags, t)
		}
		switch nv := v.(type) {
		case []any:
			for _, t := range nv {
				add(t)
			}
		default:
			add(nv)
		}
		st.config["tags"] = tags
	case "meta":
		merged := map[string]any{}
		if old, ok := st.config["meta"].(map[string]any); ok {
			for k2, v2 := range old {
				merged[k2] = v2
			}
		}
		if nv, ok := v.(map[string]any); ok {
			for k2, v2 := range nv {
				merged[k2] = v2
			}
			st.config["meta"] = merged
			return
		}
		st.config["meta"] = v
	default:
		st.config[k] = v
	}
}

func (c configFn) String() string { return "" }

func (c configFn) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "get", "require", "meta_get", "meta_require":
		return exec.AsValue(callable(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			st := stateOfEval(e)
			if st == nil {
				return exec.AsValue(nil)
			}
			key, _ := argString(va, 0, "name")
			var v any
			var ok bool
			if strings.HasPrefix(name, "meta_") {
				if meta, isMap := st.config["meta"].(map[string]any); isMap {
					v, ok = meta[key]
				}
			} else {
				v, ok = st.config[key]
			}
			if ok && v != nil {
				return exec.AsValue(v)
			}
			if def, has := argValue(va, 1, "default"); has {
				return def
			}
			if strings.HasSuffix(name, "require") {
				st.warnHere("compiler-error", fmt.Sprintf("config %q is required but not set", key))
			}
			return exec.AsValue(nil)
		})), true
	case "set":
		return exec.AsValue(callable(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			if st := stateOfEval(e); st != nil {
				if key, ok := argString(va, 0, "name"); ok {
					if v, ok := argValue(va, 1, "value"); ok {
						st.setConfig(key, toGo(v))
					}
				}
			}
			return exec.AsValue("")
		})), true
	case "persist_relation_docs", "persist_column_docs":
		return exec.AsValue(callable(func(*exec.Evaluator, *exec.VarArgs) *exec.Value { return exec.AsValue(false) })), true
	}
	return exec.AsValue(callable(func(*exec.Evaluator, *exec.VarArgs) *exec.Value { return exec.AsValue(nil) })), true
}
