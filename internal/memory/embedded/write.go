package embedded

import (
	"bufio"
	"hash"
)

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
