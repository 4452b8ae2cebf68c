package parser

import (
	"sync"

	"github.com/dataops-dev/dataops/internal/sql/ast"
	"github.com/dataops-dev/dataops/internal/sql/dialect"
)

// Long texts are parsed once per process: a review reads each changed model's SQL for its
// columns, for its tests and for the clauses that decide its rows, and a generated model of a
// hundred kilobytes costs milliseconds per parse. Short texts parse faster than a lookup pays
// for; the memo is bounded by the source it holds and emptied when full.
const (
	sharedMin   = 16 << 10
	sharedBytes = 8 << 20
)

type sharedKey struct {
	d   dialect.Dialect
	src string
}

type sharedParse struct {
	f    *ast.File
	errs ErrorList
}

var shared struct {
	mu    sync.Mutex
	m     map[sharedKey]sharedParse
	bytes int
}

// ParseShared is Parse for callers that only read the tree: a long text parsed before in this
// process, in the same dialect, returns the same tree and errors. Callers must not change them.
func ParseShared(src string, d dialect.Dialect) (*ast.File, ErrorList) {
	if len(src) < sharedMin || len(src) > sharedBytes/4 {
		return Parse(src, d)
	}
	k := sharedKey{d, src}
	shared.mu.Lock()
	e, ok := shared.m[k]
	shared.mu.Unlock()
	if ok {
		return e.f, e.errs
	}
	f, errs := Parse(src, d)
	shared.mu.Lock()
	if shared.m == nil || shared.bytes+len(src) > sharedBytes {
		shared.m, shared.bytes = map[sharedKey]sharedParse{}, 0
	}
	if _, ok := shared.m[k]; !ok {
		shared.m[k] = sharedParse{f, errs}
		shared.bytes += len(src)
	}
	shared.mu.Unlock()
	return f, errs
}

// ParseSharedOr is ParseShared in d, or in fallback when d reads src with errors and fallback
// with fewer: a dialect guessed from a project's SQL may not read what the loader rendered in
// its own (relations quoted as its adapter quotes them). A nil fallback is d alone.
func ParseSharedOr(src string, d dialect.Dialect, fallback *dialect.Dialect) (*ast.File, ErrorList) {
	f, errs := ParseShared(src, d)
	if len(errs) > 0 && fallback != nil {
		if f2, errs2 := ParseShared(src, *fallback); len(errs2) < len(errs) {
			return f2, errs2
		}
	}
	return f, errs
}
