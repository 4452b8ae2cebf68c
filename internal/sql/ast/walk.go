package ast

import "reflect"

// Inspect traverses the tree rooted at node in depth-first order, calling f for each node; when
// f returns false the node's children are skipped. After the children of a node are visited, f
// is called with nil, as go/ast.Inspect does, so callers can keep a stack.
func Inspect(node Node, f func(Node) bool) {
	if isNil(node) {
		return
	}
	if !f(node) {
		return
	}
	forEachChild(node, func(n Node) { Inspect(n, f) })
	f(nil)
}

// isNil reports whether n is nil or a typed nil pointer, so optional fields can be passed
// without checks.
func isNil(n Node) bool {
	if n == nil {
		return true
	}
	switch x := n.(type) {
	case *Ident:
		return x == nil
	case *Name:
		return x == nil
	case *TypeName:
		return x == nil
	case *Query:
		return x == nil
	case *With:
		return x == nil
	case *Limit:
		return x == nil
	case *Alias:
		return x == nil
	case *WindowSpec:
		return x == nil
	case *Frame:
		return x == nil
	case *FrameBound:
		return x == nil
	case *GroupBy:
		return x == nil
	case *Top:
		return x == nil
	case *Func:
		return x == nil
	case *Literal:
		return x == nil
	case *ColumnRef:
		return x == nil
	case *SelectItem:
		return x == nil
	case *OrderItem:
		return x == nil
	}
	rv := reflect.ValueOf(n)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

func forEachChild(node Node, visit func(Node)) {
	v := func(n Node) {
		if !isNil(n) {
			visit(n)
		}
	}
	exprs := func(list []Expr) {
		for _, x := range list {
			v(x)
		}
	}
	idents := func(list []*Ident) {
		for _, x := range list {
			v(x)
		}
	}
	orders := func(list []*OrderItem) {
		for _, x := range list {
			v(x)
		}
	}
	tables := func(list []TableExpr) {
		for _, x := range list {
			v(x)
		}
	}
	items := func(list []*SelectItem) {
		for _, x := range list {
			v(x)
		}
	}
	assigns := func(list []*Assignment) {
		for _, x := range list {
			v(x)
		}
	}
	switch n := node.(type) {
	case *File:
		for _, s := range n.Stmts {
			v(s)
		}
	case *Name:
		idents(n.Parts)
	case *TypeName:
		exprs(n.Params)
		for _, e := range n.Elems {
			v(e)
		}
		for _, f := range n.Fields {
			v(f)
		}
	case *TypeField:
		v(n.Name)
		v(n.Type)
	case *Query:
		v(n.With)
		v(n.Body)
		orders(n.OrderBy)
		exprs(n.DistributeBy)
		orders(n.SortBy)
		exprs(n.ClusterBy)
		v(n.Limit)
	case *With:
		for _, c := range n.CTEs {
			v(c)
		}
	case *CTE:
		v(n.Name)
		idents(n.Columns)
		v(n.Query)
	case *Limit:
		v(n.Count)
		v(n.Offset)
	case *OrderItem:
		v(n.Expr)
	case *CreateTable:
		v(n.Name)
		for _, c := range n.Columns {
			v(c)
		}
		v(n.Query)
	case *ColumnDef:
		v(n.Name)
		v(n.Type)
	case *CreateView:
		v(n.Name)
		idents(n.Columns)
		v(n.Query)
	case *Insert:
		v(n.Table)
		v(n.Alias)
		idents(n.Columns)
		v(n.Query)
	case *Update:
		v(n.Table)
		assigns(n.Set)
		tables(n.From)
		v(n.Where)
	case *Assignment:
		v(n.Target)
		v(n.Value)
	case *Delete:
		v(n.Table)
		tables(n.Using)
		v(n.Where)
	case *Merge:
		v(n.Target)
		v(n.Source)
		v(n.On)
		for _, c := range n.Clauses {
			v(c)
		}
	case *MergeClause:
		v(n.Cond)
		assigns(n.Set)
		idents(n.Columns)
		exprs(n.Values)
	case *Select:
		exprs(n.DistinctOn)
		v(n.Top)
		items(n.Items)
		tables(n.From)
		v(n.Where)
		v(n.StartWith)
		v(n.ConnectBy)
		v(n.GroupBy)
		v(n.Having)
		v(n.Qualify)
		for _, w := range n.Windows {
			v(w)
		}
	case *Top:
		v(n.Count)
	case *SelectItem:
		v(n.Expr)
		v(n.Alias)
	case *GroupBy:
		exprs(n.Items)
	case *GroupingSet:
		for _, s := range n.Sets {
			exprs(s)
		}
	case *NamedWindow:
		v(n.Name)
		v(n.Spec)
	case *SetOp:
		v(n.Left)
		v(n.Right)
	case *Values:
		for _, r := range n.Rows {
			exprs(r)
		}
	case *ParenQuery:
		v(n.Query)
	case *Alias:
		v(n.Name)
		idents(n.Columns)
	case *TableName:
		v(n.Name)
		v(n.Alias)
	case *DerivedTable:
		v(n.Query)
		v(n.Alias)
	case *TableFunc:
		v(n.Func)
		v(n.Alias)
		v(n.OffsetAlias)
	case *Join:
		v(n.Left)
		v(n.Right)
		v(n.Match)
		v(n.On)
		idents(n.Using)
	case *LateralView:
		v(n.Func)
		v(n.Alias)
		idents(n.Columns)
	case *ParenTable:
		v(n.Table)
		v(n.Alias)
	case *Pivot:
		v(n.Source)
		items(n.Aggs)
		exprs(n.For)
		items(n.In)
		v(n.InQuery)
		v(n.Alias)
	case *Unpivot:
		v(n.Source)
		idents(n.Values)
		idents(n.For)
		for _, in := range n.In {
			v(in)
		}
		v(n.Alias)
	case *UnpivotIn:
		exprs(n.Columns)
		v(n.Alias)
	case *TemplateTable:
		v(n.Alias)
	case *ColumnRef:
		idents(n.Parts)
	case *Star:
		idents(n.Qualifier)
		v(n.StructOf)
		idents(n.Except)
		items(n.Replace)
		for _, r := range n.Rename {
			v(r)
		}
		v(n.ILike)
		v(n.Like)
	case *RenameItem:
		v(n.Old)
		v(n.New)
	case *TypedLiteral:
		v(n.Type)
		v(n.Value)
	case *Interval:
		v(n.Value)
	case *Binary:
		v(n.X)
		v(n.Y)
	case *Unary:
		v(n.X)
	case *Paren:
		v(n.X)
	case *Row:
		exprs(n.Exprs)
	case *Func:
		v(n.Name)
		exprs(n.Args)
		v(n.Having)
		orders(n.OrderBy)
		v(n.Limit)
		v(n.Separator)
		orders(n.WithinGroup)
		v(n.Filter)
		v(n.Over)
	case *NamedArg:
		v(n.Name)
		v(n.Value)
	case *KeywordArg:
		v(n.Value)
	case *Extract:
		v(n.X)
	case *WindowSpec:
		v(n.Name)
		exprs(n.PartitionBy)
		orders(n.OrderBy)
		v(n.Frame)
	case *Frame:
		v(n.From)
		v(n.To)
	case *FrameBound:
		v(n.Offset)
	case *Cast:
		v(n.X)
		v(n.Type)
		v(n.Format)
	case *Case:
		v(n.Operand)
		for _, w := range n.Whens {
			v(w)
		}
		v(n.Else)
	case *When:
		v(n.Cond)
		v(n.Result)
	case *Between:
		v(n.X)
		v(n.Lo)
		v(n.Hi)
	case *In:
		v(n.X)
		exprs(n.List)
		v(n.Query)
		v(n.Other)
	case *Like:
		v(n.X)
		v(n.Pattern)
		v(n.Escape)
	case *Is:
		v(n.X)
	case *IsDistinctFrom:
		v(n.X)
		v(n.Y)
	case *Exists:
		v(n.Query)
	case *Subquery:
		v(n.Query)
	case *Quantified:
		v(n.Query)
		v(n.X)
	case *Array:
		v(n.Type)
		exprs(n.Elems)
		v(n.Query)
	case *Struct:
		v(n.Type)
		for _, f := range n.Fields {
			v(f)
		}
	case *StructField:
		v(n.Key)
		v(n.Name)
		v(n.Value)
	case *Map:
		for _, e := range n.Entries {
			v(e)
		}
	case *MapEntry:
		v(n.Key)
		v(n.Value)
	case *Index:
		v(n.X)
		v(n.Index)
		v(n.Lo)
		v(n.Hi)
		v(n.Step)
	case *Field:
		v(n.X)
		v(n.Name)
	case *Path:
		v(n.X)
		for _, e := range n.Elems {
			v(e)
		}
	case *PathElem:
		v(n.Name)
		v(n.Index)
	case *Lambda:
		idents(n.Params)
		v(n.Body)
	case *Collate:
		v(n.X)
	case *AtTimeZone:
		v(n.X)
		v(n.Zone)
	}
}
