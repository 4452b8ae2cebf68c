package lexer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/sql/dialect"
	"github.com/dataops-dev/dataops/internal/sql/token"
)

func mustDialect(t testing.TB, name string) dialect.Dialect {
	t.Helper()
	d, ok := dialect.Lookup(name)
	if !ok {
		t.Fatalf("unknown dialect %q", name)
	}
	return d
}

// render shows the significant tokens as Kind(text) separated by spaces; trivia is dropped so
// expectations stay short, but the round trip is always checked on the full stream.
func render(t *testing.T, src string, d dialect.Dialect) string {
	t.Helper()
	toks := Lex(src, d)
	checkStream(t, src, toks)
	var b strings.Builder
	for _, tk := range toks {
		if tk.Kind.Trivia() || tk.Kind == token.EOF {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tk.Kind.String())
		b.WriteByte('(')
		b.WriteString(tk.Text)
		b.WriteByte(')')
	}
	return b.String()
}

func checkStream(t testing.TB, src string, toks []token.Token) {
	t.Helper()
	if len(toks) == 0 || toks[len(toks)-1].Kind != token.EOF {
		t.Fatalf("%q: last token is not EOF", src)
	}
	var b strings.Builder
	prev := token.Pos(0)
	for i, tk := range toks {
		if tk.Pos != prev || tk.End < tk.Pos || src[tk.Pos:tk.End] != tk.Text {
			t.Fatalf("%q: token %d %v [%d,%d) %q is not contiguous (prev end %d)", src, i, tk.Kind, tk.Pos, tk.End, tk.Text, prev)
		}
		if tk.Kind == token.EOF && i != len(toks)-1 {
			t.Fatalf("%q: EOF before the end", src)
		}
		prev = tk.End
		b.WriteString(tk.Text)
	}
	if b.String() != src {
		t.Fatalf("round trip differs:\n got %q\nwant %q", b.String(), src)
	}
}

func expectTokens(t *testing.T, dialectName, src, want string) {
	t.Helper()
	if got := render(t, src, mustDialect(t, dialectName)); got != want {
		t.Errorf("%s: %q\n got %s\nwant %s", dialectName, src, got, want)
	}
}

func TestBasics(t *testing.T) {
	expectTokens(t, "ansi", "select a, b.c from t;", "Ident(select) Ident(a) Comma(,) Ident(b) Dot(.) Ident(c) Ident(from) Ident(t) Semicolon(;)")
	expectTokens(t, "ansi", "x::int", "Ident(x) DoubleColon(::) Ident(int)")
	expectTokens(t, "ansi", "a->b->>'c'", "Ident(a) Operator(->) Ident(b) Operator(->>) String('c')")
	expectTokens(t, "ansi", "f(a => 1)", "Ident(f) LParen(() Ident(a) Operator(=>) Number(1) RParen())")
	expectTokens(t, "ansi", "a || b <> c != d <= e >= f", "Ident(a) Operator(||) Ident(b) Operator(<>) Ident(c) Operator(!=) Ident(d) Operator(<=) Ident(e) Operator(>=) Ident(f)")
	expectTokens(t, "ansi", "a<=>b", "Ident(a) Operator(<=>) Ident(b)")
	expectTokens(t, "ansi", "[1]{}", "LBracket([) Number(1) RBracket(]) LBrace({) RBrace(})")
	expectTokens(t, "ansi", "a$b _x ünï", "Ident(a$b) Ident(_x) Ident(ünï)")
	expectTokens(t, "ansi", "\\", "Illegal(\\)")
}

