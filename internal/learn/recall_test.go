package learn

import (
	"context"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
)

func TestRecallEarlier(t *testing.T) {
	stores(t, func(t *testing.T, s memory.Store) {
		ctx := context.Background()
		old := memory.Record{ID: "h1", Kind: memory.KindColumnDoc, Text: "shipped_at: Old words.", Metadata: memory.Metadata{Project: "shop", Model: "orders", Column: "shipped_at",
			Source: "git:models/a.yml", Line: 4, Commit: "c1", Time: t0, Extra: map[string]string{"origin": "history", "description": "Old words."}}}
		newer := old
		newer.ID, newer.Metadata.Time, newer.Metadata.Commit = "h2", t0.Add(time.Hour), "c2"
		newer.Metadata.Extra = map[string]string{"origin": "history", "description": "Newer words."}
		current := old
		current.ID, current.Metadata.Source = "p1", "models/a.yml"
		current.Metadata.Extra = map[string]string{"origin": "property_file", "description": "Current words."}
		// Another project's description is not this project's history; one of no project in
		// particular is.
		other := newer
		other.ID, other.Metadata.Project = "x1", "elsewhere"
		other.Metadata.Extra = map[string]string{"origin": "history", "description": "Another project's words."}
		anyProject := old
		anyProject.ID, anyProject.Metadata.Project, anyProject.Metadata.Time = "a1", "", t0.Add(-time.Hour)
		anyProject.Metadata.Extra = map[string]string{"origin": "history", "description": "Oldest words."}
		upsert(t, s, old, newer, current, other, anyProject)
		p := proposal(KindDescription, "name", "returns", "shipped_at", "The date and time the return was shipped.")
		p.Final = "When the return left the warehouse."
		outcome(t, s, p, Edited)

		r := NewRecall(ctx, s, "shop")
		got := r.Earlier("shipped_at")
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		var texts []string
		for _, c := range got {
			texts = append(texts, c.Text)
		}
		want := []string{"When the return left the warehouse.", "Newer words.", "Old words.", "Oldest words."}
		if len(texts) != len(want) {
			t.Fatalf("Earlier = %q", texts)
		}
		for i := range want {
			if texts[i] != want[i] {
				t.Fatalf("Earlier = %q, want %q", texts, want)
			}
		}
		if got[1].Source != "models/a.yml" || got[1].Line != 4 || got[1].Commit != "c2" || got[1].Model != "orders" {
			t.Errorf("history candidate = %+v", got[1])
		}
	})
}

func TestRecallRetrieve(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	upsert(t, s,
		memory.Record{ID: "d1", Kind: memory.KindColumnDoc, Text: "installation_id: The id of the installation.", Metadata: memory.Metadata{Column: "installation_id", Source: "docs/dictionary.csv", Line: 3, Extra: map[string]string{"origin": "dictionary", "description": "The id of the installation."}}},
		memory.Record{ID: "d2", Kind: memory.KindColumnDoc, Text: "installation_id: A property file's words.", Metadata: memory.Metadata{Model: "x", Column: "installation_id", Source: "models/x.yml", Extra: map[string]string{"origin": "property_file", "description": "A property file's words."}}},
		memory.Record{ID: "c1", Kind: memory.KindDocChunk, Text: "## Glossary\n\n- `plugin_version`: the version of the plugin that sent the event.\n- Servers report daily.", Metadata: memory.Metadata{Source: "docs/glossary.md", Line: 10, Extra: map[string]string{"heading": "Glossary"}}},
	)
	r := NewRecall(ctx, s, "shop")
	got := r.Retrieve("stg_plugin", "installation_id_plugin")
	if len(got) == 0 || got[0].Text != "The id of the installation." || got[0].Score < 0.66 || got[0].Score > 0.67 || got[0].Source != "docs/dictionary.csv" || got[0].Line != 3 {
		t.Errorf("Retrieve(installation_id_plugin) = %+v", got)
	}
	for _, c := range got {
		if c.Text == "A property file's words." {
			t.Errorf("a property file's description came back as a dictionary entry: %+v", c)
		}
	}
	got = r.Retrieve("stg_plugin", "plugin_version")
	if len(got) == 0 || got[0].Text != "The version of the plugin that sent the event." || got[0].Score != 1 {
		t.Errorf("Retrieve(plugin_version) = %+v", got)
	}
}

func TestScores(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"customer_id", "CUSTOMER_ID", 1},
		{"installation_id_plugin", "installation_id", 2.0 / 3},
		{"daily_user_id", "user_id", 2.0 / 3}, // id counts once, not also as identifier
		{"last_server_ip", "server_ip", 2.0 / 3},
		{"created_at", "updated_at", 1.0 / 3},
		{"total_amt", "total_amount", 1},
		{"status", "", 0},
	} {
		if got := EntryScore(tc.a, tc.b); got < tc.want-1e-9 || got > tc.want+1e-9 {
			t.Errorf("EntryScore(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	chunk := "Orders are placed online. The shipped_at column says when it left. Shipping dates are in UTC.\n\n**status** - where the order is."
	for _, tc := range []struct {
		col, text string
		score     float64
	}{
		{"status", "Where the order is.", 1},
		{"shipped_at", "The shipped_at column says when it left.", 0.8},
		{"shipping_date", "", 0},
		{"placed", "", 0},
	} {
		text, score := ChunkScore(tc.col, chunk)
		if text != tc.text || score != tc.score {
			t.Errorf("ChunkScore(%q) = %q %v, want %q %v", tc.col, text, score, tc.text, tc.score)
		}
	}
}

func TestRecallRetrievesNothingWithoutDocs(t *testing.T) {
	s := openStore(t)
	upsert(t, s, memory.Record{ID: "h1", Kind: memory.KindColumnDoc, Text: "installation_id: The id.", Metadata: memory.Metadata{Column: "installation_id", Source: "git:a.yml", Extra: map[string]string{"origin": "history", "description": "The id."}}})
	r := NewRecall(context.Background(), s, "shop")
	if got := r.Retrieve("m", "installation_id_plugin"); got != nil || r.Err != nil {
		t.Errorf("Retrieve without docs = %+v, %v", got, r.Err)
	}
	if got := r.Earlier("installation_id"); len(got) != 1 {
		t.Errorf("Earlier = %+v", got)
	}
}
