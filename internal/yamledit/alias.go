package yamledit

import "strings"

// aliasExpansion turns a column written as `- *fees` into `- <<: *fees` followed by keys of its
// own. The anchor stays as it is, so every other entry that uses it is unchanged, and this
// column keeps everything the anchor gives it except what it now overrides.
type aliasExpansion struct {
	item  *seqItem
	col   int // column of the item's content, where its own keys go
	kvs   []KV
	tests []any
	sp    *splice
}

func (p *Plan) expand(c *ColumnEntry) *aliasExpansion {
	if x := p.expands[c.item]; x != nil {
		return x
	}
	a := c.item.val
	x := &aliasExpansion{item: c.item, col: p.f.t.colOf(a.start)}
	x.sp = p.add(a.start, a.end, "")
	p.expands[c.item] = x
	return x
}

func (x *aliasExpansion) render(st *Style) string {
	em := emitter{st: st}
	em.b.WriteString("<<: *" + x.item.val.alias + "\n")
	kvs := x.kvs
	if len(x.tests) > 0 {
		kvs = append(append([]KV{}, kvs...), KV{st.TestsKey, x.tests})
	}
	em.mapping(kvs, x.col)
	return strings.TrimSuffix(em.b.String(), "\n")
}

// rename records a column rename so later checks look for the new name.
func (p *Plan) rename(r Ref, old, new string) {
	if p.renames[r] == nil {
		p.renames[r] = map[string]string{}
	}
	p.renames[r][old] = new
}
