package yamledit

import (
	"os"
	"testing"
)

// BenchmarkAddColumn loads a fixture, adds a column to every model and applies (Apply loads
// the result again to check it).
func BenchmarkAddColumn(b *testing.B) {
	data, err := os.ReadFile("testdata/files/indented_quoted.yml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		f, err := Load("f.yml", data)
		if err != nil {
			b.Fatal(err)
		}
		p := f.Plan()
		for _, m := range f.Models() {
			if err := p.AddColumn(m.Ref, -1, Column{Name: "new_col", Description: "New."}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := p.Apply(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiff(b *testing.B) {
	data, _ := os.ReadFile("testdata/files/indented_quoted.yml")
	f, _ := Load("f.yml", data)
	p := f.Plan()
	_ = p.AddColumn(ModelRef("stg_orders"), 1, Column{Name: "x"})
	out, _ := p.Apply()
	for i := 0; i < b.N; i++ {
		Diff("f.yml", string(data), string(out))
	}
}
