package dbt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"slices"
	"unsafe"
)

// Config values are stored in a format of their own: gob forgets the difference between an
// empty list and none, which the manifest shows (`packages: []`).

const (
	tagNil byte = iota
	tagString
	tagBool
	tagInt
	tagInt64
	tagFloat
	tagList
	tagMap
	tagStrings
	tagStringMap
	tagUint64
)

var errValueType = errors.New("a config value of a type the cache does not store")

func encodeValue(b *bytes.Buffer, v any) error {
	// AvailableBuffer: a number is appended in place, not allocated first.
	putLen := func(n int) { b.Write(binary.AppendUvarint(b.AvailableBuffer(), uint64(n))) }
	putStr := func(s string) { putLen(len(s)); b.WriteString(s) }
	switch x := v.(type) {
	case nil:
		b.WriteByte(tagNil)
	case string:
		b.WriteByte(tagString)
		putStr(x)
	case bool:
		b.WriteByte(tagBool)
		if x {
			b.WriteByte(1)
		} else {
			b.WriteByte(0)
		}
	case int:
		b.WriteByte(tagInt)
		b.Write(binary.AppendVarint(b.AvailableBuffer(), int64(x)))
	case int64:
		b.WriteByte(tagInt64)
		b.Write(binary.AppendVarint(b.AvailableBuffer(), x))
	case uint64:
		b.WriteByte(tagUint64)
		b.Write(binary.AppendUvarint(b.AvailableBuffer(), x))
	case float64:
		b.WriteByte(tagFloat)
		b.Write(binary.BigEndian.AppendUint64(b.AvailableBuffer(), math.Float64bits(x)))
	case []any:
		b.WriteByte(tagList)
		if x == nil {
			putLen(0)
		} else {
			putLen(len(x) + 1)
		}
		for _, e := range x {
			if err := encodeValue(b, e); err != nil {
				return err
			}
		}
	case []string:
		b.WriteByte(tagStrings)
		if x == nil {
			putLen(0)
		} else {
			putLen(len(x) + 1)
		}
		for _, e := range x {
			putStr(e)
		}
	case map[string]any:
		b.WriteByte(tagMap)
		if x == nil {
			putLen(0)
		} else {
			putLen(len(x) + 1)
		}
		// In key order: equal values encode equally (snapshot_codec.go's internedMap).
		for _, k := range sortedKeys(x) {
			putStr(k)
			if err := encodeValue(b, x[k]); err != nil {
				return err
			}
		}
	case map[string]string:
		b.WriteByte(tagStringMap)
		if x == nil {
			putLen(0)
		} else {
			putLen(len(x) + 1)
		}
		for _, k := range sortedKeys(x) {
			putStr(k)
			putStr(x[k])
		}
	default:
		return errValueType
	}
	return nil
}

type valueReader struct {
	b   []byte
	err error
	// share makes the strings read views of b rather than copies: b must then be memory that
	// nothing writes and that stays valid as long as one of them lives (a snapshot's payload,
	// kept mapped by the cache: see Cache.Keep and snapshot.go). A snapshot holds some hundred thousand strings, and
	// one allocation each cost more than the rest of its decoding.
	share bool
	seen  []string         // sharedStr
	maps  []map[string]any // internedMap
	// tables says seen and maps are a snapshot body's tables, read before and shared by the
	// readers of its chunks: nothing is added to them (snapshot_codec.go).
	tables bool
	// slabs hand out the structs a decode points to, many per allocation (newValue), by
	// slabKind.id.
	slabs []slab
}

// slab is an array of one type whose elements are handed out one by one.
type slab struct {
	base    unsafe.Pointer
	next, n int
}

// slabBytes is about how much one slab holds: a restored project is some hundred thousand
// structs (nodes, renders, columns) that live as long as it does, and allocating them in
// arrays rather than one by one costs a quarter less to decode (BenchmarkSnapshotDecode).
const slabBytes = 8 << 10

