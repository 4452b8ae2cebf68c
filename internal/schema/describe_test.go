package schema

import (
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/change"
	"github.com/dataops-dev/dataops/internal/dbt"
)

// A project where one column name is documented in several models: a key of its own model in
// one, a reference in others.
var describeFixture = map[string]string{
	"dbt_project.yml":                  "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n",
	"models/staging/stg_customers.sql": "select 1 as customer_id, 'x' as status\n",
	"models/staging/stg_orders.sql":    "select 1 as order_id, 1 as customer_id, 'x' as status, 1 as amount_usd, 'usd' as currency\n",
	"models/staging/docs.md":           "{% docs currency_code %}The ISO 4217 code of the order's currency.{% enddocs %}\n",
	"models/staging/_staging.yml": `version: 2
models:
  - name: stg_customers
    columns:
      - name: customer_id
        description: Unique identifier of a customer.
        data_tests: [unique, not_null]
      - name: status
        description: Whether the customer is active or churned.
  - name: stg_orders
    columns:
      - name: order_id
        description: The order's key.
      - name: customer_id
        description: The customer who placed the order.
      - name: status
        description: Where the order is in fulfilment.
      - name: amount_usd
        description: Order total in US dollars.
      - name: currency
        description: "{{ doc('currency_code') }}"
`,
	"models/marts/fct_orders.sql":    "select * from {{ ref('stg_orders') }}\n",
	"models/marts/fct_returns.sql":   "select * from {{ ref('stg_orders') }}\n",
	"models/marts/dim_customers.sql": "select * from {{ ref('stg_customers') }}\n",
	"models/marts/_marts.yml": `version: 2
models:
  - name: fct_orders
    columns:
      - name: order_id
        description: Written by a human.
  - name: fct_returns
    columns:
      - name: order_id
  - name: dim_customers
`,
}

// describe plans edits for one model of the fixture with the given inferred columns and
// returns the specs of the columns it adds.
func describe(t *testing.T, model string, cols []change.Column, mutate func(*Input)) map[string]ColumnSpec {
	t.Helper()
	saved := fixture
	fixture = describeFixture
	defer func() { fixture = saved }()
	p := loadFixture(t, nil)
	in := Input{Project: p, ReadFile: readFn(p), Config: DefaultConfig(),
		Columns: map[string]*change.ModelColumns{"model.p." + model: {Origin: "sql", Columns: cols}},
		Select:  func(id string) bool { return id == "model.p."+model }}
	if mutate != nil {
		mutate(&in)
	}
	plan := Synthesize(in)
	out := map[string]ColumnSpec{}
	for _, op := range plan.Ops {
		if op.Kind == OpAddColumn {
			out[op.Column.Name] = op.Column
		}
		if op.Kind == OpAddModel {
			for _, c := range op.Entry.Columns {
				out[c.Name] = c
			}
		}
	}
	return out
}

func transform(name string, lineage ...change.Upstream) change.Column {
	return change.Column{Name: name, Kind: "transform", Lineage: lineage}
}

func TestDescribeUpstreamHasItsSource(t *testing.T) {
	got := describe(t, "fct_orders", []change.Column{direct("order_id", "model.p.stg_orders", "order_id"),
		direct("amount_usd", "model.p.stg_orders", "amount_usd")}, nil)
	c := got["amount_usd"]
	if c.Description != "Order total in US dollars." || c.DescriptionFrom != "upstream:model.p.stg_orders.amount_usd" ||
		c.DescriptionSource != "models/staging/_staging.yml:18" {
		t.Errorf("amount_usd = %+v", c)
	}
	// order_id is documented by a human in fct_orders: never touched.
	if _, ok := got["order_id"]; ok {
		t.Errorf("a documented column was planned again: %+v", got["order_id"])
	}
}

