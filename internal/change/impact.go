package change

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dataops-dev/dataops/internal/dbt"
)

// inferColumns infers the columns of the changed models on both sides and fills the column
// changes; then, only when a column was removed, renamed or retyped, the columns of the models
// downstream of those (ImpactDepth levels on the head, one on the base) so column impact can
// follow lineage. Most changes only add columns and never pay for the second step.
func inferColumns(ctx context.Context, cs *ChangeSet, opts Options) {
	depth := opts.ImpactDepth
	if depth == 0 {
		depth = 1
	}
	var headIDs, baseIDs []string
	for _, m := range cs.Models {
		switch m.Change {
		case Added:
			headIDs = append(headIDs, m.UniqueID)
		case Removed:
			baseIDs = append(baseIDs, m.UniqueID)
		case Renamed:
			headIDs = append(headIDs, m.UniqueID)
			baseIDs = append(baseIDs, m.From)
		case Modified:
			if m.SQLChanged || len(m.Config) > 0 {
				headIDs = append(headIDs, m.UniqueID)
				baseIDs = append(baseIDs, m.UniqueID)
			} else if DroppedEntry(cs, m) != nil {
				// Its documentation is written again from its columns (the Synthesizer).
				headIDs = append(headIDs, m.UniqueID)
			}
		}
	}
	if len(headIDs)+len(baseIDs) == 0 {
		return
	}
	t0 := time.Now()
	defer func() {
		cs.Timings["infer"] = time.Since(t0)
		cs.Inferred = len(cs.HeadColumns) + len(cs.BaseColumns)
	}()
	cs.HeadColumns, cs.BaseColumns = inferBoth(ctx, cs, opts, headIDs, baseIDs)
	diffAll(cs, nil)
	// A column that reads a renamed upstream column (or a column of a renamed model) keeps its
	// identity: translate base lineage through the renames found and compare again.
	if tr := renameMap(cs); len(tr) > 0 {
		diffAll(cs, tr)
	}
	var hot []string
	for _, m := range cs.Models {
		for _, c := range m.Columns {
			if c.Change == Removed || c.Change == Renamed || c.Change == Retyped {
				hot = append(hot, m.UniqueID)
				break
			}
		}
	}
	if len(hot) == 0 {
		return
	}
	var headMore, baseMore []string
	for _, id := range descendants(cs.Head, hot, depth, 200) {
		if _, done := cs.HeadColumns[id]; !done {
			headMore = append(headMore, id)
		}
	}
	for _, id := range descendants(cs.Base, hot, 1, 100) {
		if _, done := cs.BaseColumns[id]; !done {
			baseMore = append(baseMore, id)
		}
	}
	hm, bm := inferBoth(ctx, cs, opts, headMore, baseMore)
	for id, c := range hm {
		if _, ok := cs.HeadColumns[id]; !ok {
			cs.HeadColumns[id] = c
		}
	}
	for id, c := range bm {
		if _, ok := cs.BaseColumns[id]; !ok {
			cs.BaseColumns[id] = c
		}
	}
}

// inferBoth infers head and base ids in parallel; failures become warnings.
func inferBoth(ctx context.Context, cs *ChangeSet, opts Options, headIDs, baseIDs []string) (map[string]*ModelColumns, map[string]*ModelColumns) {
	var head, base map[string]*ModelColumns
	var wg sync.WaitGroup
	var baseErr, headErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		head, headErr = opts.Infer(ctx, cs.Head, uniq(headIDs))
	}()
	go func() {
		defer wg.Done()
		base, baseErr = opts.Infer(ctx, cs.Base, uniq(baseIDs))
	}()
	wg.Wait()
	if headErr != nil {
		cs.Warnings = append(cs.Warnings, fmt.Sprintf("column inference (head): %v", headErr))
	}
	if baseErr != nil {
		cs.Warnings = append(cs.Warnings, fmt.Sprintf("column inference (base): %v", baseErr))
	}
	if head == nil {
		head = map[string]*ModelColumns{}
	}
	if base == nil {
		base = map[string]*ModelColumns{}
	}
	return head, base
}

