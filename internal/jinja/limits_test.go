package jinja

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// allocated is how many bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func limitWarning(t *testing.T, res *Result, want string) {
	t.Helper()
	for _, w := range res.Warnings {
		if w.Kind == "resource-limit" && strings.Contains(w.Message, want) {
			if res.Err == nil || !strings.Contains(res.Err.Error(), want) {
				t.Errorf("a render cut short must fail with the reason: Err = %v", res.Err)
			}
			if res.Output != res.Map.source(res) {
				t.Errorf("a render cut short must not pass its truncated output off as complete: %q", res.Output)
			}
			return
		}
	}
	t.Errorf("no resource-limit warning saying %q: %+v", want, res.Warnings)
}

// source is what a stopped render's output must be: the template itself, mapped to itself.
func (m *OffsetMap) source(res *Result) string {
	if m == nil || len(m.Segments) != 1 || !m.Segments[0].Literal || m.Segments[0].Src != 0 {
		return "\x00not the source"
	}
	return res.Output
}

const nestedLoops = "{% set s = 'x' * 1000 %}\n{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}select 1"

func TestNestedLoopsStopAtTheTimeLimit(t *testing.T) {
	// No step limit to speak of: only the clock, looked at inside the loops, can stop the
	// billion iterations.
	env := testEnv(t, func(o *Options) {
		o.Limits = &Limits{MaxOutput: 1 << 20, MaxSteps: 1 << 40, MaxRangeItems: 1 << 20, MaxDepth: 20, MaxTime: 200 * time.Millisecond}
	})
	res := env.Render(Input{Path: "models/loops.sql", Source: nestedLoops, Package: "shop"})
	limitWarning(t, res, "render stopped after 200ms")
	if !strings.HasPrefix(res.Err.Error(), "models/loops.sql:2:") {
		t.Errorf("the error must say where the render stopped: %v", res.Err)
	}
}

func TestNestedLoopsStopAtTheStepLimit(t *testing.T) {
	env := testEnv(t, func(o *Options) {
		o.Limits = &Limits{MaxOutput: 1 << 20, MaxSteps: 100_000, MaxRangeItems: 1 << 20, MaxDepth: 20, MaxTime: time.Minute}
	})
	limitWarning(t, env.Render(Input{Path: "models/loops.sql", Source: nestedLoops, Package: "shop"}), "after 100000 template steps")
}

func TestCancelStopsARender(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	env := testEnv(t, func(o *Options) {
		o.Context = ctx
		o.EnvVars = EnvVars{Allow: []string{"X"}}
		// Should cancelling not stop it, the render stops after a minute, for another reason.
		o.Limits = &Limits{MaxOutput: 1 << 20, MaxSteps: 1 << 40, MaxRangeItems: 1 << 20, MaxDepth: 20, MaxTime: time.Minute}
	})
	// Cancelled while the render runs (the first render of a statement in the loop body).
	env.opts.Getenv = func(string) (string, bool) {
		cancel(errors.New("interrupted by SIGTERM"))
		return "", false
	}
	src := "{% set s = 'x' * 1000 %}{% for a in s %}{% for b in s %}{% for c in s %}{{ env_var('X', '') }}{% endfor %}{% endfor %}{% endfor %}"
	res := env.Render(Input{Path: "models/m.sql", Source: src, Package: "shop"})
	limitWarning(t, res, "render stopped: interrupted by SIGTERM")
	// Renders that start afterwards stop at once.
	limitWarning(t, env.Render(Input{Path: "models/n.sql", Source: "select 1", Package: "shop"}), "render skipped: interrupted by SIGTERM")
}

func TestBudgetIsSharedByRenders(t *testing.T) {
	b := NewBudget(100 * time.Millisecond)
	env := testEnv(t, func(o *Options) {
		o.Budget = b
		o.Limits = &Limits{MaxOutput: 1 << 20, MaxSteps: 1 << 40, MaxRangeItems: 1 << 20, MaxDepth: 20, MaxTime: time.Minute}
	})
	limitWarning(t, env.Render(Input{Path: "models/loops.sql", Source: nestedLoops, Package: "shop"}), "the renders of this run took more than 100ms together")
	if b.Spent() <= b.Time() {
		t.Errorf("spent %s of %s", b.Spent(), b.Time())
	}
	limitWarning(t, env.Render(Input{Path: "models/next.sql", Source: "select 1", Package: "shop"}), "render skipped: the renders of this run used up their budget")

	// Output counts too.
	b = NewBudget(time.Hour)
	b.bytes = 100
	env = testEnv(t, func(o *Options) { o.Budget = b })
	if res := env.Render(Input{Path: "models/a.sql", Source: strings.Repeat("x", 60), Package: "shop"}); res.Err != nil {
		t.Fatal(res.Err)
	}
	limitWarning(t, env.Render(Input{Path: "models/b.sql", Source: strings.Repeat("y", 60), Package: "shop"}), "produced more than")
}

