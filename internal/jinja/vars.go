package jinja

import (
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
)

func varFn(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOfEval(e)
	name, _ := argString(va, 0, "name")
	if st == nil || name == "" {
		return exec.AsValue(nil)
	}
	if st.in.Var != nil {
		return exec.AsValue(st.in.Var(name))
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
	def, hasDef := argValue(va, 1, "default")
	if ok, why := st.env.opts.EnvVars.allowed(name); !ok {
		// The variable is not even looked up: whether it is set is not the template's business.
		if hasDef {
			st.warnHere("refused-env-var", fmt.Sprintf("env var '%s' not read, the default is used: %s", name, why))
			return def
		}
		st.warnHere("refused-env-var", fmt.Sprintf("env var '%s' not read, rendered as %s: %s", name, RefusedEnvVar, why))
		return exec.AsValue(RefusedEnvVar)
	}
	var found EnvValue
	if get := st.env.opts.Getenv; get != nil {
		found.Value, found.Set = get(name)
	}
	if st.envRead == nil {
		st.envRead = map[string]EnvValue{}
	}
	st.envRead[name] = found
	if found.Set {
		return exec.AsValue(found.Value)
	}
	if hasDef {
		return def
	}
	// dbt stops here. Rendering goes on, with the variable's name standing in for its value: an
	// empty string would leave `{{ target.database }}.schema.fn(x)` (a profile's database read
	// from an unset variable) as `.schema.fn(x)`, which no longer parses, while the name keeps
	// an identifier, a path or a string where the value would be, and is what the user set
	// where dbt runs. A var() without default renders none instead: that is dbt's own answer
	// while parsing.
	st.warnHere("unknown-env-var", fmt.Sprintf("env var '%s' is not set and has no default (dbt stops here); rendered as %s", name, name))
	return exec.AsValue(name)
}

func isIncrementalFn(e *exec.Evaluator, _ *exec.VarArgs) *exec.Value {
	st := stateOfEval(e)
	return exec.AsValue(st != nil && st.in.Incremental)
}
