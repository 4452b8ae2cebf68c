package jinja

import (
	"fmt"
	"sync"
	"testing"
)

// Environments compiling the same macro file share its compiled tree, and each still renders
// it with its own target, vars and macros, even at once.
func TestCompiledMacroFilesShared(t *testing.T) {
	files := func(suffix string) []MacroFile {
		return []MacroFile{
			{Package: "p", Path: "macros/who.sql", Source: "{% macro who() %}{{ target.name }}:{{ var('v') }}:{{ tail() }}{% endmacro %}"},
			{Package: "p", Path: "macros/tail.sql", Source: "{% macro tail() %}" + suffix + "{% endmacro %}"},
		}
	}
	envs := make([]*Env, 4)
	for i := range envs {
		env, diags := New(Options{RootPackage: "p", Target: map[string]any{"name": fmt.Sprint("t", i)},
			CLIVars: map[string]any{"v": i}, MacroFiles: files(fmt.Sprint("s", i%2))})
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		envs[i] = env
	}
	if envs[0].files[1] != envs[1].files[1] || envs[0].files[len(envs[0].files)-2] != envs[3].files[len(envs[3].files)-2] {
		t.Error("the same macro file was compiled twice")
	}
	var wg sync.WaitGroup
	for i, env := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				r := env.Render(Input{Path: "models/m.sql", Package: "p", Name: "m", ResourceType: "model", Source: "{{ who() }}"})
				if want := fmt.Sprintf("t%d:%d:s%d", i, i, i%2); r.Output != want || r.Err != nil {
					t.Errorf("env %d rendered %q (%v), want %q", i, r.Output, r.Err, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
