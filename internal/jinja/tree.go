package jinja

import (
	"errors"
	"io"
	"reflect"
	"sort"
	"strings"
	"sync"
	"unsafe"

	controlStructures "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// prepareTree rewrites a parsed template once, before any render:
//
//   - every statement (text, {{ }}, {% %}) is wrapped in a trackedNode, which records where
//     output comes from (the offset map), enforces the step and time budget, and turns a
//     failing statement into a warning so the rest of the template still renders;
//   - list literals become calls to __list, which builds a list that append/extend mutate in
//     place (Python semantics, which dbt macros rely on: `{% do cols.append(c) %}` in a loop);
//   - `*`, `%`, `**`, `+` and `~` become calls to size-checked builtins, because gonja would
//     happily build a gigabyte string from `'x' * 10**9`, and `"%s" % x` panics in gonja;
//   - `a.b` and `a[k]` become calls that give none (Jinja's undefined) for a missing attribute,
//     also of none, where gonja fails: `{% if rel.is_view %}` with no relation must take the
//     else branch, as in dbt;
//   - `obj.method(args)` becomes one call that evaluates obj once.
//
// gonja keeps the children of control structures in their own (often unexported) fields, so
// the walk is generic over the node structs of gonja's nodes and control_structures packages.
func prepareTree(root *nodes.Template, f *fileInfo) {
	w := &treeWalker{file: f, seen: map[uintptr]bool{}}
	w.statements(root.Nodes)
	for _, m := range root.Macros {
		w.value(reflect.ValueOf(m))
	}
}

type treeWalker struct {
	file *fileInfo
	seen map[uintptr]bool
}

var (
	nodeType       = reflect.TypeFor[nodes.Node]()
	expressionType = reflect.TypeFor[nodes.Expression]()
	tokenPtrType   = reflect.TypeFor[*tokens.Token]()
)

const (
	nodesPkg = "github.com/nikolalohinski/gonja/v2/nodes"
	csPkg    = "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	ourPkg   = "github.com/dataops-dev/dataops/internal/jinja"
)

func (w *treeWalker) statements(list []nodes.Node) {
	for i, n := range list {
		if n == nil {
			continue
		}
		if cs, ok := n.(*nodes.ControlStructureBlock); ok {
			if _, done := cs.ControlStructure.(*trackedNode); done {
				continue // already wrapped (a node reached twice)
			}
		}
		if cs, ok := n.(*nodes.ControlStructureBlock); ok {
			switch c := cs.ControlStructure.(type) {
			case *controlStructures.ForControlStructure:
				c.IfCondition = truthOf(nil, c.IfCondition)
				cs.ControlStructure = &loopCS{f: c}
			case *controlStructures.IfControlStructure:
				for i, cond := range c.Conditions {
					c.Conditions[i] = truthOf(nil, cond)
				}
				cs.ControlStructure = &ifCS{f: c}
			case *controlStructures.DoControlStructure:
				cs.ControlStructure = &doCS{f: c}
			case *controlStructures.SetControlStructure:
				if simpleSet(c) {
					cs.ControlStructure = &setCS{f: c}
				}
			}
		}
		if d := rawData(n); d != nil {
			// {% raw %} writes its text as is: track it as literal text, so positions inside
			// it map byte for byte.
			n = &nodes.Data{Data: d.Data}
		}
		w.value(reflect.ValueOf(n))
		list[i] = &nodes.ControlStructureBlock{
			Location:         nodeToken(n),
			ControlStructure: &trackedNode{inner: n, file: w.file},
		}
	}
}

// value walks v (which must be addressable when it may need replacing).
func (w *treeWalker) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Type() == tokenPtrType {
			return
		}
		if _, ok := v.Interface().(*trackedNode); ok {
			return
		}
		p := v.Pointer()
		if w.seen[p] {
			return
		}
		w.seen[p] = true
		if e := v.Elem(); e.Kind() == reflect.Struct && walkable(e.Type()) {
			w.fields(e)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		inner := v.Elem()
		if v.Type() == expressionType || v.Type() == nodeType {
			if repl := w.rewrite(inner.Interface()); repl != nil && v.CanSet() {
				v.Set(reflect.ValueOf(repl))
				inner = v.Elem()
			}
		}
		w.value(inner)
	case reflect.Slice:
		if v.Type().Elem() == nodeType && v.CanInterface() {
			if list, ok := v.Interface().([]nodes.Node); ok {
				w.statements(list)
				return
			}
		}
		for i := 0; i < v.Len(); i++ {
			w.value(v.Index(i))
		}
	case reflect.Map:
		iter := v.MapRange()
		type kv struct{ k, v reflect.Value }
		var repl []kv
		for iter.Next() {
			val := iter.Value()
			if val.Kind() == reflect.Interface && !val.IsNil() && (v.Type().Elem() == expressionType || v.Type().Elem() == nodeType) {
				if r := w.rewrite(val.Elem().Interface()); r != nil {
					repl = append(repl, kv{iter.Key(), reflect.ValueOf(r)})
					w.value(reflect.ValueOf(r))
					continue
				}
			}
			w.value(val)
		}
		for _, r := range repl {
			v.SetMapIndex(r.k, r.v)
		}
	case reflect.Struct:
		if walkable(v.Type()) {
			w.fields(v)
		}
	}
}

