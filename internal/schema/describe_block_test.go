package schema

import (
	"maps"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
)

// withFixture runs f with describeFixture extended by files (a file mapped to "" is removed).
func withFixture(t *testing.T, files map[string]string, f func()) {
	t.Helper()
	saved := describeFixture
	describeFixture = maps.Clone(saved)
	defer func() { describeFixture = saved }()
	for k, v := range files {
		if v == "" {
			delete(describeFixture, k)
			continue
		}
		describeFixture[k] = v
	}
	f()
}

// A team that keeps one docs block per column name: tx_id's block is called on the key of
// stg_transactions and on the reference of stg_events alike, and one model of another folder
// wrote its own variant.
var blockFiles = map[string]string{
	"models/descriptions/columns.md": "{% docs tx_id %}The unique identifier (hash) of a transaction.{% enddocs %}\n" +
		"{% docs chain_id %}The network the row was recorded on.{% enddocs %}\n" +
		"{% docs block_height %}The height of the block.{% enddocs %}\n",
	"models/core/stg_transactions.sql": "select 1 as tx_id, 1 as block_height\n",
	"models/core/stg_events.sql":       "select 1 as event_id, 1 as tx_id\n",
	"models/bridge/stg_bridge.sql":     "select 1 as bridge_event_id, 1 as tx_id\n",
	"models/core/_core.yml": `version: 2
models:
  - name: stg_transactions
    columns:
      - name: tx_id
        description: "{{ doc('tx_id') }}"
        data_tests: [unique]
      - name: block_height
        description: "{{ doc('block_height') }}"
  - name: stg_events
    columns:
      - name: tx_id
        description: "{{ doc('tx_id') }}"
`,
	"models/bridge/_bridge.yml": `version: 2
models:
  - name: stg_bridge
    columns:
      - name: tx_id
        description: Transaction hash (unique for each bridge event)
`,
}

func TestDescribeFromTheBlockNamedForTheColumn(t *testing.T) {
	withFixture(t, blockFiles, func() {
		got := describe(t, "stg_orders", []change.Column{{Name: "chain_id", Kind: "computed"}, {Name: "tx_id", Kind: "computed"}}, nil)
		// No model documents chain_id: its block does, before the name's own words.
		if c := got["chain_id"]; c.Description != "{{ doc('chain_id') }}" || c.DescriptionFrom != "block:chain_id" ||
			c.DescriptionSource != "models/descriptions/columns.md" {
			t.Errorf("chain_id = %+v", c)
		}
		// tx_id here refers to a transaction; the block's text claims a key, but the team
		// calls it on a reference too: the nearest model calling it lends the call.
		if c := got["tx_id"]; c.Description != "{{ doc('tx_id') }}" || c.DescriptionFrom != "project:stg_events.tx_id" {
			t.Errorf("tx_id = %+v", c)
		}
	})
}

// A model that documents the name in the new model's own folder still comes first: a team's
// variants of a block (evm_block_height for its EVM models) are found by the project source.
func TestDescribeProjectBeforeTheBlock(t *testing.T) {
	files := maps.Clone(blockFiles)
	files["models/descriptions/evm.md"] = "{% docs evm_block_height %}The height of the EVM block.{% enddocs %}\n"
	files["models/staging/stg_evm_blocks.sql"] = "select 1 as block_height\n"
	files["models/staging/_evm.yml"] = "version: 2\nmodels:\n  - name: stg_evm_blocks\n    columns:\n      - name: block_height\n        description: \"{{ doc('evm_block_height') }}\"\n"
	withFixture(t, files, func() {
		got := describe(t, "stg_orders", []change.Column{{Name: "block_height", Kind: "computed"}}, nil)
		if c := got["block_height"]; c.Description != "{{ doc('evm_block_height') }}" {
			t.Errorf("block_height = %+v", c)
		}
	})
}

