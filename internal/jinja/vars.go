package jinja

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

func varFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOfEval(e)
	name, _ := argString(va, 0, "name")
	if st == nil || name == "" {
		return exec.AsValue(nil)
	}
	opts := &st.env.opts
	found := func(v any) *exec.Value {
		if s, ok := v.(string); ok && hasJinja(s) {
			return st.renderInline(e, s)
		}
		return exec.AsValue(v)
	}
	if v, ok := opts.CLIVars[name]; ok {
		return found(v)
	}
	// Vars are scoped by the package of the node being rendered, also inside macros of other
	// packages: dbt builds var() per node (fivetran_utils macros read a model's
	// hubspot__*_pass_through_columns this way).
	if v, ok := opts.Vars[st.in.Package][name]; ok {
		return found(v)
	}
	if v, ok := opts.Vars[""][name]; ok {
		return found(v)
	}
	if def, ok := argValue(va, 1, "default"); ok {
		return def
	}
	st.warnHere("unknown-var", fmt.Sprintf("required var '%s' not found and no default given; rendered as none", name))
	return exec.AsValue(nil)
}

func envVarFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOfEval(e)
	name, _ := argString(va, 0, "var")
	if st == nil || name == "" {
		return exec.AsValue("")
	}
	// dbt keeps secret env vars out of models; so do we, since output may be published.
	secret := strings.HasPrefix(name, "DBT_ENV_SECRET")
	if get := st.env.opts.Getenv; get != nil && !secret {
		if v, ok := get(name); ok {
			return exec.AsValue(v)
		}
	}
	if def, ok := argValue(va, 1, "default"); ok {
		return def
	}
	if secret {
		st.warnHere("unknown-env-var", fmt.Sprintf("env var '%s' is a secret and is not available to templates", name))
	} else {
		st.warnHere("unknown-env-var", fmt.Sprintf("env var '%s' is not set and has no default; rendered as empty", name))
	}
	return exec.AsValue("")
}

func isIncrementalFn(e *exec.Evaluator, _ *exec.VarArgs) *exec.Value {
	st := stateOfEval(e)
	return exec.AsValue(st != nil && st.in.Incremental)
}
