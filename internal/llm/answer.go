package llm

import (
	"fmt"
	"io"
)

// MaxAnswer bounds what a provider reads of one answer, whole or streamed: a server that
// never stops sending must not exhaust the run's memory.
const MaxAnswer = 32 << 20

// ErrAnswerTooLarge is the error a capped answer fails with past MaxAnswer.
var ErrAnswerTooLarge = fmt.Errorf("the answer is larger than %d MiB", MaxAnswer>>20)

// CapAnswer reads at most MaxAnswer bytes of r and fails, rather than stopping short (which
// would read as a truncated but valid answer), when there are more.
func CapAnswer(r io.Reader) io.Reader { return &capped{r: r, n: MaxAnswer} }

type capped struct {
	r io.Reader
	n int64
}

func (c *capped) Read(b []byte) (int, error) {
	if c.n < 0 {
		return 0, ErrAnswerTooLarge
	}
	if int64(len(b)) > c.n+1 {
		b = b[:c.n+1]
	}
	k, err := c.r.Read(b)
	c.n -= int64(k)
	if c.n < 0 {
		return k, ErrAnswerTooLarge
	}
	return k, err
}
