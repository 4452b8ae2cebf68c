package jinja

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nikolalohinski/gonja/v2/nodes"
)

// parseOutput parses "{{ src }}" and returns the expression, before any rewrite.
func parseOutput(t *testing.T, e *Env, src string) nodes.Expression {
	t.Helper()
	toks, lexErr := lexTemplate("{{ "+src+" }}", e.cfg)
	if lexErr != nil {
		t.Fatal(lexErr)
	}
	root, err := e.parse("x.sql", fixTokens(toks), e.tools.cs)
	if err != nil {
		t.Fatal(err)
	}
	return root.Nodes[0].(*nodes.Output).Expression
}

// oldLiteral is the call a literal became before literals were built ahead.
func oldLiteral(n nodes.Expression) nodes.Expression {
	switch x := n.(type) {
	case *nodes.List:
		var items []nodes.Expression
		for _, v := range x.Val {
			items = append(items, oldLiteral(v))
		}
		return builtinCall(x.Location, "dataops list", items...)
	case *nodes.Dict:
		var kv []nodes.Expression
		for _, p := range x.Pairs {
			kv = append(kv, oldLiteral(p.Key), oldLiteral(p.Value))
		}
		return builtinCall(x.Token, "dataops dict", kv...)
	}
	return n
}

// A literal built ahead prints, inside a message quoting the expression around it, as the
// call it replaced did; a literal holding anything but literals is not built ahead.
func TestConstLiteralPrintsAsBefore(t *testing.T) {
	e := testEnv(t, nil)
	for _, src := range []string{`{'a': 1, 'b': [1, 'x', none, 2], 'c': {'d': true, 'e': 1.5}}`, `[]`, `{}`, `['a', 2.5]`, `[[[]]]`} {
		w := &treeWalker{seen: map[uintptr]bool{}}
		got := w.rewrite(parseOutput(t, e, src))
		c, ok := got.(*nodes.Call)
		if !ok || c.Func.(*nodes.Name).Name.Val != constName {
			t.Errorf("%s: not built ahead: %v", src, got)
			continue
		}
		if want := fmt.Sprint(oldLiteral(parseOutput(t, e, src))); fmt.Sprint(got) != want {
			t.Errorf("%s: prints %s, was %s", src, got, want)
		}
	}
	for _, src := range []string{`[a, 1]`, `{'a': b}`, `{'a': [1, x]}`, `[1 + 2]`, `[-2]`} {
		w := &treeWalker{seen: map[uintptr]bool{}}
		got := w.rewrite(parseOutput(t, e, src))
		if c, ok := got.(*nodes.Call); ok && c.Func.(*nodes.Name).Name.Val == constName {
			t.Errorf("%s: built ahead", src)
		}
	}
}

// Every evaluation of a literal gets its own lists and dicts: changing one in a macro call
// changes nothing in the next call, nor in the nested values of the literal.
func TestConstLiteralIsCopied(t *testing.T) {
	e := testEnv(t, func(o *Options) {
		o.MacroFiles = append(o.MacroFiles, MacroFile{Package: "shop", Path: "macros/table.sql", Source: `
{% macro table() %}{% set t = {'a': [1, 2], 'b': {'c': 'd'}, 'e': none} %}{{ return(t) }}{% endmacro %}
{% macro grow(x) %}{% set l = [] %}{% do l.append(x) %}{{ return(l) }}{% endmacro %}`})
	})
	src := `{% set t = table() %}{% do t.a.append(3) %}{% do t.b.update({'c': 'z'}) %}{% do t.update({'f': 1}) %}
{{ t }}|{{ table() }}|{{ grow(1) }}{{ grow(2) }}|{% for i in range(2) %}{% set m = {'k': []} %}{% do m.k.append(i) %}{{ m }}{% endfor %}`
	res := e.Render(Input{Path: "models/t.sql", Source: src, Package: "shop", Name: "t", Resolver: fakeResolver{}})
	if res.Err != nil || len(res.Warnings) > 0 {
		t.Fatal(res.Err, res.Warnings)
	}
	// (a none inside a dict prints as nothing, as it did before literals were built ahead)
	want := "\n{'a': [1, 2, 3], 'b': {'c': 'z'}, 'e': , 'f': 1}|{'a': [1, 2], 'b': {'c': 'd'}, 'e': }|[1][2]|{'k': [0]}{'k': [1]}"
	if res.Output != want {
		t.Errorf("got  %q\nwant %q", res.Output, want)
	}
	if strings.Count(res.Output, "3") != 1 {
		t.Error("a change reached another evaluation")
	}
}

// items() and values() of a dict literal list its keys in order, a repeated key with the
// value a lookup of it gives (the first), in small dicts and in large ones alike.
func TestDictItemsRepeatedKeys(t *testing.T) {
	e := testEnv(t, nil)
	for _, n := range []int{3, 40} {
		var lit, items, values []string
		for i := 0; i < n; i++ {
			k := fmt.Sprintf("k%d", i%(n-1)) // the last key repeats the first
			lit = append(lit, fmt.Sprintf("'%s': %d, ", k, i))
			v := i
			if i == n-1 {
				v = 0
			}
			items = append(items, fmt.Sprintf("('%s', %d)", k, v))
			values = append(values, fmt.Sprint(v))
		}
		src := "{% set d = {" + strings.Join(lit, "") + "'x': a} %}{% for k, v in d.items() %}('{{ k }}', {{ v }}){% endfor %}|{{ d.values() | join(',') }}"
		res := e.Render(Input{Path: "models/d.sql", Source: src, Package: "shop", Name: "d", Resolver: fakeResolver{}, Globals: map[string]any{"a": 7}})
		want := strings.Join(items, "") + "('x', 7)|" + strings.Join(values, ",") + ",7"
		if res.Output != want {
			t.Errorf("%d keys:\n got %s\nwant %s", n, res.Output, want)
		}
	}
}
