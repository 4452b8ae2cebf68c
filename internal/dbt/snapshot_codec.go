package dbt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"reflect"
	"sync"
	"time"
	"unsafe"
)

// The snapshot of a loaded project (snapshot.go) is written by a codec built once per Go type
// from its exported fields: gob describes types in every stream and loses the difference
// between an empty list and none (which the manifest shows), and JSON loses the types of
// config values (an int comes back a float). Config values (any) use encodeValue's tags.
// Unexported fields are not kept: the types below hold only caches there, rebuilt on use.
//
// A restore decodes some hundred thousand values: the decoders write each one straight into
// its place in memory, found by offset, rather than through reflect.Value, whose checks and
// boxing were a third of the decode.

type snapEncFn func(w *entryWriter, v reflect.Value) error

// snapDecFn reads a value into p, which points to a zero value of the codec's type.
type snapDecFn func(r *valueReader, p unsafe.Pointer)

type snapCodec struct {
	enc snapEncFn
	dec snapDecFn
}

var (
	snapCodecs   sync.Map // reflect.Type → *snapCodec
	errorType    = reflect.TypeFor[error]()
	anyType      = reflect.TypeFor[any]()
	timeType     = reflect.TypeFor[time.Time]()
	errSnapType  = errors.New("a value of a type the snapshot does not store")
	errSnapShape = errors.New("a damaged snapshot")
)

// snapEncode appends v (a pointer to a value of a supported type) to w.
func snapEncode(w *entryWriter, v any) error {
	rv := reflect.ValueOf(v).Elem()
	return codecFor(rv.Type()).enc(w, rv)
}

// snapDecode reads into v (a pointer) what snapEncode wrote for the same type.
func snapDecode(r *valueReader, v any) error {
	rv := reflect.ValueOf(v)
	codecFor(rv.Type().Elem()).dec(r, rv.UnsafePointer())
	if r.err != nil {
		return errSnapShape
	}
	return nil
}

// codecFor is the codec of t, built on first use. A snapshot is decoded by several goroutines,
// so a codec is published only once built, with all it uses.
func codecFor(t reflect.Type) *snapCodec {
	if c, ok := snapCodecs.Load(t); ok {
		return c.(*snapCodec)
	}
	codecBuild.Lock()
	defer codecBuild.Unlock()
	c := codecLocked(t)
	for t, c := range codecBuild.building {
		snapCodecs.Store(t, c)
	}
	clear(codecBuild.building)
	return c
}

// codecBuild guards the building of codecs; building holds those not yet published.
var codecBuild struct {
	sync.Mutex
	building map[reflect.Type]*snapCodec
}

// codecLocked is codecFor with codecBuild held, from the codecs that build others.
func codecLocked(t reflect.Type) *snapCodec {
	if c, ok := snapCodecs.Load(t); ok {
		return c.(*snapCodec)
	}
	if c := codecBuild.building[t]; c != nil {
		return c
	}
	// Recursive types: a placeholder that forwards to the codec once built.
	c := &snapCodec{}
	if codecBuild.building == nil {
		codecBuild.building = map[reflect.Type]*snapCodec{}
	}
	codecBuild.building[t] = c
	built := buildCodec(t)
	c.enc, c.dec = built.enc, built.dec
	return c
}

func buildCodec(t reflect.Type) snapCodec {
	switch {
	case t == anyType:
		return snapCodec{
			enc: func(w *entryWriter, v reflect.Value) error {
				var x any
				if !v.IsNil() {
					x = v.Interface()
				}
				return encodeValue(&w.b, x)
			},
			dec: func(r *valueReader, p unsafe.Pointer) {
				x := r.value()
				if x != nil && r.err == nil {
					*(*any)(p) = x
				}
			},
		}
	case t == errorType:
		return snapCodec{
			enc: func(w *entryWriter, v reflect.Value) error {
				w.bool(!v.IsNil())
				if !v.IsNil() {
					w.str(v.Interface().(error).Error())
				}
				return nil
			},
			dec: func(r *valueReader, p unsafe.Pointer) {
				if r.bool() {
					*(*error)(p) = errors.New(r.rstr())
				}
			},
		}
	case t == timeType:
		return snapCodec{
			enc: func(w *entryWriter, v reflect.Value) error {
				b, err := v.Interface().(time.Time).MarshalBinary()
				w.str(string(b))
				return err
			},
			dec: func(r *valueReader, p unsafe.Pointer) {
				var tm time.Time
				if err := tm.UnmarshalBinary([]byte(r.rstr())); err != nil {
					r.err = errSnapShape
				}
				*(*time.Time)(p) = tm
			},
		}
	}
	// The shapes a project holds most of (every node's config, lists of names, the graph's
	// maps) are decoded without reflection, from what the general codecs below write.
	switch t {
	case configMapType:
		return snapCodec{enc: func(w *entryWriter, v reflect.Value) error {
			return w.internedMap(v.Interface().(map[string]any))
		}, dec: func(r *valueReader, p unsafe.Pointer) {
			if m := r.internedMap(); m != nil {
				*(*map[string]any)(p) = m
			}
		}}
	case stringsType:
		gen := buildGeneral(t)
		return snapCodec{enc: gen.enc, dec: func(r *valueReader, p unsafe.Pointer) {
			if s := r.stringList(); s != nil {
				*(*[]string)(p) = s
			}
		}}
	case stringListsType:
		gen := buildGeneral(t)
		return snapCodec{enc: gen.enc, dec: func(r *valueReader, p unsafe.Pointer) {
			if m := readMap(r, r.stringList); m != nil {
				*(*map[string][]string)(p) = m
			}
		}}
	}
	return buildGeneral(t)
}