func walkable(t reflect.Type) bool {
	switch t.PkgPath() {
	case nodesPkg, csPkg, ourPkg:
		return true
	}
	return false
}

// fieldPlans caches, per node type, the fields that can hold nodes (the rest are names,
// flags and tokens), so each compile walks only those.
var fieldPlans sync.Map // reflect.Type -> []int

func fieldPlan(t reflect.Type) []int {
	if p, ok := fieldPlans.Load(t); ok {
		return p.([]int)
	}
	var idx []int
	for i := 0; i < t.NumField(); i++ {
		// A {% set a.b = ... %} target must stay an attribute node for the set tag.
		if t.Name() == "SetControlStructure" && t.Field(i).Name == "target" {
			continue
		}
		if mayHoldNodes(t.Field(i).Type, 0) {
			idx = append(idx, i)
		}
	}
	fieldPlans.Store(t, idx)
	return idx
}

func mayHoldNodes(t reflect.Type, depth int) bool {
	if depth > 4 {
		return true
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer:
		return t != tokenPtrType && t.Elem().Kind() == reflect.Struct && walkable(t.Elem())
	case reflect.Slice, reflect.Array, reflect.Map:
		return mayHoldNodes(t.Elem(), depth+1)
	case reflect.Struct:
		return walkable(t)
	}
	return false
}

func (w *treeWalker) fields(v reflect.Value) {
	for _, i := range fieldPlan(v.Type()) {
		f := v.Field(i)
		if !f.CanSet() {
			if !f.CanAddr() {
				continue
			}
			f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
		}
		w.value(f)
	}
}

