package jinja

import (
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// stubFn stands in for anything a template names that we do not know: a macro of a package
// that is not installed (dbt_utils.star), a variable set by a tool we do not run, an adapter
// method we do not model. It can be called, indexed, iterated (as empty) and printed (as "").
// Using it reports an "unknown-macro" warning once per name and file. Arguments are evaluated
// before the call, so refs and sources passed to an unknown macro are still recorded.
//
// It is a function type because gonja only calls values of function kind; its data lives in
// the closure and is read back with the probe argument.
type stubFn func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value

type stubInfo struct {
	name  string
	st    *renderState // nil for stubs shared by all renders (found through the evaluator)
	file  *fileInfo    // where the name is written, when known
	quiet bool         // a call's result: the call was already reported
	note  string       // how it was rendered, when not as empty
}

var stubProbe = &exec.VarArgs{}

func newStub(info *stubInfo) stubFn {
	return func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		if va == stubProbe {
			return exec.AsValue(info)
		}
		st := info.st
		if st == nil {
			st = stateOfEval(e)
		}
		if st != nil {
			st.unknownName(info)
		}
		// The arguments may hold callers ({% call unknown() %}): render them so refs inside
		// are recorded.
		if va != nil {
			if c, ok := va.KwArgs["caller"]; ok {
				if fn, ok := c.Interface().(callable); ok {
					fn(e, exec.NewVarArgs())
				}
			}
		}
		return exec.AsValue(newStub(&stubInfo{name: info.name, st: st, file: info.file, quiet: true}))
	}
}

func (s stubFn) info() *stubInfo {
	v := s(nil, stubProbe)
	info, _ := v.Interface().(*stubInfo)
	if info == nil {
		info = &stubInfo{name: "?"}
	}
	return info
}

func (s stubFn) String() string {
	info := s.info()
	if info.st != nil && !info.quiet {
		info.st.unknownName(info)
	}
	return ""
}

// childFile is where a stub's attribute or item is written: the stub's own file, unless the
// stub is shared by every render (a package's namespace first met in one macro file), whose
// members are written wherever the executing statement is.
func (info *stubInfo) childFile() *fileInfo {
	if info.st == nil {
		return nil
	}
	return info.file
}

func (s stubFn) GetAttribute(name string) (*exec.Value, bool) {
	info := s.info()
	if fn, ok := fallbackFor(info.name, name); ok {
		child := &stubInfo{name: info.name + "." + name, st: info.st, file: info.childFile(),
			note: "rendered as " + info.name + " renders it without a warehouse"}
		return exec.AsValue(callable(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			st := child.st
			if st == nil {
				st = stateOfEval(e)
			}
			if st != nil {
				st.unknownName(child)
			}
			return fn(e, va)
		})), true
	}
	return exec.AsValue(newStub(&stubInfo{name: info.name + "." + name, st: info.st, file: info.childFile(), quiet: info.quiet})), true
}

func (s stubFn) GetItem(key any) (*exec.Value, bool) {
	info := s.info()
	name := info.name + "[]"
	if k, ok := key.(string); ok {
		name = info.name + "." + k
	}
	return exec.AsValue(newStub(&stubInfo{name: name, st: info.st, file: info.childFile(), quiet: info.quiet})), true
}

// unknownName reports a stub's use once per name and file, at the name's first appearance in
// the file when the pre-pass saw it there, else at the statement being executed.
func (st *renderState) unknownName(info *stubInfo) {
	if info.quiet {
		return
	}
	f := info.file
	if f == nil {
		f = st.curFile
	}
	name := strings.TrimSuffix(info.name, "[]")
	pos := 0
	if f == st.curFile {
		pos = st.curPos
	}
	if f != nil {
		root, _, _ := strings.Cut(name, ".")
		if use, ok := f.names[name]; ok {
			pos = use.Pos
		} else if use, ok := f.names[root]; ok {
			pos = use.Pos
		}
	}
	how := "rendered as empty"
	if info.note != "" {
		how = info.note
	}
	st.warnAt(f, pos, "unknown-macro", "'"+name+"' is not defined (is a package missing?); "+how)
}
