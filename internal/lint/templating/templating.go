// Package templating renders files for the linter through internal/jinja: bare files with an
// environment built from SQLFluff's [sqlfluff:templater:jinja] settings, and dbt models with
// the project's environment. It never loads Python code named by configuration
// (library_path, the python templater) and never resolves refs to warehouse relations:
// ref() renders as the bare model name, as SQLFluff's dbt builtins do.
package templating

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dataops-dev/dataops/internal/fsconfine"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/lint"
)

// Builtins resolves ref() and source() the way SQLFluff's dbt builtins do: a ref is the bare
// model name and a source is "<source>_<table>".
type Builtins struct{}

// Ref renders a ref as the model name.
func (Builtins) Ref(_, name, _ string) (jinja.Relation, bool) {
	return jinja.Relation{Identifier: name}, true
}

// Source renders a source as source_table.
func (Builtins) Source(source, table string) (jinja.Relation, bool) {
	return jinja.Relation{Identifier: source + "_" + table}, true
}

// This is what `this` renders to under SQLFluff's dbt builtins.
var This = jinja.Relation{Identifier: "this_model"}

// Var is var() for a file linted under cfg, for jinja.Input.Var. SQLFluff's jinja templater
// with its dbt builtins (1.4.5: `var = lambda variable, default="": "item"`) answers "item" to
// every call, whatever the name, the default and the vars: `{% if var('x', false) %}` is true
// and `{% for p in var('l', []) %}` loops over the letters, so SQLFluff lints those bodies and
// so must we. It is nil, var() reading the vars and then the default, where SQLFluff does not
// apply that builtin: under the dbt templater (which runs dbt, with the project's vars), with
// apply_dbt_builtins off, and when [sqlfluff:templater:jinja:context] binds var itself (the
// builtins fill only the names the context leaves free).
func Var(cfg *lint.Config) func(string) any {
	if cfg == nil {
		return sqlfluffVar
	}
	if t, _ := cfg.Core("templater"); t != "" && !strings.EqualFold(t, "jinja") {
		return nil
	}
	if v, ok := cfg.Get("templater:jinja", "apply_dbt_builtins"); ok && !strings.EqualFold(v, "true") {
		return nil
	}
	if _, set := cfg.Section("templater:jinja:context")["var"]; set {
		return nil
	}
	return sqlfluffVar
}

func sqlfluffVar(string) any { return "item" }

// Config renders bare files with a Jinja environment built from the configuration: macros
// from load_macros_from_path, variables from [sqlfluff:templater:jinja:context], and dbt's
// builtins when apply_dbt_builtins is on. Environments are cached per distinct setting.
type Config struct {
	mu   sync.Mutex
	envs map[string]*configEnv
	// OwnMacroPaths reads a load_macros_from_path folder wherever it is, as SQLFluff does,
	// confined to that folder's own tree (no link leads out of it). For the user's own
	// configuration only: one a pull request may have written is confined to the working
	// directory (the default).
	OwnMacroPaths bool
}

type configEnv struct {
	env      *jinja.Env
	problems []string
	told     atomic.Bool // problems went out with one file's render: they are the config's, not each file's
	// prelude sets the [sqlfluff:templater:jinja:context] variables as Jinja globals; it
	// renders to nothing and sits before the file, so offsets are shifted back after rendering.
	prelude string
}

// New returns a templater with an empty cache.
func New() *Config { return &Config{envs: map[string]*configEnv{}} }

// Render renders src with the environment its configuration describes.
func (t *Config) Render(path, src string, cfg *lint.Config) lint.Rendered {
	name, _ := cfg.Core("templater")
	switch strings.ToLower(name) {
	case "raw":
		return lint.RawTemplater{}.Render(path, src, cfg)
	case "", "jinja", "dbt", "dbt-cloud":
		// dbt-cloud is the dbt templater as dbt Cloud runs it; dbt's jaffle-shop, the
		// template new dbt Cloud projects start from, names it.
	default:
		// The python and placeholder templaters interpret configuration in ways we do not
		// reproduce (python runs format strings over user values); lint the file as written.
		r := lint.RawTemplater{}.Render(path, src, cfg)
		r.Problems = append(r.Problems, path+": templater "+name+" is not supported; linting the file as written")
		return r
	}
	if !strings.Contains(src, "{{") && !strings.Contains(src, "{%") && !strings.Contains(src, "{#") {
		return lint.RawTemplater{}.Render(path, src, cfg)
	}
	ce := t.env(cfg)
	in := jinja.Input{Path: path, Source: src, Name: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), ResourceType: "model", Package: "sqlfluff"}
	if v, ok := cfg.Get("templater:jinja", "apply_dbt_builtins"); !ok || strings.EqualFold(v, "true") {
		in.Resolver = Builtins{}
		in.This = This
		// SQLFluff's is_incremental() is always true, so the incremental branch is linted.
		in.Incremental = true
		in.Var = Var(cfg)
	}
	problems := ce.problems
	if len(problems) > 0 && ce.told.Swap(true) {
		problems = nil
	}
	if ce.prelude == "" {
		return Render(ce.env, in, problems)
	}
	in.Source = ce.prelude + src
	r := Render(ce.env, in, problems)
	if r.Failed {
		return lint.Rendered{Output: src, Map: nil, Problems: r.Problems, Failed: true}
	}
	n := len(ce.prelude)
	segs := r.Map[:0]
	for _, sg := range r.Map {
		if sg.Src < n {
			if sg.Len == 0 {
				continue
			}
			sg.Src = 0
		} else {
			sg.Src -= n
		}
		segs = append(segs, sg)
	}
	r.Map = segs
	return r
}

