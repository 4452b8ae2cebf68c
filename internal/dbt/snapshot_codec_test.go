package dbt

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"
)

// codecKinds holds a field of every kind the snapshot's codec stores, each where a decoder
// writes it at an offset of its own.
type codecKinds struct {
	B       bool
	I       int
	I8      int8
	I16     int16
	I32     int32
	I64     int64
	F       float64
	S       string
	Long    string
	T       time.Time
	Err     error
	NoErr   error
	Any     any
	Config  map[string]any
	Strs    []string
	Empty   []string
	Lists   map[string][]string
	Ptr     *codecKinds
	NilPtr  *codecKinds
	Structs []codecInner
	NoneYet []codecInner
	ByName  map[string]codecInner
	PtrsBy  map[string]*codecInner
	Nothing struct{}
	hidden  int
}

type codecInner struct {
	Name string
	N    int16
	Tags []string
}

// Every kind decodes to what was encoded, an empty list staying empty and not none.
func TestSnapCodecKinds(t *testing.T) {
	long := "a string long enough to be written once and referred to by number"
	in := codecKinds{B: true, I: -7, I8: -128, I16: 32767, I32: -1 << 31, I64: 1 << 62, F: 2.5, S: "s", Long: long,
		T: time.Date(2024, 5, 1, 12, 0, 0, 7, time.UTC), Err: errors.New("failed"), Any: []any{"x", int64(3), true},
		Config: map[string]any{"materialized": "table", "tags": []any{"a"}}, Strs: []string{"a", long}, Empty: []string{},
		Lists:   map[string][]string{"k": {"v"}, "none": nil},
		Ptr:     &codecKinds{S: long, I8: 3, Strs: []string{}},
		Structs: []codecInner{{Name: "x", N: -2, Tags: []string{"t"}}, {}}, NoneYet: []codecInner{},
		ByName: map[string]codecInner{"a": {Name: "a", N: 1}}, PtrsBy: map[string]*codecInner{"b": {Name: "b"}, "nil": nil},
		hidden: 5}
	w := &entryWriter{}
	if err := snapEncode(w, &in); err != nil {
		t.Fatal(err)
	}
	var out codecKinds
	if err := snapDecode(&valueReader{b: w.b.Bytes()}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Err == nil || out.Err.Error() != in.Err.Error() {
		t.Errorf("error: got %v", out.Err)
	}
	in.Err, out.Err, in.hidden = nil, nil, 0
	if !reflect.DeepEqual(in, out) {
		t.Errorf("decoded\n%+v\nwant\n%+v", out, in)
	}
	if out.Empty == nil || out.NoneYet == nil || out.Ptr.Strs == nil {
		t.Error("an empty list came back as none")
	}
}

// valueLen measures what encodeValue wrote, and says 0 for anything cut short.
func TestValueLen(t *testing.T) {
	for _, v := range []any{nil, "", "abc", true, 7, int64(-1 << 40), uint64(1 << 63), 1.5, []any{}, []any(nil),
		[]any{"a", []any{1, map[string]any{"k": "v"}}}, []string{"x", ""}, []string(nil), map[string]any{},
		map[string]any{"a": nil, "b": []any{false}}, map[string]string{"k": "v"}, map[string]any(nil)} {
		var b bytes.Buffer
		if err := encodeValue(&b, v); err != nil {
			t.Fatal(err)
		}
		enc := append(b.Bytes(), 0xff) // what follows is not measured
		if n := valueLen(enc); n != b.Len() {
			t.Errorf("%#v: valueLen %d, encoded %d bytes", v, n, b.Len())
		}
		for cut := 0; cut < b.Len(); cut++ {
			if n := valueLen(b.Bytes()[:cut]); n != 0 {
				t.Errorf("%#v cut at %d: valueLen %d", v, cut, n)
			}
		}
	}
}

// The configs of a body's table share the values they hold alike, and read as written.
func TestTableConfigsShareValues(t *testing.T) {
	docs := map[string]any{"show": true, "node_color": nil}
	a := map[string]any{"materialized": "table", "docs": docs, "alias": "a"}
	b := map[string]any{"materialized": "table", "docs": map[string]any{"show": true, "node_color": nil}, "alias": "b"}
	data, err := encodeBody(nil, &snapBody{Nodes: map[string]*Node{"a": {Config: a}, "b": {Config: b}}})
	if err != nil {
		t.Fatal(err)
	}
	var out snapBody
	if err := decodeBody(data, &out, 1, nil); err != nil {
		t.Fatal(err)
	}
	ca, cb := out.Nodes["a"].Config, out.Nodes["b"].Config
	if !reflect.DeepEqual(ca, a) || !reflect.DeepEqual(cb, b) {
		t.Fatalf("decoded %v and %v", ca, cb)
	}
	if reflect.ValueOf(ca["docs"]).UnsafePointer() != reflect.ValueOf(cb["docs"]).UnsafePointer() {
		t.Error("equal nested maps were decoded twice")
	}
}
