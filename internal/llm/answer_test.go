package llm

import (
	"errors"
	"io"
	"testing"
)

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// An answer of MaxAnswer bytes is read whole; one byte more fails instead of stopping short,
// and so does an endless one.
func TestCapAnswer(t *testing.T) {
	data, err := io.ReadAll(CapAnswer(io.LimitReader(zeros{}, MaxAnswer)))
	if err != nil || len(data) != MaxAnswer {
		t.Fatalf("%d bytes, %v; want %d", len(data), err, MaxAnswer)
	}
	for _, r := range []io.Reader{io.LimitReader(zeros{}, MaxAnswer+1), zeros{}} {
		if _, err := io.ReadAll(CapAnswer(r)); !errors.Is(err, ErrAnswerTooLarge) {
			t.Errorf("err = %v, want ErrAnswerTooLarge", err)
		}
	}
}