// Blocks alone make no habit: a team whose blocks describe models, never a column of their
// name, gets no call to a block named like a new column.
func TestDescribeNoBlockWithoutTheHabit(t *testing.T) {
	withFixture(t, map[string]string{
		"models/descriptions/columns.md": "{% docs chain_id %}The network the row was recorded on.{% enddocs %}\n" +
			"{% docs orders %}One row per order.{% enddocs %}\n",
		"models/marts/_marts.yml": "version: 2\nmodels:\n  - name: fct_orders\n    description: \"{{ doc('orders') }}\"\n    columns:\n      - name: order_id\n        description: Written by a human.\n",
	}, func() {
		got := describe(t, "stg_orders", []change.Column{{Name: "chain_id", Kind: "computed"}}, nil)
		if c := got["chain_id"]; c.DescriptionFrom == FromBlock || c.Description == "{{ doc('chain_id') }}" {
			t.Errorf("chain_id = %+v, want no block without the habit", c)
		}
	})
}

// A block whose text claims the key, called only on keys, does not describe a reference.
func TestDescribeBlockKeepsItsRole(t *testing.T) {
	withFixture(t, map[string]string{
		"models/descriptions/columns.md": "{% docs customer_id %}Unique identifier of a customer.{% enddocs %}\n",
		"models/staging/_staging.yml":    "version: 2\nmodels:\n  - name: stg_customers\n    columns:\n      - name: customer_id\n        description: \"{{ doc('customer_id') }}\"\n        data_tests: [unique]\n",
	}, func() {
		got := describe(t, "stg_orders", []change.Column{{Name: "customer_id", Kind: "computed"}}, nil)
		if c := got["customer_id"]; c.Description == "{{ doc('customer_id') }}" {
			t.Errorf("customer_id = %+v, a key's block on a reference", c)
		}
	})
}

// A team that prefixes its blocks with the system its models read: a new column of the ntd
// models is described by the ntd block named for it, not by the family of another folder;
// two ntd blocks ending with the name are a guess, and neither is taken.
func TestDescribeFromTheNearestFamilyOfBlocks(t *testing.T) {
	withFixture(t, map[string]string{
		"models/descriptions/ntd.md": "{% docs ntd_agency %}The agency reporting.{% enddocs %}\n" +
			"{% docs ntd_mode %}The mode of transit service.{% enddocs %}\n" +
			"{% docs ntd_period_year %}The year of the reporting period.{% enddocs %}\n" +
			"{% docs ntd_report_year %}The year of the report.{% enddocs %}\n",
		"models/descriptions/lp.md":               "{% docs lp_mode %}The mode of the tap.{% enddocs %}\n{% docs lp_agency %}The agency of the tap.{% enddocs %}\n",
		"models/staging/ntd/stg_ntd_agencies.sql": "select 1 as agency\n",
		"models/staging/ntd/_ntd.yml": "version: 2\nmodels:\n  - name: stg_ntd_agencies\n    columns:\n" +
			"      - name: agency\n        description: '{{ doc(\"ntd_agency\") }}'\n",
		"models/payments/stg_taps.sql": "select 1 as agency\n",
		"models/payments/_taps.yml": "version: 2\nmodels:\n  - name: stg_taps\n    columns:\n" +
			"      - name: agency\n        description: '{{ doc(\"lp_agency\") }}'\n",
	}, func() {
		got := describe(t, "stg_orders", []change.Column{{Name: "mode", Kind: "computed"}, {Name: "year", Kind: "computed"}}, nil)
		if c := got["mode"]; c.Description != `{{ doc("ntd_mode") }}` || c.DescriptionFrom != "block:ntd_mode" {
			t.Errorf("mode = %+v", c)
		}
		if c := got["year"]; c.DescriptionFrom == FromBlock+":ntd_period_year" || c.DescriptionFrom == FromBlock+":ntd_report_year" {
			t.Errorf("year = %+v, two blocks of the family end with its name", c)
		}
	})
}
