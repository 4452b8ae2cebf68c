package jinja

import (
	"strings"
	"sync"
	"testing"
)

// mapModel has text inside loops, ifs and macro calls, so every kind of segment shows up.
const mapModel = `{{ config(materialized='table') }}
select
  {% for c in ['alpha', 'beta'] -%}
  {{ c }}_col,
  {% endfor -%}
  {{ cents_to_dollars('amount') }} as dollars
from {{ ref('orders') }}
{% if true %}where amount > 0{% endif %}
{%- if false %}and never{% endif %}
`

// at finds the n-th (0-based) occurrence of sub in s.
func at(t *testing.T, s, sub string, n int) int {
	t.Helper()
	off := -1
	for i := 0; i <= n; i++ {
		j := strings.Index(s[off+1:], sub)
		if j < 0 {
			t.Fatalf("%q occurs fewer than %d times in %q", sub, n+1, s)
		}
		off += 1 + j
	}
	return off
}

func TestOffsetMap(t *testing.T) {
	env := testEnv(t, nil)
	res := render(t, env, mapModel)
	out := res.Output
	want := "\nselect\n  alpha_col,\n  beta_col,\n  round(amount / 100.0, 2) as dollars\nfrom orders\nwhere amount > 0"
	if out != want {
		t.Fatalf("output\n got: %q\nwant: %q", out, want)
	}
	for _, c := range []struct {
		out     string // text in the output
		n       int    // which occurrence
		src     string // where it must map in the template
		srcN    int
		literal bool
	}{
		{"select", 0, "select", 0, true},
		{"alpha", 0, "{{ c }}", 0, false},
		{"beta", 0, "{{ c }}", 0, false},
		{"_col,", 0, "_col,", 0, true},
		{"_col,", 1, "_col,", 0, true}, // the second iteration maps to the same loop body text
		{"round(", 0, "{{ cents_to_dollars", 0, false},
		{"2)", 0, "{{ cents_to_dollars", 0, false},
		{" as dollars", 0, " as dollars", 0, true},
		{"orders", 0, "{{ ref('orders') }}", 0, false},
		{"where amount", 0, "where amount", 0, true},
	} {
		o := at(t, out, c.out, c.n)
		src, literal := res.Map.Source(o)
		wantSrc := at(t, mapModel, c.src, c.srcN)
		if src != wantSrc || literal != c.literal {
			t.Errorf("%q #%d maps to %d (literal %v), want %d (literal %v)", c.out, c.n, src, literal, wantSrc, c.literal)
		}
	}
	// Positions for lint findings: "dollars" is on line 6, after "  {{ cents_to_dollars('amount') }} as ".
	if p := res.Map.Position(mapModel, at(t, out, "dollars", 0)); p != (Position{Line: 6, Column: 39}) {
		t.Errorf("position of dollars: %+v", p)
	}
	if p := res.Map.Position(mapModel, at(t, out, "orders", 0)); p != (Position{Line: 7, Column: 6}) {
		t.Errorf("position of orders: %+v", p)
	}
	// Past the end maps to the end of the last segment.
	if src, _ := res.Map.Source(len(out) + 10); src != at(t, mapModel, "where amount > 0", 0)+len("where amount > 0") {
		t.Errorf("end maps to %d", src)
	}
}

func TestOffsetMapRaw(t *testing.T) {
	env := testEnv(t, nil)
	src := "a {% raw %}{{ kept }} x{% endraw %} b"
	res := render(t, env, src)
	if res.Output != "a {{ kept }} x b" {
		t.Fatalf("output %q", res.Output)
	}
	o := at(t, res.Output, "x", 0)
	if s, lit := res.Map.Source(o); !lit || s != at(t, src, " x", 0)+1 {
		t.Errorf("raw text maps to %d (literal %v)", s, lit)
	}
}

func TestOffsetMapCRLF(t *testing.T) {
	env := testEnv(t, nil)
	src := strings.ReplaceAll(mapModel, "\n", "\r\n")
	res := render(t, env, src) // render checks that literal segments match the original bytes
	if strings.Contains(res.Output, "\r") {
		t.Errorf("output keeps carriage returns: %q", res.Output)
	}
	o := at(t, res.Output, "where amount", 0)
	if p := res.Map.Position(src, o); p != (Position{Line: 8, Column: 14}) {
		t.Errorf("position with CRLF: %+v", p)
	}
	o = at(t, res.Output, "dollars", 0)
	if p := res.Map.Position(src, o); p != (Position{Line: 6, Column: 39}) {
		t.Errorf("position with CRLF: %+v", p)
	}
}

func TestPositionHelpers(t *testing.T) {
	src := "ab\ncé d\n"
	for off, want := range map[int]Position{0: {1, 1}, 2: {1, 3}, 3: {2, 1}, 4: {2, 2}, 6: {2, 3}, 7: {2, 4}, 9: {3, 1}} {
		if got := PositionAt(src, off); got != want {
			t.Errorf("PositionAt(%d) = %+v, want %+v", off, got, want)
		}
		if back := OffsetAt(src, want); back != off {
			t.Errorf("OffsetAt(%+v) = %d, want %d", want, back, off)
		}
	}
	var empty *OffsetMap
	if src, lit := empty.Source(3); src != 0 || lit {
		t.Error("nil map")
	}
}

// TestConcurrentRenders renders many models on one Env at once; run with -race.
func TestConcurrentRenders(t *testing.T) {
	env := testEnv(t, nil)
	want := render(t, env, mapModel).Output
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				res := env.Render(Input{Path: "models/m.sql", Source: mapModel, Package: "shop", Name: "m"})
				if res.Output != want {
					t.Errorf("concurrent render differs: %q", res.Output)
					return
				}
				res = env.Render(Input{Path: "models/u.sql", Source: "{{ utils.greet(var('scoped')) }}{{ dbt_utils.x(ref('a')) }}", Package: "utils", Name: "u"})
				if res.Output != "hello from shop, utils-scoped" || len(res.Refs) != 1 {
					t.Errorf("concurrent package render: %q %+v", res.Output, res.Refs)
					return
				}
			}
		}()
	}
	wg.Wait()
}
