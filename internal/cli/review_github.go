package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/github"
	"github.com/dataops-dev/dataops/internal/review"
)

// githubFlags are review's flags for posting to a pull request.
type githubFlags struct {
	repo           string
	pr             int
	requestChanges bool
	dryRun         bool
	reportURL      string
}

// githubTarget is the resolved pull request to post to.
type githubTarget struct {
	opts github.Options
}

func (g *githubFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&g.repo, "github-repo", "", "post the review to this repository (owner/name); GITHUB_TOKEN authenticates")
	f.IntVar(&g.pr, "github-pr", 0, "pull request number to post the review to")
	f.BoolVar(&g.requestChanges, "github-request-changes", false, "post REQUEST_CHANGES instead of COMMENT when --fail-on is hit")
	f.BoolVar(&g.dryRun, "dry-run", false, "print the GitHub API writes instead of sending them")
	f.StringVar(&g.reportURL, "github-report-url", "", "link to the full report when the review body is truncated (default: the workflow run)")
}

// ghEvent is the part of a pull_request event payload the review reads.
type ghEvent struct {
	PullRequest *struct {
		Number int `json:"number"`
		Head   struct {
			SHA string `json:"sha"`
		} `json:"head"`
		Base struct {
			SHA string `json:"sha"`
			Ref string `json:"ref"`
		} `json:"base"`
	} `json:"pull_request"`
}

// resolve finds the pull request from the flags, or inside GitHub Actions from the event
// payload; nil means no posting. A base missing from the flags defaults to the pull request's
// base commit.
func (g *githubFlags) resolve(env *Env, cf *changeFlags) (*githubTarget, error) {
	var t github.Options
	t.APIURL = env.Getenv("GITHUB_API_URL")
	t.Token = env.Getenv("GITHUB_TOKEN")
	repo, pr := g.repo, g.pr
	if repo == "" && pr == 0 && env.Getenv("GITHUB_ACTIONS") == "true" && env.Getenv("GITHUB_EVENT_PATH") != "" {
		data, err := os.ReadFile(env.Getenv("GITHUB_EVENT_PATH"))
		if err != nil {
			return nil, usageError("GITHUB_EVENT_PATH: %v", err)
		}
		var ev ghEvent
		if err := json.Unmarshal(data, &ev); err != nil {
			return nil, usageError("%s: %v", env.Getenv("GITHUB_EVENT_PATH"), err)
		}
		if ev.PullRequest == nil {
			// Not a pull request event (a push, a schedule): review locally only.
			return nil, nil
		}
		repo, pr = env.Getenv("GITHUB_REPOSITORY"), ev.PullRequest.Number
		// GITHUB_SHA is the merge commit on pull_request events; comments belong on the head.
		t.HeadSHA = ev.PullRequest.Head.SHA
		if cf.Base == "" && cf.BaseDir == "" {
			cf.Base = ev.PullRequest.Base.SHA
		}
		if server, run := env.Getenv("GITHUB_SERVER_URL"), env.Getenv("GITHUB_RUN_ID"); g.reportURL == "" && server != "" && run != "" {
			g.reportURL = fmt.Sprintf("%s/%s/actions/runs/%s", server, repo, run)
		}
	}
	if repo == "" && pr == 0 {
		return nil, nil
	}
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, usageError("--github-repo: want owner/name, got %q", repo)
	}
	if pr <= 0 {
		return nil, usageError("--github-pr: want a pull request number, got %s", strconv.Itoa(pr))
	}
	if t.Token == "" && !g.dryRun {
		return nil, usageError("posting to GitHub needs GITHUB_TOKEN (or --dry-run)")
	}
	t.Owner, t.Repo, t.PR = owner, name, pr
	t.RequestChanges = g.requestChanges
	t.ReportURL = g.reportURL
	if g.dryRun {
		t.DryRun = env.Stderr
	}
	t.Log = env.Stderr
	return &githubTarget{opts: t}, nil
}

// publishGitHub posts rv, naming files from the repository's top (rv.Prefix).
func publishGitHub(env *Env, gh *githubTarget, rv *review.Review, failOn string) error {
	opts := gh.opts
	opts.PathPrefix = rv.Prefix
	opts.Failing = rv.Exceeds(failOn)
	opts.Mask = env.Secrets.Mask
	p, err := github.New(opts)
	if err != nil {
		return usageError("%v", err)
	}
	res, err := p.Publish(env.Ctx, rv)
	if err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	verb := "posted"
	if res.Updated {
		verb = "updated"
	}
	fmt.Fprintf(env.Stderr, "dataops: review %s on %s/%s#%d: %d inline comment(s), %d suggestion(s), %d finding(s) in the summary, %d annotation(s)\n",
		verb, opts.Owner, opts.Repo, opts.PR, res.InlineComments, res.Suggestions, res.InSummary, res.Annotations)
	return nil
}
