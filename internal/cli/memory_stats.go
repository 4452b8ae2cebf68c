package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dataops-dev/dataops/internal/config"
	"github.com/dataops-dev/dataops/internal/learn"
)

func init() { registerMemory(newMemoryStatsCmd) }

func newMemoryStatsCmd(env *Env) *cobra.Command {
	var project, format string
	cmd := &cobra.Command{
		Use:   "stats [--project DIR]",
		Short: "Show how many of the agents' proposals the team accepted, by agent, kind and rule",
		Long: `Every review, schema and tests run records what it proposed; each proposal is resolved when the
same pull request is reviewed again, when its merge is seen (a later review's base, or the
history ingested by dataops memory ingest): accepted (kept as proposed), edited (kept, changed
by a human) or rejected (absent once merged). stats counts them by agent, by kind of proposal
and by rule (the test, or the source of a description). Acceptance is accepted / resolved;
kept is (accepted + edited) / resolved.

Runs that used a language model (an llm section in .dataops.yml) also record, per agent, the
calls, tokens, cost, latency and how each task ended; stats then shows them per language agent
beside what became of the proposals that agent wrote.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return usageError("--format: want text or json, got %q", format)
			}
			c, err := config.Load(config.Options{Dir: project, Getenv: func(k string) (string, bool) {
				v := env.Getenv(k)
				return v, v != ""
			}})
			if err != nil {
				return usageError("%v", err)
			}
			k, err := openKnowledge(env, &c.Memory, project, false)
			if err != nil {
				return err
			}
			if k == nil {
				fmt.Fprintf(env.Stderr, "dataops: no memory in %s (dataops memory ingest makes one)\n", project)
				return writeMemoryStats(env.Stdout, format, learn.Tally(nil))
			}
			defer k.Close()
			ps, err := learn.Proposals(env.Ctx, k.Store, "")
			if err != nil {
				return usageError("memory store %s: %v", k.Where, err)
			}
			runs, err := learn.Runs(env.Ctx, k.Store, "")
			if err != nil {
				return usageError("memory store %s: %v", k.Where, err)
			}
			st := learn.Tally(ps)
			if len(runs) > 0 {
				st.LLM = learn.TallyLLM(runs, ps)
			}
			return writeMemoryStats(env.Stdout, format, st)
		},
	}
	cmd.Flags().StringVar(&project, "project", ".", "directory of the dbt project (holding dbt_project.yml)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func writeMemoryStats(w io.Writer, format string, st learn.Stats) error {
	if format == "json" {
		for _, rows := range []*[]learn.Row{&st.ByAgent, &st.ByKind, &st.ByRule} {
			if *rows == nil {
				*rows = []learn.Row{}
			}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	defer writeLLMStats(w, st.LLM)
	t := st.Total
	fmt.Fprintf(w, "%d proposal(s): %d accepted, %d edited, %d rejected, %d open; acceptance %s, kept %s\n",
		t.Proposed, t.Accepted, t.Edited, t.Rejected, t.Open, share(t.Acceptance()), share(t.Kept()))
	if t.Proposed == 0 {
		return nil
	}
	table := func(title string, rows []learn.Row, agent, kind, rule bool) {
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
		head := ""
		if agent {
			head += "AGENT\t"
		}
		if kind {
			head += "KIND\t"
		}
		if rule {
			head += "RULE\t"
		}
		fmt.Fprintf(tw, "  %sPROPOSED\tACCEPTED\tEDITED\tREJECTED\tOPEN\tACCEPTANCE\tKEPT\n", head)
		for _, r := range rows {
			cols := ""
			if agent {
				cols += r.Agent + "\t"
			}
			if kind {
				cols += r.Kind + "\t"
			}
			if rule {
				cols += r.Rule + "\t"
			}
			fmt.Fprintf(tw, "  %s%d\t%d\t%d\t%d\t%d\t%s\t%s\n", cols, r.Proposed, r.Accepted, r.Edited, r.Rejected, r.Open,
				share(r.Acceptance()), share(r.Kept()))
		}
		tw.Flush()
	}
	table("By agent", st.ByAgent, true, false, false)
	table("By kind", st.ByKind, true, true, false)
	table("By rule", st.ByRule, true, true, true)
	return nil
}

// share prints a rate as a percentage, or "-" when there is nothing to rate.
func share(f float64) string {
	if f < 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", f*100)
}

// writeLLMStats shows the language agents' account: runs, tokens, cost, median latency, how
// their tasks ended, and the team's verdict on what they proposed.
func writeLLMStats(w io.Writer, us []learn.AgentUsage) {
	if len(us) == 0 {
		return
	}
	fmt.Fprintf(w, "\nLanguage model agents\n")
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintf(tw, "  AGENT\tRUNS\tCALLS\tTOKENS IN\tTOKENS OUT\tCOST\tMEDIAN LATENCY\tOK\tBUDGET SPENT\tFAILED\tKEPT\tDROPPED\tPROPOSED\tACCEPTED\tEDITED\tREJECTED\tACCEPTANCE\n")
	for _, u := range us {
		p := u.Proposals
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t$%.4f\t%dms\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", u.Agent, u.Runs, u.Calls,
			u.InputTokens, u.OutputTokens, u.Cost, u.MedianLatencyMS, u.OK, u.BudgetSpent, u.Failed, u.Kept, u.Dropped,
			p.Proposed, p.Accepted, p.Edited, p.Rejected, share(p.Acceptance()))
	}
	tw.Flush()
}
