package jinja

import (
	"fmt"
	"sync"

	"github.com/nikolalohinski/gonja/v2/nodes"
)

// Macro files compiled on demand. A project restored from its snapshot renders a few nodes at
// most (those reading the clock, a rebuilt model, tests and hooks), which call a few of its
// macros; compiling every macro file for them was most of such a run's Jinja cost (a tenth of
// a second of CPU for spellbook's or Artemis's few hundred files). The snapshot keeps, per
// file, what compiling it found (FileIndex): the environment binds every macro from that, as
// compiling would have, and a file is compiled the first time one of its macros is called.

// FileIndex is what compiling one macro file found: its macros, the names it reads (unknown
// ones are bound to stubs and reported where the file reads them), or the error that kept it
// out.
type FileIndex struct {
	Failed *Diagnostic
	Macros []IndexedMacro
	Names  map[string]IndexedName
}

// IndexedMacro is one macro (or test, or materialization) block of a file.
type IndexedMacro struct {
	Name         string
	Line, Column int
	Args         []string
}

// IndexedName is the first place a file reads a name (offsets in its normalized text).
type IndexedName struct {
	Line, Col, Pos int
}

// Index lists, for each of the options' MacroFiles in order, what compiling it found (for a
// deferred environment given an Index, that Index). Nil until the macros are compiled or
// bound.
func (e *Env) Index() []FileIndex {
	e.ready()
	return e.index
}

// indexOf is the index of a compiled file.
func indexOf(f *fileInfo) FileIndex {
	ix := FileIndex{Names: make(map[string]IndexedName, len(f.names))}
	for name, u := range f.names {
		ix.Names[name] = IndexedName(u)
	}
	for name, m := range f.root.Macros {
		im := IndexedMacro{Name: name}
		pos := f.position(m.Location.Pos)
		im.Line, im.Column = pos.Line, pos.Column
		for _, kw := range m.Kwargs {
			if s, ok := kw.Key.(*nodes.String); ok {
				im.Args = append(im.Args, s.Val)
			}
		}
		ix.Macros = append(ix.Macros, im)
	}
	return ix
}

// lazyFile is a macro file bound from its index: defs are its macros, whose nodes are set
// when the file is compiled.
type lazyFile struct {
	once sync.Once
	e    *Env
	f    *fileInfo
	defs []*macroDef
}

// lazyFile makes the file of mf as its index describes it, not compiled yet.
func (e *Env) lazyFile(mf MacroFile, ix FileIndex) *fileInfo {
	_, crlf, lone := normalizeNewlines(mf.Source)
	f := &fileInfo{path: mf.Path, pkg: mf.Package, src: mf.Source, crlf: crlf, loneCR: lone,
		names: make(map[string]nameUse, len(ix.Names))}
	for name, u := range ix.Names {
		f.names[name] = nameUse(u)
	}
	f.lazy = &lazyFile{e: e, f: f}
	return f
}

// ensure compiles a lazily bound file, once; every other file is compiled already.
func (f *fileInfo) ensure() {
	if lz := f.lazy; lz != nil {
		lz.once.Do(lz.compile)
	}
}

// compile fills the file and its macros' nodes. The index came from compiling the same text
// with the same build, so it compiles; if it does not (or the engine panics on it), its
// macros keep no node and a call says so.
func (lz *lazyFile) compile() {
	defer func() { _ = recover() }()
	norm, _, _ := normalizeNewlines(lz.f.src)
	if _, d := lz.e.fill(lz.f, norm, lz.e.tools, true); d != nil {
		return
	}
	for _, d := range lz.defs {
		d.node = lz.f.root.Macros[d.Name]
	}
}

// compiledBefore is the file another environment of the process compiled, if any.
func compiledBefore(mf MacroFile) *fileInfo {
	c := &compiledMacroFiles
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.files[macroFileKey{mf.Path, mf.Package, mf.Source}]
}

// notCompiled is what calling a macro whose file could not be compiled gives.
func notCompiled(d *macroDef) error {
	return fmt.Errorf("macro %s could not be compiled", d.Name)
}