func TestToJSONBombRefusedBeforeBuilding(t *testing.T) {
	env := testEnv(t, nil)
	for _, expr := range []string{"m | tojson", "tojson(m)", "toyaml(m)", "m | tojson(indent=2)", "m", "m | string", "m ~ ''", "'%s' % [m]",
		"m | join(',')", "'{}'.format(m)", "local_md5(m)", "ref(m)", "m | list | join"} {
		src := "{% set s = 'x' * 10000000 %}{% set l = [s, s, s, s, s, s, s, s, s, s] %}{% set m = [l, l, l, l, l, l, l, l, l, l] %}select '{{ " + expr + " }}'"
		var res *Result
		n := allocated(func() { res = env.Render(Input{Path: "models/bomb.sql", Source: src, Package: "shop"}) })
		// The 10 MB string is built once (and the operators may copy it once or twice); the
		// gigabyte of output is not.
		if n > 100<<20 {
			t.Errorf("%s: allocated %d MiB", expr, n>>20)
		}
		if len(res.Output) > 1<<20 {
			t.Errorf("%s: output of %d bytes", expr, len(res.Output))
		}
		if len(warnings(res, "resource-limit"))+len(warnings(res, "render-error")) == 0 {
			t.Errorf("%s: neither refused nor stopped: %+v", expr, res.Warnings)
		}
	}
}

func TestBuildersAreBoundedBeforeBuilding(t *testing.T) {
	env := testEnv(t, func(o *Options) {
		o.Limits = &Limits{MaxOutput: 1 << 20, MaxSteps: 1 << 20, MaxRangeItems: 1 << 16, MaxDepth: 20, MaxTime: time.Minute}
	})
	big := "{% set s = 'x' * 500000 %}{% set nl = '\\n' * 500000 %}"
	for _, src := range []string{
		"{{ 'ab' * 10**7 }}",
		"{{ [1, 2] * 10**7 }}",
		"{{ range(10**8) | length }}",
		"{{ [s, s, s] | join }}",
		"{{ s | replace('x', 'yyyy') }}",
		"{{ s.replace('', 'yy') }}",
		"{{ '%s%s%s' % (s, s, s) }}",
		"{{ '{0}{0}{0}'.format(s) }}",
		"{{ nl | indent(10) }}",
		"{{ nl | indent('          ') }}",
		"{{ s | center(9999) }}{{ s | center(9999) }}{{ s | center(9999) }}",
		"{{ (s ~ s ~ s) | length }}",
		"{{ ('<' * 400000) | e }}",
		"{{ ('<' * 400000) | urlencode }}",
		"{{ [1] | batch(10**9, 'x') | list | length }}",
		"{{ modules.re.sub('', 'yyy', s) }}",
		"{{ modules.re.findall('', s) | length }}",
		"{{ s | wordwrap(1, wrapstring='......') }}",
		"{% for c in s %}{% endfor %}",
		"{% set ns = namespace(t='') %}{% for i in range(3000) %}{% set ns.t = ns.t ~ s %}{% endfor %}",
		"{% macro m() %}{% for i in range(100) %}{{ s }}{% endfor %}{% endmacro %}{{ m() | length }}",
		"{% set x %}{% for i in range(3000) %}{{ s }}{% endfor %}{% endset %}",
		"{% filter upper %}{% for i in range(3000) %}{{ s }}{% endfor %}{% endfilter %}",
		"{% set l = [] %}{% for i in range(200000) %}{% do l.insert(0, i) %}{% endfor %}",
		"{{ tojson([1], indent=10**9) }}{{ [1] | tojson(indent=10**9) }}",
	} {
		var res *Result
		n := allocated(func() { res = env.Render(Input{Path: "models/m.sql", Source: big + src, Package: "shop"}) })
		if n > 256<<20 {
			t.Errorf("%s: allocated %d MiB", src, n>>20)
		}
		if len(res.Output) > 1<<20 {
			t.Errorf("%s: output of %d bytes", src, len(res.Output))
		}
		if len(warnings(res, "resource-limit"))+len(warnings(res, "render-error")) == 0 {
			t.Errorf("%s: neither refused nor stopped (%d bytes out): %+v", src, len(res.Output), res.Warnings)
		}
	}
	// Methods are bounded by the default limits.
	env = testEnv(t, nil)
	for _, src := range []string{
		"{{ (' ' * 2000000).split(' ') | length }}",
		"{{ (' x' * 2000000).split() | length }}",
		"{{ ('\n' * 2000000).splitlines() | length }}",
		"{{ ('x' * 10000000).replace('x', 'xx') | length }}",
		"{{ ',' .join(['x' * 10000000, 'y' * 10000000]) | length }}",
	} {
		var res *Result
		n := allocated(func() { res = env.Render(Input{Path: "models/m.sql", Source: src, Package: "shop"}) })
		if n > 512<<20 {
			t.Errorf("%s: allocated %d MiB", src, n>>20)
		}
		if len(warnings(res, "render-error")) == 0 {
			t.Errorf("%s: not refused (%q): %+v", src, res.Output, res.Warnings)
		}
	}
}

