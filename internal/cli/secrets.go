package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/jinja"
	"github.com/dataops-dev/dataops/internal/secret"
)

// runSecrets are variables whose values are secrets whatever the masker's name rules say,
// read through Env.Getenv so that they are masked also when a caller supplies the environment.
var runSecrets = []string{"GITHUB_TOKEN", "GH_TOKEN", "OPENMETADATA_TOKEN", "OPENAI_API_KEY", "ANTHROPIC_API_KEY",
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GITHUB_APP_PRIVATE_KEY", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"}

// securityCache holds the security settings per project directory, read once per run: both
// sides of a change are loaded at once and each asks.
type securityCache struct {
	mu    sync.Mutex
	byDir map[string]*config.Security
}

// security is the `security` section of .dataops.yml (and DATAOPS_SECURITY_*) for the project
// in dir. The first time, the values of the variables its `secrets` names are registered for
// masking.
func (env *Env) security(dir string) (*config.Security, error) {
	c := env.securityCache()
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.byDir[dir]; ok {
		return s, nil
	}
	cfg, err := config.Load(config.Options{Dir: dir, Getenv: func(k string) (string, bool) {
		v := env.Getenv(k)
		return v, v != ""
	}})
	if err != nil {
		return nil, err
	}
	return env.registerSecurity(c, dir, cfg), nil
}

// useSecurity makes cfg's security section the one for the project in dir, whatever
// .dataops.yml in dir says: settings read from a trusted base commit.
func (env *Env) useSecurity(dir string, cfg *config.Config) {
	c := env.securityCache()
	c.mu.Lock()
	defer c.mu.Unlock()
	env.registerSecurity(c, dir, cfg)
}

// securityCache is the run's cache, made here when the command was not run through RunEnv
// (which sets it up before anything runs in parallel).
func (env *Env) securityCache() *securityCache {
	if env.securities == nil {
		env.securities = &securityCache{}
	}
	return env.securities
}

// registerSecurity records cfg's security section for dir and registers the values of the
// variables its secrets name for masking. c.mu must be held.
func (env *Env) registerSecurity(c *securityCache, dir string, cfg *config.Config) *config.Security {
	s := &cfg.Security
	env.Secrets.AddEnviron(os.Environ(), s.Secrets...)
	for _, name := range s.Secrets {
		if !strings.HasSuffix(name, "*") {
			env.Secrets.Add(env.Getenv(name))
		}
	}
	env.Secrets.Add(secret.URLPassword(cfg.Warehouse.DSN))
	if c.byDir == nil {
		c.byDir = map[string]*config.Security{}
	}
	c.byDir[dir] = s
	return s
}

// envVars is what env_var() in project code may read under settings s.
func envVars(s *config.Security) jinja.EnvVars {
	return jinja.EnvVars{
		Allow:          s.EnvVars,
		DbtConventions: s.DbtEnv,
		Setting:        "security.env_vars in .dataops.yml",
		DbtSetting:     "security.dbt_env: true in .dataops.yml",
	}
}

// fileContent is what dataops writes to path (relative to the project, for messages) over
// old (nil for a new file): data with the run's secret values masked, except those old
// already held, which are the user's own text. A property file that would need masking is not
// written at all (ok false, with a message): "***" at the start of a YAML value is an alias
// and the file would no longer parse.
func (env *Env) fileContent(path string, old, data []byte) (out []byte, ok bool) {
	out = env.Secrets.MaskEdit(old, data)
	if len(out) == len(data) && string(out) == string(data) {
		return data, true
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yml", ".yaml":
		fmt.Fprintf(env.Stderr, "dataops: %s not written: it would hold a secret value of this run's environment\n", path)
		return nil, false
	}
	return out, true
}

// maskedFile wraps a function that writes a file's content so that the run's secret values
// are masked in it.
func (env *Env) maskedFile(write func(io.Writer) error) func(io.Writer) error {
	return func(w io.Writer) error {
		mw := env.Secrets.Writer(w)
		if err := write(mw); err != nil {
			return err
		}
		return mw.Flush()
	}
}
