package dbt

import (
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
