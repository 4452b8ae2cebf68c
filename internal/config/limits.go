package config

import (
	"fmt"
	"reflect"
	"time"
)

// Limits bound what one command spends on a project it may not trust (a pull request's).
type Limits struct {
	// RenderTime is the Jinja render time all renders of one command may take together; a
	// render that starts after it is used up, or is running then, stops with a located
	// "resource-limit" warning. Each render is also limited to 10 seconds on its own. A render's
	// time is its thread's CPU time where the platform tells it (a busy machine's waits do not
	// count), else its wall time.
	RenderTime time.Duration `yaml:"render_time" default:"60s"`
}

// maxRenderTime caps limits.render_time: a pull request's own settings file must not be able
// to keep a runner busy for hours.
const maxRenderTime = 10 * time.Minute

func (l *Limits) validate() error {
	if l.RenderTime <= 0 || l.RenderTime > maxRenderTime {
		return fmt.Errorf("render_time: %s is not between 0 and %s", l.RenderTime, maxRenderTime)
	}
	return nil
}

// FromEnv returns the built-in settings with DATAOPS_* environment variables applied, for
// commands that read no settings file.
func FromEnv(getenv func(string) (string, bool)) (*Config, error) {
	c := Default()
	if err := applyEnv(reflect.ValueOf(c).Elem(), "DATAOPS", getenv); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}
