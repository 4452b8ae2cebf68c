package dbt

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/cache"
	"github.com/dataops-dev/dataops/internal/jinja"
)

// A naming macro that reads its node argument is rendered once per node: three renders for
// every model of a project that overrides generate_alias_name and its siblings. Looked up one
// by one, their entries cost more than the rest of a warm load's renders, so each naming macro
// keeps one entry: a table of the names it gave, by the key name() uses (the custom value and
// the node fields the macro reads), each with what its render reached (the macros it ran and
// their text, the env vars it read), checked once per distinct set when the table is read.
// The table's key holds the project-wide environment (as a render key does, but for whether
// the load compiles, which these renders do not see) and the macro's text; the names of
// `parse` and `review`, of a change's base and head, and of earlier runs share it.

// namerRow is one name a naming macro gave.
type namerRow struct {
	out    string
	failed bool
	deps   int // index in the table's dependency sets
}

// renderDeps is what a render reached beyond its input.
type renderDeps struct {
	called, sums []string
	env          map[string]jinja.EnvValue
}

func (d *renderDeps) id() string {
	var b strings.Builder
	for i, c := range d.called {
		b.WriteString(c + "\x00" + d.sums[i] + "\x00")
	}
	b.WriteString("\x01")
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range d.env {
			if !yield(k) {
				return
			}
		}
	}) {
		v := d.env[k]
		b.WriteString(k + "\x00" + v.Value + "\x00")
		if v.Set {
			b.WriteString("1")
		}
	}
	return b.String()
}

func (s *namer) tableKey() (cache.Key, bool) {
	rc := s.l.cache
	mac := namerMacro(s.l, s.macro)
	if rc == nil || mac == nil {
		return cache.Key{}, false
	}
	return cache.NewHasher("names").Bytes(rc.namesKey[:]).String(s.macro).String(mac.SQL).Sum(), true
}

// load reads the table of earlier loads and keeps the names whose renders are still valid.
func (s *namer) load() {
	key, ok := s.tableKey()
	if !ok {
		return
	}
	rc := s.l.cache
	data, ok := rc.c.Get(key)
	if !ok {
		return
	}
	deps, rows, err := decodeNames(data)
	if err != nil {
		rc.c.Reject()
		return
	}
	valid := make([]bool, len(deps))
	stale := false
	for i := range deps {
		valid[i] = rc.valid(s.l, &cachedRender{MacrosCalled: deps[i].called, MacroSums: deps[i].sums, EnvRead: deps[i].env})
		stale = stale || !valid[i]
	}
	if stale {
		rc.c.Reject()
	}
	s.stored = make(map[string]namerRow, len(rows))
	for k, r := range rows {
		if valid[r.deps] {
			s.stored[k] = r
		}
	}
	s.deps = deps
}

// render renders the macro for one key (custom value "" is none; node nil unless the macro
// reads it) and keeps the result for the table when it may be stored. The call's text is the
// same for every key, its arguments bound as globals, so it is compiled once per load.
func (s *namer) render(custom string, n *Node, at namedSoFar, key string) namerRow {
	var arg, node any
	if custom != "" {
		arg = custom
	}
	if n != nil {
		node = jinja.Literal(s.nodeFields(n, at))
	}
	in := jinja.Input{
		Path: s.macro, Source: "{{ " + s.macro + "(__dataops_name_arg, __dataops_name_node) }}",
		Package: s.l.root.pkg.Name, ResourceType: "macro",
		Globals: map[string]any{"__dataops_name_arg": arg, "__dataops_name_node": node},
	}
	r := s.l.env.Render(in)
	out := strings.TrimSpace(r.Output)
	row := namerRow{out: out}
	// A failed row keeps why in out (its name is not used), so the warning says it on a warm
	// run as on a cold one.
	switch {
	case r.Err != nil:
		row.failed, row.out = true, "its render failed: "+firstLine(r.Err.Error())
	case out == "":
		row.failed, row.out = true, "it gave an empty name"
	case strings.ContainsAny(out, "{}\n"):
		row.failed, row.out = true, "it gave "+strconv.Quote(clipName(out))+", not a name"
	}
	if rc := s.l.cache; rc != nil && rc.storable(s.l, &in, r, false) {
		d := renderDeps{called: r.MacrosCalled, env: hashedEnv(r.EnvRead)}
		for _, id := range r.MacrosCalled {
			d.sums = append(d.sums, rc.macroSum(s.l, id))
		}
		s.mu.Lock()
		if s.fresh == nil {
			s.fresh = map[string]namerRow{}
		}
		id := d.id()
		row.deps = slices.IndexFunc(s.deps, func(e renderDeps) bool { return e.id() == id })
		if row.deps < 0 {
			row.deps = len(s.deps)
			s.deps = append(s.deps, d)
		}
		s.fresh[key] = row
		s.mu.Unlock()
	}
	return row
}

