package secret

import (
	"bytes"
	"errors"
	"math/rand"
	"strings"
	"testing"
)

func TestWriterMasksSecretsSplitAcrossWrites(t *testing.T) {
	const secret = "planted-secret-value-123"
	m := New(secret)
	text := "id " + secret + " and again " + secret + "\n" + secret
	for i := 0; i <= len(text); i++ {
		for j := i; j <= len(text); j++ {
			var out bytes.Buffer
			w := m.Writer(&out)
			for _, part := range []string{text[:i], text[i:j], text[j:]} {
				if n, err := w.Write([]byte(part)); err != nil || n != len(part) {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got, want := out.String(), "id *** and again ***\n***"; got != want {
				t.Fatalf("split at %d,%d: got %q, want %q", i, j, got, want)
			}
		}
	}
}

// Streaming must give exactly what masking the whole text at once gives, however the text is
// cut into writes.
func TestWriterAgreesWithMask(t *testing.T) {
	secrets := []string{"abcdef", "defghi", "xyz0123456789", "0123", "aaaa-bbbb-cccc", "ghij"}
	m := New(secrets...)
	r := rand.New(rand.NewSource(7))
	for n := 0; n < 500; n++ {
		text := randomText(r, secrets)
		want := m.MaskString(text)
		var out bytes.Buffer
		w := m.Writer(&out)
		for rest := text; rest != ""; {
			k := min(len(rest), r.Intn(20))
			if n%5 == 0 {
				k = min(len(rest), 1) // a byte at a time
			}
			w.Write([]byte(rest[:k]))
			rest = rest[k:]
		}
		w.Flush()
		if out.String() != want {
			t.Fatalf("text %q:\nstream %q\nwhole  %q", text, out.String(), want)
		}
		for _, s := range secrets {
			if strings.Contains(out.String(), s) {
				t.Fatalf("%q leaked in %q", s, out.String())
			}
		}
	}
}

func TestWriterPassesLinesOnAtOnce(t *testing.T) {
	m := New("planted-secret-value-123")
	var out bytes.Buffer
	w := m.Writer(&out)
	w.Write([]byte("line one\nline t"))
	if out.String() != "line one\n" {
		t.Errorf("after a partial line: %q", out.String())
	}
	w.Write([]byte("wo\n"))
	if out.String() != "line one\nline two\n" {
		t.Errorf("after a whole line: %q", out.String())
	}
	// A long partial line is passed on except for the last bytes that may start a secret.
	w.Write([]byte(strings.Repeat("x", 100)))
	if got := len(out.String()) - len("line one\nline two\n"); got != 100-(m.matcher().maxLen-1) {
		t.Errorf("passed on %d bytes of 100", got)
	}
	w.Flush()
	if !strings.HasSuffix(out.String(), strings.Repeat("x", 100)) {
		t.Errorf("flush lost bytes: %q", out.String())
	}
}

func TestWriterWithoutSecretsPassesThrough(t *testing.T) {
	var out bytes.Buffer
	w := New().Writer(&out)
	w.Write([]byte("partial"))
	if out.String() != "partial" {
		t.Errorf("got %q", out.String())
	}
	var nilMasker *Masker
	w = nilMasker.Writer(&out)
	w.Write([]byte("!"))
	if err := w.Flush(); err != nil || out.String() != "partial!" {
		t.Errorf("got %q, %v", out.String(), err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestWriterReportsErrors(t *testing.T) {
	w := New("abcdef").Writer(failWriter{})
	if _, err := w.Write([]byte("x\n")); err == nil {
		t.Error("Write: want the error of the underlying writer")
	}
}

func BenchmarkWriter(b *testing.B) {
	m := New("planted-secret-value-123", "ghs_0123456789abcdef", "another-secret-value")
	line := []byte(`{"path": "models/staging/stg_orders.sql", "line": 12, "message": "column order_id has no test"}` + "\n")
	b.SetBytes(int64(len(line)))
	w := m.Writer(discard{})
	for i := 0; i < b.N; i++ {
		w.Write(line)
	}
	w.Flush()
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
