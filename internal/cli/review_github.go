package cli

import (
	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/review"
)

// githubFlags are review's flags for posting to a pull request.
type githubFlags struct {
	repo string
	pr   int
}

type githubTarget struct{}

func (g *githubFlags) bind(cmd *cobra.Command) {}

func (g *githubFlags) resolve(env *Env, cf *changeFlags) (*githubTarget, error) { return nil, nil }

func publishGitHub(env *Env, gh *githubTarget, root string, rv *review.Review, failOn string) error {
	return nil
}
