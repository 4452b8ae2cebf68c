package review

import (
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// hostile is text a pull request can put into names, SQL and messages.
var hostile = []string{
	`<img src=x onerror=alert(1)>`,
	`</details><details open><summary>x</summary>`,
	`<!-- hidden -->`,
	`@org/team and @someone`,
	`fixes #123 and GH-7 and org/repo#9`,
	"a`b``c",
	"```suggestion\nrm -rf /\n```",
	"````",
	`trailing backslash\`,
	`[click](https://evil.example) ![pixel](https://evil.example/p.png)`,
	`&#64;org/team &lt;img src=x&gt;`,
	`|pipe| cell |`,
	"line one\n<details>\n\n# heading",
	"` <img src=y> `",
	"`@inside` then @outside",
	"<https://evil.example>",
}

var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

var (
	reMention = regexp.MustCompile(`@[A-Za-z0-9]`)
	reIssue   = regexp.MustCompile(`(?i)(#|\bgh-)[0-9]`)
	reOurHTML = regexp.MustCompile(`^(?:<details><summary><code>[^<>]*</code> \([^<>]*\)[^<>]*</summary>|</details>)$`)
)

// checkInert parses md as GitHub does (CommonMark with GFM) and fails on anything a pull
// request's text could have made live: HTML other than the edits' <details> of ours, links,
// images, autolinks, mentions and issue references outside code, and table rows that lost
// their cells.
func checkInert(t *testing.T, md string) {
	t.Helper()
	src := []byte(md)
	doc := gfm.Parser().Parse(text.NewReader(src))
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.CodeSpan, *ast.FencedCodeBlock, *ast.CodeBlock:
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			var b strings.Builder
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				b.Write(seg.Value(src))
			}
			t.Errorf("raw HTML %q in\n%s", b.String(), md)
		case *ast.HTMLBlock:
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				l := strings.TrimSpace(string(seg.Value(src)))
				if l != "" && !reOurHTML.MatchString(l) {
					t.Errorf("HTML block line %q in\n%s", l, md)
				}
				if reMention.MatchString(l) {
					t.Errorf("mention in HTML %q", l)
				}
			}
		case *ast.Link, *ast.Image, *ast.AutoLink:
			t.Errorf("%s in\n%s", n.Kind(), md)
		case *ast.Text:
			s := string(n.Segment.Value(src))
			if reMention.MatchString(s) || reIssue.MatchString(s) {
				t.Errorf("live mention or reference in text %q of\n%s", s, md)
			}
		case *east.TableRow:
			if head := n.Parent().FirstChild(); n.ChildCount() != head.ChildCount() {
				t.Errorf("table row with %d cells under a header of %d in\n%s", n.ChildCount(), head.ChildCount(), md)
			}
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fences returns the contents of the fenced code blocks with the info string info.
func fences(md, info string) []string {
	src := []byte(md)
	var out []string
	_ = ast.Walk(gfm.Parser().Parse(text.NewReader(src)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if fb, ok := n.(*ast.FencedCodeBlock); ok && entering && string(fb.Language(src)) == info {
			var b strings.Builder
			for i := 0; i < fb.Lines().Len(); i++ {
				seg := fb.Lines().At(i)
				b.Write(seg.Value(src))
			}
			out = append(out, b.String())
		}
		return ast.WalkContinue, nil
	})
	return out
}

func TestMarkdownInert(t *testing.T) {
	for _, h := range hostile {
		r := &Review{
			Changes: []Change{{UniqueID: "model.p." + h, Name: h, Path: "models/" + h + ".sql", Change: "added",
				Classification: Breaking, Reasons: []string{"WHERE " + h}, Impact: []string{"model.p.down" + h}}},
			Findings: []Finding{
				{Agent: AgentTests, Rule: RuleMissingTest, Severity: SeverityInfo, Path: "models/" + h + ".sql", Line: 2,
					Message: h + " has no unique test", Suggestion: "- accepted_values:\n    values: ['" + h + "']\n"},
				{Agent: AgentLint, Rule: h, Severity: SeverityWarning, Path: "m.sql", Line: 1, Message: "`" + h + "` " + h},
			},
			Edits:   []Edit{{Path: "models/" + h + ".yml", Agents: []string{AgentSchema}, Diff: "+  - name: " + h + "\n", Safe: false}},
			Lineage: []Edge{{From: "model.p." + h, To: "model.p.down" + h}},
		}
		r.Finish()
		md := Markdown(r, MarkdownOptions{PathPrefix: "sub/"})
		checkInert(t, md)
		if got := fences(md, "diff"); len(got) != 1 || got[0] != r.Edits[0].Diff {
			t.Errorf("diff block %q, want %q", got, r.Edits[0].Diff)
		}
		if got := fences(md, "mermaid"); len(got) != 1 || strings.Contains(got[0], "<") {
			t.Errorf("mermaid block %q", got)
		}
	}
}

func TestMarkdownTextCodeFence(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain words", "plain words"},
		{"a <b> & c", "a &lt;b&gt; &amp; c"},
		{"ping @org/team", "ping @\u200borg/team"},
		{"see #12, not #x", "see #\u200b12, not #x"},
		{"keeps `code <b>` as code", "keeps `code <b>` as code"},
		{"lone ` tick", "lone \\` tick"},
		{`back\slash [x]`, `back\\slash \[x\]`},
		{"two\nlines", "two lines"},
	} {
		if got := MarkdownText(c.in); got != c.want {
			t.Errorf("MarkdownText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"models/a.sql:3", "`models/a.sql:3`"},
		{"a`b", "`` a`b ``"},
		{"x``y", "``` x``y ```"},
	} {
		if got := MarkdownCode(c.in); got != c.want {
			t.Errorf("MarkdownCode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, s := range []string{"- unique\n", "a\n```\nb", "````suggestion\nx\n````\n"} {
		md := MarkdownFence("suggestion", s)
		want := s
		if !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if got := fences(md, "suggestion"); len(got) != 1 || got[0] != want {
			t.Errorf("MarkdownFence(%q) holds %q", s, got)
		}
	}
	if got := PlainText("@team #4 <b>"); got != "@\u200bteam #\u200b4 <b>" {
		t.Errorf("PlainText = %q", got)
	}
}