// A description the team keeps in a docs block is copied as the doc() call it is written
// with, through lineage and by name alike.
func TestDescribeKeepsDocCalls(t *testing.T) {
	got := describe(t, "fct_orders", []change.Column{direct("currency", "model.p.stg_orders", "currency")}, nil)
	if c := got["currency"]; c.Description != "{{ doc('currency_code') }}" || c.DescriptionFrom != "upstream:model.p.stg_orders.currency" {
		t.Errorf("through lineage: currency = %+v", c)
	}
	got = describe(t, "fct_returns", []change.Column{{Name: "currency", Kind: "computed"}}, nil)
	if c := got["currency"]; c.Description != "{{ doc('currency_code') }}" {
		t.Errorf("by name: currency = %+v", c)
	}
}

func TestDescribeProjectFollowsLineageAndRole(t *testing.T) {
	// fct_returns cleans customer_id and status from stg_orders under the same names: the
	// upstream's descriptions pass through (with where they are written), not
	// stg_customers'.
	got := describe(t, "fct_returns", []change.Column{
		transform("customer_id", change.Upstream{Node: "model.p.stg_orders", Column: "customer_id"}),
		transform("status", change.Upstream{Node: "model.p.stg_orders", Column: "status"}),
	}, nil)
	if c := got["customer_id"]; c.Description != "The customer who placed the order." ||
		c.DescriptionFrom != "upstream:model.p.stg_orders.customer_id" || c.DescriptionSource != "models/staging/_staging.yml:14" {
		t.Errorf("customer_id = %+v", c)
	}
	if c := got["status"]; c.Description != "Where the order is in fulfilment." {
		t.Errorf("status = %+v", c)
	}
}

func TestDescribeNeverAcrossARoleChange(t *testing.T) {
	// Without lineage, customer_id in fct_returns is a reference: the key's description in
	// stg_customers ("Unique identifier of a customer.", unique-tested) must not be copied;
	// the reference in stg_orders is.
	got := describe(t, "fct_returns", []change.Column{{Name: "customer_id", Kind: "transform"}}, nil)
	if c := got["customer_id"]; c.Description != "The customer who placed the order." {
		t.Errorf("customer_id = %+v", c)
	}
	// In dim_customers customer_id is the key: the reference's text is not copied onto it,
	// the key's is.
	got = describe(t, "dim_customers", []change.Column{{Name: "customer_id", Kind: "transform"}, {Name: "status", Kind: "transform"}}, nil)
	if c := got["customer_id"]; c.Description != "Unique identifier of a customer." {
		t.Errorf("dim_customers.customer_id = %+v", c)
	}
	// status: stg_orders' text is about orders, stg_customers' about customers: the one that
	// names the model's entity.
	if c := got["status"]; c.Description != "Whether the customer is active or churned." {
		t.Errorf("dim_customers.status = %+v", c)
	}
}

func TestDescribeKeyOfAnotherEntityIsNotCopied(t *testing.T) {
	// order_id is the key of stg_orders; in a model about another entity it is a reference,
	// and the key's text ("The order's key.") says nothing true of it.
	got := describe(t, "dim_customers", []change.Column{{Name: "order_id", Kind: "transform"}}, func(in *Input) {
		in.Config.DescribeFromName = false
	})
	if c, ok := got["order_id"]; ok && c.Description != "" {
		t.Errorf("order_id = %+v", c)
	}
}

