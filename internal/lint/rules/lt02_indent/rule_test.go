package lt02_indent

import (
	"testing"

	"github.com/dataops-dev/dataops/internal/lint/linttest"
)

func TestRule(t *testing.T) { linttest.Run(t, Rule) }
