package jinja

import (
	"errors"
	"fmt"

	controlStructures "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// loopCS is {% for %}, in place of gonja's (see prepareTree). gonja's first makes a context
// and evaluates the filter for every item, all before the body runs once and without a way
// to stop: a loop over a 16 MB string took minutes and gigabytes before its first iteration.
// This one counts every item and every iteration as a step of the render (so the time limit,
// the step limit and cancellation stop it), refuses iterables of more than MaxRangeItems, and
// otherwise behaves as gonja's: the same loop variables, {% else %}, filters, recursion,
// break and continue.
type loopCS struct {
	f *controlStructures.ForControlStructure
}

func (l *loopCS) Position() *tokens.Token { return l.f.Position() }
func (l *loopCS) String() string          { return l.f.String() }

func (l *loopCS) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	st := stateOfRenderer(r)
	if st == nil {
		return errors.New("template rendered outside of a render")
	}
	obj := evalR(r, l.f.ObjectEvaluator)
	if obj.IsError() {
		return obj
	}
	depth := 1
	if v, ok := r.Environment.Context.Get("loop"); ok {
		switch p := v.(type) {
		case *loopVar:
			depth = p.depth + 1
		case recursiveLoop:
			if lv, ok := p(nil).Interface().(*loopVar); ok {
				depth = lv.depth + 1
			}
		}
	}
	return l.run(r, st, obj, depth)
}

type loopItem struct {
	key, value *exec.Value
}

func (l *loopCS) run(r *exec.Renderer, st *renderState, obj *exec.Value, depth int) error {
	limit := st.env.limits.MaxRangeItems
	if depth > st.env.limits.MaxDepth {
		st.limitExceeded("render stopped: loops recursing deeper than %d", st.env.limits.MaxDepth)
		return errAborted
	}
	if obj.IsString() && len(obj.String()) > limit {
		st.limitExceeded("render stopped: a loop over more than %d items", limit)
		return errAborted
	}
	var (
		items  []loopItem
		err    error
		filter *exec.Renderer
	)
	if l.f.IfCondition != nil {
		filter = r.Inherit()
	}
	obj.Iterate(func(_, _ int, key, value *exec.Value) bool {
		if len(items) >= limit {
			st.limitExceeded("render stopped: a loop over more than %d items", limit)
			err = errAborted
			return false
		}
		it := loopItem{key: key, value: value}
		if l.f.Value != "" && !key.IsString() && key.Len() == 2 {
			// for k, v in list_of_pairs
			key.Iterate(func(i, _ int, k, _ *exec.Value) bool {
				if i == 0 {
					it.key = k
				} else {
					it.value = k
				}
				return true
			}, func() {})
		}
		if filter != nil {
			if err = st.step(); err != nil {
				return false
			}
			l.bind(filter.Environment.Context, it)
			if !evalR(filter, l.f.IfCondition).IsTrue() {
				return true
			}
		}
		items = append(items, it)
		return true
	}, func() {})
	if err != nil {
		return err
	}
	if len(items) == 0 {
		if l.f.EmptyWrapper != nil {
			return r.Inherit().ExecuteWrapper(l.f.EmptyWrapper)
		}
		return nil
	}
	lv := &loopVar{items: items, depth: depth}
	var loopValue any = lv
	if l.f.Recursive {
		loopValue = recursiveLoop(func(va *exec.VarArgs) *exec.Value {
			if va == nil {
				return exec.AsValue(lv) // for depth and attributes
			}
			if len(va.Args) == 0 {
				return exec.AsValue("")
			}
			buf := &boundedBuffer{st: st}
			sub := r.Inherit()
			sub.Output = &countingWriter{w: buf, st: st}
			if err := l.run(sub, st, va.Args[0], depth+1); err != nil {
				return exec.AsValue(err)
			}
			return exec.AsSafeValue(buf.String())
		})
	}
	for i, it := range items {
		if err := st.step(); err != nil {
			return err
		}
		sub := child(r)
		ctx := sub.Environment.Context
		l.bind(ctx, it)
		ctx.Set("loop", loopValue)
		lv.index0 = i
		err := nodes.Walk(sub, l.f.BodyWrapper)
		switch {
		case err == nil:
		case isLoopError[*controlStructures.LoopBreakError](err):
			return nil
		case isLoopError[*controlStructures.LoopContinueError](err):
		default:
			return err
		}
	}
	return nil
}

func (l *loopCS) bind(ctx *exec.Context, it loopItem) {
	ctx.Set(l.f.Key, it.key)
	if l.f.Value != "" && it.value != nil {
		ctx.Set(l.f.Value, it.value)
	}
}

func isLoopError[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// loopVar is `loop` inside a {% for %} body.
type loopVar struct {
	items  []loopItem
	index0 int
	depth  int
	last   *exec.Value // loop.changed's previous argument
}

func (lv *loopVar) String() string { return fmt.Sprintf("<loop %d of %d>", lv.index0+1, len(lv.items)) }

func (lv *loopVar) item(i int) *exec.Value {
	if i < 0 || i >= len(lv.items) {
		return exec.AsValue(nil)
	}
	it := lv.items[i]
	if it.value != nil {
		return exec.AsValue([2]*exec.Value{it.key, it.value})
	}
	return it.key
}

func (lv *loopVar) GetAttribute(name string) (*exec.Value, bool) {
	n := len(lv.items)
	switch name {
	case "index":
		return exec.AsValue(lv.index0 + 1), true
	case "index0":
		return exec.AsValue(lv.index0), true
	case "revindex":
		return exec.AsValue(n - lv.index0), true
	case "revindex0":
		return exec.AsValue(n - lv.index0 - 1), true
	case "first":
		return exec.AsValue(lv.index0 == 0), true
	case "last":
		return exec.AsValue(lv.index0 == n-1), true
	case "length":
		return exec.AsValue(n), true
	case "depth":
		return exec.AsValue(lv.depth), true
	case "depth0":
		return exec.AsValue(lv.depth - 1), true
	case "previtem", "PrevItem":
		return lv.item(lv.index0 - 1), true
	case "nextitem", "NextItem":
		return lv.item(lv.index0 + 1), true
	case "cycle", "Cycle":
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			if len(va.Args) == 0 {
				return exec.AsValue("")
			}
			return va.Args[lv.index0%len(va.Args)]
		}), true
	case "changed", "Changed":
		return exec.AsValue(func(va *exec.VarArgs) *exec.Value {
			var cur *exec.Value
			if len(va.Args) == 1 {
				cur = va.Args[0]
			} else {
				items := make([]any, 0, len(va.Args))
				for _, a := range va.Args {
					items = append(items, a.Interface())
				}
				cur = exec.AsValue(items)
			}
			same := lv.last != nil && cur.EqualValueTo(lv.last)
			lv.last = cur
			return exec.AsValue(!same)
		}), true
	}
	return exec.AsValue(nil), false
}

// recursiveLoop is `loop` in a {% for ... recursive %} body: loop(children) renders the body
// for the children; its attributes are the loopVar's. Called with nil it returns the loopVar.
type recursiveLoop func(va *exec.VarArgs) *exec.Value

func (rl recursiveLoop) GetAttribute(name string) (*exec.Value, bool) {
	lv, _ := rl(nil).Interface().(*loopVar)
	if lv == nil {
		return exec.AsValue(nil), false
	}
	return lv.GetAttribute(name)
}