// diffAll fills the column changes of every changed model, translating base lineage through
// tr when given.
func diffAll(cs *ChangeSet, tr map[Upstream]Upstream) {
	for _, m := range cs.Models {
		switch m.Change {
		case Added:
			if hc := cs.HeadColumns[m.UniqueID]; hc != nil {
				m.Columns = diffColumns(nil, hc)
			}
		case Renamed:
			bc, hc := cs.BaseColumns[m.From], cs.HeadColumns[m.UniqueID]
			m.Columns = diffColumns(translate(bc, tr), hc)
		case Modified:
			bc, hc := cs.BaseColumns[m.UniqueID], cs.HeadColumns[m.UniqueID]
			if bc != nil && hc != nil {
				m.Columns = diffColumns(translate(bc, tr), hc)
				if len(bc.Columns) == 0 && !bc.Resolved() && m.SQLChanged {
					m.Columns = newNames(cs.Base.AnyNode(m.UniqueID), hc)
				}
			}
		}
		if m.Columns == nil {
			m.Columns = []ColumnChange{}
		}
	}
}

// newNames is what can still be said when the base version of a model could not be read at
// all: a column of the head whose name appears nowhere in the base's SQL, raw or rendered, was
// not there before. Star expansions are left out (their names need not be written anywhere).
func newNames(base *dbt.Node, head *ModelColumns) []ColumnChange {
	if base == nil {
		return []ColumnChange{}
	}
	words := nodeWords(base)
	out := []ColumnChange{}
	for i, c := range head.Columns {
		if c.Name == "" || c.Unnamed || words[strings.ToLower(c.Name)] {
			continue
		}
		if c.Pos.Line == 0 {
			continue // not written in the model: from a star, or unknown
		}
		out = append(out, ColumnChange{Name: c.Name, Change: Added, DataType: c.DataType, Position: i + 1})
	}
	return out
}

func nodeWords(n *dbt.Node) map[string]bool {
	text := strings.ToLower(n.RawCode)
	if n.Render != nil {
		text += "\n" + strings.ToLower(n.Render.Output)
	}
	return tokenSet(text)
}

// renameMap maps base (node, column) to head (node, column) for renamed models and columns.
func renameMap(cs *ChangeSet) map[Upstream]Upstream {
	tr := map[Upstream]Upstream{}
	for _, m := range cs.Models {
		from := m.UniqueID
		if m.Change == Renamed {
			from = m.From
			if bc := cs.BaseColumns[m.From]; bc != nil {
				for _, c := range bc.Columns {
					k := strings.ToLower(c.Name)
					tr[Upstream{from, k}] = Upstream{m.UniqueID, k}
				}
			}
		}
		for _, c := range m.Columns {
			if c.Change == Renamed {
				tr[Upstream{from, strings.ToLower(c.From)}] = Upstream{m.UniqueID, strings.ToLower(c.To)}
			}
		}
	}
	return tr
}

// translate returns mc with its lineage mapped through tr (mc itself when tr is empty).
func translate(mc *ModelColumns, tr map[Upstream]Upstream) *ModelColumns {
	if mc == nil || len(tr) == 0 {
		return mc
	}
	out := *mc
	out.Columns = make([]Column, len(mc.Columns))
	for i, c := range mc.Columns {
		if len(c.Lineage) > 0 {
			lin := make([]Upstream, len(c.Lineage))
			for j, u := range c.Lineage {
				lin[j] = u
				if to, ok := tr[Upstream{u.Node, strings.ToLower(u.Column)}]; ok {
					lin[j] = to
				}
			}
			c.Lineage = lin
		}
		out.Columns[i] = c
	}
	return &out
}

// descendants returns nodes below ids in the graph, level by level, up to depth levels and at
// most limit nodes; tests are left out.
func descendants(p *dbt.Project, ids []string, depth, limit int) []string {
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	var out []string
	frontier := ids
	for d := 0; d < depth && len(frontier) > 0 && len(out) < limit; d++ {
		var next []string
		for _, id := range frontier {
			for _, c := range p.ChildMap[id] {
				if seen[c] {
					continue
				}
				seen[c] = true
				if n, ok := p.Nodes[c]; !ok || n.ResourceType == dbt.Test {
					continue
				}
				out = append(out, c)
				next = append(next, c)
				if len(out) >= limit {
					return out
				}
			}
		}
		frontier = next
	}
	return out
}

