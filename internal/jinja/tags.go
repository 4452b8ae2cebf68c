package jinja

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// controlStructureSet is the set of tags templates may use: gonja's expression and flow tags,
// our own macro/call/import tags, and dbt's block tags. include and extends are left out:
// they would read files.
func controlStructureSet() *exec.ControlStructureSet {
	m := map[string]parser.ControlStructureParser{}
	for _, name := range []string{"if", "for", "set", "with", "filter", "raw", "do", "break", "continue", "autoescape"} {
		if p, ok := builtins.ControlStructures.Get(name); ok {
			m[name] = p
		}
	}
	m["for"] = parenthesizedFor(m["for"])
	m["macro"] = macroParser("endmacro", "")
	m["test"] = macroParser("endtest", "test_")
	m["call"] = callParser
	m["print"] = printParser
	m["import"] = importParser
	m["from"] = fromParser
	for _, name := range []string{"docs", "materialization", "snapshot"} {
		m[name] = swallowParser("end" + name)
	}
	return exec.NewControlStructureSet(m)
}

// parenthesizedFor is gonja's {% for %} parser taking Jinja's parenthesized targets as well:
// {% for (key, value) in d.items() %} reads as {% for key, value in d.items() %}.
func parenthesizedFor(base parser.ControlStructureParser) parser.ControlStructureParser {
	return func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		if args.Current(tokens.LeftParenthesis) == nil {
			return base(p, args)
		}
		var toks []*tokens.Token
		for !args.End() {
			toks = append(toks, args.Next())
		}
		// ( name [, name]... ) in
		i := 1
		for i < len(toks) && toks[i].Type == tokens.Name {
			i++
			if i < len(toks) && toks[i].Type == tokens.Comma {
				i++
				continue
			}
			break
		}
		if i > 1 && i+1 < len(toks) && toks[i].Type == tokens.RightParenthesis && toks[i+1].Type == tokens.In {
			toks = append(append([]*tokens.Token{}, toks[1:i]...), toks[i+1:]...)
		}
		return base(p, parser.NewParser("for", tokens.NewStream(toks), p.Config, p.Loader, nil))
	}
}

// printCS is Jinja's {% print expr %}: it writes the expression's value as {{ expr }} does
// (dbt projects write {% print(cmd) %} in operation macros).
type printCS struct {
	out *nodes.Output
}

func (c *printCS) Position() *tokens.Token { return c.out.Start }
func (c *printCS) String() string          { return "print " + c.out.Expression.String() }

func (c *printCS) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	return writeOutput(r, c.out)
}

func printParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	start := p.Current()
	expr, err := args.ParseExpression()
	if err != nil {
		return nil, err
	}
	if !args.End() {
		return nil, args.Error("Malformed print-tag args.", args.Current())
	}
	return &printCS{out: &nodes.Output{Start: start, Expression: expr}}, nil
}

// macroCS is {% macro %} (and {% test %}, registered as test_<name>).
type macroCS struct {
	macro *nodes.Macro
	test  bool
}

func (m *macroCS) Position() *tokens.Token { return m.macro.Location }
func (m *macroCS) String() string          { return "macro " + m.macro.Name }

// Execute defines a macro written in the template itself: it closes over the renderer that
// defines it, as Jinja's macros close over their template's globals.
func (m *macroCS) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	if m.test {
		return nil
	}
	st := stateOf(r.Environment)
	var f *fileInfo
	if st != nil {
		f = st.curFile
	}
	node := m.macro
	r.Environment.Context.Set(node.Name, callable(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		st := stateOfEval(e)
		if st == nil {
			return exec.AsValue(fmt.Errorf("macro %s called outside of a render", node.Name))
		}
		return st.invoke(node, r, va, f)
	}))
	return nil
}

