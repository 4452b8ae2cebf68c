package jinja

import (
	controlStructures "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// child is r with a new innermost name scope, as gonja's Renderer.Inherit, in one allocation
// instead of four and sharing r's configuration: gonja copies the configuration for a scope
// only so that {% autoescape %} can change it, and that tag makes its own copy. A loop makes
// a scope per iteration and a macro one per call, so this is on every hot path.
func child(r *exec.Renderer) *exec.Renderer {
	s := &struct {
		r   exec.Renderer
		env exec.Environment
	}{}
	s.env = *r.Environment
	s.env.Context = r.Environment.Context.Inherit()
	s.r = exec.Renderer{
		Config:      r.Config,
		Environment: &s.env,
		Loader:      r.Loader,
		Template:    r.Template,
		RootNode:    r.RootNode,
		Output:      r.Output,
	}
	return &s.r
}

// ifCS is {% if %}, in place of gonja's (see prepareTree). gonja runs the chosen branch in a
// new scope and then copies every name it set into the enclosing one; running it in the
// enclosing scope directly leaves the same names set, without a scope and a copy per branch
// taken.
type ifCS struct {
	f *controlStructures.IfControlStructure
}

func (c *ifCS) Position() *tokens.Token { return c.f.Position() }
func (c *ifCS) String() string          { return c.f.String() }

func (c *ifCS) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	f := c.f
	for i, cond := range f.Conditions {
		v := evalR(r, cond)
		if v.IsError() {
			return v
		}
		if v.IsTrue() {
			return nodes.Walk(r, f.Wrappers[i])
		}
		if len(f.Conditions) == i+1 && len(f.Wrappers) > i+1 {
			return nodes.Walk(r, f.Wrappers[i+1])
		}
	}
	return nil
}
