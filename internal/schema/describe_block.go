package schema

import (
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// Many teams keep one docs block per column name (`{% docs tx_id %}` in a descriptions folder)
// and describe every column that carries the name as `{{ doc('tx_id') }}`. Such a block is
// the team's own definition of the name: a new column of that name is described by a call to
// it, before the text some other model of the nearest folder gives the name (which may be one
// model's variant, "Transaction hash (unique for each bridge event)"), and before the name's
// own words. Only a team that has this habit gets it: some column of the project calls the
// block named after it. Blocks of packages are left to the upstream and project sources,
// which copy their text.

// Others prefix their blocks with the system a folder of models reads (`ntd_mode`,
// `lp_settled_amount`, `evm_block_number`): a column is described by the one block of the
// family the models nearest it call whose name ends with the column's, when that family is
// the one the nearest models call most (familyBlock).

// columnBlock is a docs block of the root package named for a column.
type columnBlock struct {
	doc    *dbt.Doc
	double bool // the team's calls quote names with double quotes
	// roles are the roles (columnRole) of the columns of its name that call it: a team that
	// calls its tx_id block on references and keys alike says the block fits both, whatever
	// its text says ("The unique identifier of a transaction").
	roles map[string]bool
}

// columnBlocks indexes the root package's docs blocks by folded name, when a column of the
// project calls the block named after it; nil otherwise.
func (s *synth) columnBlocks() map[string]columnBlock {
	if s.blocksRead {
		return s.blocks
	}
	s.blocksRead = true
	double, calls, habit := 0, 0, false
	s.blockRoles = map[string]map[string]bool{}
	see := func(model, path string, cols []*dbt.Column) {
		for _, c := range cols {
			names := dbt.DocCalls(c.DocDescription)
			calls += len(names)
			double += strings.Count(c.DocDescription, `doc("`)
			if len(names) != 1 {
				continue
			}
			k := strings.ToLower(names[0])
			if s.blockRoles[k] == nil {
				s.blockRoles[k] = map[string]bool{}
			}
			s.blockRoles[k][columnRole(model, c.Name, hasUnique(c))] = true
			s.blockCalls = append(s.blockCalls, blockCall{block: k, path: path})
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
	if !habit {
		return nil
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
	s.blocks = map[string]columnBlock{}
	for _, d := range docs {
		k := strings.ToLower(d.Name)
		s.blocks[k] = columnBlock{doc: d, double: 2*double > calls, roles: s.blockRoles[k]}
	}
	return s.blocks
}

// fromBlock describes a column by a call to the docs block named for it, when the team keeps
// such blocks, and either calls this one on a column of the same role or its text does not
// claim another role (a block that says "primary key", called only on keys, is no
// description of a column that refers to the key).
func (s *synth) fromBlock(n *dbt.Node, c change.Column) (string, string, string) {
	b, ok := s.columnBlocks()[strings.ToLower(strings.Trim(c.Name, "\"'`"))]
	if !ok {
		b, ok = s.familyBlock(n, foldedColumn(c.Name))
	}
	if !ok || s.isPlaceholder(b.doc.Content) {
		return "", "", ""
	}
	target := columnRole(n.Name, c.Name, false)
	if !b.roles[target] && !rolesAgree(target, target, b.doc.Content) {
		return "", "", ""
	}
	q := "'"
	if b.double {
		q = `"`
	}
	return "{{ doc(" + q + b.doc.Name + q + ") }}", FromBlock + ":" + b.doc.Name, b.doc.OriginalFilePath
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
	s.columnBlocks()
	return s.blockRoles[strings.ToLower(names[0])][target]
}

// blockCall is a column's description that is a single call to a docs block of the root
// package: the block's folded name and the file of the model (or source) of the column.
type blockCall struct {
	block, path string
}

// foldedColumn is a column's name as blocks are matched with it: unquoted, in lower case,
// without the underscores a loader's columns lead with (`_payments_key`).
func foldedColumn(name string) string {
	return strings.TrimLeft(strings.ToLower(strings.Trim(name, "\"'`")), "_")
}

// familyOf is the first word of a block's name: the family of `ntd_period_year` is `ntd`.
func familyOf(block string) string {
	f, _, _ := strings.Cut(block, "_")
	return f
}

// familyBlock finds the block of a prefixed family named for col (`ntd_period_year` for
// `year`): among the families of the blocks whose names end with "_"+col, the one called by
// the models nearest n (sharing the most folders with it, two at least: the models folder
// alone says nothing), then called most often there; and in it, the single such block. Two
// families as near and as often called, or two blocks of the family, are a guess, and none
// is taken.
func (s *synth) familyBlock(n *dbt.Node, col string) (columnBlock, bool) {
	blocks := s.columnBlocks()
	if blocks == nil || col == "" {
		return columnBlock{}, false
	}
	byFamily := map[string][]string{}
	for k := range blocks {
		if strings.HasSuffix(k, "_"+col) {
			byFamily[familyOf(k)] = append(byFamily[familyOf(k)], k)
		}
	}
	if len(byFamily) == 0 {
		return columnBlock{}, false
	}
	type score struct{ near, count int }
	scores := map[string]score{}
	for _, call := range s.blockCalls {
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
		return columnBlock{}, false
	}
	return blocks[byFamily[best][0]], true
}
