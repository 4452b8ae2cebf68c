package dbt

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"io"
	"maps"
	"reflect"
	"slices"
	"sync/atomic"
	"unsafe"
)

// A snapshot's body (snapBody) is most of a restore's work, and is decoded on several cores.
// The codec's strings and configs written once (sharedStr, internedMap) are numbered in the
// order they are met, which would tie every part of the body to all that comes before it; so
// the body is laid out as
//
//   - the table of long strings (sharedMin bytes or more), each once: the body refers to each
//     by its number;
//   - the table of distinct configs, each once (their keys may refer to the strings);
//   - snapBody's fields in order, each map (the nodes, sources, macros, the graph...) in
//     chunks of bodyChunk entries, each chunk after its length in bytes (4 bytes,
//     little-endian).
//
// A restore reads the two tables, then decodes the chunks at once on the load's workers,
// each reading the tables without adding to them, and fills each map from its chunks.

// bodyChunk is the entries of a chunk: enough that a chunk costs far more than handing it to
// a worker, few enough that the workers end together.
const bodyChunk = 256

// bodyTables is what an entryWriter writing a body puts in the tables.
type bodyTables struct {
	// strs is each string after its length.
	strs   spool
	maps   []byte // each config as configMap reads it
	nmaps  int
	mapAt  [][2]int         // where each config is in maps
	mapsBy map[uint64][]int // the configs by the hash of their encoding
}

// addStr appends s after its length to the strings' table.
func (t *bodyTables) addStr(s string) {
	var n [binary.MaxVarintLen64]byte
	t.strs.write(binary.AppendUvarint(n[:0], uint64(len(s))))
	t.strs.writeString(s)
}

// A spool holds bytes a body is made of until they are written out in order: the strings'
// table and the chunks, each tens of megabytes on a large project, complete only once the
// last chunk is encoded. In memory they are kept in blocks of spoolBlock bytes (one slice
// grown to their size would allocate several times that); a spool given a file (a Scratch of
// the cache's Spill the body is written to) keeps them there instead, off the heap while the
// rest of the body is encoded, the project still in memory.
type spool struct {
	blocks [][]byte
	file   spoolFile
	err    error
}

// spoolFile is where a spool keeps its bytes instead of memory (cache.Scratch).
type spoolFile interface {
	io.Writer
	io.WriterTo
	Remove()
}

const spoolBlock = 1 << 20

func (s *spool) write(p []byte) {
	if s.file == nil {
		spoolAppend(s, p)
	} else if s.err == nil {
		_, s.err = s.file.Write(p)
	}
}

func (s *spool) writeString(str string) {
	if s.file == nil {
		spoolAppend(s, str)
	} else if s.err == nil {
		_, s.err = io.WriteString(s.file, str)
	}
}

// spoolAppend appends p to the blocks of a spool without a file.
func spoolAppend[T string | []byte](s *spool, p T) {
	for len(p) > 0 {
		if len(s.blocks) == 0 || len(s.blocks[len(s.blocks)-1]) == cap(s.blocks[len(s.blocks)-1]) {
			s.blocks = append(s.blocks, make([]byte, 0, spoolBlock))
		}
		last := &s.blocks[len(s.blocks)-1]
		n := min(len(p), cap(*last)-len(*last))
		*last = append(*last, p[:n]...)
		p = p[n:]
	}
}

// writeTo writes what the spool holds to out and lets go of it.
func (s *spool) writeTo(out io.Writer) error {
	if s.err != nil {
		return s.err
	}
	if s.file != nil {
		_, err := s.file.WriteTo(out)
		return err
	}
	for i, b := range s.blocks {
		if _, err := out.Write(b); err != nil {
			return err
		}
		s.blocks[i] = nil
	}
	return nil
}

// tabledMap writes m as the number (from 1) of its config in the table.
func (w *entryWriter) tabledMap(m map[string]any) error {
	t := w.tables
	start := w.b.Len()
	if err := w.mapBody(m); err != nil {
		return err
	}
	enc := w.b.Bytes()[start:]
	h := maphash.Bytes(mapSeed, enc)
	index := -1
	for _, i := range t.mapsBy[h] {
		if at := t.mapAt[i]; bytes.Equal(t.maps[at[0]:at[1]], enc) {
			index = i
			break
		}
	}
	if index < 0 {
		index = len(t.mapAt)
		t.mapAt = append(t.mapAt, [2]int{len(t.maps), len(t.maps) + len(enc)})
		t.maps = append(t.maps, enc...)
		if t.mapsBy == nil {
			t.mapsBy = map[uint64][]int{}
		}
		t.mapsBy[h] = append(t.mapsBy[h], index)
	}
	w.b.Truncate(start)
	w.b.Write(binary.AppendUvarint(w.b.AvailableBuffer(), uint64(index)+1))
	return nil
}

