package cli

import (
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
)

// testsDictionary loads the data dictionary the trusted settings name (schema.dictionary),
// whose descriptions the Test Enhancer reads like the property files'; nil when none is set.
func testsDictionary(env *Env, pf *projectFlags, tr *trust, p *dbt.Project) (testgen.Glossary, error) {
	settings, err := tr.config(env, pf)
	if err != nil {
		return nil, err
	}
	cfg := schemaConfig(settings, pf.Project, tr)
	if cfg.Dictionary == "" {
		return nil, nil
	}
	var d *schema.Dictionary
	if tr.base() {
		d, err = tr.dictionary(cfg.Dictionary)
	} else if d, err = cfg.ReadDictionary(p.Root); err != nil {
		err = usageError("%v", err)
	}
	if err != nil || d == nil {
		return nil, err
	}
	return d, nil
}