var (
	configMapType   = reflect.TypeFor[map[string]any]()
	stringsType     = reflect.TypeFor[[]string]()
	stringListsType = reflect.TypeFor[map[string][]string]()
)

// configMap reads a map[string]any as the general map codec writes it (nil for none).
func (r *valueReader) configMap() map[string]any { return readMap(r, r.value) }

// The configs of a body's table differ from one another in a key or two: the rest of their
// values (a docs or contract map, a list of hooks, the materialization) are written again in
// each. A value read before is not decoded again: its encoding, a view of the payload, finds
// the value, which the configs then share, as nodes share a config (see below: nothing writes
// to a restored config). Decoding the table allocated some hundred thousand values for
// spellbook's largest project, of a few thousand distinct.

// tableConfig reads a config of a body's table, its values found in seen when read before.
func (r *valueReader) tableConfig(seen map[string]any) map[string]any {
	return readMap(r, func() any { return r.sharedValue(seen) })
}

// sharedValue is value, for a value equal to one read before the one in seen (r.share must be
// set: the keys are views of the payload).
func (r *valueReader) sharedValue(seen map[string]any) any {
	if r.err != nil || len(r.b) == 0 || r.b[0] == tagNil || r.b[0] == tagBool {
		return r.value() // nothing to share
	}
	n := valueLen(r.b)
	if n <= 0 {
		return r.value() // damaged: value says so
	}
	enc := unsafe.String(unsafe.SliceData(r.b), n)
	if v, ok := seen[enc]; ok {
		r.b = r.b[n:]
		return v
	}
	v := r.value()
	if r.err == nil {
		seen[enc] = v
	}
	return v
}

// valueLen is the length of the value encodeValue wrote at the start of b, 0 when it is not
// whole.
func valueLen(b []byte) int {
	r := valueReader{b: b}
	r.skip()
	if r.err != nil {
		return 0
	}
	return len(b) - len(r.b)
}

// Most of a project's configs are equal to another's (the models of one folder, every test of
// one severity): a map whose encoding was written before is written as a reference to it, and
// read back as the same map, so a restore decodes each distinct config once. The maps of a
// restored project are therefore shared between nodes and must not be written to: every
// change to a node's config in the loader starts from a fresh map (projectConfig), and
// mergeConfigKey copies the nested maps it merges into.
//
// The layout: a uvarint, 0 for a map written out (which then takes the next number in the
// entry's table), n for the table's map n-1. A snapshot's body writes every map in a table
// before the rest, and only references in its place (snapshot_body.go).

// mapBody writes a map's length (0 for nil, else one more than its entries) and its entries in
// key order, so that equal maps are written alike.
func (w *entryWriter) mapBody(m map[string]any) error {
	if m == nil {
		w.int(0)
		return nil
	}
	w.int(len(m) + 1)
	for _, k := range sortedKeys(m) {
		w.sharedStr(k)
		if err := encodeValue(&w.b, m[k]); err != nil {
			return err
		}
	}
	return nil
}

// internedMap writes m as the general map codec does, its keys in order, or a reference to
// an equal map written before.
func (w *entryWriter) internedMap(m map[string]any) error {
	if w.tables != nil {
		return w.tabledMap(m)
	}
	start := w.b.Len()
	strs := len(w.seen)
	w.b.WriteByte(0)
	if err := w.mapBody(m); err != nil {
		return err
	}
	index := len(w.mapAt)
	w.mapAt = append(w.mapAt, [2]int{start + 1, w.b.Len()})
	if len(w.seen) != strs {
		// It introduced strings later entries refer to by number: an equal encoding cannot
		// have come before, and this one cannot be dropped.
		return nil
	}
	enc := w.b.Bytes()[start+1:]
	h := maphash.Bytes(mapSeed, enc)
	for _, i := range w.mapsBy[h] {
		if at := w.mapAt[i]; bytes.Equal(w.b.Bytes()[at[0]:at[1]], enc) {
			w.mapAt = w.mapAt[:index]
			w.b.Truncate(start)
			w.b.Write(binary.AppendUvarint(w.b.AvailableBuffer(), uint64(i)+1))
			return nil
		}
	}
	if w.mapsBy == nil {
		w.mapsBy = map[uint64][]int{}
	}
	w.mapsBy[h] = append(w.mapsBy[h], index)
	return nil
}