func macroParser(endTag, prefix string) parser.ControlStructureParser {
	return func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		m := &nodes.Macro{Location: p.Current(), Kwargs: []*nodes.Pair{}}
		name := args.Match(tokens.Name)
		if name == nil {
			return nil, args.Error("macro needs a name", args.Current())
		}
		m.Name = prefix + name.Val
		if args.Match(tokens.LeftParenthesis) == nil {
			return nil, args.Error("expected '(' after the macro name", args.Current())
		}
		for args.Match(tokens.RightParenthesis) == nil {
			arg := args.Match(tokens.Name)
			if arg == nil {
				return nil, args.Error("expected an argument name", args.Current())
			}
			pair := &nodes.Pair{Key: &nodes.String{Location: arg, Val: arg.Val}}
			if args.Match(tokens.Assign) != nil {
				expr, err := args.ParseExpression()
				if err != nil {
					return nil, err
				}
				pair.Value = expr
			} else {
				// No default: a None located at the name itself, which invoke binds to
				// undefined (a written `none` default is located at the `none`).
				pair.Value = &nodes.None{Location: arg}
			}
			m.Kwargs = append(m.Kwargs, pair)
			if args.Match(tokens.RightParenthesis) != nil {
				break
			}
			if args.Match(tokens.Comma) == nil {
				return nil, args.Error("expected ',' or ')'", args.Current())
			}
		}
		if !args.End() {
			return nil, args.Error("unexpected text after the macro signature", args.Current())
		}
		wrapper, endargs, err := p.WrapUntil(endTag)
		if err != nil {
			return nil, err
		}
		if !endargs.End() {
			return nil, endargs.Error(endTag+" takes no arguments", nil)
		}
		m.Wrapper = wrapper
		if p.Template != nil {
			p.Template.Macros[m.Name] = m
		}
		return &macroCS{macro: m, test: prefix != ""}, nil
	}
}

// callCS is {% call macro(args) %}body{% endcall %}: the body is passed to the macro as
// caller(). Unlike gonja's, it hands the caller to the macro directly instead of through the
// context, so nested calls in the arguments cannot take it.
type callCS struct {
	loc    *tokens.Token
	call   *nodes.Call
	params []string
	body   *nodes.Wrapper
}

func (c *callCS) Position() *tokens.Token { return c.loc }
func (c *callCS) String() string          { return "call" }

func (c *callCS) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	fn := r.Eval(c.call.Func)
	if fn.IsError() {
		return fn
	}
	va := exec.NewVarArgs()
	for _, a := range c.call.Args {
		v := r.Eval(a)
		if v.IsError() {
			return v
		}
		va.Args = append(va.Args, v)
	}
	for k, a := range c.call.Kwargs {
		v := r.Eval(a)
		if v.IsError() {
			return v
		}
		va.KwArgs[k] = v
	}
	expandSplat(va)
	caller := callable(func(e *exec.Evaluator, cva *exec.VarArgs) *exec.Value {
		var buf bytes.Buffer
		sub := r.Inherit()
		sub.Output = &buf
		if st := stateOf(r.Environment); st != nil {
			sub.Output = &countingWriter{w: &buf, st: st}
		}
		for i, p := range c.params {
			if cva != nil && i < len(cva.Args) {
				sub.Environment.Context.Set(p, cva.Args[i])
			} else {
				sub.Environment.Context.Set(p, nil)
			}
		}
		if err := sub.ExecuteWrapper(c.body); err != nil {
			return exec.AsValue(err)
		}
		return exec.AsSafeValue(buf.String())
	})
	va.KwArgs["caller"] = exec.AsValue(caller)
	var res *exec.Value
	switch f := fn.Interface().(type) {
	case callable:
		res = f(r.Evaluator(), va)
	case stubFn:
		res = f(r.Evaluator(), va)
	default:
		// Not something we can hand a caller to: still render the body so its refs count.
		caller(r.Evaluator(), nil)
		if st := stateOf(r.Environment); st != nil {
			st.warnHere("render-error", fmt.Sprintf("%s cannot be used with {%% call %%}", c.call.Func))
		}
		return nil
	}
	if res.IsError() {
		return res
	}
	s, err := checkedString(r.Evaluator(), res)
	if err != nil {
		return err
	}
	_, err = io.WriteString(r.Output, s)
	return err
}

func callParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	c := &callCS{loc: p.Current()}
	// {% call(row) macro() %}: names the body's caller() arguments.
	if args.Match(tokens.LeftParenthesis) != nil {
		for args.Match(tokens.RightParenthesis) == nil {
			n := args.Match(tokens.Name)
			if n == nil {
				return nil, args.Error("expected a parameter name", args.Current())
			}
			c.params = append(c.params, n.Val)
			if args.Match(tokens.RightParenthesis) != nil {
				break
			}
			if args.Match(tokens.Comma) == nil {
				return nil, args.Error("expected ',' or ')'", args.Current())
			}
		}
	}
	expr, err := args.ParseExpression()
	if err != nil {
		return nil, err
	}
	call, ok := expr.(*nodes.Call)
	if !ok {
		return nil, args.Error("expected a macro call after {% call %}", args.Current())
	}
	c.call = call
	if !args.End() {
		return nil, args.Error("unexpected text after the call", args.Current())
	}
	wrapper, endargs, err := p.WrapUntil("endcall")
	if err != nil {
		return nil, err
	}
	if !endargs.End() {
		return nil, endargs.Error("endcall takes no arguments", nil)
	}
	c.body = wrapper
	return c, nil
}