// A generic name's text that speaks of the entity of a model named for how its rows are kept
// (ticket_field_history) is not copied onto a model about something else that is kept the same
// way (sla_policy_history), nor onto the changes of the entity it names; onto the same entity
// kept otherwise (daily rows of the history) it is.
func TestDescribeGenericNameOfAHistoryIsNotCopied(t *testing.T) {
	saved := describeFixture
	defer func() { describeFixture = saved }()
	describeFixture = map[string]string{}
	for k, v := range saved {
		describeFixture[k] = v
	}
	describeFixture["models/staging/stg_zendesk__ticket_field_history.sql"] = "select 1 as ticket_id, 1 as created_at, 1 as valid_starting_at\n"
	describeFixture["models/staging/stg_zendesk__ticket_comments.sql"] = "select 1 as author_id\n"
	describeFixture["models/staging/stg_zendesk__tickets.sql"] = "select 1 as ticket_id, 1 as updated_at\n"
	describeFixture["models/staging/_zendesk.yml"] = `version: 2
models:
  - name: stg_zendesk__ticket_field_history
    columns:
      - name: created_at
        description: The time the ticket field history row was created.
      - name: valid_starting_at
        description: The time the ticket field value became valid.
  - name: stg_zendesk__ticket_comments
    columns:
      - name: author_id
        description: The user id of the comment's author.
  - name: stg_zendesk__tickets
    columns:
      - name: updated_at
        description: When the ticket was last updated.
`
	for _, m := range []string{"stg_zendesk__sla_policy_metric_history", "stg_zendesk__ticket_field_history_daily"} {
		describeFixture["models/staging/"+m+".sql"] = "select 1 as created_at\n"
	}
	cols := []change.Column{{Name: "created_at", Kind: "transform"}, {Name: "valid_starting_at", Kind: "transform"},
		{Name: "author_id", Kind: "transform"}, {Name: "updated_at", Kind: "transform"}}
	got := describe(t, "stg_zendesk__sla_policy_metric_history", cols, func(in *Input) { in.Config.DescribeFromName = false })
	for _, c := range cols {
		if d := got[c.Name].Description; d != "" {
			t.Errorf("sla policy metric history: %s = %q", c.Name, d)
		}
	}
	// The daily rows of the history are its rows: its texts hold. A ticket's last update is
	// not a change's.
	got = describe(t, "stg_zendesk__ticket_field_history_daily", cols, func(in *Input) { in.Config.DescribeFromName = false })
	if d := got["valid_starting_at"].Description; d != "The time the ticket field value became valid." {
		t.Errorf("ticket field history daily: valid_starting_at = %q", d)
	}
	if d := got["created_at"].Description; d != "The time the ticket field history row was created." {
		t.Errorf("ticket field history daily: created_at = %q", d)
	}
	if d := got["updated_at"].Description; d != "" {
		t.Errorf("ticket field history daily: updated_at = %q", d)
	}
}

func TestOtherEntity(t *testing.T) {
	for _, c := range []struct {
		target, from, column, text string
		other                      bool
	}{
		{"stg_sla_policy_history", "stg_ticket_field_history", "created_at", "The time the ticket field history was created.", true},
		{"stg_jira__issue_field_history", "int_jira__issue_join", "updated_at", "When the issue was last updated.", true},
		{"stg_jira__issue_field_history", "jira__user_enhanced", "is_active", "Whether this user is currently active.", true},
		{"stg_ticket_fields", "stg_ticket_field_history", "created_at", "The time the ticket field value was set.", true},
		{"stg_orders", "stg_order_items", "created_at", "When the order item was created.", true},
		// the same entity, or a text about the target's
		{"orders_snapshot", "stg_orders", "created_at", "When the order was created.", false},
		{"stg_jira__user_tmp", "jira__user_enhanced", "email", "Email of the user's account.", false},
		{"jira__timestamp_issue_field_history", "stg_jira__issue_field_history", "is_active", "Whether this issue field is active.", false},
		{"stg_orders", "stg_order_items", "created_at", "When the order was created.", false},
		{"stg_users", "stg_accounts", "created_at", "Timestamp of record creation.", false},
	} {
		if got := otherEntity(c.target, c.from, c.column, c.text); got != c.other {
			t.Errorf("otherEntity(%s, %s, %s, %q) = %v", c.target, c.from, c.column, c.text, got)
		}
	}
}

type fakeKnowledge struct {
	earlier   []Candidate
	retrieved []Candidate
}

func (f fakeKnowledge) Earlier(string) []Candidate          { return f.earlier }
func (f fakeKnowledge) Retrieve(string, string) []Candidate { return f.retrieved }

