package github

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v81/github"

	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/yamledit"
)

// Marker is the hidden comment that identifies our review summary on a pull request.
const Marker = "<!-- dataops-review -->"

// Limits GitHub enforces.
const (
	MaxBody        = 65536 // characters in a review body or check-run summary
	MaxAnnotations = 50    // annotations per check-run request
)

// Options configure a Publisher.
type Options struct {
	Owner, Repo string
	PR          int
	Token       string
	// APIURL is GitHub's REST endpoint (GITHUB_API_URL); empty means https://api.github.com.
	APIURL string
	// HeadSHA is the commit reviewed; empty means the pull request's head.
	HeadSHA string
	// PathPrefix is the project's folder inside the repository ("" at the root), prepended to
	// the review's project-relative paths.
	PathPrefix string
	// RequestChanges posts REQUEST_CHANGES instead of COMMENT when Failing is set.
	RequestChanges bool
	Failing        bool
	// MaxComments caps inline comments (default 50); the rest go in the summary.
	MaxComments int
	// ReportURL links the full report (a workflow artifact) when the body must be truncated.
	ReportURL string
	// DryRun, when set, receives the write requests instead of GitHub.
	DryRun io.Writer
	// Mask, when set, is applied to every request body before it leaves (the run's secret
	// values become "***"); headers, the token among them, are left alone.
	Mask func([]byte) []byte
	// Log receives notes (skipped check run, rejected comments).
	Log io.Writer
	// HTTPClient is the base client (tests pass the fake server's); nil means http.DefaultClient.
	HTTPClient *http.Client
	// Sleep and Now are seams for retry tests.
	Sleep func(time.Duration)
	Now   func() time.Time
}

// Result says what was posted.
type Result struct {
	ReviewID       int64
	Updated        bool // our earlier summary was updated
	InlineComments int
	Suggestions    int
	InSummary      int // findings that could not be placed on a diff line
	CheckRunID     int64
	Annotations    int
	Notes          []string
}

// Publisher posts reviews to one pull request.
type Publisher struct {
	opts   Options
	client *gh.Client
}

