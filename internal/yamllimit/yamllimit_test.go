package yamllimit

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// bomb is the classic alias bomb: each level is nine aliases of the one before.
func bomb(levels int) string {
	var b strings.Builder
	b.WriteString("version: 2\nmodels:\n  - name: m\n    meta:\n")
	b.WriteString(`      a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i <= levels; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d,", i-1), 9), ",")
		fmt.Fprintf(&b, "      a%d: &a%d [%s]\n", i, i, refs)
	}
	fmt.Fprintf(&b, "      z: *a%d\n", levels)
	return b.String()
}

func TestAliasBombRefusedAtTheAlias(t *testing.T) {
	src := bomb(9) // 9^10 nodes expanded
	_, _, err := Parse([]byte(src), MaxNodes)
	var le *Error
	if !errors.As(err, &le) {
		t.Fatalf("want *Error, got %v", err)
	}
	// a5 expands to about 600,000 nodes: its second alias, in the anchor a6 (line 11), passes
	// the limit.
	if le.Line != 11 || le.Column != 16 || !strings.Contains(le.Msg, "alias *a5") {
		t.Fatalf("want the limit passed at the second alias of a5 on line 11, got %v", le)
	}
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken().Position.Line != 11 {
		t.Fatalf("the error must carry its position as goccy's errors do: %v", err)
	}
	// Unmarshal refuses it before decoding anything.
	var v any
	if err := Unmarshal([]byte(src), &v); !errors.As(err, &le) {
		t.Fatalf("Unmarshal: want *Error, got %v", err)
	}
}

func TestAliasesWithinTheLimitAreCountedExactly(t *testing.T) {
	src := "base: &b {a: 1, b: 2}\nx: *b\ny: *b\nz:\n  <<: *b\n  c: 3\n"
	_, st, err := Parse([]byte(src), 0)
	if err != nil {
		t.Fatal(err)
	}
	// root map 1; base key 1 + map 1 + 2 pairs (4) = 6; x, y: key + 5 each = 12;
	// z: key 1 + map 1 + "<<" 1 + 5 + c pair 2 = 10. Each alias is one node as written and
	// five expanded.
	if st.Nodes != 29 || st.Literal != 17 || st.Expanded != 12 {
		t.Fatalf("stats %+v", st)
	}
	var v map[string]any
	if err := Unmarshal([]byte(src), &v); err != nil || v["y"].(map[string]any)["b"] != uint64(2) {
		t.Fatalf("Unmarshal: %v %v", v, err)
	}
}

func TestSelfReferenceIsNotACycle(t *testing.T) {
	// An alias inside its own anchor refers to nothing yet (the decoder refuses or nulls it).
	if _, _, err := Parse([]byte("a: &a [1, *a]\nb: &a {c: *a}\n"), 0); err != nil {
		t.Fatal(err)
	}
}

func TestLiteralNodesCount(t *testing.T) {
	src := "l: [" + strings.TrimSuffix(strings.Repeat("1,", 2000), ",") + "]\n"
	if _, _, err := Parse([]byte(src), 1000); err == nil || !strings.Contains(err.Error(), "more than 1000 nodes") {
		t.Fatalf("got %v", err)
	}
	if _, _, err := Parse([]byte(src), 3000); err != nil {
		t.Fatal(err)
	}
}

func TestFlowNestingRefusedBeforeParsing(t *testing.T) {
	deep := "a: b\nc: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n"
	_, _, err := Parse([]byte(deep), 0)
	var le *Error
	if !errors.As(err, &le) || le.Line != 2 || le.Column != 4+MaxFlowDepth {
		t.Fatalf("got %v", err)
	}
}

func TestNestingScanIgnoresScalarsAndComments(t *testing.T) {
	n := MaxFlowDepth + 10
	for _, src := range []string{
		"a: '" + strings.Repeat("[", n) + "'\n",
		"a: \"" + strings.Repeat("{", n) + "\"\n",
		"a: x" + strings.Repeat("[", n) + "\n",
		"# " + strings.Repeat("[", n) + "\na: 1\n",
		"a: |\n  " + strings.Repeat("[\n  ", n) + "\nb: 1\n",
		"a: >-\n" + strings.Repeat("    [[\n\n", n) + "b: 1\n",
		"a: [" + strings.Repeat("'[', ", n) + "x]\n",
	} {
		if err := CheckNesting([]byte(src)); err != nil {
			t.Errorf("%.40q: %v", src, err)
		}
	}
	// After a block scalar, nesting is counted again, on the right line.
	src := "a: |\n  [[[\nb: " + strings.Repeat("[", n) + "\n"
	var le *Error
	if err := CheckNesting([]byte(src)); !errors.As(err, &le) || le.Line != 3 {
		t.Fatalf("got %v", err)
	}
}

func BenchmarkCountAliasBomb(b *testing.B) {
	src := []byte(bomb(12))
	for i := 0; i < b.N; i++ {
		if _, _, err := Parse(src, 0); err == nil {
			b.Fatal("not refused")
		}
	}
}

// A document without aliases holds at most nodesPerByte nodes per byte, the densest ways of
// writing them included: Unmarshal does not count the nodes of one that small.
func TestUnaliasedNodesPerByte(t *testing.T) {
	for _, unit := range []string{"a:\n", ":\n", "-\n", "- -\n", "- a\n", "? a\n", "a: b\n", "- [a, b]\n",
		"- {a: b}\n", "- [[]]\n", "- {}\n", "- []\n", "a: {b: , c: }\n", "? \n", "- ? \n", "- : \n", "- !!str\n",
		"- &x a\n", "- &x\n"} {
		src := []byte(strings.Repeat(unit, 200))
		_, st, err := Parse(src, MaxNodes)
		if err != nil {
			continue // not YAML: the decoder says so in either case
		}
		if st.Nodes > nodesPerByte*len(src) {
			t.Errorf("%q: %d nodes in %d bytes", unit, st.Nodes, len(src))
		}
	}
}

// Unmarshal decodes, and refuses, a small document without aliases as Parse and the decoder do.
func TestUnmarshalWithoutAliasesAsBefore(t *testing.T) {
	for _, src := range []string{"profile: p\nname: x\n", "a: [1, 2]\nb: {c: d}\n", "a: b\n  c: d\n", "a: [\n",
		"a: 1\na: 2\n", strings.Repeat("[", MaxFlowDepth+1) + strings.Repeat("]", MaxFlowDepth+1), "", "- 1\n- 2\n"} {
		var got, want any
		gotErr := Unmarshal([]byte(src), &got)
		var wantErr error
		if _, _, err := Parse([]byte(src), MaxNodes); err != nil {
			var lim *Error
			if errors.As(err, &lim) {
				wantErr = err
			}
		}
		if wantErr == nil {
			wantErr = yaml.Unmarshal([]byte(src), &want)
		}
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: got %v, %v; want %v, %v", src, got, gotErr, want, wantErr)
		}
	}
}