// danglingReaders lists the head's models whose ref() names the removed model id and finds
// no node.
func danglingReaders(cs *ChangeSet, id string) []string {
	bn := cs.Base.Nodes[id]
	if bn == nil || bn.ResourceType != dbt.Model {
		return nil
	}
	var out []string
	for hid, hn := range cs.Head.Nodes {
		if hn.ResourceType == dbt.Test || len(hn.Refs) == 0 {
			continue
		}
		for _, r := range hn.Refs {
			if r.Name == bn.Name && (r.Package == "" || r.Package == bn.Package) && !resolves(cs.Head, hn, r.Name) {
				out = append(out, hid)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// resolves says whether a ref() by name finds a node of the head (another model took the
// removed one's name, or a package has one).
func resolves(p *dbt.Project, from *dbt.Node, name string) bool {
	for _, d := range from.DependsOn.Nodes {
		if n := p.Nodes[d]; n != nil && n.Name == name {
			return true
		}
	}
	return false
}

// stillReads says whether the head's version of child still reads parent: by the graph when
// parent is still in the head, else by a ref() naming it (a ref to a removed model is
// dangling, and left out of the graph).
func stillReads(cs *ChangeSet, child, parent string) bool {
	hn := cs.Head.Nodes[child]
	if hn == nil {
		return false
	}
	if slices.Contains(hn.DependsOn.Nodes, parent) {
		return true
	}
	bn := cs.Base.Nodes[parent]
	if bn == nil {
		return false
	}
	for _, r := range hn.Refs {
		if r.Name == bn.Name && (r.Package == "" || r.Package == bn.Package) {
			return true
		}
	}
	return false
}

func uniq(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// impact fills the downstream nodes, exposures and columns of one model change.
func impact(cs *ChangeSet, m *ModelChange) {
	var p *dbt.Project
	id := m.UniqueID
	if m.Change == Removed {
		p = cs.Base
	} else {
		p = cs.Head
	}
	seen := map[string]bool{id: true}
	var nodes, exposures []string
	stack := []string{id}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range p.ChildMap[cur] {
			if seen[c] {
				continue
			}
			seen[c] = true
			if n, ok := p.Nodes[c]; ok {
				if n.ResourceType == dbt.Test {
					continue
				}
				// A removed model's dependants matter only while they still exist and still
				// read what led to them: a consumer the change moved to another model, or
				// deleted with it, is no reader.
				if m.Change == Removed && !stillReads(cs, c, cur) {
					continue
				}
				nodes = append(nodes, c)
				stack = append(stack, c)
				continue
			}
			if _, ok := p.Exposures[c]; ok {
				exposures = append(exposures, c)
			}
		}
	}
	// The base's graph of a removed model may lack its readers: unchanged models come from
	// the head, where their ref() to it dangles and joins no graph. They read it still, and
	// so do their own dependants.
	if m.Change == Removed {
		for _, c := range danglingReaders(cs, id) {
			if seen[c] {
				continue
			}
			seen[c] = true
			nodes = append(nodes, c)
			for _, d := range descendants(cs.Head, []string{c}, len(cs.Head.Nodes), len(cs.Head.Nodes)) {
				if !seen[d] {
					seen[d] = true
					nodes = append(nodes, d)
				}
			}
		}
	}
	// Exposures that depend on a reached node but are missing from the child map.
	for eid, e := range p.Exposures {
		if seen[eid] {
			continue
		}
		for _, d := range e.DependsOn.Nodes {
			if seen[d] {
				exposures = append(exposures, eid)
				break
			}
		}
	}
	sort.Strings(nodes)
	sort.Strings(exposures)
	m.Impact = append(nodes, exposures...)
	if m.Impact == nil {
		m.Impact = []string{}
	}
	m.Exposures = exposures
	m.ColImpact = columnImpact(cs, m)
}

// columnImpact finds downstream columns that read a removed, renamed or retyped column,
// following column lineage through the models whose columns were inferred.
func columnImpact(cs *ChangeSet, m *ModelChange) []ColumnImpact {
	type key struct{ node, col string }
	origin := map[key]string{} // (node, column) reached -> changed column it derives from
	var frontier []key
	for _, c := range m.Columns {
		switch c.Change {
		case Removed, Retyped:
			k := key{m.UniqueID, strings.ToLower(c.Name)}
			origin[k] = c.Name
			frontier = append(frontier, k)
		case Renamed:
			old := m.UniqueID
			if m.From != "" {
				old = m.From
			}
			k := key{old, strings.ToLower(c.From)}
			origin[k] = c.From
			frontier = append(frontier, k)
		}
	}
	if len(frontier) == 0 {
		return nil
	}
	var out []ColumnImpact
	seen := map[key]bool{}
	changedSQL := map[string]bool{}
	for _, o := range cs.Models {
		if o.SQLChanged {
			changedSQL[o.UniqueID] = true
		}
	}
	for side, sideCols := range []map[string]*ModelColumns{cs.HeadColumns, cs.BaseColumns} {
		reached := frontier
		for len(reached) > 0 {
			var next []key
			for _, r := range reached {
				for nodeID, mc := range sideCols {
					if nodeID == m.UniqueID || nodeID == m.From {
						continue
					}
					// A model the change deletes reads nothing any more.
					if _, inHead := cs.Head.Nodes[nodeID]; side == 1 && !inHead {
						continue
					}
					// The base says what an unchanged model reads; a model the change also
					// edited is judged by its head version, which cannot name a column that
					// no longer exists: there the base's reading stands while the head still
					// reads a column of that name it cannot resolve.
					headCols := cs.HeadColumns[nodeID]
					if side == 1 && changedSQL[nodeID] && headCols == nil {
						continue
					}
					for _, col := range mc.Columns {
						if side == 1 && changedSQL[nodeID] && !stillUnresolved(headCols, col.Name) {
							continue
						}
						for _, u := range col.Lineage {
							if u.Node != r.node || !strings.EqualFold(u.Column, r.col) {
								continue
							}
							k := key{nodeID, strings.ToLower(col.Name)}
							if seen[k] {
								continue
							}
							seen[k] = true
							origin[k] = origin[r]
							out = append(out, ColumnImpact{Column: origin[r], Node: nodeID, NodeColumn: col.Name})
							next = append(next, k)
						}
					}
				}
			}
			reached = next
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Column != out[j].Column {
			return out[i].Column < out[j].Column
		}
		if out[i].Node != out[j].Node {
			return out[i].Node < out[j].Node
		}
		return out[i].NodeColumn < out[j].NodeColumn
	})
	return out
}

// stillUnresolved: the head still outputs a column of that name as a plain reference that
// reads nothing it can find, which is what a reference to a column renamed or removed upstream
// looks like once the upstream no longer has it.
func stillUnresolved(head *ModelColumns, name string) bool {
	c := head.Find(name)
	return c != nil && c.Kind == "direct" && len(c.Lineage) == 0
}

// RenamedColumns maps each column the change renamed in m, by its base name, to its head
// name, both as dbt.ColumnKey folds them: what a base entry's column is called now.
func (m *ModelChange) RenamedColumns() map[string]string {
	out := map[string]string{}
	for _, c := range m.Columns {
		if c.Change == Renamed {
			out[dbt.ColumnKey(c.From)] = dbt.ColumnKey(c.To)
		}
	}
	return out
}

// DroppedEntry is the base node of a model the change kept (modified, or renamed: its base
// node is From) that was documented at the base and has no property entry in the head (its
// file deleted or moved away); nil otherwise. The change touched such a model, though
// perhaps not its SQL.
func DroppedEntry(cs *ChangeSet, m *ModelChange) *dbt.Node {
	if cs.Head == nil || cs.Base == nil {
		return nil
	}
	id := m.UniqueID
	switch m.Change {
	case Modified:
	case Renamed:
		id = m.From
	default:
		return nil
	}
	h, b := cs.Head.AnyNode(m.UniqueID), cs.Base.AnyNode(id)
	if h == nil || b == nil || h.Patch != nil || b.Patch == nil {
		return nil
	}
	return b
}