// rewrite returns the replacement for an expression node, or nil to keep it.
func (w *treeWalker) rewrite(n any) nodes.Node {
	switch x := n.(type) {
	case *nodes.List:
		if c := constLiteral(x.Location, x); c != nil {
			return c
		}
		return builtinCall(x.Location, "dataops list", x.Val...)
	case *nodes.Dict:
		if c := constLiteral(x.Token, x); c != nil {
			return c
		}
		var kv []nodes.Expression
		for _, p := range x.Pairs {
			kv = append(kv, p.Key, p.Value)
		}
		return builtinCall(x.Token, "dataops dict", kv...)
	case *nodes.Call:
		_, a := x.Kwargs[splatArgs]
		_, k := x.Kwargs[splatKwargs]
		if get, ok := x.Func.(*nodes.GetAttribute); ok && get.Attribute != "" && !a && !k {
			// obj.method(args) evaluates obj once (gonja evaluates it twice for methods of
			// strings, lists and dicts) and works on any expression, not only on names.
			args := append([]nodes.Expression{get.Node, &nodes.String{Location: get.Location, Val: get.Attribute}}, x.Args...)
			call := builtinCall(x.Location, "dataops method", args...)
			if d := orderedKwargs(x.Location, x.Kwargs); d != nil {
				call.Kwargs[splatKwargs] = d
			} else {
				for k, v := range x.Kwargs {
					call.Kwargs[k] = v
				}
			}
			if n, ok := get.Node.(*nodes.Name); ok {
				call.Kwargs[methodTarget] = &nodes.String{Location: n.Name, Val: n.Name.Val}
			}
			return call
		}
		// A call spreading *args or **kwargs, or whose keyword arguments must be evaluated in
		// written order, goes through the splat builtin; any other stays gonja's.
		var ordered *nodes.Call
		if !a && !k {
			if ordered = orderedKwargs(x.Location, x.Kwargs); ordered == nil {
				return nil
			}
		}
		call := builtinCall(x.Location, "dataops splat", append([]nodes.Expression{x.Func}, x.Args...)...)
		if ordered != nil {
			call.Kwargs[splatKwargs] = ordered
		} else {
			call.Kwargs = x.Kwargs
		}
		return call
	case *nodes.GetAttribute:
		if x.Attribute == "" {
			return builtinCall(x.Location, "dataops getitem", x.Node, &nodes.Integer{Location: x.Location, Val: x.Index})
		}
		return builtinCall(x.Location, "dataops getattr", x.Node, &nodes.String{Location: x.Location, Val: x.Attribute})
	case *nodes.GetItem:
		if x.Arg == nil {
			return nil
		}
		return builtinCall(x.Location, "dataops getitem", x.Node, x.Arg)
	case *nodes.Negation:
		x.Term = truthOf(x.Operator, x.Term)
		return nil
	case *nodes.BinaryExpression:
		if x.Operator == nil || x.Operator.Token == nil {
			return nil
		}
		var fn string
		switch x.Operator.Token.Type {
		case tokens.And, tokens.Or:
			if isTruthCall(x.Left) {
				return nil // rewritten already: this is the node inside the untruth call
			}
			x.Left = truthOf(x.Operator.Token, x.Left)
			return builtinCall(x.Operator.Token, "dataops untruth", x)
		case tokens.Multiply:
			fn = "dataops mul"
		case tokens.Modulo:
			fn = "dataops mod"
		case tokens.Power:
			fn = "dataops pow"
		case tokens.Addition:
			fn = "dataops add"
		case tokens.Subtraction:
			fn = "dataops sub"
		case tokens.Tilde:
			fn = "dataops concat"
		default:
			return nil
		}
		return builtinCall(x.Operator.Token, fn, x.Left, x.Right)
	}
	return nil
}

// orderedKwargs is the keyword arguments of a call as one dict in the order they are written,
// when two or more of them and one calls something (a ref() or source() passed to a macro), or
// nil. gonja evaluates keyword arguments in the random order of a Go map, so the calls they
// make would be recorded in a different order from one run to the next; Jinja evaluates them
// as written. The caller spreads the dict back into keyword arguments (the splat and method
// builtins).
func orderedKwargs(at *tokens.Token, kwargs map[string]nodes.Expression) *nodes.Call {
	if len(kwargs) < 2 {
		return nil
	}
	keys := make([]string, 0, len(kwargs))
	calls := false
	for k, v := range kwargs {
		keys = append(keys, k)
		calls = calls || hasCall(reflect.ValueOf(v), 0)
	}
	if !calls {
		return nil
	}
	sort.Slice(keys, func(i, j int) bool {
		pi, pj := exprPos(kwargs[keys[i]]), exprPos(kwargs[keys[j]])
		if pi != pj {
			return pi < pj
		}
		return keys[i] < keys[j]
	})
	kv := make([]nodes.Expression, 0, 2*len(keys))
	for _, k := range keys {
		kv = append(kv, &nodes.String{Location: at, Val: k}, kwargs[k])
	}
	return builtinCall(at, "dataops dict", kv...)
}

