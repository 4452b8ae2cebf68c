// Package source owns positions in the files dataops reads, in the manner of go/token: a File
// is a path, its text and the offsets where its lines start, and Position turns a byte offset
// of the text into the line and column a user looks up. A template cut out of a larger file (a
// dbt snapshot block) is a File with a Shift, where the text starts in the file, so its
// positions name the file's lines. A Map composes a rendering's offset map (internal/jinja
// keeps one per render) with such a File: an offset of the rendered SQL becomes a position in
// the file the user wrote.
//
// One column rule for every position dataops shows: lines and columns are 1-based, and a
// column counts characters (Unicode code points; a byte that is not valid UTF-8 counts as
// one) from the start of the line, as SQLFluff and editors count them. A tab is one column. A
// line ends with its "\n"; in "\r\n" the "\r" is the line's last character. An offset outside
// the text is clamped to it.
//
// It never reads a file: callers hand it the text they read. internal/sql, which imports only
// the standard library, keeps byte offsets of its own; what it reports reaches users through
// this package.
package source
