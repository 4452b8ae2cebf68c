package stm_test

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/memory/stm"
	"github.com/dataops-dev/dataops/internal/memory/stm/stmtest"
)

func TestMemoryConformance(t *testing.T) {
	stmtest.Run(t, func(t *testing.T) stm.Store { return stm.NewMemory() })
}
