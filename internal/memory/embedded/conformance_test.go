package embedded

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/memorytest"
)

func TestConformance(t *testing.T) {
	memorytest.RunStore(t, func(t *testing.T) memory.Store {
		s, err := Open(ctx, t.TempDir(), memory.NewLocalEmbedder())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
