package yamledit

import (
	"path"
	"strings"
)

// DefaultFilePattern names a new property file after the folder it documents, the layout dbt's
// style guide recommends: models/staging/stripe/_stripe__models.yml.
const DefaultFilePattern = "_<folder>__models.yml"

// FileName returns the name of a new property file for the models in dir (a slash-separated path
// relative to the project). pattern may use <folder> (the last path element) and <path> (the
// whole path with '/' as '_').
func FileName(pattern, dir string) string {
	if pattern == "" {
		pattern = DefaultFilePattern
	}
	dir = strings.Trim(path.Clean("/"+dir), "/")
	folder := path.Base(dir)
	if dir == "" || folder == "." || folder == "/" {
		folder = "models"
	}
	name := strings.ReplaceAll(pattern, "<folder>", folder)
	name = strings.ReplaceAll(name, "<path>", strings.ReplaceAll(dir, "/", "_"))
	return name
}

// NewFile returns the content of a new property file declaring models, written in st (use
// DefaultStyle, or the style of a sibling file so the project stays consistent).
func NewFile(models []Model, st Style) []byte {
	em := emitter{st: &st}
	em.b.WriteString("version: 2\n\nmodels:\n")
	for i, m := range models {
		if i > 0 && blankModels(st) {
			em.b.WriteByte('\n')
		}
		em.item(st.modelKVs(m), st.SeqIndent)
	}
	out := em.b.String()
	if st.CRLF {
		out = strings.ReplaceAll(out, "\n", "\r\n")
	}
	return []byte(out)
}

// blankModels: separate model entries by a blank line in new files (readable once they grow).
func blankModels(Style) bool { return true }
