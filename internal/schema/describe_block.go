package schema

import (
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// Many teams keep one docs block per column name (`{% docs tx_id %}` in a descriptions folder)
// and describe every column that carries the name as `{{ doc('tx_id') }}`. Such a block is
// the team's own definition of the name: a new column of that name that no model of the
// project documents (the project source, tried first, finds a team's variants of a name's
// block in the models nearest it) is described by a call to it, before the name's own words.
// Only a team that has this habit gets it: some column of the project calls the block named
// after it. Blocks of packages are left to the upstream and project sources, which copy their
// text.

// Others prefix their blocks with the system a folder of models reads (`ntd_mode`,
// `lp_settled_amount`, `evm_block_number`): a column is described by the one block of the
// family the models nearest it call whose name ends with the column's, when that family is
// the one the nearest models call most (blockIndex.family).

// blockIndex is what the project's columns say of the root package's docs blocks.
type blockIndex struct {
	// byName holds the blocks by folded name, when the team has the habit; nil otherwise.
	byName map[string]*dbt.Doc
	// roles are the roles (columnRole) of the columns whose description is a single call to
	// a block, by the block's folded name: a team that calls its tx_id block on references
	// and keys alike says the block fits both, whatever its text says ("The unique identifier
	// of a transaction").
	roles map[string]map[string]bool
	// calls are those calls, with the file of the model (or source) of the column.
	calls []blockCall
	// double says the team's calls mostly quote names with double quotes.
	double bool
}

// blockCall is a column's description that is a single call to a docs block of the root
// package: the block's folded name and the file of the model (or source) of the column.
type blockCall struct {
	block, path string
}

// blocks reads the project's columns for their docs block calls, once.
func (s *synth) blocks() *blockIndex {
	if s.blockIx != nil {
		return s.blockIx
	}
	ix := &blockIndex{roles: map[string]map[string]bool{}}
	s.blockIx = ix
	double, calls, habit := 0, 0, false
	see := func(model, path string, cols []*dbt.Column) {
		for _, c := range cols {
			names := dbt.DocCalls(c.DocDescription)
			calls += len(names)
			double += strings.Count(c.DocDescription, `doc("`)
			if len(names) != 1 {
				continue
			}
			k := strings.ToLower(names[0])
			if ix.roles[k] == nil {
				ix.roles[k] = map[string]bool{}
			}
			ix.roles[k][columnRole(model, c.Name, hasUnique(c))] = true
			ix.calls = append(ix.calls, blockCall{block: k, path: path})
			col := foldedColumn(c.Name)
			habit = habit || k == col || strings.HasSuffix(k, "_"+col)
		}
	}
	for _, n := range s.p.Nodes {
		if n.Package == s.root && !n.Disabled {
			see(n.Name, n.OriginalFilePath, n.Columns)
		}
	}
	for _, src := range s.p.Sources {
		if src.Package == s.root {
			see(src.Name, src.OriginalFilePath, src.Columns)
		}
	}
	ix.double = 2*double > calls
	if !habit {
		return ix
	}
	var docs []*dbt.Doc
	for _, d := range s.p.Docs {
		if d.Package == s.root && strings.TrimSpace(d.Content) != "" {
			docs = append(docs, d)
		}
	}
	// Two blocks whose names differ only by case: the one named in lower case serves, as
	// column names are folded; the order makes the choice the same on every run.
	sort.Slice(docs, func(i, j int) bool { return docs[i].Name > docs[j].Name })
	ix.byName = map[string]*dbt.Doc{}
	for _, d := range docs {
		ix.byName[strings.ToLower(d.Name)] = d
	}
	return ix
}

// fromBlock describes a column by a call to the docs block named for it, when the team keeps
// such blocks, and either calls this one on a column of the same role or its text does not
// claim another role (a block that says "primary key", called only on keys, is no
// description of a column that refers to the key).
func (s *synth) fromBlock(n *dbt.Node, c change.Column) (string, string, string) {
	ix := s.blocks()
	if ix.byName == nil {
		return "", "", ""
	}
	d, ok := ix.byName[dbt.ColumnKey(c.Name)]
	if !ok {
		d, ok = ix.family(n, foldedColumn(c.Name))
	}
	if !ok || s.isPlaceholder(d.Content) {
		return "", "", ""
	}
	target := columnRole(n.Name, c.Name, false)
	if !ix.roles[strings.ToLower(d.Name)][target] && !rolesAgree(target, target, d.Content) {
		return "", "", ""
	}
	q := "'"
	if ix.double {
		q = `"`
	}
	return "{{ doc(" + q + d.Name + q + ") }}", FromBlock + ":" + d.Name, d.OriginalFilePath
}

// blockFits reports whether a column described by a single docs block call lends it to a
// column of role target because the team calls that block on columns of that role: the
// block's text may claim another role (the tx_id block says "The unique identifier of a
// transaction", and the team calls it on every model's tx_id, key or reference).
func (s *synth) blockFits(c *dbt.Column, target string) bool {
	names := dbt.DocCalls(c.DocDescription)
	if len(names) != 1 {
		return false
	}
	return s.blocks().roles[strings.ToLower(names[0])][target]
}

// foldedColumn is a column's name as blocks are matched with it: unquoted, in lower case,
// without the underscores a loader's columns lead with (`_payments_key`).
func foldedColumn(name string) string {
	return strings.TrimLeft(dbt.ColumnKey(name), "_")
}

// familyOf is the first word of a block's name: the family of `ntd_period_year` is `ntd`.
func familyOf(block string) string {
	f, _, _ := strings.Cut(block, "_")
	return f
}

// family finds the block of a prefixed family named for col (`ntd_period_year` for
// `year`): among the families of the blocks whose names end with "_"+col, the one called by
// the models nearest n (sharing the most folders with it, two at least: the models folder
// alone says nothing), then called most often there; and in it, the single such block. Two
// families as near and as often called, or two blocks of the family, are a guess, and none
// is taken.
func (ix *blockIndex) family(n *dbt.Node, col string) (*dbt.Doc, bool) {
	if col == "" {
		return nil, false
	}
	byFamily := map[string][]string{}
	for k := range ix.byName {
		if strings.HasSuffix(k, "_"+col) {
			byFamily[familyOf(k)] = append(byFamily[familyOf(k)], k)
		}
	}
	if len(byFamily) == 0 {
		return nil, false
	}
	type score struct{ near, count int }
	scores := map[string]score{}
	for _, call := range ix.calls {
		f := familyOf(call.block)
		if byFamily[f] == nil {
			continue
		}
		near := commonDirs(n.OriginalFilePath, call.path)
		switch sc := scores[f]; {
		case near > sc.near:
			scores[f] = score{near, 1}
		case near == sc.near:
			scores[f] = score{near, sc.count + 1}
		}
	}
	best, tie := "", false
	for f, sc := range scores {
		b := scores[best]
		switch {
		case best == "" || sc.near > b.near || sc.near == b.near && sc.count > b.count:
			best, tie = f, false
		case sc.near == b.near && sc.count == b.count:
			tie = true
		}
	}
	if best == "" || tie || scores[best].near < 2 || len(byFamily[best]) != 1 {
		return nil, false
	}
	return ix.byName[byFamily[best][0]], true
}