func TestLimitsLeaveRealTemplatesAlone(t *testing.T) {
	env := testEnv(t, nil)
	src := `{% set cols = [] %}{% for i in range(300) %}{% do cols.append('col_' ~ i) %}{% endfor %}
select {% for c in cols %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- for k, v in {'a': 1, 'b': 2}.items() %} /* {{ loop.index }}:{{ k }}={{ v }}{{ loop.previtem }} */{% endfor %}
{%- for x in [3, 1, 2] if x > 1 %} {{ loop.length }}{{ loop.cycle('a', 'b') }}{% else %}none{% endfor %}
{%- for x in [] %}x{% else %} empty{% endfor %}
{{ cols | tojson | length }} {{ cols | join(',') | length }} {{ '%s-%s' % ('a', 'b') }} {{ 'x' | indent(2) }}`
	res := env.Render(Input{Path: "models/m.sql", Source: src, Package: "shop"})
	if res.Err != nil || len(res.Warnings) > 0 {
		t.Fatalf("%v %+v", res.Err, res.Warnings)
	}
	for _, want := range []string{"select col_0, col_1,", "col_299 /* 1:a=1 */ /* 2:b=2['a', 1] */ 2a 2b empty\n2891 2289 a-b x"} {
		if !strings.Contains(res.Output, want) {
			t.Errorf("output lacks %q:\n%s", want, res.Output)
		}
	}
}

func TestRecursiveLoops(t *testing.T) {
	env := testEnv(t, nil)
	src := `{% set tree = [{'n': 'a', 'c': [{'n': 'b', 'c': []}, {'n': 'c', 'c': [{'n': 'd', 'c': []}]}]}] %}` +
		`{% for x in tree recursive %}{{ x.n }}{{ loop.depth }}({{ loop(x.c) }}){% endfor %}`
	res := render(t, env, src)
	if res.Output != "a1(b2()c2(d3()))" || res.Err != nil {
		t.Fatalf("%q %v %+v", res.Output, res.Err, res.Warnings)
	}
	limited := testEnv(t, func(o *Options) {
		o.Limits = &Limits{MaxOutput: 1 << 20, MaxSteps: 1 << 20, MaxRangeItems: 1 << 16, MaxDepth: 20, MaxTime: time.Minute}
	})
	res = limited.Render(Input{Path: "models/m.sql", Source: `{% set l = [] %}{% do l.append(l) %}{% for x in [[1]] recursive %}{{ loop([x]) }}{% endfor %}`, Package: "shop"})
	limitWarning(t, res, "loops recursing deeper than 20")
}

func TestWarningsAreBounded(t *testing.T) {
	env := testEnv(t, nil)
	res := render(t, env, "{% set s = 'x' * 1000000 %}{% for i in range(5000) %}{% do exceptions.raise_compiler_error(s ~ i) %}{% endfor %}")
	if len(res.Warnings) > maxWarnings {
		t.Errorf("%d warnings", len(res.Warnings))
	}
	for _, w := range res.Warnings {
		if len(w.Message) > maxMessageSize+100 {
			t.Fatalf("a warning of %d bytes", len(w.Message))
		}
	}
}

func TestRefsAreBounded(t *testing.T) {
	env := testEnv(t, func(o *Options) {
		o.Limits = &Limits{MaxOutput: 1 << 20, MaxSteps: 1 << 24, MaxRangeItems: 1 << 20, MaxDepth: 20, MaxTime: time.Minute}
	})
	limitWarning(t, env.Render(Input{Path: "models/m.sql", Source: "{% for i in range(200000) %}{% do ref('m' ~ i) %}{% endfor %}", Package: "shop"}),
		"more than 100000 refs and sources")
	res := render(t, env, "{{ ref('x' * 5000) }}")
	if len(res.Refs) != 0 || len(warnings(res, "render-error")) == 0 {
		t.Errorf("a ref to a 5000-byte name: %+v %+v", res.Refs, res.Warnings)
	}
	limitWarning(t, env.Render(Input{Path: "models/m.sql", Source: "{% set s = 'x' * 900000 %}{% for i in range(3) %}{% do config(**{'k' ~ i: s}) %}{% endfor %}", Package: "shop"}),
		"config() values of more than")
}

func TestMeasures(t *testing.T) {
	for _, c := range []struct {
		v    any
		json int
	}{
		{"a\"<'é\n", 2 + 1 + 2 + 6 + 6 + 2 + 2},
		{[]any{"a", 1, nil, true}, 2 + 3 + 1 + 24 + 1 + 4 + 1 + 5},
		{map[string]any{"k": []any{}}, 2 + 3 + 2 + 2},
	} {
		if got := jsonSize(c.v, 0, 1<<20); got != c.json {
			t.Errorf("jsonSize(%#v) = %d, want %d", c.v, got, c.json)
		}
	}
	// A list sharing one element a million times is measured in as many steps as the limit
	// allows, not a million.
	l := make([]any, 1_000_000)
	for i := range l {
		l[i] = strings.Repeat("x", 100)
	}
	m := []any{l, l, l, l, l}
	if got := printedSize(m, 1000); got <= 1000 {
		t.Errorf("printedSize = %d", got)
	}
}
