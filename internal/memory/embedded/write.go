package embedded

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"os"
	"path/filepath"
)

// writeSegment streams entries into segment file number n (temporary name, synced, renamed),
// so that compacting a large store does not hold a second copy of it in memory.
func writeSegment(dir string, n uint64, each func(emit func(*entry) error) error) (segmentRef, error) {
	name := fmt.Sprintf("%08d.seg", n)
	f, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return segmentRef{}, err
	}
	tmp := f.Name()
	fail := func(err error) (segmentRef, error) {
		f.Close()
		os.Remove(tmp)
		return segmentRef{}, err
	}
	w := &countingWriter{w: bufio.NewWriterSize(f, 1<<20), crc: crc32.New(castagnoli)}
	w.write([]byte(segMagic))
	count := 0
	var buf []byte
	var head []byte
	err = each(func(e *entry) error {
		buf = append(buf[:0], e.op)
		if e.op == opDelete {
			buf = appendString(buf, e.rec.ID)
		} else {
			buf = appendRecord(buf, &e.rec)
		}
		count++
		head = binary.AppendUvarint(head[:0], uint64(len(buf)))
		if err := w.write(head); err != nil {
			return err
		}
		return w.write(buf)
	})
	if err != nil {
		return fail(err)
	}
	body := w.n
	var t []byte
	t = binary.LittleEndian.AppendUint32(t, uint32(count))
	t = binary.LittleEndian.AppendUint64(t, uint64(body))
	t = binary.LittleEndian.AppendUint32(t, w.crc.Sum32())
	t = append(t, segEnd...)
	if err := w.write(t); err != nil {
		return fail(err)
	}
	if err := w.w.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return segmentRef{}, err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return segmentRef{}, err
	}
	return segmentRef{Name: name, Bytes: w.n, Entries: count}, syncDir(dir)
}

type countingWriter struct {
	w   *bufio.Writer
	crc hash.Hash32
	n   int64
	err error
}

func (c *countingWriter) write(b []byte) error {
	if c.err != nil {
		return c.err
	}
	c.crc.Write(b)
	_, c.err = c.w.Write(b)
	c.n += int64(len(b))
	return c.err
}
