package cli

import (
	"context"
	"errors"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/columns"
	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/schema"
	"github.com/dataops-dev/dataops/internal/testgen"
)

// What the commands hand internal/pipeline: settings read from the trusted side, and the
// collaborators behind its interfaces.

// schemaDictionary reads schema.dictionary from the side the run trusts: the base's file
// under --trust base (trust.go), else the work tree's.
func schemaDictionary(tr *trust, cfg schema.Config, root string) (*schema.Dictionary, error) {
	if cfg.Dictionary != "" && tr.base() {
		return tr.dictionary(cfg.Dictionary)
	}
	d, err := cfg.ReadDictionary(root)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return d, nil
}

// projectCatalog reads target/catalog.json when the project has one that parses.
func projectCatalog(root string) map[string][]columns.CatalogColumn {
	cat := projectFile(root, "target/catalog.json")
	if cat == "" {
		return nil
	}
	c, err := columns.ReadCatalog(cat)
	if err != nil {
		return nil
	}
	return c
}

// reloader loads a copy of the project (dir, with the extra roots the copy's links reach) the
// way the command loaded it, to validate edits.
func reloader(env *Env, pf *projectFlags) schema.Loader {
	return func(ctx context.Context, dir string, roots []string) (*dbt.Project, error) {
		opts, err := pf.options(env, false)
		if err != nil {
			return nil, err
		}
		opts.Dir, opts.Roots = dir, append(opts.Roots, roots...)
		return dbt.Load(ctx, opts)
	}
}

// pipelineError keeps the exit code a command's own collaborator chose; the pipeline's own
// failures are internal.
func pipelineError(err error) error {
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	return &ExitError{Code: ExitInternal, Err: err}
}

// reviewMemoryOf is a review's memory as the pipeline takes it.
type reviewMemoryOf struct{ rm *reviewMemory }

func (m reviewMemoryOf) Schema(in *schema.Input)      { m.rm.schemaInput(in) }
func (m reviewMemoryOf) SchemaDone(plan *schema.Plan) { m.rm.schemaDone(plan) }
func (m reviewMemoryOf) Tests(opts *testgen.Options, p *dbt.Project, cols map[string]*change.ModelColumns, ids []string) {
	m.rm.testsInput(opts, p, cols, ids)
}
func (m reviewMemoryOf) TestsDone(p *dbt.Project, res *testgen.Result) { m.rm.testsDone(p, res) }

// agentMemoryOf is a schema run's memory as the pipeline takes it.
type agentMemoryOf struct{ am *agentMemory }

func (m agentMemoryOf) Schema(in *schema.Input)      { m.am.schema(in) }
func (m agentMemoryOf) SchemaDone(plan *schema.Plan) { m.am.schemaDone(plan) }

// narrator is the review's agent, nil when it has nothing to do.
func (r *llmRun) narrator() review.Narrator {
	if r == nil {
		return nil
	}
	return r.orch.Narrator(r.plan)
}