var mapSeed = maphash.MakeSeed()

// internedMap reads what entryWriter.internedMap wrote.
func (r *valueReader) internedMap() map[string]any {
	if r.err != nil {
		return nil
	}
	ref, n := binary.Uvarint(r.b)
	if n <= 0 || ref > uint64(len(r.maps)) || r.tables && ref == 0 {
		r.err = errSnapShape
		return nil
	}
	r.b = r.b[n:]
	if ref > 0 {
		return r.maps[ref-1]
	}
	m := r.configMap()
	r.maps = append(r.maps, m)
	return m
}

// readMap reads a map with string keys as the general map codec writes it, each value by val
// (nil for none).
func readMap[V any](r *valueReader, val func() V) map[string]V {
	n := r.count1()
	if n == 0 || r.err != nil {
		return nil
	}
	m := make(map[string]V, n-1)
	for i := 0; i < n-1 && r.err == nil; i++ {
		k := r.sharedStr()
		m[k] = val()
	}
	return m
}

// stringList reads a []string as the general slice codec writes it (nil for none).
func (r *valueReader) stringList() []string {
	n := r.count1()
	if n == 0 || r.err != nil {
		return nil
	}
	s := make([]string, n-1)
	for i := range s {
		if r.err != nil {
			break
		}
		s[i] = r.sharedStr()
	}
	return s
}

// buildGeneral is buildCodec for any type, by reflection.
func buildGeneral(t reflect.Type) snapCodec {
	switch t.Kind() {
	case reflect.Bool:
		return snapCodec{
			enc: func(w *entryWriter, v reflect.Value) error { w.bool(v.Bool()); return nil },
			dec: func(r *valueReader, p unsafe.Pointer) { *(*bool)(p) = r.bool() },
		}
	case reflect.String:
		return snapCodec{
			enc: func(w *entryWriter, v reflect.Value) error { w.sharedStr(v.String()); return nil },
			dec: func(r *valueReader, p unsafe.Pointer) { *(*string)(p) = r.sharedStr() },
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return snapCodec{
			enc: func(w *entryWriter, v reflect.Value) error { w.int64(v.Int()); return nil },
			dec: intDecoder(t.Kind()),
		}
	case reflect.Float64:
		return snapCodec{
			enc: func(w *entryWriter, v reflect.Value) error { w.int64(int64(math.Float64bits(v.Float()))); return nil },
			dec: func(r *valueReader, p unsafe.Pointer) { *(*float64)(p) = math.Float64frombits(uint64(r.int64())) },
		}
	case reflect.Pointer:
		elem := codecLocked(t.Elem())
		slab := newSlabKind(t.Elem())
		return snapCodec{
			enc: func(w *entryWriter, v reflect.Value) error {
				w.bool(!v.IsNil())
				if v.IsNil() {
					return nil
				}
				return elem.enc(w, v.Elem())
			},
			dec: func(r *valueReader, p unsafe.Pointer) {
				if !r.bool() || r.err != nil {
					return
				}
				q := r.newValue(slab)
				elem.dec(r, q)
				*(*unsafe.Pointer)(p) = q
			},
		}
	case reflect.Slice:
		elem := codecLocked(t.Elem())
		size := t.Elem().Size()
		return snapCodec{
			enc: func(w *entryWriter, v reflect.Value) error {
				if v.IsNil() {
					w.int(0)
					return nil
				}
				w.int(v.Len() + 1)
				for i := range v.Len() {
					if err := elem.enc(w, v.Index(i)); err != nil {
						return err
					}
				}
				return nil
			},
			dec: func(r *valueReader, p unsafe.Pointer) {
				n := r.count1()
				if n == 0 || r.err != nil {
					return
				}
				// Never nil, even when empty: none and an empty list differ.
				base := reflect.MakeSlice(t, n-1, n-1).UnsafePointer()
				for i := 0; i < n-1 && r.err == nil; i++ {
					elem.dec(r, unsafe.Add(base, uintptr(i)*size))
				}
				*(*sliceHeader)(p) = sliceHeader{data: base, len: n - 1, cap: n - 1}
			},
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			break
		}
		key, elem := codecLocked(t.Key()), codecLocked(t.Elem())
		return snapCodec{
			enc: func(w *entryWriter, v reflect.Value) error {
				if v.IsNil() {
					w.int(0)
					return nil
				}
				w.int(v.Len() + 1)
				it := v.MapRange()
				for it.Next() {
					if err := key.enc(w, it.Key()); err != nil {
						return err
					}
					if err := elem.enc(w, it.Value()); err != nil {
						return err
					}
				}
				return nil
			},
			dec: func(r *valueReader, p unsafe.Pointer) {
				n := r.count1()
				if n == 0 || r.err != nil {
					return
				}
				m := reflect.MakeMapWithSize(t, n-1)
				k := reflect.New(t.Key()).Elem()
				e := reflect.New(t.Elem()).Elem()
				kp, ep := k.Addr().UnsafePointer(), e.Addr().UnsafePointer()
				for i := 0; i < n-1 && r.err == nil; i++ {
					key.dec(r, kp)
					e.SetZero()
					elem.dec(r, ep)
					m.SetMapIndex(k, e)
				}
				reflect.NewAt(t, p).Elem().Set(m)
			},
		}
	case reflect.Struct:
		var fields []int
		var offsets []uintptr
		var codecs []*snapCodec
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fields = append(fields, i)
			offsets = append(offsets, f.Offset)
			codecs = append(codecs, codecLocked(f.Type))
		}
		return snapCodec{
			enc: func(w *entryWriter, v reflect.Value) error {
				for j, i := range fields {
					if err := codecs[j].enc(w, v.Field(i)); err != nil {
						return err
					}
				}
				return nil
			},
			dec: func(r *valueReader, p unsafe.Pointer) {
				for j, off := range offsets {
					if r.err != nil {
						return
					}
					codecs[j].dec(r, unsafe.Add(p, off))
				}
			},
		}
	}
	err := fmt.Errorf("%w: %s", errSnapType, t)
	return snapCodec{
		enc: func(*entryWriter, reflect.Value) error { return err },
		dec: func(r *valueReader, _ unsafe.Pointer) { r.err = err },
	}
}

