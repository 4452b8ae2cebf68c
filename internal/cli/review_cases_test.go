package cli

// Golden pull-request reviews, built and replayed through git as the schema cases are
// (schema_cases_test.go).

func demoEdit(path string) func(string) string {
	for _, e := range demoEdits {
		if e.path == path {
			return func(s string) string {
				out, err := e.edit(s)
				if err != nil {
					panic(err)
				}
				return out
			}
		}
	}
	panic("no demo edit for " + path)
}

func demoHead() map[string]func(string) string {
	out := map[string]func(string) string{}
	for _, e := range demoEdits {
		out[e.path] = demoEdit(e.path)
	}
	return out
}

var reviewCases = []prCase{
	{name: "review_demo_markdown", head: demoHead()},
	{name: "review_demo_json", head: demoHead()},
	// Text output names the base ref, which differs through git; the other cases cover the
	// git path and TestE2E pins this one's output and written files.
	{name: "review_fix", head: demoHead(), notThroughGit: true},
	{
		// A renamed column that the mart is updated for is non-breaking; a join made inner
		// changes the grain of fct_orders.
		name: "review_rename_and_join",
		head: map[string]func(string) string{
			"models/staging/stg_customers.sql": renameSignedUp,
			"models/marts/dim_customers.sql":   dimRenameSigned,
			"models/marts/fct_orders.sql":      replace("left join", "inner join"),
		},
	},
	{
		// A change to models switched off by a var: the review proposes their property
		// edits and tests as for any model, and adds no lineage findings (nothing enabled
		// reads them; dbt builds none of them here).
		name: "review_model_off",
		base: loyaltyOff,
		head: map[string]func(string) string{
			"models/loyalty/stg_loyalty_members.sql": replace("        first_name\n", "        first_name,\n        last_name\n"),
			"models/loyalty/fct_loyalty.sql":         replace("    first_name\n", "    first_name,\n    last_name\n"),
		},
	},
	{
		// A left join added to a lookup the model did not read before (to take one column
		// from it) keeps every order: the change adds a column and is non-breaking, with no
		// grain-change warning.
		name: "review_left_join_added",
		head: map[string]func(string) string{
			"models/marts/fct_orders.sql": chain(
				replace("payments as (\n", "customers as (\n\n    select * from {{ ref('stg_customers') }}\n\n),\n\npayments as (\n"),
				replace("    orders.status,\n", "    orders.status,\n    customers.country_code,\n"),
				replace("left join payments\n", "left join customers\n    on orders.customer_id = customers.customer_id\nleft join payments\n"),
			),
		},
	},
	{
		// Order statuses normalised by a CASE that folds return_pending into returned and
		// sends anything else to cancelled: the accepted_values test on status does not list
		// cancelled, so it would fail on the first such order (tests/unlisted-value).
		name: "review_unlisted_value",
		head: map[string]func(string) string{
			"models/staging/stg_orders.sql": replace("        status,\n", "        case\n            when status in ('returned', 'return_pending') then 'returned'\n            when status = 'completed' then 'completed'\n            when status = 'shipped' then 'shipped'\n            when status = 'placed' then 'placed'\n            else 'cancelled'\n        end as status,\n"),
		},
	},
	{
		// A union branch added with the payments of another export, read through a new CTE
		// that dedupes and filters them, brings rows and keeps every existing one: its
		// DISTINCT and WHERE decide only the new rows, so the change is non-breaking, with no
		// grain-change warning.
		name: "review_union_branch_added",
		head: map[string]func(string) string{
			"models/staging/stg_payments.sql": chain(
				replace("renamed as (\n", "legacy as (\n\n    select distinct\n        id as payment_id,\n        order_id,\n        payment_method,\n        {{ cents_to_dollars('amount_cents') }} as amount,\n        cast(paid_at as timestamp) as paid_at\n    from {{ ref('raw_payments') }}\n    where payment_method = 'bank_transfer'\n\n),\n\nrenamed as (\n"),
				replace("\nselect * from renamed\n", "\nselect * from renamed\nunion all\nselect * from legacy\n"),
			),
		},
	},
	{
		// The same branch taken away again: every row it brought is gone, so the change is
		// breaking, with a grain-change warning where the branch was.
		name: "review_union_branch_removed",
		base: map[string]func(string) string{
			"models/staging/stg_payments.sql": chain(
				replace("renamed as (\n", "legacy as (\n\n    select distinct\n        id as payment_id,\n        order_id,\n        payment_method,\n        {{ cents_to_dollars('amount_cents') }} as amount,\n        cast(paid_at as timestamp) as paid_at\n    from {{ ref('raw_payments') }}\n    where payment_method = 'bank_transfer'\n\n),\n\nrenamed as (\n"),
				replace("\nselect * from renamed\n", "\nselect * from renamed\nunion all\nselect * from legacy\n"),
			),
		},
		head: map[string]func(string) string{
			"models/staging/stg_payments.sql": chain(
				replace("legacy as (\n\n    select distinct\n        id as payment_id,\n        order_id,\n        payment_method,\n        {{ cents_to_dollars('amount_cents') }} as amount,\n        cast(paid_at as timestamp) as paid_at\n    from {{ ref('raw_payments') }}\n    where payment_method = 'bank_transfer'\n\n),\n\n", ""),
				replace("\nselect * from renamed\nunion all\nselect * from legacy\n", "\nselect * from renamed\n"),
			),
		},
	},
	{
		// Configuration set in a property file weighs as config() does: dim_products moves to
		// another schema under another name, which the review says as for config(). A meta key
		// added to fct_daily_revenue's entry changes nothing it builds: no model change.
		name: "review_property_file_config",
		head: map[string]func(string) string{
			"models/marts/_marts.yml": chain(
				replace("  - name: dim_products\n", "  - name: dim_products\n    config:\n      schema: finance\n      alias: products\n"),
				replace("  - name: fct_daily_revenue\n", "  - name: fct_daily_revenue\n    config:\n      meta:\n        owner: finance\n"),
			),
		},
	},
	{
		// A renamed model's relation is renamed with it: queries outside dbt that name
		// stg_payments break, as they would on an alias change.
		name: "review_model_renamed_relation",
		head: map[string]func(string) string{
			"models/staging/stg_payments.sql":               deleted,
			"models/staging/stg_payment_events.sql":         func(string) string { return shopFile("models/staging/stg_payments.sql") },
			"models/intermediate/int_payments_by_order.sql": replace("ref('stg_payments')", "ref('stg_payment_events')"),
		},
	},
	{
		// A snapshot's key and check columns changed, another snapshot removed: no model
		// changes, yet the history tables recorded under the old settings are the reviewer's
		// business.
		name: "review_snapshot_history",
		base: map[string]func(string) string{
			"snapshots/orders_snapshot.sql":   content("{% snapshot orders_snapshot %}\n{{\n    config(\n      target_schema='snapshots',\n      unique_key='order_id',\n      strategy='check',\n      check_cols=['status'],\n    )\n}}\nselect * from {{ ref('stg_orders') }}\n{% endsnapshot %}\n"),
			"snapshots/payments_snapshot.sql": content("{% snapshot payments_snapshot %}\n{{ config(target_schema='snapshots', unique_key='payment_id', strategy='check', check_cols='all') }}\nselect * from {{ ref('stg_payments') }}\n{% endsnapshot %}\n"),
		},
		head: map[string]func(string) string{
			"snapshots/orders_snapshot.sql":   chain(replace("unique_key='order_id'", "unique_key=['order_id', 'customer_id']"), replace("check_cols=['status']", "check_cols=['status', 'ordered_at']")),
			"snapshots/payments_snapshot.sql": deleted,
		},
	},
	{
		// Formatting only: nothing breaks, lint is quiet on untouched lines.
		name: "review_formatting_only",
		head: map[string]func(string) string{
			"models/marts/fct_daily_revenue.sql": replace("where status != 'returned'\n", "where status != 'returned'  -- returns are refunded\n"),
		},
	},
	{
		// A property file that lists a column twice (two descriptions pasted under one name,
		// as real projects carry for years) is the same on both sides: only the model the
		// change touched is reviewed, nothing else shows as modified.
		name: "review_duplicate_column_entry",
		base: map[string]func(string) string{
			"models/staging/_staging.yml": replace("      - name: country_code\n",
				"      - name: email\n        description: Address the receipts go to.\n      - name: country_code\n"),
		},
		head: map[string]func(string) string{
			"models/marts/fct_daily_revenue.sql": replace("where status != 'returned'\n", "where status != 'returned'  -- returns are refunded\n"),
		},
	},
	{
		// A new model's reference gets its relationships test written as the project writes
		// tests (under arguments:, as most of its files do), though the file the entry lands
		// in has no test with arguments to copy. It is not confirmed on data: only
		// --fix-unverified makes it an edit.
		name: "review_test_arguments_habit",
		head: map[string]func(string) string{
			"models/intermediate/int_order_item_quantities.sql": content("select order_item_id, order_id, quantity from {{ ref('stg_order_items') }}\n"),
			".dataops.yml": content("tests:\n  min_confidence: 0.4\n"),
		},
	},
}
