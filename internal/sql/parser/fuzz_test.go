package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/sql/ast"
	"github.com/dataops-dev/dataops/internal/sql/dialect"
)

// checkRoundTrip parses src and, when it parses cleanly, requires the canonical print to
// parse cleanly to the same print. It also requires every node span to lie inside the source.
func checkRoundTrip(t *testing.T, src string, d dialect.Dialect) {
	t.Helper()
	f, errs := Parse(src, d)
	for _, e := range errs {
		if strings.Contains(e.Msg, "internal parser error") {
			t.Fatalf("%s: %q: %v", d.Name, src, e)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if n != nil && (n.Pos() < 0 || n.End() < n.Pos() || int(n.End()) > len(src)) {
			t.Fatalf("%s: %q: %T has span [%d,%d)", d.Name, src, n, n.Pos(), n.End())
		}
		return true
	})
	if len(errs) > 0 {
		return
	}
	first := ast.String(f)
	f2, errs := Parse(first, d)
	if len(errs) > 0 {
		t.Fatalf("%s: %q\nprinted %q\nwhich does not parse: %v", d.Name, src, first, errs)
	}
	if second := ast.String(f2); second != first {
		t.Fatalf("%s: %q\n first: %s\nsecond: %s", d.Name, src, first, second)
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.sql")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(string(b), uint8(0))
		}
	}
	for _, s := range []string{
		"select a, b from t where c = 1",
		"with x as (select 1) select * exclude (a) from x qualify row_number() over (order by a) = 1",
		"select v:a.b::string from t, lateral flatten(input => v) f",
		"select * from t pivot (sum(a) for b in ('x', 'y'))",
		"select case when a then b end, cast(x as int), try_cast(y as varchar(3))",
		"select [1, 2][1], {'a': 1}, struct(1 as a), array<int64>[1]",
		"merge into t using s on a = b when matched then update set x = 1",
	} {
		f.Add(s, uint8(0))
	}
	names := dialect.Names()
	f.Fuzz(func(t *testing.T, src string, which uint8) {
		d, _ := dialect.Lookup(names[int(which)%len(names)])
		checkRoundTrip(t, src, d)
	})
}

// TestRoundTripTestdata runs the fuzz property over the testdata files in every dialect.
func TestRoundTripTestdata(t *testing.T) {
	seeds, _ := filepath.Glob("testdata/*.sql")
	if len(seeds) == 0 {
		t.Fatal("no testdata/*.sql")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(s), ".sql")
		d := lookup(t, name[strings.LastIndexByte(name, '_')+1:])
		f, errs := Parse(string(b), d)
		if len(errs) > 0 {
			t.Errorf("%s: %v", s, errs)
			continue
		}
		if len(f.Stmts) == 0 {
			t.Errorf("%s: no statements", s)
		}
		checkRoundTrip(t, string(b), d)
	}
}

func BenchmarkParse(b *testing.B) {
	seeds, _ := filepath.Glob("testdata/*.sql")
	type input struct {
		src string
		d   dialect.Dialect
	}
	var inputs []input
	size := 0
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			b.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(s), ".sql")
		d, _ := dialect.Lookup(name[strings.LastIndexByte(name, '_')+1:])
		inputs = append(inputs, input{string(data), d})
		size += len(data)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, in := range inputs {
			Parse(in.src, in.d)
		}
	}
}
