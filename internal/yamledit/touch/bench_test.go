package touch

import (
	"os"
	"testing"
)

func BenchmarkTouchFile(b *testing.B) {
	data, err := os.ReadFile("../testdata/files/indented_quoted.yml")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		File("f.yml", data)
	}
}