func TestNumbers(t *testing.T) {
	expectTokens(t, "ansi", "1 1. .5 1.5 1e-3 1E+10 2e 0x1F 1_000", "Number(1) Number(1.) Number(.5) Number(1.5) Number(1e-3) Number(1E+10) Number(2) Ident(e) Number(0x1F) Number(1_000)")
	expectTokens(t, "ansi", "t.5", "Ident(t) Dot(.) Number(5)")
	expectTokens(t, "ansi", "1..2", "Number(1) Dot(.) Number(.2)")
	expectTokens(t, "databricks", "10L 1.5D 2BD 3 L", "Number(10L) Number(1.5D) Number(2BD) Number(3) Ident(L)")
	expectTokens(t, "ansi", "10L", "Number(10) Ident(L)")
}

func TestStrings(t *testing.T) {
	expectTokens(t, "postgres", `'it''s' E'a\'b' N'x' X'1F' B'01' U&'d\0061'`, `String('it''s') String(E'a\'b') String(N'x') String(X'1F') String(B'01') String(U&'d\0061')`)
	expectTokens(t, "postgres", `'a\' c'`, `String('a\') Ident(c) String(')`)
	expectTokens(t, "snowflake", `'a\' b'`, `String('a\' b')`)
	expectTokens(t, "postgres", "$$ it's $$ $fn$ a $$ b $fn$", "String($$ it's $$) String($fn$ a $$ b $fn$)")
	expectTokens(t, "snowflake", "$$ x $$ $1 $var", "String($$ x $$) Param($1) Variable($var)")
	expectTokens(t, "bigquery", `"str" r'\d+' b'by' rb"x" '''tri'ple''' """a"b"""`, `String("str") String(r'\d+') String(b'by') String(rb"x") String('''tri'ple''') String("""a"b""")`)
	expectTokens(t, "mysql", `"str" 'a\'b'`, `String("str") String('a\'b')`)
	expectTokens(t, "ansi", `r'x'`, `Ident(r) String('x')`)
}

func TestQuotedIdents(t *testing.T) {
	expectTokens(t, "ansi", `"a""b" `+"`c`", `QuotedIdent("a""b") QuotedIdent(`+"`c`"+`)`)
	expectTokens(t, "tsql", "[my col] [a]]b]", "QuotedIdent([my col]) QuotedIdent([a]]b])")
	expectTokens(t, "sqlite", "[x]", "QuotedIdent([x])")
	expectTokens(t, "tsql", "select * into #t from ##g", "Ident(select) Operator(*) Ident(into) Ident(#t) Ident(from) Ident(##g)")
	expectTokens(t, "tsql", "#\u00a0#", "Operator(#) Operator(#)")
	expectTokens(t, "duckdb", "a[1]", "Ident(a) LBracket([) Number(1) RBracket(])")
	expectTokens(t, "bigquery", "`proj.ds.t`", "QuotedIdent(`proj.ds.t`)")
}

func TestComments(t *testing.T) {
	expectTokens(t, "ansi", "a -- c\nb /* x */ c", "Ident(a) Ident(b) Ident(c)")
	if got := render(t, "a --c\r\nb", mustDialect(t, "ansi")); got != "Ident(a) Ident(b)" {
		t.Errorf("got %s", got)
	}
	toks := Lex("a --c\r\nb", mustDialect(t, "ansi"))
	if toks[2].Kind != token.LineComment || toks[2].Text != "--c" || toks[3].Kind != token.Newline || toks[3].Text != "\r\n" {
		t.Errorf("CRLF after a comment: %v", toks)
	}
	expectTokens(t, "mysql", "a # c\nb", "Ident(a) Ident(b)")
	expectTokens(t, "bigquery", "a # c\nb", "Ident(a) Ident(b)")
	expectTokens(t, "postgres", "a #> b", "Ident(a) Operator(#>) Ident(b)")
	expectTokens(t, "snowflake", "a // c\nb", "Ident(a) Ident(b)")
	expectTokens(t, "duckdb", "a // b", "Ident(a) Operator(//) Ident(b)")
	expectTokens(t, "postgres", "/* a /* b */ c */ d", "Ident(d)")
	expectTokens(t, "snowflake", "/* a /* b */ c */ d", "Ident(c) Operator(*) Operator(/) Ident(d)")
}

