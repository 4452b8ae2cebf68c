package review

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// RuleSnapshotHistory is a change to a snapshot that its history table, recorded under the
// old settings, does not follow: a key, a way of detecting changes, a place.
const RuleSnapshotHistory = "snapshot-history"

// snapshotKeys are the snapshot configs the recorded history depends on, with what changing
// one does to it. dbt compares each run with the rows it recorded, so unlike a model's SQL
// nothing is rebuilt: the old history stays as it was written.
var snapshotKeys = []struct{ key, effect string }{
	{"unique_key", "the history recorded so far is matched on the new key from the next run: where the new key's columns are not in the snapshot table, or not unique across its current rows, the run fails or versions rows twice; check the history, or migrate it"},
	{"strategy", "changes are detected another way from the next run; the rows recorded so far were versioned the old way"},
	{"updated_at", "changes are detected from another column from the next run: current rows whose new column differs from what was recorded are versioned again"},
	{"check_cols", "changes are detected on other columns from the next run; the history recorded so far holds no versions for changes of the added columns"},
	{"hard_deletes", deletesEffect},
	{"invalidate_hard_deletes", deletesEffect}, // the older name of hard_deletes: invalidate
}

const deletesEffect = "rows deleted at the source are recorded another way from the next run; the history recorded so far keeps the old way"

// snapshotPlace are the configs naming the table a snapshot writes.
var snapshotPlace = []string{"target_database", "target_schema", "database", "schema", "alias"}

// SnapshotFindings lists what a change does to the root project's snapshots' recorded
// history: a snapshot removed (its table stays, no longer updated), moved to another table (an
// empty history starts there), or whose key or change detection changed. Each points at the
// line that sets the config in the snapshot's file, else the snapshot's first line.
func SnapshotFindings(base, head *dbt.Project) []Finding {
	if base == nil || head == nil {
		return nil
	}
	var out []Finding
	ids := make([]string, 0, len(base.Nodes))
	for id, n := range base.Nodes {
		if n.ResourceType == dbt.Snapshot && n.Package == base.Name {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		bn, hn := base.Nodes[id], head.Nodes[id]
		if hn == nil {
			if _, off := head.Disabled[id]; off {
				continue
			}
			out = append(out, Finding{Agent: AgentImpact, Rule: RuleSnapshotHistory, Severity: SeverityWarning,
				Path: bn.RelPath, Line: 1,
				Message: fmt.Sprintf("snapshot %s removed: its table %s stays in the warehouse and is no longer updated; the history it holds cannot be rebuilt from the source", bn.Name, relationOr(bn)),
			})
			continue
		}
		// A place rendered from an env_var() that was not read is unknown on that side.
		if bn.RelationName != "" && hn.RelationName != "" && !strings.EqualFold(bn.RelationName, hn.RelationName) &&
			!change.UnknownValue(bn.RelationName) && !change.UnknownValue(hn.RelationName) {
			out = append(out, Finding{Agent: AgentImpact, Rule: RuleSnapshotHistory, Severity: SeverityWarning,
				Path: hn.RelPath, Line: configLine(hn, snapshotPlace...),
				Message: fmt.Sprintf("snapshot %s now writes %s instead of %s: the next run starts an empty history there, and the history recorded so far stays in the old table, no longer updated", hn.Name, hn.RelationName, bn.RelationName),
			})
		}
		for _, k := range snapshotKeys {
			from, to := bn.Config[k.key], hn.Config[k.key]
			if sameConfig(from, to) {
				continue
			}
			out = append(out, Finding{Agent: AgentImpact, Rule: RuleSnapshotHistory, Severity: SeverityWarning,
				Path: hn.RelPath, Line: configLine(hn, k.key),
				Message: fmt.Sprintf("snapshot %s: %s %s → %s: %s", hn.Name, k.key, configValue(from), configValue(to), k.effect),
			})
		}
	}
	return out
}

// sameConfig compares two config values as dbt would read them: unset and empty alike, a
// one-item list as its item, and names in any case.
func sameConfig(a, b any) bool {
	norm := func(v any) any {
		switch x := v.(type) {
		case nil:
			return ""
		case string:
			return strings.ToLower(strings.TrimSpace(x))
		case []any:
			if len(x) == 1 {
				if s, ok := x[0].(string); ok {
					return strings.ToLower(strings.TrimSpace(s))
				}
			}
			out := make([]any, len(x))
			for i, e := range x {
				if s, ok := e.(string); ok {
					out[i] = strings.ToLower(strings.TrimSpace(s))
				} else {
					out[i] = e
				}
			}
			return out
		}
		return v
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// configLine is the line of a snapshot's file that first sets one of keys (`key=` in its
// config() call, `key:` in properties), else its first line. A column of the same name in the
// snapshot's SQL is not a setting.
func configLine(n *dbt.Node, keys ...string) int {
	src := n.Source()
	best := -1
	for _, k := range keys {
		loc := regexp.MustCompile(`\b` + regexp.QuoteMeta(k) + `\s*[=:]`).FindStringIndex(n.RawCode)
		if loc != nil && (best < 0 || loc[0] < best) {
			best = loc[0]
		}
	}
	if best < 0 {
		return max(src.Position(0).Line, 1)
	}
	return max(src.Position(best).Line, 1)
}

func relationOr(n *dbt.Node) string {
	if n.RelationName != "" {
		return n.RelationName
	}
	return n.Name
}