func TestDescribeHistoryAndDocs(t *testing.T) {
	k := fakeKnowledge{
		earlier: []Candidate{
			{Text: "Primary key of the refunds table.", Model: "stg_refunds", Source: "models/staging/_refunds.yml", Line: 4, Commit: "0123456789abcdef"},
			{Text: "When the refund was issued.", Model: "stg_refunds", Source: "models/staging/_refunds.yml", Line: 9, Commit: "fedcba9876543210"},
		},
	}
	got := describe(t, "fct_returns", []change.Column{{Name: "refunded_at", Kind: "transform"}}, func(in *Input) { in.Knowledge = k })
	// The first candidate claims a key: not for a timestamp column. The second is taken.
	if c := got["refunded_at"]; c.Description != "When the refund was issued." || c.DescriptionFrom != "history:fedcba987654" ||
		c.DescriptionSource != "models/staging/_refunds.yml:9" {
		t.Errorf("refunded_at = %+v", c)
	}

	low := fakeKnowledge{retrieved: []Candidate{{Text: "Refund reason code.", Source: "docs/glossary.md", Line: 3, Score: DocsThreshold - 0.01}}}
	got = describe(t, "fct_returns", []change.Column{{Name: "reason", Kind: "transform"}}, func(in *Input) {
		in.Knowledge = low
		in.Config.DescribeFromName = false
	})
	if c := got["reason"]; c.Description != "" {
		t.Errorf("a retrieved text below the threshold was used: %+v", c)
	}
	high := fakeKnowledge{retrieved: []Candidate{{Text: "Why the customer sent it back.", Source: "docs/glossary.md", Line: 7, Score: DocsThreshold}}}
	got = describe(t, "fct_returns", []change.Column{{Name: "reason", Kind: "transform"}}, func(in *Input) { in.Knowledge = high })
	if c := got["reason"]; c.Description != "Why the customer sent it back." || c.DescriptionFrom != FromDocs || c.DescriptionSource != "docs/glossary.md:7" {
		t.Errorf("reason = %+v", c)
	}
}

// A placeholder upstream ("N/A", "TBD.", DESCRIPTION_PLACEHOLDER) is no description to copy.
func TestDescribeSkipsPlaceholders(t *testing.T) {
	s := &synth{in: Input{Config: DefaultConfig()}}
	for _, d := range []string{"N/A", "TBD.", "DESCRIPTION_PLACEHOLDER", "DESCRIPTION_PLACEHOLDERs", "todo", "..."} {
		if !s.isPlaceholder(d) {
			t.Errorf("%q is copied", d)
		}
	}
	if s.isPlaceholder("Not applicable to refunds.") {
		t.Error("a sentence is taken for a placeholder")
	}
}

func TestDescribeDictionaryNameAndPlaceholder(t *testing.T) {
	dictYAML := "columns:\n  shipped_at: When the parcel left the warehouse.\n"
	saved := describeFixture["dictionary.yml"]
	describeFixture["dictionary.yml"] = dictYAML
	defer func() {
		if saved == "" {
			delete(describeFixture, "dictionary.yml")
		}
	}()
	got := describe(t, "fct_returns", []change.Column{{Name: "shipped_at", Kind: "transform"}, {Name: "is_gift", Kind: "transform"},
		{Name: "x", Kind: "transform"}}, func(in *Input) {
		d, err := LoadDictionary(in.Project.Root, "dictionary.yml")
		if err != nil {
			t.Fatal(err)
		}
		in.Dictionary = d
	})
	if c := got["shipped_at"]; c.Description != "When the parcel left the warehouse." || c.DescriptionFrom != FromDictionary || c.DescriptionSource != "dictionary.yml:2" {
		t.Errorf("shipped_at = %+v", c)
	}
	if c := got["is_gift"]; c.Description != "Whether the return is gift." || c.DescriptionFrom != FromName {
		t.Errorf("is_gift = %+v", c)
	}
	// A placeholder the team set wins over a name description.
	got = describe(t, "fct_returns", []change.Column{{Name: "is_gift", Kind: "transform"}}, func(in *Input) {
		in.Config.DescriptionPlaceholder = "TODO"
	})
	if c := got["is_gift"]; c.Description != "TODO" || c.DescriptionFrom != FromPlaceholder || c.DescriptionSource != "" {
		t.Errorf("placeholder: %+v", c)
	}
}

