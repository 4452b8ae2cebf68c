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