// store writes the table when this load rendered names it lacked. A load that gave most of
// the names the table holds writes those it gave (names of models gone since are dropped); a
// smaller load (a change's light base) adds to the table.
func (s *namer) store() {
	key, ok := s.tableKey()
	if !ok || len(s.fresh) == 0 {
		return
	}
	rows := make(map[string]namerRow, len(s.stored)+len(s.fresh))
	given := 0
	for k := range s.cache {
		if r, ok := s.fresh[k]; ok {
			rows[k] = r
		} else if r, ok := s.stored[k]; ok {
			rows[k] = r
			given++
		}
	}
	if given < len(s.stored)/2 {
		for k, r := range s.stored {
			rows[k] = r
		}
	}
	data := encodeNames(s.deps, rows)
	if m := s.l.opts.Secrets; m != nil && m.Len() > 0 && !bytes.Equal(m.Mask(data), data) {
		return
	}
	s.l.cache.c.Put(key, data)
}

func (ns namers) store() {
	for _, s := range []*namer{ns.database, ns.schema, ns.alias} {
		if s != nil && s.override {
			s.store()
		}
	}
}

func encodeNames(deps []renderDeps, rows map[string]namerRow) []byte {
	// Only the dependency sets some row uses, renumbered.
	used := make([]int, len(deps))
	for i := range used {
		used[i] = -1
	}
	w := &entryWriter{}
	var kept []int
	for _, r := range rows {
		if used[r.deps] < 0 {
			used[r.deps] = len(kept)
			kept = append(kept, r.deps)
		}
	}
	w.int(len(kept))
	for _, i := range kept {
		d := deps[i]
		w.strs(d.called)
		w.strs(d.sums)
		w.int(len(d.env))
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range d.env {
				if !yield(k) {
					return
				}
			}
		}) {
			w.str(k)
			w.str(d.env[k].Value)
			w.bool(d.env[k].Set)
		}
	}
	w.int(len(rows))
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range rows {
			if !yield(k) {
				return
			}
		}
	}) {
		r := rows[k]
		w.str(k)
		w.str(r.out)
		w.bool(r.failed)
		w.int(used[r.deps])
	}
	return w.b.Bytes()
}

func decodeNames(data []byte) ([]renderDeps, map[string]namerRow, error) {
	r := &valueReader{b: data}
	n := r.count()
	deps := make([]renderDeps, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		d := renderDeps{called: r.strs(), sums: r.strs()}
		if len(d.called) != len(d.sums) {
			return nil, nil, errValueType
		}
		if m := r.count(); m > 0 {
			d.env = make(map[string]jinja.EnvValue, m)
			for j := 0; j < m && r.err == nil; j++ {
				k := r.rstr()
				d.env[k] = jinja.EnvValue{Value: r.rstr(), Set: r.bool()}
			}
		}
		deps = append(deps, d)
	}
	n = r.count()
	rows := make(map[string]namerRow, n)
	for i := 0; i < n && r.err == nil; i++ {
		k := r.rstr()
		row := namerRow{out: r.rstr(), failed: r.bool(), deps: r.int()}
		if row.deps < 0 || row.deps >= len(deps) {
			return nil, nil, errValueType
		}
		rows[k] = row
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, nil, errValueType
	}
	return deps, rows, nil
}

func clipName(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