// importCS is {% import 'file' as name %} and {% from 'file' import a, b as c %}. Files are
// looked up among the compiled macro files only (by path, or by a path suffix), never on disk.
type importCS struct {
	loc   *tokens.Token
	file  nodes.Expression
	as    string            // import ... as
	names map[string]string // from ... import: alias -> name
}

func (c *importCS) Position() *tokens.Token { return c.loc }
func (c *importCS) String() string          { return "import" }

func (c *importCS) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	st := stateOf(r.Environment)
	if st == nil {
		return nil
	}
	name := r.Eval(c.file)
	if name.IsError() {
		return name
	}
	f := st.env.findFile(name.String())
	if f == nil {
		st.warnHere("unknown-macro", fmt.Sprintf("cannot import %q: no such macro file", name.String()))
	}
	ns := &fileNamespace{env: st.env, file: f}
	if c.as != "" {
		if f == nil {
			r.Environment.Context.Set(c.as, newStub(&stubInfo{name: c.as, st: st, file: st.curFile}))
		} else {
			r.Environment.Context.Set(c.as, ns)
		}
		return nil
	}
	for alias, macro := range c.names {
		if f == nil {
			r.Environment.Context.Set(alias, newStub(&stubInfo{name: alias, st: st, file: st.curFile}))
			continue
		}
		v, _ := ns.GetAttribute(macro)
		r.Environment.Context.Set(alias, v.Interface())
	}
	return nil
}

func (e *Env) findFile(name string) *fileInfo {
	name = path.Clean(strings.TrimPrefix(name, "./"))
	for _, f := range e.files {
		if f.path == name {
			return f
		}
	}
	for _, f := range e.files {
		if strings.HasSuffix(f.path, "/"+name) {
			return f
		}
	}
	return nil
}

func importParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	c := &importCS{loc: p.Current()}
	expr, err := args.ParseExpression()
	if err != nil {
		return nil, err
	}
	c.file = expr
	if args.MatchName("as") == nil {
		return nil, args.Error(`expected "as"`, args.Current())
	}
	alias := args.Match(tokens.Name)
	if alias == nil {
		return nil, args.Error("expected a name after 'as'", args.Current())
	}
	c.as = alias.Val
	if args.MatchName("with", "without") != nil {
		args.MatchName("context")
	}
	if !args.End() {
		return nil, args.Error("unexpected text in import", args.Current())
	}
	return c, nil
}

func fromParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	c := &importCS{loc: p.Current(), names: map[string]string{}}
	expr, err := args.ParseExpression()
	if err != nil {
		return nil, err
	}
	c.file = expr
	if args.MatchName("import") == nil {
		return nil, args.Error(`expected "import"`, args.Current())
	}
	for !args.End() {
		if args.MatchName("with", "without") != nil {
			args.MatchName("context")
			break
		}
		name := args.Match(tokens.Name)
		if name == nil {
			return nil, args.Error("expected a macro name", args.Current())
		}
		alias := name.Val
		if args.MatchName("as") != nil {
			a := args.Match(tokens.Name)
			if a == nil {
				return nil, args.Error("expected a name after 'as'", args.Current())
			}
			alias = a.Val
		}
		c.names[alias] = name.Val
		if args.Match(tokens.Comma) == nil {
			break
		}
	}
	if !args.End() && args.MatchName("with", "without") != nil {
		args.MatchName("context")
	}
	if !args.End() {
		return nil, args.Error("unexpected text in from-import", args.Current())
	}
	return c, nil
}

// swallowCS is a dbt block tag that renders nothing where it stands: {% docs %},
// {% materialization %}, {% snapshot %} (the loader renders a snapshot's body on its own).
type swallowCS struct {
	loc  *tokens.Token
	body *nodes.Wrapper
}

func (s *swallowCS) Position() *tokens.Token { return s.loc }
func (s *swallowCS) String() string          { return "block" }
func (s *swallowCS) Execute(*exec.Renderer, *nodes.ControlStructureBlock) error {
	return nil
}

func swallowParser(endTag string) parser.ControlStructureParser {
	return func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		loc := p.Current()
		wrapper, _, err := p.WrapUntil(endTag)
		if err != nil {
			return nil, err
		}
		return &swallowCS{loc: loc, body: wrapper}, nil
	}
}
