package cache

import "io"

// segBlock is the size of the writes a segment is made of: a huge page (2 MiB on x86-64 and
// on arm64 with 4 KiB pages). A file written in whole, aligned blocks of that size is kept in
// the page cache in folios of that size (ext4, xfs), and mapping it maps each with one entry
// instead of 512: a warm run reads its snapshot, tens of megabytes, from the mapping, and on a
// virtual machine each 4 KiB entry touched the first time costs an exit to the hypervisor
// (checking a 26 MB snapshot's MAC took 30 ms of CPU from a segment written in 1 MiB writes,
// 9 ms from one written in 2 MiB blocks). A Hold's file of payloads and a Spill's file become
// segments as they are (pending.go, spill.go), so they are written through one too.
const segBlock = 2 << 20

// blockWriter writes to f in blocks of segBlock bytes, each at a multiple of segBlock from
// where it started, but for the last.
type blockWriter struct {
	f   io.Writer
	buf []byte
	n   int64 // bytes written to f: buf holds those that follow
	err error
}

func newBlockWriter(f io.Writer) *blockWriter {
	return &blockWriter{f: f, buf: make([]byte, 0, segBlock)}
}

func (w *blockWriter) Write(p []byte) (int, error) { return writeBlocks(w, p) }

// WriteString is Write, without a copy of s on the heap.
func (w *blockWriter) WriteString(s string) (int, error) { return writeBlocks(w, s) }

func writeBlocks[S []byte | string](w *blockWriter, p S) (int, error) {
	done := 0
	for len(p) > done && w.err == nil {
		k := copy(w.buf[len(w.buf):cap(w.buf)], p[done:])
		w.buf = w.buf[:len(w.buf)+k]
		done += k
		if len(w.buf) == cap(w.buf) {
			w.Flush()
		}
	}
	return done, w.err
}

// ReadFrom reads r into the block being filled, so io.Copy copies once.
func (w *blockWriter) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	for w.err == nil {
		n, err := r.Read(w.buf[len(w.buf):cap(w.buf)])
		w.buf = w.buf[:len(w.buf)+n]
		total += int64(n)
		if len(w.buf) == cap(w.buf) {
			w.Flush()
		}
		if err == io.EOF {
			return total, w.err
		}
		if err != nil {
			return total, err
		}
	}
	return total, w.err
}

// Flush writes what the block holds.
func (w *blockWriter) Flush() error {
	if len(w.buf) > 0 && w.err == nil {
		var n int
		n, w.err = w.f.Write(w.buf)
		w.n += int64(n)
	}
	w.buf = w.buf[:0]
	return w.err
}