// sliceHeader is how a slice is laid out: a decoded slice of any type is set through it.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// intDecoder reads an integer of kind k, truncated to its size as reflect.Value.SetInt does.
func intDecoder(k reflect.Kind) snapDecFn {
	switch k {
	case reflect.Int8:
		return func(r *valueReader, p unsafe.Pointer) { *(*int8)(p) = int8(r.int64()) }
	case reflect.Int16:
		return func(r *valueReader, p unsafe.Pointer) { *(*int16)(p) = int16(r.int64()) }
	case reflect.Int32:
		return func(r *valueReader, p unsafe.Pointer) { *(*int32)(p) = int32(r.int64()) }
	case reflect.Int64:
		return func(r *valueReader, p unsafe.Pointer) { *(*int64)(p) = r.int64() }
	}
	return func(r *valueReader, p unsafe.Pointer) { *(*int)(p) = int(r.int64()) }
}

func (w *entryWriter) int64(n int64) {
	var buf [10]byte
	i := 0
	u := uint64(n<<1) ^ uint64(n>>63)
	for u >= 0x80 {
		buf[i] = byte(u) | 0x80
		u >>= 7
		i++
	}
	buf[i] = byte(u)
	w.b.Write(buf[:i+1])
}

func (r *valueReader) int64() int64 {
	if r.err != nil {
		return 0
	}
	var u uint64
	for i := 0; i < 10; i++ {
		if i >= len(r.b) {
			r.err = errSnapShape
			return 0
		}
		c := r.b[i]
		u |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.b = r.b[i+1:]
			return int64(u>>1) ^ -int64(u&1)
		}
	}
	r.err = errSnapShape
	return 0
}

// Long strings repeat in a project (a compiled node's code is also its render's output, and a
// model's code is often its render's when it holds no Jinja): the second time, a string is
// written as the index of the first, as a negative length.
const sharedMin = 32

func (w *entryWriter) sharedStr(s string) {
	if len(s) < sharedMin {
		w.str(s)
		return
	}
	if i, ok := w.seen[s]; ok {
		w.int64(-int64(i) - 1)
		return
	}
	if w.seen == nil {
		w.seen = map[string]int{}
	}
	i := len(w.seen)
	w.seen[s] = i
	if t := w.tables; t != nil {
		t.addStr(s)
		w.int64(-int64(i) - 1)
		return
	}
	w.int64(int64(len(s)))
	w.b.WriteString(s)
}

func (r *valueReader) sharedStr() string {
	n := r.int64()
	if r.err != nil {
		return ""
	}
	if n < 0 {
		i := -n - 1
		if i >= int64(len(r.seen)) {
			r.err = errSnapShape
			return ""
		}
		return r.seen[i]
	}
	if n > int64(len(r.b)) || r.tables && n >= sharedMin {
		r.err = errSnapShape
		return ""
	}
	s := r.take(int(n))
	if n >= sharedMin {
		r.seen = append(r.seen, s)
	}
	return s
}
