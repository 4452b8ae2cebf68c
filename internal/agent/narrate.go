package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/lazyregexp"
	"github.com/dataops-dev/dataops/internal/llm"
	"github.com/dataops-dev/dataops/internal/review"
	"github.com/dataops-dev/dataops/internal/yamledit"
)

// AgentReview is the review narrator's name in accounts and settings.
const AgentReview = "review"

const narrateSystem = `You review dbt pull requests for a data team. The engine has already computed what changed, the classification and the impact; you add language.
Write "summary": at most 4 sentences a reviewer reads in ten seconds: what the change does and what it affects downstream, naming models as the facts name them.
List "risks": only real logic risks in lines the change wrote (marked +): a join that can fan out rows, a filter lost in a refactor, NULL semantics (NOT IN, = NULL, COALESCE defaults, outer joins), time-zone or grain mismatches. Cite the file and the line numbers shown. No style remarks; an empty list when there is no risk.
` + DataRule

var narrateSchema = json.RawMessage(`{"type":"object","properties":{"summary":{"type":"string","maxLength":900},"risks":{"type":"array","items":{"type":"object","properties":{"kind":{"type":"string","enum":["join_fan_out","lost_filter","null_semantics","time_zone","grain_mismatch","other"]},"path":{"type":"string"},"line":{"type":"integer"},"end_line":{"type":"integer"},"message":{"type":"string","maxLength":400}},"required":["kind","path","line","end_line","message"],"additionalProperties":false}}},"required":["summary","risks"],"additionalProperties":false}`)

// evidence is what the cited lines must show for a kind of risk.
var evidence = map[string]*lazyregexp.Regexp{
	"join_fan_out":   lazyregexp.New(`(?i)\bjoin\b`),
	"lost_filter":    lazyregexp.New(`(?i)\b(where|having|qualify|filter|and|or)\b`),
	"null_semantics": lazyregexp.New(`(?i)\b(null|coalesce|ifnull|nvl|nullif|not\s+in|left\s+join|right\s+join|full)\b|<>|!=`),
	"time_zone":      lazyregexp.New(`(?i)(timestamp|time\s+zone|timezone|_tz\b|_at\b|_utc\b|::date|\bdate|convert_tz)`),
	"grain_mismatch": lazyregexp.New(`(?i)\b(group\s+by|distinct|join|partition|over|date_trunc|count|sum|avg|row_number)\b`),
	"other":          lazyregexp.New(`.`),
}

// Narrator is the review's language agent: a summary and logic risks of the change, each risk
// checked against the lines it cites.
type Narrator struct {
	Runtime  *Runtime
	Facts    *Facts
	MinScore float64
	By       string
	Redact   func(string) string
	// PRText is the pull request's title and description, when known (untrusted).
	PRText string
	Record func(Outcome)
}

var _ review.Narrator = (*Narrator)(nil)

// Narrate writes the summary and the risks; an error means neither.
func (n *Narrator) Narrate(ctx context.Context, r *review.Review) (*review.Narrative, []review.Risk, error) {
	oc := Outcome{Agent: AgentReview, Subject: "review", Status: "ok"}
	defer func() {
		if n.Record != nil {
			n.Record(oc)
		}
	}()
	input, files := n.input(r)
	if len(files) == 0 {
		oc.Status = "skipped"
		return nil, nil, nil
	}
	task := Task{Agent: AgentReview, System: narrateSystem, Input: input, Tools: n.Facts.Tools("model_sql", "column_lineage", "change_set"),
		Output: llm.Schema{Name: "review", Description: "The summary and the risks of the change.", Schema: narrateSchema}}
	res, err := n.Runtime.Run(ctx, task)
	oc.Steps, oc.Usage = res.Steps, res.Usage
	if err != nil {
		oc.Status, oc.Error = "fallback", err.Error()
		return nil, nil, err
	}
	oc.Repaired = res.Repaired
	var ans struct {
		Summary string
		Risks   []struct {
			Kind, Path, Message string
			Line                int
			EndLine             int `json:"end_line"`
		}
	}
	json.Unmarshal(res.Output, &ans)
	nar := &review.Narrative{By: n.By}
	if why := n.checkSummary(ans.Summary, r); why == "" {
		nar.Summary = strings.Join(strings.Fields(ans.Summary), " ")
	} else if strings.TrimSpace(ans.Summary) != "" {
		oc.Dropped++
		nar.Notes = append(nar.Notes, "the language model's summary was dropped ("+why+")")
	}
	var risks []review.Risk
	weak := 0
	for _, k := range ans.Risks {
		lines, ok := files[k.Path]
		if !ok {
			// Not a file of the change: the review drops it by its lines.
			risks = append(risks, review.Risk{Kind: k.Kind, Path: k.Path, Line: k.Line, EndLine: k.EndLine, Message: k.Message})
			continue
		}
		if n.riskScore(k.Kind, k.Message, lines, k.Line, max(k.EndLine, k.Line)) < n.MinScore {
			weak++
			continue
		}
		oc.Kept++
		risks = append(risks, review.Risk{Kind: k.Kind, Path: k.Path, Line: k.Line, EndLine: k.EndLine, Message: strings.Join(strings.Fields(k.Message), " ")})
	}
	if weak > 0 {
		oc.Dropped += weak
		nar.Notes = append(nar.Notes, fmt.Sprintf("%d risk(s) dropped: the lines they cite do not show what they claim", weak))
	}
	return nar, risks, nil
}