var bodyType = reflect.TypeFor[snapBody]()

// chunked says whether a field of snapBody is written in chunks.
func chunked(t reflect.Type) bool { return t.Kind() == reflect.Map && t.Key().Kind() == reflect.String }

// encodeBody returns prefix followed by the encoding of b, in one allocation.
func encodeBody(prefix []byte, b *snapBody) ([]byte, error) {
	var out bytes.Buffer
	if err := writeBody(&out, prefix, b, nil); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// writeBody writes prefix followed by the encoding of b to out. A body is tens to hundreds of
// megabytes: the tables come first, and are complete only once the last chunk is encoded, so
// the strings' table and the chunks are spooled as they are encoded, in files scratch makes
// (when not nil, and it can make them), else in blocks of memory, each written out once the
// body is complete: the encoding is never in memory twice nor in one slice grown to its size.
func writeBody(out io.Writer, prefix []byte, b *snapBody, scratch func() spoolFile) error {
	// The long strings are most of a body (a node's code, compiled code and description, a
	// source's columns): sized for about four per node and source, the table of those seen is
	// not grown, and each string rehashed, a dozen times on a large project.
	w := &entryWriter{tables: &bodyTables{}, seen: make(map[string]int, 4*(len(b.Nodes)+len(b.Sources))+len(b.Macros)+len(b.Docs))}
	if scratch != nil {
		for _, s := range []*spool{&w.tables.strs, &w.blocks} {
			if s.file = scratch(); s.file != nil {
				defer s.file.Remove()
			}
		}
	}
	v := reflect.ValueOf(b).Elem()
	for i := range bodyType.NumField() {
		f := bodyType.Field(i)
		if !f.IsExported() {
			continue
		}
		var err error
		if chunked(f.Type) {
			err = w.chunkedMap(v.Field(i))
		} else {
			err = codecFor(f.Type).enc(w, v.Field(i))
		}
		if err != nil {
			return err
		}
	}
	t := w.tables
	head := append([]byte(nil), prefix...)
	head = binary.AppendUvarint(head, uint64(len(w.seen)))
	if _, err := out.Write(head); err != nil {
		return err
	}
	if err := t.strs.writeTo(out); err != nil {
		return err
	}
	if _, err := out.Write(binary.AppendUvarint(nil, uint64(len(t.mapAt)))); err != nil {
		return err
	}
	if _, err := out.Write(t.maps); err != nil {
		return err
	}
	t.maps = nil
	if err := w.blocks.writeTo(out); err != nil {
		return err
	}
	_, err := out.Write(w.b.Bytes())
	return err
}

// flushChunks moves what w.b holds into w.blocks, so that w.b holds about one chunk at a time.
func (w *entryWriter) flushChunks() {
	w.blocks.write(w.b.Bytes())
	w.b.Reset()
}

// chunkedMap writes a map with string keys as the general codec does (the count plus one, 0
// for nil), then the number of chunks, then the chunks: their length, their count of
// entries, and the entries.
func (w *entryWriter) chunkedMap(v reflect.Value) error {
	if v.IsNil() {
		w.int(0)
		return nil
	}
	elem := codecFor(v.Type().Elem())
	n := v.Len()
	w.int(n + 1)
	w.int((n + bodyChunk - 1) / bodyChunk)
	it := v.MapRange()
	for left := n; left > 0; left -= bodyChunk {
		w.flushChunks()
		at := w.b.Len()
		w.b.Write([]byte{0, 0, 0, 0})
		c := min(left, bodyChunk)
		w.int(c)
		for range c {
			it.Next()
			w.sharedStr(it.Key().String())
			if err := elem.enc(w, it.Value()); err != nil {
				return err
			}
		}
		size := w.b.Len() - at - 4
		if size > 1<<31 {
			return errSnapShape
		}
		binary.LittleEndian.PutUint32(w.b.Bytes()[at:], uint32(size))
	}
	w.flushChunks()
	return nil
}

// bodyJob is one chunk of a map to decode.
type bodyJob struct {
	field int
	b     []byte
	keys  []string
	vals  reflect.Value
	bad   bool
}

// decodeBody reads what encodeBody wrote, all of data, into b, the chunks on at most workers
// goroutines (0: the CPUs). The strings are views of data. Once stop (when not nil) is set, it
// decodes no further chunk and fails.
func decodeBody(data []byte, b *snapBody, workers int, stop *atomic.Bool) error {
	r := &valueReader{b: data, share: true, tables: true}
	nstr := r.uvarint()
	if r.err != nil || nstr > len(r.b) {
		return errSnapShape
	}
	r.seen = make([]string, nstr)
	for i := range r.seen {
		if r.seen[i] = r.str(); r.err != nil {
			return errSnapShape
		}
	}
	nmaps := r.uvarint()
	if r.err != nil || nmaps > len(r.b) {
		return errSnapShape
	}
	r.maps = make([]map[string]any, nmaps)
	seen := map[string]any{}
	for i := range r.maps {
		if r.maps[i] = r.tableConfig(seen); r.err != nil {
			return errSnapShape
		}
	}
	v := reflect.ValueOf(b).Elem()
	var jobs []*bodyJob
	sizes := map[int]int{}
	for i := range bodyType.NumField() {
		f := bodyType.Field(i)
		if !f.IsExported() {
			continue
		}
		if !chunked(f.Type) {
			codecFor(f.Type).dec(r, v.Field(i).Addr().UnsafePointer())
			if r.err != nil {
				return errSnapShape
			}
			continue
		}
		n := r.count1()
		if r.err != nil {
			return errSnapShape
		}
		if n == 0 {
			v.Field(i).SetZero()
			continue
		}
		sizes[i] = n - 1
		chunks := r.count()
		for range chunks {
			if r.err != nil || len(r.b) < 4 {
				return errSnapShape
			}
			size := int(binary.LittleEndian.Uint32(r.b))
			if size > len(r.b)-4 {
				return errSnapShape
			}
			jobs = append(jobs, &bodyJob{field: i, b: r.b[4 : 4+size]})
			r.b = r.b[4+size:]
		}
		if r.err != nil {
			return errSnapShape
		}
	}
	if len(r.b) != 0 {
		return errSnapShape
	}
	parallelN(workers, len(jobs), func(i int) {
		j := jobs[i]
		if stop != nil && stop.Load() {
			j.bad = true
			return
		}
		elemType := bodyType.Field(j.field).Type.Elem()
		elem := codecFor(elemType)
		jr := &valueReader{b: j.b, share: true, tables: true, seen: r.seen, maps: r.maps}
		n := jr.count()
		j.keys = make([]string, n)
		j.vals = reflect.MakeSlice(reflect.SliceOf(elemType), n, n)
		base, size := j.vals.UnsafePointer(), elemType.Size()
		for k := 0; k < n && jr.err == nil; k++ {
			j.keys[k] = jr.sharedStr()
			elem.dec(jr, unsafe.Add(base, uintptr(k)*size))
		}
		j.bad = jr.err != nil || len(jr.b) != 0
	})
	// Each map is filled from its chunks, the maps at once.
	byField := map[int][]*bodyJob{}
	for _, j := range jobs {
		if j.bad {
			return errSnapShape
		}
		byField[j.field] = append(byField[j.field], j)
	}
	fields := slices.Sorted(maps.Keys(sizes))
	ok := make([]bool, len(fields))
	parallelN(workers, len(fields), func(i int) {
		f := fields[i]
		ok[i] = fillMap(v.Field(f), byField[f], sizes[f])
	})
	if slices.Contains(ok, false) {
		return errSnapShape
	}
	return nil
}

// fillMap sets dst, a map with string keys, to the entries of its chunks; false when they are
// not n distinct keys.
func fillMap(dst reflect.Value, jobs []*bodyJob, n int) bool {
	if fill := fillers[dst.Type()]; fill != nil {
		return fill(dst, jobs, n)
	}
	m := reflect.MakeMapWithSize(dst.Type(), n)
	key := reflect.New(reflect.TypeFor[string]()).Elem()
	for _, j := range jobs {
		for k, s := range j.keys {
			key.SetString(s)
			m.SetMapIndex(key, j.vals.Index(k))
		}
	}
	dst.Set(m)
	return m.Len() == n
}

// fillers fill the maps of snapBody without reflection.
var fillers = map[reflect.Type]func(reflect.Value, []*bodyJob, int) bool{
	reflect.TypeFor[map[string]*Node]():            fill[*Node],
	reflect.TypeFor[map[string]*Source]():          fill[*Source],
	reflect.TypeFor[map[string]*ExposureNode]():    fill[*ExposureNode],
	reflect.TypeFor[map[string]*Macro]():           fill[*Macro],
	reflect.TypeFor[map[string]*Doc]():             fill[*Doc],
	reflect.TypeFor[map[string][]string]():         fill[[]string],
	reflect.TypeFor[map[string][]*Node]():          fill[[]*Node],
	reflect.TypeFor[map[string][]map[string]any](): fill[[]map[string]any],
}

func fill[V any](dst reflect.Value, jobs []*bodyJob, n int) bool {
	m := make(map[string]V, n)
	for _, j := range jobs {
		vals := j.vals.Interface().([]V)
		for k, s := range j.keys {
			m[s] = vals[k]
		}
	}
	dst.Set(reflect.ValueOf(m))
	return len(m) == n
}