func TestParamsAndPaths(t *testing.T) {
	expectTokens(t, "snowflake", "v:a.b::string", "Ident(v) Colon(:) Ident(a) Dot(.) Ident(b) DoubleColon(::) Ident(string)")
	expectTokens(t, "snowflake", "v:\"A\"[0]", `Ident(v) Colon(:) QuotedIdent("A") LBracket([) Number(0) RBracket(])`)
	expectTokens(t, "snowflake", "select * from @db.sch.stage/path/f.csv.gz (file_format => 'x')", "Ident(select) Operator(*) Ident(from) Variable(@db.sch.stage/path/f.csv.gz) LParen(() Ident(file_format) Operator(=>) String('x') RParen())")
	expectTokens(t, "snowflake", "@%t @~", "Variable(@%t) Variable(@~)")
	expectTokens(t, "bigquery", "x = @param", "Ident(x) Operator(=) Param(@param)")
	expectTokens(t, "tsql", "@v @@rowcount", "Variable(@v) Variable(@@rowcount)")
	expectTokens(t, "postgres", "x = $1 and y = ? and z = :name and w in (:a, :b)", "Ident(x) Operator(=) Param($1) Ident(and) Ident(y) Operator(=) Param(?) Ident(and) Ident(z) Operator(=) Param(:name) Ident(and) Ident(w) Ident(in) LParen(() Param(:a) Comma(,) Param(:b) RParen())")
	expectTokens(t, "duckdb", "a[1:2] a[:n]", "Ident(a) LBracket([) Number(1) Colon(:) Number(2) RBracket(]) Ident(a) LBracket([) Colon(:) Ident(n) RBracket(])")
	expectTokens(t, "postgres", "j ?| k", "Ident(j) Operator(?|) Ident(k)")
	expectTokens(t, "postgres", "x = %(name)s", "Ident(x) Operator(=) Param(%(name)s)")
	expectTokens(t, "duckdb", "x := 1", "Ident(x) Operator(:=) Number(1)")
}

func TestTemplates(t *testing.T) {
	expectTokens(t, "snowflake", "select {{ ref('a') }} {%- if x %}1{% endif -%} {# c #}", "Ident(select) Template({{ ref('a') }}) Template({%- if x %}) Number(1) Template({% endif -%}) Template({# c #})")
	expectTokens(t, "duckdb", "{'a': 1}", "LBrace({) String('a') Colon(:) Number(1) RBrace(})")
	expectTokens(t, "ansi", "{{ unclosed", "LBrace({) LBrace({) Ident(unclosed)")
	expectTokens(t, "ansi", "{{ p }}_today a_{{ x }}_b{{ y }} c {{ z }}", "Template({{ p }}_today) Template(a_{{ x }}_b{{ y }}) Ident(c) Template({{ z }})")
	expectTokens(t, "snowflake", "where d >= '{{ var('start') }}' and e = '{{'", "Ident(where) Ident(d) Operator(>=) String('{{ var('start') }}') Ident(and) Ident(e) Operator(=) String('{{')")
	expectTokens(t, "snowflake", "select '{{' || x || '}}'", "Ident(select) String('{{') Operator(||) Ident(x) Operator(||) String('}}')")
	// A no-break space after a template ends it (the scan once stood still there for ever).
	expectTokens(t, "bigquery", "{{ x }}\u00a0if a", "Template({{ x }}) Ident(if) Ident(a)")
	expectTokens(t, "bigquery", "b{{ x }}c\u00a0if", "Template(b{{ x }}c) Ident(if)")
}

