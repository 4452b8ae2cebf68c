package config

import (
	"strings"
	"testing"
	"time"
)

func TestLimitsRenderTime(t *testing.T) {
	if d := Default().Limits.RenderTime; d != time.Minute {
		t.Errorf("default render_time %s", d)
	}
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) { return v, k == "DATAOPS_LIMITS_RENDER_TIME" }
	}
	c, err := FromEnv(env("90s"))
	if err != nil || c.Limits.RenderTime != 90*time.Second {
		t.Fatalf("%v %v", c, err)
	}
	for _, bad := range []string{"0s", "11m", "soon"} {
		if _, err := FromEnv(env(bad)); err == nil || !strings.Contains(err.Error(), "DATAOPS_LIMITS_RENDER_TIME") && !strings.Contains(err.Error(), "render_time") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