// Render renders one input and converts the result for the linter. A failed render lints
// the raw source and says why.
func Render(env *jinja.Env, in jinja.Input, problems []string) (r lint.Rendered) {
	defer func() {
		if p := recover(); p != nil {
			r = lint.RawTemplater{}.Render(in.Path, in.Source, nil)
			r.Failed = true
			r.Problems = append(append(r.Problems, problems...), fmt.Sprintf("%s: rendering failed: %v", in.Path, p))
		}
	}()
	res := env.Render(in)
	if res == nil || res.Map == nil || res.Err != nil {
		r = lint.RawTemplater{}.Render(in.Path, in.Source, nil)
		r.Failed = true
		r.Problems = append(r.Problems, problems...)
		if res != nil && res.Err != nil {
			r.Problems = append(r.Problems, in.Path+": "+res.Err.Error())
		}
		return r
	}
	segs := make([]lint.Segment, len(res.Map.Segments))
	for i, s := range res.Map.Segments {
		segs[i] = lint.Segment{Out: s.Out, Len: s.Len, Src: s.Src, Literal: s.Literal}
	}
	out := res.Output
	// Jinja drops a template's final newline; SQLFluff keeps it (keep_trailing_newline), and
	// LT05 and LT12 need it.
	if strings.HasSuffix(in.Source, "\n") && !strings.HasSuffix(out, "\n") {
		segs = append(segs, lint.Segment{Out: len(out), Len: 1, Src: len(in.Source) - 1, Literal: true})
		out += "\n"
	}
	r = lint.Rendered{Output: out, Map: segs, Problems: append([]string(nil), problems...)}
	return r
}

func (t *Config) env(cfg *lint.Config) *configEnv {
	macroPath, _ := cfg.Get("templater:jinja", "load_macros_from_path")
	ctx := cfg.Section("templater:jinja:context")
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var key strings.Builder
	key.WriteString(macroPath)
	for _, k := range keys {
		key.WriteString("\x00" + k + "=" + ctx[k])
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if ce, ok := t.envs[key.String()]; ok {
		return ce
	}
	ce := &configEnv{}
	var files []jinja.MacroFile
	for _, dir := range strings.Split(macroPath, ",") {
		if dir = strings.TrimSpace(dir); dir == "" {
			continue
		}
		fs, err := readMacroDir(dir, t.OwnMacroPaths)
		if err != nil {
			ce.problems = append(ce.problems, "load_macros_from_path: "+err.Error())
		}
		files = append(files, fs...)
	}
	vars := map[string]any{}
	var prelude strings.Builder
	for _, k := range keys {
		vars[k] = ctx[k]
		if isIdent(k) {
			prelude.WriteString("{% set " + k + " = " + jinjaLiteral(ctx[k]) + " %}")
		}
	}
	ce.prelude = prelude.String()
	if _, ok := cfg.Get("templater:jinja", "library_path"); ok {
		ce.problems = append(ce.problems, "library_path is ignored: configuration never loads code")
	}
	// SQLFluff's builtins render relations as bare names: no quoting.
	env, diags := jinja.New(jinja.Options{RootPackage: "sqlfluff", MacroFiles: files, Vars: map[string]map[string]any{"": vars},
		Quoting: &jinja.QuotePolicy{}})
	for _, d := range diags {
		ce.problems = append(ce.problems, fmt.Sprintf("%s:%d: %s", d.Path, d.Pos.Line, d.Message))
	}
	ce.env = env
	t.envs[key.String()] = ce
	return ce
}

// readMacroDir reads the macro files under dir. A configuration file is project content, so
// unless it is the user's own (own), the folder must resolve inside the working directory, and
// every file read is confined there (fsconfine): `load_macros_from_path = /etc` or a link out
// of the tree reads nothing. Only .sql files are read, as macros: never run, never printed
// unless a model calls one.
func readMacroDir(dir string, own bool) ([]jinja.MacroFile, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if own {
		wd = abs
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		return nil, fmt.Errorf("%s: %w", dir, fsconfine.ErrOutside)
	}
	root, err := fsconfine.Open(wd)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var out []jinja.MacroFile
	var refused []error
	var walk func(sub string) error
	walk = func(sub string) error {
		entries, err := root.ReadDir(sub)
		if err != nil {
			return err
		}
		for _, e := range entries {
			name := path.Join(sub, e.Name())
			if e.IsDir() {
				if err := walk(name); err != nil {
					return err
				}
				continue
			}
			if !strings.HasSuffix(name, ".sql") {
				continue
			}
			data, err := root.ReadFile(name)
			if err != nil {
				// One refused file (a link out) costs that file, not the folder's other macros.
				refused = append(refused, err)
				continue
			}
			within, _ := filepath.Rel(rel, filepath.FromSlash(name))
			out = append(out, jinja.MacroFile{Package: "sqlfluff", Path: within, Source: string(data)})
		}
		return nil
	}
	err = walk(filepath.ToSlash(rel))
	return out, errors.Join(append(refused, err)...)
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// jinjaLiteral writes a context value as SQLFluff reads it: numbers and booleans as such,
// anything else as a string.
func jinjaLiteral(v string) string {
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	switch strings.ToLower(v) {
	case "true":
		return "True"
	case "false":
		return "False"
	}
	return strconv.Quote(v)
}