// slabKind is a type the snapshot's codec points to; its id numbers the readers' slabs of it.
type slabKind struct {
	id    int
	slice reflect.Type // []T: a slab
	size  uintptr
	n     int // elements per slab
}

// slabKinds counts the kinds made; codecBuild guards it.
var slabKinds int

// newSlabKind is the slab kind of t, for a codec being built (codecBuild held).
func newSlabKind(t reflect.Type) *slabKind {
	k := &slabKind{id: slabKinds, slice: reflect.SliceOf(t), size: t.Size(), n: 1}
	slabKinds++
	if sz := int(t.Size()); sz > 0 && sz < slabBytes/2 {
		k.n = slabBytes / sz
	}
	return k
}

// newValue is a pointer to a new zero value of k's type, which lives as long as what the
// reader decodes.
func (r *valueReader) newValue(k *slabKind) unsafe.Pointer {
	if k.id >= len(r.slabs) {
		r.slabs = append(r.slabs, make([]slab, k.id+1-len(r.slabs))...)
	}
	s := &r.slabs[k.id]
	if s.next == s.n {
		*s = slab{base: reflect.MakeSlice(k.slice, k.n, k.n).UnsafePointer(), n: k.n}
	}
	p := unsafe.Add(s.base, uintptr(s.next)*k.size)
	s.next++
	return p
}

// take returns the next n bytes as a string.
func (r *valueReader) take(n int) string {
	var s string
	if r.share {
		s = unsafe.String(unsafe.SliceData(r.b), n)
	} else {
		s = string(r.b[:n])
	}
	r.b = r.b[n:]
	return s
}

