package secret

import (
	"bytes"
	"io"
	"sync"
)

// Writer masks a stream. A secret split across two Write calls is still masked: the last
// bytes of a write, up to the longest pattern less one, are held back until the next write
// shows whether they start a secret, except that no pattern spans a newline, so a write that
// ends a line is passed on whole. Call Flush when the stream ends. Safe for concurrent use.
type Writer struct {
	m   *Masker
	w   io.Writer
	mu  sync.Mutex
	buf []byte // bytes not yet passed on; the first done of them were already masked
	// done counts bytes at the start of buf already written as part of a mask: they stay in
	// buf only so a pattern that starts among them is still recognised.
	done int
	// masked is set when what was written so far ends with a mask, so a secret that starts
	// right after it extends that mask instead of adding another.
	masked bool
	out    []byte // scratch for what one write passes on
}

// Writer returns a Writer masking what is written to w. It takes the Masker's values at each
// write, so values added later apply from then on.
func (m *Masker) Writer(w io.Writer) *Writer {
	return &Writer{m: m, w: w}
}

// Write masks p and writes what is certain to w. It reports len(p) on success, as callers
// expect, whatever number of bytes masking leaves.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	mt := w.m.matcher()
	if mt == nil && len(w.buf) == 0 {
		_, err := w.w.Write(p)
		return len(p), err
	}
	w.buf = append(w.buf, p...)
	if err := w.emit(mt, false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes whatever is held back.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return nil
	}
	return w.emit(w.m.matcher(), true)
}

// emit writes the part of buf no later byte can turn into (part of) a secret, masked.
func (w *Writer) emit(mt *matcher, final bool) error {
	buf := w.buf
	var spans []span
	cut := len(buf)
	if mt != nil {
		spans = mt.spans(buf, nil)
		if !final {
			// A match still to come ends after buf, so it starts at most maxLen-1 bytes
			// before its end, and never before a newline.
			cut = max(len(buf)-(mt.maxLen-1), bytes.LastIndexByte(buf, '\n')+1)
		}
	}
	out := w.out[:0]
	at := w.done // buf[:at] is written
	masked := w.masked
	for _, s := range spans {
		if s.start >= cut {
			break
		}
		if s.end <= at {
			continue
		}
		if s.start < at || s.start == at && masked {
			// It continues the mask that ends what was written.
			at = s.end
			continue
		}
		out = append(out, buf[at:s.start]...)
		out = append(out, Mask...)
		at, masked = s.end, true
	}
	if at < cut {
		out = append(out, buf[at:cut]...)
		at, masked = cut, false
	}
	w.out = out
	if len(out) > 0 {
		if _, err := w.w.Write(out); err != nil {
			return err
		}
	}
	w.masked = masked
	if final {
		w.buf, w.done, w.masked = w.buf[:0], 0, false
		return nil
	}
	// Keep buf[cut:] so a secret starting there is still recognised, remembering which of its
	// bytes were already written as part of a mask.
	w.buf = w.buf[:copy(w.buf, buf[cut:])]
	w.done = at - cut
	return nil
}