// New returns a Publisher for opts.
func New(opts Options) (*Publisher, error) {
	if opts.Owner == "" || opts.Repo == "" || opts.PR <= 0 {
		return nil, fmt.Errorf("github: need owner/repo and a pull request number")
	}
	if opts.MaxComments <= 0 {
		opts.MaxComments = 50
	}
	if opts.Sleep == nil {
		opts.Sleep = time.Sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	base := http.DefaultTransport
	if opts.HTTPClient != nil && opts.HTTPClient.Transport != nil {
		base = opts.HTTPClient.Transport
	}
	var rt http.RoundTripper = &retryTransport{base: base, attempts: 5, maxWait: 60 * time.Second, sleep: opts.Sleep, now: opts.Now}
	if opts.DryRun != nil {
		rt = &dryRunTransport{base: rt, out: opts.DryRun}
	}
	if opts.Mask != nil {
		rt = &maskTransport{base: rt, mask: opts.Mask}
	}
	c := gh.NewClient(&http.Client{Transport: rt})
	if opts.Token != "" {
		c = c.WithAuthToken(opts.Token)
	}
	if opts.APIURL != "" && strings.TrimRight(opts.APIURL, "/") != "https://api.github.com" {
		u, err := url.Parse(strings.TrimRight(opts.APIURL, "/") + "/")
		if err != nil {
			return nil, fmt.Errorf("github: API URL %q: %v", opts.APIURL, err)
		}
		c.BaseURL = u
	}
	return &Publisher{opts: opts, client: c}, nil
}

// Files returns the pull request's changed files and their parsed patches, keyed by
// repository path. Files GitHub sends without a patch (binary, too large) map to nil.
func (p *Publisher) Files(ctx context.Context) (map[string]*review.Patch, error) {
	out := map[string]*review.Patch{}
	opt := &gh.ListOptions{PerPage: 100}
	for {
		files, resp, err := p.client.PullRequests.ListFiles(ctx, p.opts.Owner, p.opts.Repo, p.opts.PR, opt)
		if err != nil {
			return nil, fmt.Errorf("listing files of pull request #%d: %w", p.opts.PR, err)
		}
		for _, f := range files {
			if f.GetPatch() == "" {
				out[f.GetFilename()] = nil
				continue
			}
			patch, err := review.ParsePatch(f.GetPatch())
			if err != nil {
				return nil, fmt.Errorf("%s: %v", f.GetFilename(), err)
			}
			out[f.GetFilename()] = patch
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// Publish posts rv: the review with inline comments and suggestions, then the check run.
func (p *Publisher) Publish(ctx context.Context, rv *review.Review) (*Result, error) {
	res := &Result{}
	sha := p.opts.HeadSHA
	if sha == "" {
		pr, _, err := p.client.PullRequests.Get(ctx, p.opts.Owner, p.opts.Repo, p.opts.PR)
		if err != nil {
			return nil, fmt.Errorf("reading pull request #%d: %w", p.opts.PR, err)
		}
		sha = pr.GetHead().GetSHA()
	}
	files, err := p.Files(ctx)
	if err != nil {
		return nil, err
	}
	comments, placed := p.plan(rv, files)
	comments, err = p.dropPosted(ctx, comments)
	if err != nil {
		return nil, err
	}
	res.InSummary = len(rv.Findings) - len(placed)
	body := p.body(rv, placed)
	prev, err := p.previousReview(ctx)
	if err != nil {
		return nil, err
	}
	event := "COMMENT"
	if p.opts.RequestChanges && p.opts.Failing {
		event = "REQUEST_CHANGES"
	}
	if prev != nil {
		if _, _, err := p.client.PullRequests.UpdateReview(ctx, p.opts.Owner, p.opts.Repo, p.opts.PR, prev.GetID(), body); err != nil {
			return nil, fmt.Errorf("updating review %d: %w", prev.GetID(), err)
		}
		res.ReviewID, res.Updated = prev.GetID(), true
		if len(comments) > 0 || event == "REQUEST_CHANGES" {
			// New comments from this push ride in a short review of their own.
			short := fmt.Sprintf("dataops review of %s: %d new comment(s); the summary above is updated.", shortSHA(sha), len(comments))
			if _, err := p.createReview(ctx, sha, short, event, comments, res); err != nil {
				return nil, err
			}
		}
	} else {
		id, err := p.createReview(ctx, sha, body, event, comments, res)
		if err != nil {
			return nil, err
		}
		res.ReviewID = id
	}
	for _, c := range comments {
		if strings.Contains(c.GetBody(), "```suggestion") {
			res.Suggestions++
		}
	}
	if err := p.checkRun(ctx, sha, rv, res); err != nil {
		return nil, err
	}
	return res, nil
}

// createReview posts a review; when GitHub rejects its comments (422) it reports each
// offending comment and posts the review again without inline comments.
func (p *Publisher) createReview(ctx context.Context, sha, body, event string, comments []*gh.DraftReviewComment, res *Result) (int64, error) {
	req := &gh.PullRequestReviewRequest{CommitID: gh.Ptr(sha), Body: gh.Ptr(body), Event: gh.Ptr(event), Comments: comments}
	r, _, err := p.client.PullRequests.CreateReview(ctx, p.opts.Owner, p.opts.Repo, p.opts.PR, req)
	var er *gh.ErrorResponse
	if err != nil && errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusUnprocessableEntity && len(comments) > 0 {
		note := fmt.Sprintf("GitHub rejected the inline comments (%s); posted them in the summary instead:", er.Message)
		for _, e := range er.Errors {
			note += " " + e.Message
		}
		for _, c := range comments {
			note += fmt.Sprintf("\n  %s:%d %s", c.GetPath(), c.GetLine(), firstLine(c.GetBody()))
		}
		fmt.Fprintln(p.opts.Log, note)
		res.Notes = append(res.Notes, note)
		var extra strings.Builder
		extra.WriteString("\n### Comments GitHub did not accept inline\n\n")
		for _, c := range comments {
			fmt.Fprintf(&extra, "- %s %s\n", review.MarkdownCode(fmt.Sprintf("%s:%d", c.GetPath(), c.GetLine())), firstLine(c.GetBody()))
		}
		req.Body = gh.Ptr(truncate(body+extra.String(), p.opts.ReportURL))
		req.Comments = nil
		r, _, err = p.client.PullRequests.CreateReview(ctx, p.opts.Owner, p.opts.Repo, p.opts.PR, req)
		if err == nil {
			res.InlineComments = 0
			return r.GetID(), nil
		}
	}
	if err != nil {
		return 0, fmt.Errorf("posting review: %w", err)
	}
	res.InlineComments += len(comments)
	return r.GetID(), nil
}

// previousReview finds our earlier summary by its marker.
func (p *Publisher) previousReview(ctx context.Context) (*gh.PullRequestReview, error) {
	opt := &gh.ListOptions{PerPage: 100}
	var found *gh.PullRequestReview
	for {
		rs, resp, err := p.client.PullRequests.ListReviews(ctx, p.opts.Owner, p.opts.Repo, p.opts.PR, opt)
		if err != nil {
			return nil, fmt.Errorf("listing reviews: %w", err)
		}
		for _, r := range rs {
			if strings.Contains(r.GetBody(), Marker) {
				found = r
			}
		}
		if resp.NextPage == 0 {
			return found, nil
		}
		opt.Page = resp.NextPage
	}
}

// dropPosted leaves out comments an earlier run already posted on the same line.
func (p *Publisher) dropPosted(ctx context.Context, comments []*gh.DraftReviewComment) ([]*gh.DraftReviewComment, error) {
	if len(comments) == 0 {
		return comments, nil
	}
	seen := map[string]bool{}
	opt := &gh.PullRequestListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		cs, resp, err := p.client.PullRequests.ListComments(ctx, p.opts.Owner, p.opts.Repo, p.opts.PR, opt)
		if err != nil {
			return nil, fmt.Errorf("listing review comments: %w", err)
		}
		for _, c := range cs {
			seen[fmt.Sprintf("%s\x00%d\x00%s", c.GetPath(), c.GetLine(), c.GetBody())] = true
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	var out []*gh.DraftReviewComment
	for _, c := range comments {
		if !seen[fmt.Sprintf("%s\x00%d\x00%s", c.GetPath(), c.GetLine(), c.GetBody())] {
			out = append(out, c)
		}
	}
	return out, nil
}

// plan turns findings on lines inside the pull request's hunks, and edit hunks that fall
// inside them, into inline comments; placed holds the findings that became comments.
func (p *Publisher) plan(rv *review.Review, files map[string]*review.Patch) ([]*gh.DraftReviewComment, map[int]bool) {
	var comments []*gh.DraftReviewComment
	placed := map[int]bool{}
	for i, f := range rv.Findings {
		if len(comments) >= p.opts.MaxComments {
			break
		}
		path := review.RepoPath(p.opts.PathPrefix, f.Path)
		patch := files[path]
		if !patch.Contains(f.Line) {
			continue
		}
		body := fmt.Sprintf("**%s** %s: %s", f.Severity, review.MarkdownCode(f.Agent+"/"+f.Rule), review.MarkdownText(f.Message))
		if f.Suggestion != "" {
			body += "\n\n" + review.MarkdownFence("", f.Suggestion)
		}
		comments = append(comments, &gh.DraftReviewComment{Path: gh.Ptr(path), Line: gh.Ptr(f.Line), Side: gh.Ptr("RIGHT"), Body: gh.Ptr(body)})
		placed[i] = true
	}
	for _, e := range rv.Edits {
		path := review.RepoPath(p.opts.PathPrefix, e.Path)
		patch := files[path]
		if patch == nil || e.Old == nil {
			continue
		}
		for _, s := range suggestions(e) {
			if len(comments) >= p.opts.MaxComments {
				break
			}
			if !sameHunk(patch, s.start, s.end) {
				continue
			}
			c := &gh.DraftReviewComment{Path: gh.Ptr(path), Line: gh.Ptr(s.end), Side: gh.Ptr("RIGHT"),
				Body: gh.Ptr(fmt.Sprintf("dataops (%s) proposes:\n\n%s", strings.Join(e.Agents, ", "), review.MarkdownFence("suggestion", s.text)))}
			if s.start != s.end {
				c.StartLine, c.StartSide = gh.Ptr(s.start), gh.Ptr("RIGHT")
			}
			comments = append(comments, c)
		}
	}
	return comments, placed
}

type suggestion struct {
	start, end int    // lines of the current file the suggestion replaces
	text       string // their replacement, newline-terminated
}

// suggestions cuts an edit into replacements of line ranges of the current file. A pure
// insertion is anchored on the line before it (GitHub suggestions replace lines).
func suggestions(e review.Edit) []suggestion {
	newLines := splitKeep(string(e.New))
	patch, err := review.ParsePatch(yamledit.Diff(e.Path, string(e.Old), string(e.New)))
	if err != nil {
		return nil
	}
	var out []suggestion
	for _, h := range patch.Hunks {
		start, n := h.OldStart, h.OldLines
		nStart, nN := h.NewStart, h.NewLines
		if n == 0 {
			// Insertion after line start: replace that line with itself plus the new lines.
			if start == 0 {
				continue
			}
			nStart, nN = nStart-1, nN+1
			if nN <= 0 {
				continue
			}
			n = 1
		}
		end := start + n - 1
		if nStart < 1 || nStart-1+nN > len(newLines) {
			continue
		}
		text := strings.Join(newLines[nStart-1:nStart-1+nN], "")
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		out = append(out, suggestion{start: start, end: end, text: text})
	}
	return out
}

func sameHunk(p *review.Patch, start, end int) bool {
	for _, h := range p.Hunks {
		if start >= h.NewStart && end < h.NewStart+h.NewLines {
			return true
		}
	}
	return false
}

// body is the review summary: the Markdown review without the findings placed inline,
// marked so the next run finds it, within GitHub's size limit.
func (p *Publisher) body(rv *review.Review, placed map[int]bool) string {
	idx := map[review.Finding]int{}
	for i, f := range rv.Findings {
		if placed[i] {
			idx[f] = i
		}
	}
	md := review.Markdown(rv, review.MarkdownOptions{PathPrefix: p.opts.PathPrefix, PerRule: rv.PerRule, Skip: func(f review.Finding) bool {
		_, ok := idx[f]
		return ok
	}})
	if len(placed) > 0 {
		md += fmt.Sprintf("\n%d finding(s) are inline comments on the diff.\n", len(placed))
	}
	return truncate(Marker+"\n"+md, p.opts.ReportURL)
}

// truncate keeps s within MaxBody characters, ending with a link to the full report.
func truncate(s, reportURL string) string {
	if len([]rune(s)) <= MaxBody {
		return s
	}
	tail := "\n\n… truncated: the review is longer than GitHub allows."
	if reportURL != "" {
		tail += " The full report: " + reportURL
	}
	r := []rune(s)
	cut := MaxBody - len([]rune(tail))
	// Cut at a line end so no Markdown construct is left half-written mid-line.
	for cut > 0 && r[cut-1] != '\n' {
		cut--
	}
	return string(r[:cut]) + tail
}

// checkRun writes a completed check run with the findings as annotations, 50 per request.
// A token without checks permission (403) skips it with a note.
func (p *Publisher) checkRun(ctx context.Context, sha string, rv *review.Review, res *Result) error {
	var anns []*gh.CheckRunAnnotation
	for _, f := range rv.Findings {
		level := "notice"
		switch f.Severity {
		case review.SeverityError:
			level = "failure"
		case review.SeverityWarning:
			level = "warning"
		}
		line := max(f.Line, 1)
		anns = append(anns, &gh.CheckRunAnnotation{Path: gh.Ptr(review.RepoPath(p.opts.PathPrefix, f.Path)), StartLine: gh.Ptr(line), EndLine: gh.Ptr(line),
			AnnotationLevel: gh.Ptr(level), Message: gh.Ptr(review.PlainText(f.Message)), Title: gh.Ptr(review.PlainText(f.Agent + " " + f.Rule))})
	}
	conclusion := "success"
	if p.opts.Failing {
		conclusion = "failure"
	} else if len(rv.Findings) > 0 {
		conclusion = "neutral"
	}
	s := rv.Summary
	title := fmt.Sprintf("%d error(s), %d warning(s); %d breaking, %d partial", s.Findings[review.SeverityError], s.Findings[review.SeverityWarning],
		s.Classification[review.Breaking], s.Classification[review.Partial])
	summary := truncate(review.Markdown(rv, review.MarkdownOptions{PathPrefix: p.opts.PathPrefix, PerRule: rv.PerRule, NoEdits: true}), p.opts.ReportURL)
	first := anns
	if len(first) > MaxAnnotations {
		first = first[:MaxAnnotations]
	}
	now := gh.Timestamp{Time: p.opts.Now()}
	run, _, err := p.client.Checks.CreateCheckRun(ctx, p.opts.Owner, p.opts.Repo, gh.CreateCheckRunOptions{
		Name: "dataops review", HeadSHA: sha, Status: gh.Ptr("completed"), Conclusion: gh.Ptr(conclusion), CompletedAt: &now,
		Output: &gh.CheckRunOutput{Title: gh.Ptr(title), Summary: gh.Ptr(summary), Annotations: first}})
	var er *gh.ErrorResponse
	if err != nil && errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden {
		note := "check run skipped: the token may not write checks (403); findings are in the review"
		fmt.Fprintln(p.opts.Log, note)
		res.Notes = append(res.Notes, note)
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating check run: %w", err)
	}
	res.CheckRunID = run.GetID()
	res.Annotations = len(first)
	for i := MaxAnnotations; i < len(anns); i += MaxAnnotations {
		batch := anns[i:min(i+MaxAnnotations, len(anns))]
		if _, _, err := p.client.Checks.UpdateCheckRun(ctx, p.opts.Owner, p.opts.Repo, run.GetID(), gh.UpdateCheckRunOptions{
			Name: "dataops review", Output: &gh.CheckRunOutput{Title: gh.Ptr(title), Summary: gh.Ptr(summary), Annotations: batch}}); err != nil {
			return fmt.Errorf("adding annotations to check run %d: %w", run.GetID(), err)
		}
		res.Annotations += len(batch)
	}
	return nil
}

func splitKeep(s string) []string {
	out := strings.SplitAfter(s, "\n")
	if len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func shortSHA(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}
