package mcp

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds on what one answer holds. An assistant reads every byte of an answer into its
// context: lists come in pages, long texts are cut with a note saying how to get the rest.
const (
	defaultPage   = 100
	maxPage       = 1000
	maxSQLChars   = 20_000 // a model's SQL, compiled SQL, a fixed file
	maxDiffChars  = 20_000 // one file's diff
	maxTextChars  = 2_000  // one memory record, one message
	maxCellChars  = 1_000  // one value of a query result
	maxSteps      = 500    // nodes or columns of one lineage walk, per direction
	maxResultSize = 1 << 20
)

// pageOf returns the page of items a cursor points at (limit items, defaultPage when 0) and
// the cursor of the next page ("" on the last).
func pageOf[T any](items []T, cursor string, limit int) ([]T, string, error) {
	off, err := decodeCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		limit = defaultPage
	}
	limit = min(limit, maxPage)
	if off > len(items) {
		off = len(items)
	}
	end := min(off+limit, len(items))
	next := ""
	if end < len(items) {
		next = encodeCursor(end)
	}
	return items[off:end], next, nil
}

// Cursors are opaque to clients (the protocol says so); inside they are an offset.
func encodeCursor(off int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(off)))
}

func decodeCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > 1 && b[0] == 'o' {
		if n, err := strconv.Atoi(string(b[1:])); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("cursor %q is not one this server gave out: pass next_cursor from the previous page as it is", c)
}

// clip cuts s to at most n bytes at a character boundary (preferring a line end) and says
// whether it did.
func clip(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(s[:cut], '\n'); i > cut/2 {
		cut = i + 1
	}
	return s[:cut], true
}

// notes collects what an answer left out, for its note field.
type notes []string

func (n *notes) add(format string, args ...any) { *n = append(*n, fmt.Sprintf(format, args...)) }

func (n notes) String() string { return strings.Join(n, " ") }

// clipField clips a text field of an answer and notes it.
func (n *notes) clipField(s string, max int, what string) string {
	out, cut := clip(s, max)
	if cut {
		n.add("%s was cut at %d of %d bytes.", what, len(out), len(s))
	}
	return out
}