// exprPos is where an expression starts in its template, for ordering. Some of the parser's
// nodes ask a child for their position, and a malformed template can leave that child nil (a
// test expression with no left side), so a node that cannot say counts as the start.
func exprPos(e nodes.Expression) (pos int) {
	if e == nil {
		return 0
	}
	defer func() {
		if recover() != nil {
			pos = 0
		}
	}()
	if t := e.Position(); t != nil {
		return t.Pos
	}
	return 0
}

// hasCall says whether an expression holds a call anywhere in it.
func hasCall(v reflect.Value, depth int) bool {
	if depth > 64 {
		return true
	}
	switch v.Kind() {
	case reflect.Interface:
		return !v.IsNil() && hasCall(v.Elem(), depth+1)
	case reflect.Pointer:
		if v.IsNil() || v.Type() == tokenPtrType {
			return false
		}
		if _, ok := v.Interface().(*nodes.Call); ok {
			return true
		}
		if e := v.Elem(); e.Kind() == reflect.Struct && walkable(e.Type()) {
			for _, i := range fieldPlan(e.Type()) {
				if hasCall(e.Field(i), depth+1) {
					return true
				}
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if hasCall(v.Index(i), depth+1) {
				return true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if hasCall(iter.Value(), depth+1) {
				return true
			}
		}
	}
	return false
}

func builtinCall(at *tokens.Token, name string, args ...nodes.Expression) *nodes.Call {
	tok := &tokens.Token{Type: tokens.Name, Val: name}
	if at != nil {
		tok.Pos, tok.Line, tok.Col = at.Pos, at.Line, at.Col
	}
	if args == nil {
		args = []nodes.Expression{}
	}
	return &nodes.Call{Location: tok, Func: &nodes.Name{Name: tok}, Args: args, Kwargs: map[string]nodes.Expression{}}
}

// trackedNode wraps one statement of a template. gonja renders it as a control structure,
// which gives us a hook around every statement without changing gonja.
type trackedNode struct {
	inner nodes.Node
	file  *fileInfo
}

func (t *trackedNode) Position() *tokens.Token { return nodeToken(t.inner) }
func (t *trackedNode) String() string          { return t.inner.String() }

func (t *trackedNode) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) (err error) {
	st := stateOfRenderer(r)
	if st == nil {
		return errors.New("template rendered outside of a render")
	}
	if st.returning() {
		return nil // the macro (or template) already returned: skip the rest of its body
	}
	if err := st.step(); err != nil {
		return err
	}
	tok := nodeToken(t.inner)
	pos := 0
	if tok != nil {
		pos = tok.Pos
	}
	prevFile, prevPos := st.curFile, st.curPos
	st.curFile, st.curPos = t.file, pos
	isModel := t.file == st.model
	var prevModelPos int
	if isModel {
		prevModelPos = st.modelPos
		st.modelPos = pos
	}
	w, tracking := r.Output.(*trackWriter)
	if _, counted := r.Output.(*countingWriter); !counted && w == nil {
		// A block's or a macro's buffer: what the statement writes there counts against the
		// render's budget of writes (the model's own output has its own limit).
		out := r.Output
		r.Output = &countingWriter{w: out, st: st}
		defer func() { r.Output = out }()
	}
	tracking = tracking && isModel
	var prevOrigin int
	if tracking {
		prevOrigin = w.origin
		w.origin = pos
	}
	defer func() {
		st.curFile, st.curPos = prevFile, prevPos
		if isModel {
			st.modelPos = prevModelPos
		}
		if tracking {
			w.origin = prevOrigin
		}
		if rec := recover(); rec != nil {
			if st.abort != nil {
				err = errAborted
				return
			}
			st.warnAt(t.file, pos, "render-error", panicMessage(rec))
			err = nil
		}
	}()

	switch n := t.inner.(type) {
	case *nodes.Data:
		text, off := dataText(n)
		if tracking {
			_, err = w.writeLiteral(text, n.Data.Pos+off)
		} else {
			_, err = io.WriteString(r.Output, text)
		}
	case *nodes.Comment:
		return nil
	case *nodes.Output:
		err = writeOutput(r, n)
	default:
		_, err = r.Visit(t.inner)
	}
	if err == nil {
		return nil
	}
	if st.abort != nil || st.returning() || isLoopControl(err) {
		return err
	}
	st.warnAt(t.file, pos, "render-error", errorMessage(err))
	return nil
}

// dataText is the text a data node renders (gonja's whitespace control applied) and the
// offset of that text inside the node's token.
func dataText(n *nodes.Data) (string, int) {
	s := n.Data.Val
	off := 0
	if n.RemoveFirstLineReturn {
		if strings.HasPrefix(s, "\r\n") {
			s, off = s[2:], off+2
		} else if strings.HasPrefix(s, "\n") {
			s, off = s[1:], off+1
		}
	}
	if n.Trim.Left {
		t := strings.TrimLeft(s, " \r\n\t")
		off += len(s) - len(t)
		s = t
	}
	if n.Trim.Right {
		s = strings.TrimRight(s, " \r\n\t")
	}
	if n.RemoveTrailingWhiteSpaceFromLastLine {
		i := strings.LastIndexByte(s, '\n')
		s = s[:i+1] + strings.TrimRight(s[i+1:], " \n\t\r")
	}
	return s, off
}

func isLoopControl(err error) bool {
	var b *controlStructures.LoopBreakError
	var c *controlStructures.LoopContinueError
	return errors.As(err, &b) || errors.As(err, &c)
}

// writeOutput renders {{ expr }}. Unlike gonja, a none value prints as "None", as Jinja prints
// it; a missing variable, attribute or item (Jinja's undefined, which gonja also gives as
// none) still prints as nothing.
func writeOutput(r *exec.Renderer, n *nodes.Output) error {
	var v *exec.Value
	if n.Condition != nil {
		c := evalR(r, n.Condition)
		switch {
		case c.IsError():
			return c
		case pyTrue(c):
			v = evalR(r, n.Expression)
		case n.Alternative != nil:
			v = evalR(r, n.Alternative)
		default:
			return nil
		}
	} else {
		v = evalR(r, n.Expression)
	}
	if v.IsError() {
		return v
	}
	if !scalar(v) {
		// A list that shares one large string many times is small in memory but not once
		// printed: measure before printing.
		st := stateOf(r.Environment)
		limit := DefaultLimits.MaxOutput
		if st != nil {
			limit = st.env.limits.MaxOutput
		}
		if printedSize(v, limit) > limit {
			return tooBig(st, "output larger than %d bytes", limit)
		}
	}
	text := pyStr(v)
	if tu, ok := n.Expression.(*nodes.Tuple); ok && strings.HasPrefix(text, "[") && strings.HasSuffix(text, "]") {
		// gonja evaluates a tuple to a list; Jinja prints it as Python's tuple.
		text = "(" + text[1:len(text)-1]
		if len(tu.Val) == 1 {
			text += ","
		}
		text += ")"
	}
	if v.IsNil() {
		switch x := n.Expression.(type) {
		case *nodes.Name, *nodes.GetAttribute, *nodes.GetItem:
			text = ""
		case *nodes.Call:
			if f, ok := x.Func.(*nodes.Name); ok && (f.Name.Val == "dataops getattr" || f.Name.Val == "dataops getitem") {
				text = ""
			}
		}
	}
	_, err := io.WriteString(r.Output, text)
	return err
}

// pyStr is str(v) as Jinja prints it.
func pyStr(v *exec.Value) string {
	if v == nil || v.IsNil() {
		return "None"
	}
	return v.String()
}

// rawData returns the text node of a {% raw %} block (gonja keeps it in an unexported field).
func rawData(n nodes.Node) *nodes.Data {
	cs, ok := n.(*nodes.ControlStructureBlock)
	if !ok {
		return nil
	}
	raw, ok := cs.ControlStructure.(*controlStructures.RawControlStructure)
	if !ok || raw == nil {
		return nil
	}
	f := reflect.ValueOf(raw).Elem().FieldByName("data")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*nodes.Data]() {
		return nil
	}
	d, _ := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(*nodes.Data)
	if d == nil || d.Data == nil {
		return nil
	}
	return d
}