func TestDescribeSourceOrder(t *testing.T) {
	// With name descriptions learned to be kept more often than the project's, they come first.
	got := describe(t, "fct_returns", []change.Column{{Name: "amount_usd", Kind: "transform"}}, func(in *Input) {
		in.Config.SourceOrder = []string{FromName, FromUpstream, FromProject}
	})
	if c := got["amount_usd"]; c.DescriptionFrom != FromName || c.Description != "The amount USD." {
		t.Errorf("amount_usd = %+v", c)
	}
	got = describe(t, "fct_returns", []change.Column{{Name: "amount_usd", Kind: "transform"}}, nil)
	if c := got["amount_usd"]; c.DescriptionFrom != "project:stg_orders.amount_usd" {
		t.Errorf("default order: %+v", c)
	}
}

func TestNameDescription(t *testing.T) {
	for _, tc := range []struct{ model, column, want string }{
		{"fct_orders", "order_id", "The unique ID of the order."},
		{"vw_orders", "status", "The status of the order."},
		{"fct_orders", "unique_key", "The unique key."},
		{"fct_rates", "from_currency", "The from currency."},
		{"hub_company", "name", "The name of the company."},
		{"fct_orders", "customer_id", "The ID of the customer."},
		{"dim_accounts", "parent_id", "The ID of the parent account."},
		{"int_events", "parent_id", "The ID of the parent event."},
		{"stg_deployments", "project_surrogate_key", "The surrogate key of the project."},
		{"fct_orders", "customer_natural_id", "The natural ID of the customer."},
		{"stg_stripe__payment_intents", "id", "The unique ID of the payment intent."},
		{"fct_orders", "shipped_at", "The date and time the order was shipped."},
		{"fct_licenses", "starts_at", "The date and time the license was started."},
		{"fct_orders", "created_at", "The date and time the order was created."},
		{"fct_orders", "event_timestamp", "The event timestamp."},
		{"dim_clients", "first_name", "The first name."},
		{"fct_sessions", "sessions_per_day", "The sessions per day."},
		{"fct_visits", "done_count_driver_day", "The done count driver per day."},
		{"fct_visits", "avg_duration_day", "The average duration per day."},
		{"fct_visits", "visit_day", "The visit date."},
		{"dim_accounts", "deleted_yn", "Whether the account is deleted."},
		{"fct_orders", "created_at_utc", "The date and time the order was created (UTC)."},
		{"fct_orders", "created_at_localized", "The date and time the order was created (local time)."},
		{"int_join_orders_and_items", "is_gift", "Whether the row is gift."},
		{"int_join_orders_and_items", "created_at", "The date and time the row was created."},
		{"dim_accounts", "is_extracted_yn", "Whether the account is extracted."},
		{"dim_accounts", "active_flag", "Whether the account is active."},
		{"dim_accounts", "walk_in_yn", "Whether walk in applies (yes or no)."},
		{"fct_bids", "rejected_reason", "The rejected reason."},
		{"fct_bids", "recognized_amount", "The recognized amount."},
		{"fct_bids", "approved_count", "The approved count."},
		{"dim_people", "birth_day", "The birth date."},
		{"dim_clients", "client_first_name", "The client first name."},
		{"dim_clients", "postal_code", "The postal code."},
		{"fct_orders", "number_of_items", "The number of items."},
		{"fct_usage", "usage_in_currency", "The usage in currency."},
		{"fct_revenue", "revenue_by_region", "The revenue by region."},
		{"fct_costs", "cost_per_unit", "The cost per unit."},
		{"fct_prices", "price_at_close", "The price at close."},
		{"fct_players", "rank_by_score", "The rank by score."},
		{"fct_orders", "total_for_country", "The total for country."},
		{"fct_bids", "bid_is_active", "Whether the bid is active."},
		{"fct_bids", "bid_has_changed_prices", "Whether the bid has changed prices."},
		{"fct_orders", "local_time", "The local time."},
		{"fct_orders", "high_watermark_date_time", "The high watermark date and time."},
		{"fct_orders", "confirmed_date_time", "The date and time the order was confirmed."},
		{"fct_orders", "is_deleted", "Whether the order is deleted."},
		{"fct_orders", "has_discount", "Whether the order has discount."},
		{"fct_licenses", "in_salesforce", "Whether the license is in salesforce."},
		{"dim_products", "in_stock", "Whether the product is in stock."},
		{"fct_orders", "in", "The in."},
		{"fct_tickets", "sla_elapsed_time", "The sla elapsed time."},
		{"fct_orders", "created_at_month", "The month the order was created."},
		{"fct_orders", "order_date_week", "The week of the order date."},
		{"dim_prices", "valid_from", "The date and time from which this version of the price is valid."},
		{"dim_prices", "effective_to", "The date and time until which this version of the price is valid."},
		{"snap_orders", "dbt_valid_to", "The date and time until which this version of the order is valid; empty for the current version."},
		{"stg_jira__issue", "_fivetran_synced", "The date and time Fivetran last synced the row."},
		{"stg_events", "_sdc_batched_at", "The date and time Stitch loaded the row."},
		{"stg_events", "_fivetran_note", "The fivetran note."},
		{"d_drivers", "driver_second_name", "The driver second name."},
		{"f_results", "has_fastest_lap", "Whether the result has fastest lap."},
		{"fct_orders", "order_date", "The order date."},
		{"metricflow_time_spine", "date_day", "The calendar day."},
		{"dim_dates", "date_month", "The calendar month."},
		{"fct_payments", "paid_on", "The date the payment was paid."},
		{"fct_licenses", "license_started_date", "The date the license was started."},
		{"fct_orders", "count_items", "The number of items."},
		{"fct_orders", "item_count", "The number of items."},
		{"fct_orders", "category_count", "The number of categories."},
		{"fct_orders", "customer_name", "The name of the customer."},
		{"dim_accounts", "name", "The name of the account."},
		{"fct_orders", "total_amt", "The total amount."},
		{"fct_orders", "shippingAddress", "The shipping address."},
		{"fct_orders", "ip", "The IP."},
		{"fct_orders", "", ""},
	} {
		if got := nameDescription(tc.model, tc.column); got != tc.want {
			t.Errorf("nameDescription(%q, %q) = %q, want %q", tc.model, tc.column, got, tc.want)
		}
	}
}