func (r *valueReader) uvarint() int {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > uint64(len(r.b))+1 {
		r.err = errValueType
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

// skipStr passes over a string as str reads it.
func (r *valueReader) skipStr() {
	if n := r.uvarint(); r.err != nil || n > len(r.b) {
		r.err = errValueType
	} else {
		r.b = r.b[n:]
	}
}

func (r *valueReader) str() string {
	n := r.uvarint()
	if r.err != nil || n > len(r.b) {
		r.err = errValueType
		return ""
	}
	return r.take(n)
}

func (r *valueReader) value() any { return r.read(true) }

// skip passes over a value as value reads it, building nothing.
func (r *valueReader) skip() { r.read(false) }

// read reads a value, or with keep false only passes over it: one walk of the encoding for
// both, so that what a skip measures is what a read consumes.
func (r *valueReader) read(keep bool) any {
	if r.err != nil || len(r.b) == 0 {
		r.err = errValueType
		return nil
	}
	tag := r.b[0]
	r.b = r.b[1:]
	switch tag {
	case tagNil:
		return nil
	case tagString:
		if !keep {
			r.skipStr()
			return nil
		}
		return r.str()
	case tagBool:
		if len(r.b) == 0 {
			r.err = errValueType
			return nil
		}
		v := r.b[0] == 1
		r.b = r.b[1:]
		if !keep {
			return nil
		}
		return v
	case tagInt, tagInt64:
		v, n := binary.Varint(r.b)
		if n <= 0 {
			r.err = errValueType
			return nil
		}
		r.b = r.b[n:]
		switch {
		case !keep:
			return nil
		case tag == tagInt:
			return int(v)
		}
		return v
	case tagUint64:
		v, n := binary.Uvarint(r.b)
		if n <= 0 {
			r.err = errValueType
			return nil
		}
		r.b = r.b[n:]
		if !keep {
			return nil
		}
		return v
	case tagFloat:
		if len(r.b) < 8 {
			r.err = errValueType
			return nil
		}
		v := math.Float64frombits(binary.BigEndian.Uint64(r.b))
		r.b = r.b[8:]
		if !keep {
			return nil
		}
		return v
	case tagList:
		n := r.uvarint()
		if !keep {
			for i := 0; i < n-1 && r.err == nil; i++ {
				r.skip()
			}
			return nil
		}
		if n == 0 {
			return []any(nil)
		}
		out := make([]any, 0, n-1)
		for i := 0; i < n-1 && r.err == nil; i++ {
			out = append(out, r.value())
		}
		return out
	case tagStrings:
		n := r.uvarint()
		if !keep {
			for i := 0; i < n-1 && r.err == nil; i++ {
				r.skipStr()
			}
			return nil
		}
		if n == 0 {
			return []string(nil)
		}
		out := make([]string, 0, n-1)
		for i := 0; i < n-1 && r.err == nil; i++ {
			out = append(out, r.str())
		}
		return out
	case tagMap:
		n := r.uvarint()
		if !keep {
			for i := 0; i < n-1 && r.err == nil; i++ {
				r.skipStr()
				r.skip()
			}
			return nil
		}
		if n == 0 {
			return map[string]any(nil)
		}
		out := make(map[string]any, n-1)
		for i := 0; i < n-1 && r.err == nil; i++ {
			k := r.str()
			out[k] = r.value()
		}
		return out
	case tagStringMap:
		n := r.uvarint()
		if !keep {
			for i := 0; i < 2*(n-1) && r.err == nil; i++ {
				r.skipStr()
			}
			return nil
		}
		if n == 0 {
			return map[string]string(nil)
		}
		out := make(map[string]string, n-1)
		for i := 0; i < n-1 && r.err == nil; i++ {
			k := r.str()
			out[k] = r.str()
		}
		return out
	}
	r.err = errValueType
	return nil
}

func decodeValue(b []byte) (any, error) {
	r := &valueReader{b: b}
	v := r.value()
	if r.err == nil && len(r.b) != 0 {
		r.err = errValueType
	}
	return v, r.err
}

// A stored render is written field by field with the primitives below: gob would describe its
// types again in every entry, and decoding those descriptions costs more than the render
// lookups save.

type entryWriter struct {
	b      bytes.Buffer
	seen   map[string]int   // sharedStr
	mapAt  [][2]int         // internedMap: where each map written out is in b
	mapsBy map[uint64][]int // internedMap: the maps written out by the hash of their encoding
	// tables, when set, receives the long strings and the configs instead of b (a snapshot
	// body, snapshot_codec.go).
	tables *bodyTables
	// blocks is what a body's chunks moved out of b (writeBody).
	blocks spool
}

func (w *entryWriter) int(n int) { w.b.Write(binary.AppendVarint(w.b.AvailableBuffer(), int64(n))) }
func (w *entryWriter) str(s string) {
	w.int(len(s))
	w.b.WriteString(s)
}
func (w *entryWriter) bool(v bool) {
	if v {
		w.b.WriteByte(1)
	} else {
		w.b.WriteByte(0)
	}
}
func (w *entryWriter) strs(l []string) {
	w.int(len(l))
	for _, s := range l {
		w.str(s)
	}
}

func (r *valueReader) int() int {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errValueType
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

// count reads a length that cannot exceed what is left (each element takes a byte at least).
func (r *valueReader) count() int {
	n := r.int()
	if n < 0 || n > len(r.b) {
		r.err = errValueType
		return 0
	}
	return n
}

// count1 reads a count written plus one (0 for none), which cannot exceed what is left by more
// than one.
func (r *valueReader) count1() int {
	n := r.int()
	if n < 0 || n-1 > len(r.b) {
		r.err = errValueType
		return 0
	}
	return n
}

func (r *valueReader) rstr() string {
	n := r.count()
	if r.err != nil || n == 0 {
		return ""
	}
	return r.take(n)
}

func (r *valueReader) bool() bool {
	if r.err != nil || len(r.b) == 0 {
		r.err = errValueType
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}

func (r *valueReader) strs() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		out = append(out, r.rstr())
	}
	return out
}

// sortedKeys is a map's keys in order, in one allocation: encoding a snapshot sorts the keys
// of every map it holds, and growing the slice key by key was a tenth of that work.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