// checkSummary: "" when the summary names only what exists and at least one changed model.
func (n *Narrator) checkSummary(s string, r *review.Review) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "empty"
	}
	if Suspicious(s, n.Redact) {
		return "it carries an instruction or a credential-shaped value"
	}
	for _, name := range Identifiers(s) {
		if !n.Facts.Known(name) {
			return "it names " + name + ", which the project does not have"
		}
	}
	low := strings.ToLower(s)
	for _, c := range r.Changes {
		if strings.Contains(low, strings.ToLower(c.Name)) {
			return ""
		}
	}
	return "it names none of the changed models"
}

// riskScore is half evidence (the cited lines show the kind of construct the risk is about)
// and half grounding (the message's words are in the cited lines or their model's columns).
func (n *Narrator) riskScore(kind, msg string, lines []string, from, to int) float64 {
	if Suspicious(msg, n.Redact) || from < 1 || to > len(lines) || to-from > 40 {
		return 0
	}
	cited := strings.Join(lines[from-1:to], "\n")
	score := 0.0
	if re, ok := evidence[kind]; ok && re.MatchString(cited) {
		score += 0.5
	}
	vocab := Vocabulary{}
	vocab.Add(strings.Join(lines[max(from-4, 0):min(to+3, len(lines))], "\n"))
	vocab.Add("join fan out rows duplicate filter null timezone time zone grain mismatch risk lost missing")
	for _, name := range Identifiers(msg) {
		if !n.Facts.Known(name) && !vocab[strings.ToLower(name)] {
			return 0
		}
	}
	return score + 0.5*vocab.Support(msg)
}

// input shows the change: the review's table of changes, then per changed model its file with
// the lines the change wrote marked + (removed lines -), and the PR text as data. files holds
// the head lines of each file shown, by path.
func (n *Narrator) input(r *review.Review) (string, map[string][]string) {
	f := n.Facts
	var b strings.Builder
	files := map[string][]string{}
	b.WriteString("Changed models (the engine's classification):\n")
	var shown strings.Builder
	for _, c := range r.Changes {
		fmt.Fprintf(&shown, "- %s %s (%s): %s", c.Change, c.Name, c.Path, c.Classification)
		if len(c.Reasons) > 0 {
			fmt.Fprintf(&shown, "; %s", strings.Join(c.Reasons, "; "))
		}
		if len(c.Impact) > 0 {
			fmt.Fprintf(&shown, "; %d downstream", len(c.Impact))
		}
		shown.WriteByte('\n')
	}
	b.WriteString(Quote("changes", shown.String()))
	if f.Change != nil {
		for _, m := range f.Change.Models {
			if m.Change == change.Removed || !(m.SQLChanged || m.Change == change.Added) {
				continue
			}
			head := f.Project.Nodes[m.UniqueID]
			if head == nil || m.Path == "" {
				continue
			}
			base := ""
			if f.Change.Base != nil && m.Change != change.Added {
				from := m.UniqueID
				if m.From != "" {
					from = m.From
				}
				if bn := f.Change.Base.Nodes[from]; bn != nil {
					base = bn.RawCode
				}
			}
			offset := head.Source().Position(0).Line - 1
			files[m.Path] = append(make([]string, offset), strings.Split(head.RawCode, "\n")...)
			fmt.Fprintf(&b, "\n\n%s (%s):\n", m.Path, m.Change)
			b.WriteString(Quote("sql-diff", annotated(base, head.RawCode, offset)))
		}
	}
	if strings.TrimSpace(n.PRText) != "" {
		b.WriteString("\n\nThe pull request's description:\n" + Quote("pr", clip(n.PRText, 2000)))
	}
	b.WriteString("\n\nAnswer with the JSON object: summary and risks.")
	return b.String(), files
}

// annotated is the head file with line numbers, changed lines marked + and removed base lines
// -, cut to the changed regions with three lines of context (the whole file when it is new).
func annotated(base, head string, offset int) string {
	if base == "" {
		var b strings.Builder
		for i, l := range strings.Split(strings.TrimRight(head, "\n"), "\n") {
			fmt.Fprintf(&b, "%4d + %s\n", offset+i+1, l)
		}
		return b.String()
	}
	var b strings.Builder
	line := 0
	for _, l := range strings.Split(yamledit.Diff("f", base, head), "\n") {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"), l == "":
		case strings.HasPrefix(l, "@@"):
			// @@ -a,b +c,d @@
			fs := strings.Fields(l)
			if len(fs) >= 3 {
				c := strings.TrimPrefix(fs[2], "+")
				c, _, _ = strings.Cut(c, ",")
				if v, err := strconv.Atoi(c); err == nil {
					line = v
				}
			}
			b.WriteString("   ...\n")
		case l[0] == '+':
			fmt.Fprintf(&b, "%4d + %s\n", offset+line, l[1:])
			line++
		case l[0] == '-':
			fmt.Fprintf(&b, "     - %s\n", l[1:])
		case l[0] == '\\':
		default:
			fmt.Fprintf(&b, "%4d   %s\n", offset+line, l[1:])
			line++
		}
	}
	return b.String()
}