func TestDescriptionsListTheirSources(t *testing.T) {
	got := describe(t, "fct_orders", []change.Column{direct("amount_usd", "model.p.stg_orders", "amount_usd")}, nil)
	if got["amount_usd"].Description == "" {
		t.Fatal("nothing described")
	}
	plan := &Plan{Ops: []Op{{Kind: OpAddColumn, File: "models/marts/_marts.yml", Model: "fct_orders", Column: got["amount_usd"]},
		{Kind: OpAddColumn, File: "models/marts/_marts.yml", Model: "fct_orders", Column: ColumnSpec{Name: "bare"}}}}
	ds := plan.Descriptions()
	if len(ds) != 1 || ds[0].Column != "amount_usd" || !strings.HasPrefix(ds[0].From, "upstream:") || ds[0].Source == "" || ds[0].File != "models/marts/_marts.yml" {
		t.Errorf("Descriptions() = %+v", ds)
	}
}

// Two models equally near, with the same words for a column: the one that lends them (and is
// named as the source) is the same on every run, the first by path and name.
func TestDescribeProjectTieIsStable(t *testing.T) {
	saved := describeFixture
	defer func() { describeFixture = saved }()
	describeFixture = map[string]string{}
	for k, v := range saved {
		describeFixture[k] = v
	}
	for _, m := range []string{"b_sales", "a_sales", "c_sales"} {
		describeFixture["models/marts/"+m+".sql"] = "select 'x' as region\n"
		describeFixture["models/marts/_"+m+".yml"] = "version: 2\nmodels:\n  - name: " + m +
			"\n    columns:\n      - name: region\n        description: Sales region of the order.\n"
	}
	for i := 0; i < 20; i++ {
		got := describe(t, "fct_orders", []change.Column{{Name: "region", Kind: "transform"}}, nil)
		if c := got["region"]; c.Description != "Sales region of the order." || c.DescriptionFrom != "project:a_sales.region" ||
			c.DescriptionSource != "models/marts/_a_sales.yml:5" {
			t.Fatalf("run %d: region = %+v", i, c)
		}
	}
}

