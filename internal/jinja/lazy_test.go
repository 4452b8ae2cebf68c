package jinja

import (
	"reflect"
	"testing"
)

// lazyOptions are testEnv's options with a file no render calls, a file that does not
// compile, and a file defining a macro again.
func lazyOptions(t *testing.T) Options {
	t.Helper()
	opts := testEnv(t, nil).opts
	opts.MacroFiles = append(append([]MacroFile{}, opts.MacroFiles...),
		MacroFile{Package: "shop", Path: "macros/unused.sql", Source: "{% macro unused() %}\nselect {{ 'x' ~ nothing_defines_this() }}{% endmacro %}"},
		MacroFile{Package: "shop", Path: "macros/bad.sql", Source: "{% macro bad() %}\nselect {{ 1 + }}\n{% endmacro %}"},
		MacroFile{Package: "shop", Path: "macros/again.sql", Source: "\r\n{% macro cents_to_dollars(col) %}({{ col }} / 100){% endmacro %}"},
	)
	return opts
}

// deferredEnv is the environment a restored snapshot builds, with the diagnostics binding
// its macros reported.
func deferredEnv(opts Options) (*Env, []Diagnostic) {
	e := newEnv(opts)
	e.deferred = true
	var diags []Diagnostic
	e.once.Do(func() { diags = e.compileMacros() })
	return e, diags
}

func forgetCompiled() {
	c := &compiledMacroFiles
	c.mu.Lock()
	c.files, c.bytes = nil, 0
	c.mu.Unlock()
}

func fileOf(e *Env, path string) *fileInfo {
	for _, f := range e.files {
		if f.path == path {
			return f
		}
	}
	return nil
}

// An environment bound from an earlier compile's index reports and renders what the compiled
// one does, and compiles a macro file only when one of its macros is called.
func TestLazyMacroFilesRenderAsCompiled(t *testing.T) {
	opts := lazyOptions(t)
	eager, want := New(opts)
	if len(want) != 2 {
		t.Fatalf("the compiled environment's diagnostics: %+v, want a syntax error and a duplicate", want)
	}
	index := eager.Index()
	if len(index) != len(opts.MacroFiles) || index[len(index)-2].Failed == nil {
		t.Fatalf("index: %d files for %d, the bad file's failure %v", len(index), len(opts.MacroFiles), index[len(index)-2].Failed)
	}
	opts.Index = index
	forgetCompiled() // else the files come compiled from the environment above
	lazy, got := deferredEnv(opts)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics bound from the index:\n%+v\ncompiled:\n%+v", got, want)
	}
	if !reflect.DeepEqual(lazy.Macros(), eager.Macros()) {
		t.Errorf("macros bound from the index differ from the compiled ones")
	}
	if f := fileOf(lazy, "macros/greet.sql"); f == nil || f.lazy == nil {
		t.Fatal("macros/greet.sql is not bound lazily")
	}

	if res := render(t, lazy, "{{ cents_to_dollars('amount') }}"); res.Output != "(amount / 100)" {
		t.Errorf("the later definition should win: %q", res.Output)
	}
	if f := fileOf(lazy, "macros/greet.sql"); f.root != nil {
		t.Error("macros/greet.sql was compiled though none of its macros was called")
	}
	for _, src := range []string{
		"{{ cents_to_dollars('amount') }}",
		"{{ greet('ann') }} {{ utils.greet('bob') }}",
		"{% call wrap() %}inner{% endcall %}",
		"{{ which_var() }} {{ utils.which_var() }} {{ columns() | join(',') }}",
		"{{ unused() }}",
		"{{ bad() }}",
		"{{ recurse(1) }}",
	} {
		e, l := render(t, eager, src), render(t, lazy, src)
		if e.Output != l.Output || !reflect.DeepEqual(e.Warnings, l.Warnings) || (e.Err == nil) != (l.Err == nil) {
			t.Errorf("%s:\ncompiled %q %+v %v\nlazy     %q %+v %v", src, e.Output, e.Warnings, e.Err, l.Output, l.Warnings, l.Err)
		}
	}
	if f := fileOf(lazy, "macros/greet.sql"); f.root == nil {
		t.Error("macros/greet.sql was not compiled when its macro was called")
	}

	// An index of other files is not used: every file is compiled.
	opts.Index = index[:1]
	other, diags := deferredEnv(opts)
	if !reflect.DeepEqual(diags, want) {
		t.Errorf("diagnostics with a stale index: %+v", diags)
	}
	for _, f := range other.files {
		if f.lazy != nil {
			t.Errorf("%s bound from an index of other files", f.path)
		}
	}
}