func TestUnterminated(t *testing.T) {
	for _, src := range []string{"'abc", `"abc`, "/* abc", "$$ abc", "$t$ abc", "[abc", "`abc", "'''abc", "E'abc\\"} {
		for _, name := range dialect.Names() {
			var msgs []string
			toks := LexWithErrors(src, mustDialect(t, name), func(p token.Pos, m string) { msgs = append(msgs, m) })
			checkStream(t, src, toks)
			_ = msgs
		}
	}
	var got []string
	LexWithErrors("select 'abc", mustDialect(t, "ansi"), func(p token.Pos, m string) { got = append(got, m) })
	if len(got) != 1 || got[0] != "unterminated string" {
		t.Errorf("got %v", got)
	}
}

func TestBOMAndWhitespace(t *testing.T) {
	toks := Lex("\uFEFFselect\t 1\r\n", mustDialect(t, "ansi"))
	checkStream(t, "\uFEFFselect\t 1\r\n", toks)
	if toks[0].Kind != token.Whitespace || toks[1].Text != "select" || toks[len(toks)-2].Kind != token.Newline {
		t.Errorf("got %v", toks)
	}
	expectTokens(t, "ansi", "select\u00a0a,\uFEFFb", "Ident(select) Ident(a) Comma(,) Ident(b)")
}

// sqlFiles are real models shared with the parser's tests (one copy, in the parser's testdata).
const sqlFiles = "../parser/testdata/*.sql"

// TestRealFiles lexes every SQL file of sqlFiles and checks the round trip.
func TestRealFiles(t *testing.T) {
	files, _ := filepath.Glob(sqlFiles)
	if len(files) == 0 {
		t.Fatal("no " + sqlFiles)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range dialect.Names() {
			checkStream(t, string(b), Lex(string(b), mustDialect(t, name)))
		}
	}
}

func FuzzLex(f *testing.F) {
	for _, s := range []string{"select 1", "v:a.b::string", "$$x$$", "'''a'''", "{{ x }}", "/* /* */", "E'\\'", "@s/p", "[a]]", "0x1F.5e-3", "{{ x }}\u00a0y", "a\u00a0b\ufeffc"} {
		f.Add(s, uint8(0))
	}
	names := dialect.Names()
	f.Fuzz(func(t *testing.T, src string, which uint8) {
		d, _ := dialect.Lookup(names[int(which)%len(names)])
		checkStream(t, src, LexWithErrors(src, d, func(token.Pos, string) {}))
	})
}

func BenchmarkLex(b *testing.B) {
	files, _ := filepath.Glob(sqlFiles)
	var sb strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		sb.Write(data)
		sb.WriteByte('\n')
	}
	src := sb.String()
	d, _ := dialect.Lookup("snowflake")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Lex(src, d)
	}
}

// BenchmarkLexReuse is the path of a caller lexing many files into one reused buffer.
func BenchmarkLexReuse(b *testing.B) {
	files, _ := filepath.Glob(sqlFiles)
	var sb strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		sb.Write(data)
		sb.WriteByte('\n')
	}
	src := sb.String()
	d, _ := dialect.Lookup("snowflake")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var buf []token.Token
	for b.Loop() {
		buf = AppendTokens(buf[:0], src, d, nil)
	}
}

// Scan hands out the tokens AppendTokens lists, in order, and stops when asked to.
func TestScanIsAppendTokens(t *testing.T) {
	d := mustDialect(t, "snowflake")
	for _, src := range []string{"", "select a:b, 'it''s' -- x\nfrom t /* y */ where {{ z }} = $1", "select \"unterminated"} {
		want := AppendTokens(nil, src, d, nil)
		var got []token.Token
		Scan(src, d, func(tok token.Token) bool { got = append(got, tok); return true })
		if len(got) != len(want) {
			t.Fatalf("%q: %d tokens, want %d", src, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%q: token %d = %+v, want %+v", src, i, got[i], want[i])
			}
		}
		n := 0
		Scan(src, d, func(token.Token) bool { n++; return n < 2 })
		if len(want) >= 2 && n != 2 {
			t.Errorf("%q: Scan went on after false (%d calls)", src, n)
		}
	}
}