func TestSingularWord(t *testing.T) {
	for in, want := range map[string]string{
		"customers": "customer", "categories": "category", "addresses": "address", "statuses": "status",
		"alias": "alias", "series": "series", "news": "news", "movies": "movie", "status": "status",
		"analysis": "analysis", "quotas": "quota", "boxes": "box",
	} {
		if got := singularWord(in); got != want {
			t.Errorf("singularWord(%q) = %q, want %q", in, got, want)
		}
	}
}

// A description calling a docs block the project lacks is not copied: it would break the
// parse of the file it lands in. One whose block exists is, as the call.
func TestDescribeSkipsUnknownDocBlocks(t *testing.T) {
	saved := describeFixture
	describeFixture = map[string]string{}
	for k, v := range saved {
		describeFixture[k] = v
	}
	defer func() { describeFixture = saved }()
	describeFixture["models/staging/_artifacts.yml"] = "version: 2\nsources:\n  - name: artifacts\n    tables:\n      - name: runs\n        columns:\n" +
		"          - name: region\n            description: '{{ doc(\"region\") }}'\n          - name: zone\n            description: '{{ doc(\"zone\") }}'\n"
	describeFixture["models/staging/docs.md"] = "{% docs zone %}The delivery zone.{% enddocs %}\n"
	got := describe(t, "fct_orders", []change.Column{{Name: "region", Kind: "transform"}, {Name: "zone", Kind: "transform"}}, nil)
	if c := got["region"]; strings.Contains(c.Description, "doc(") {
		t.Errorf("region copied a call to a missing docs block: %+v", c)
	}
	if c := got["zone"]; c.Description != `{{ doc("zone") }}` {
		t.Errorf("zone = %+v, want the call to its docs block", c)
	}
}

// A type is written as the team spells it: on BigQuery, int64 for a cast to integer and
// boolean for bool where those are the project's words.
func TestTypeKindSpellings(t *testing.T) {
	for _, c := range []struct{ adapter, a, b string }{
		{"bigquery", "integer", "INT64"}, {"bigquery", "bool", "boolean"}, {"bigquery", "string", "STRING"},
		{"snowflake", "integer", "int"}, {"postgres", "text", "varchar"},
	} {
		if typeKind(c.adapter, c.a) != typeKind(c.adapter, c.b) {
			t.Errorf("%s: %s and %s are not one kind", c.adapter, c.a, c.b)
		}
	}
	if typeKind("snowflake", "int64") == typeKind("snowflake", "integer") || typeKind("bigquery", "varchar(20)") == typeKind("bigquery", "string") {
		t.Error("kinds merged across what the adapter tells apart")
	}
	st := &projectStyle{lowerTypes: true, spelling: map[string]string{"int64": "int64", "bool": "boolean"}}
	s := &synth{p: &dbt.Project{Adapter: "bigquery"}, style: st}
	for in, want := range map[string]string{"integer": "int64", "bool": "boolean", "date": "date"} {
		if got := s.typeOf(&dbt.Node{}, change.Column{DataType: in}, true); got != want {
			t.Errorf("typeOf(%s) = %s, want %s", in, got, want)
		}
	}
}
