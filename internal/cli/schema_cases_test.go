package cli

// Pull-request cases for `dataops schema`, `dataops diff` and `dataops review`. Each case
// starts from the examples/shop project with its seed files cut to their header line (column
// inference needs no more), applies edits to make the base (before the change) and then the
// head (the change itself), and runs the command of testdata/e2e/<name>/cmd on the head with
// --base-dir {base}. The case folder keeps only cmd and expected/: the trees are built at test
// time, so a change to examples/shop reaches every case (and `-update` pins what it changes).
//
// TestPRCasesThroughGit also replays every case through git: it commits the base in a fresh
// repository, puts the head in the work tree, runs the same command with --base HEAD and checks
// it prints what the directory comparison pinned, so both ways of naming a base (and the light
// and the full base) agree.

import (
	"bytes"
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type prCase struct {
	name string
	// base edits the base (before the change) and head the change itself: path -> function
	// of the file's content ("" when it does not exist) returning the new content ("" deletes).
	base map[string]func(string) string
	head map[string]func(string) string
	// notThroughGit leaves the case out of the git replay, for output that names the base.
	notThroughGit bool
}

// prCaseNamed finds the pull-request case of a testdata/e2e folder.
func prCaseNamed(name string) (prCase, bool) {
	for _, c := range slices.Concat(prCases, reviewCases, llmPRCases) {
		if c.name == name {
			return c, true
		}
	}
	return prCase{}, false
}

// trees builds the case's base and head from examples/shop.
func (c prCase) trees(t testing.TB) (base, head map[string]string) {
	base = applyEdits(shopTree(t), c.base)
	return base, applyEdits(base, c.head)
}

func replace(old, new string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, old) {
			panic("case edit: text not found: " + old)
		}
		return strings.Replace(s, old, new, 1)
	}
}

// loyaltyOff adds models switched off by default by a var, documented as the team does.
var loyaltyOff = map[string]func(string) string{
	"dbt_project.yml":                        replace("    marts:\n", "    loyalty:\n      +enabled: \"{{ var('shop_loyalty', false) }}\"\n    marts:\n"),
	"models/loyalty/stg_loyalty_members.sql": content("select\n        customer_id,\n        first_name\nfrom {{ ref('stg_customers') }}\n"),
	"models/loyalty/fct_loyalty.sql":         content("select\n    customer_id,\n    first_name\nfrom {{ ref('stg_loyalty_members') }}\n"),
	"models/loyalty/_loyalty.yml": content("version: 2\n\nmodels:\n  - name: stg_loyalty_members\n    description: Customers in the loyalty programme.\n    columns:\n" +
		"      - name: customer_id\n        description: Primary key of the customer.\n      - name: first_name\n        description: Given name.\n\n" +
		"  - name: fct_loyalty\n    description: One row per loyalty member.\n    columns:\n      - name: customer_id\n        description: Primary key of the customer.\n" +
		"      - name: first_name\n        description: Given name.\n"),
}

func content(s string) func(string) string { return func(string) string { return s } }

func deleted(string) string { return "" }

func chain(fs ...func(string) string) func(string) string {
	return func(s string) string {
		for _, f := range fs {
			s = f(s)
		}
		return s
	}
}

// Edits shared by several cases.
var (
	addEmailDomain = replace("        lower(email) as email,\n",
		"        lower(email) as email,\n        split_part(lower(email), '@', 2) as email_domain,\n")
	dropLastName    = replace("        last_name,\n", "")
	renameSignedUp  = replace("as date) as signed_up_on", "as date) as signup_date")
	dimRenameSigned = replace("customers.signed_up_on,", "customers.signup_date,")
	newPaymentsMart = content(`with payments as (

    select * from {{ ref('stg_payments') }}

)

select
    payment_id,
    order_id,
    payment_method,
    amount,
    paid_at,
    cast(paid_at as date) as paid_on
from payments
`)
)

var prCases = []prCase{
	{
		name: "schema_column_added",
		head: map[string]func(string) string{
			"models/staging/stg_customers.sql": addEmailDomain,
			// A pass-through column downstream inherits its upstream description.
			"models/marts/fct_orders.sql": replace("    orders.status,\n", "    orders.status,\n    orders.ordered_at as placed_at,\n"),
		},
	},
	{
		name: "schema_column_dropped",
		head: map[string]func(string) string{"models/staging/stg_customers.sql": dropLastName,
			"models/marts/dim_customers.sql": replace("    customers.last_name,\n", "")},
	},
	{
		name: "schema_column_dropped_remove_stale",
		head: map[string]func(string) string{"models/staging/stg_customers.sql": dropLastName,
			"models/marts/dim_customers.sql": replace("    customers.last_name,\n", ""),
			".dataops.yml":                   content("schema:\n  remove_stale: true\n")},
	},
	{
		name: "schema_column_renamed",
		head: map[string]func(string) string{"models/staging/stg_customers.sql": renameSignedUp,
			"models/marts/dim_customers.sql": dimRenameSigned},
	},
	{
		name: "schema_type_changed",
		// The project writes data_type for stg_payments, so a changed type is kept in step.
		base: map[string]func(string) string{"models/staging/_staging.yml": chain(
			replace("      - name: payment_id\n", "      - name: payment_id\n        data_type: integer\n"),
			replace("      - name: payment_method\n", "      - name: payment_method\n        data_type: varchar\n"),
			replace("              values: [\"credit_card\", \"bank_transfer\", \"coupon\", \"gift_card\"]\n",
				"              values: [\"credit_card\", \"bank_transfer\", \"coupon\", \"gift_card\"]\n      - name: paid_at\n        data_type: timestamp\n"))},
		head: map[string]func(string) string{"models/staging/stg_payments.sql": replace(
			"cast(paid_at as timestamp) as paid_at", "cast(paid_at as date) as paid_at")},
	},
	{
		name: "schema_new_model_existing_folder",
		head: map[string]func(string) string{"models/marts/fct_payments.sql": newPaymentsMart},
	},
	{
		name: "schema_new_model_new_folder",
		head: map[string]func(string) string{"models/finance/fin_payments.sql": newPaymentsMart},
	},
	{
		// The team states its naming rules: a new mart is held to them, and each finding
		// names the setting it comes from. (Without them, examples/shop's own names make
		// no _date rule: it names a date signed_up_on.)
		name: "schema_naming_stated",
		base: map[string]func(string) string{".dataops.yml": content("schema:\n  naming:\n    date_suffix: _date\n    require_descriptions: [marts]\n    model_prefixes:\n      marts: [fct_, dim_]\n")},
		head: map[string]func(string) string{"models/marts/payments.sql": newPaymentsMart},
	},
	{
		name: "schema_model_deleted",
		head: map[string]func(string) string{"models/marts/dim_products.sql": deleted},
	},
	{
		// A family of models switched off by a var (another configuration of the project
		// builds them) is maintained as any other: the column added to the staging model
		// that is off, and passed through by the mart that is off, is documented in both,
		// its description read through the models that are off.
		name: "schema_model_off",
		base: loyaltyOff,
		head: map[string]func(string) string{
			"models/loyalty/stg_loyalty_members.sql": replace("        first_name\n", "        first_name,\n        last_name\n"),
			"models/loyalty/fct_loyalty.sql":         replace("    first_name\n", "    first_name,\n    last_name\n"),
		},
	},
	{
		name: "schema_model_renamed",
		head: map[string]func(string) string{
			"models/staging/stg_payments.sql":               deleted,
			"models/staging/stg_payment_events.sql":         func(string) string { return shopFile("models/staging/stg_payments.sql") },
			"models/intermediate/int_payments_by_order.sql": replace("ref('stg_payments')", "ref('stg_payment_events')"),
		},
	},
	{
		name: "schema_yaml_styles",
		base: map[string]func(string) string{"models/staging/_staging.yml": content(styledStaging)},
		head: map[string]func(string) string{
			"models/staging/stg_customers.sql": addEmailDomain,
			"models/staging/stg_products.sql":  replace("        category,\n", "        category,\n        upper(sku) as sku_code,\n"),
			"models/staging/stg_orders.sql":    replace("        status,\n", "        status,\n        ordered_at is not null as is_placed,\n"),
		},
	},
	{
		name: "schema_dictionary",
		head: map[string]func(string) string{
			"models/staging/stg_customers.sql": addEmailDomain,
			".dataops.yml":                     content("schema:\n  dictionary: dictionary.csv\n"),
			"dictionary.csv":                   content("column,description\nemail_domain,\"Domain part of the email address, lower case.\"\n"),
		},
	},
	{
		name: "schema_check",
		head: map[string]func(string) string{"models/staging/stg_customers.sql": addEmailDomain},
	},
	{
		name: "schema_write",
		head: map[string]func(string) string{"models/staging/stg_customers.sql": addEmailDomain,
			"models/marts/fct_payments.sql": newPaymentsMart},
	},
	{
		name: "schema_json",
		head: map[string]func(string) string{"models/staging/stg_customers.sql": chain(addEmailDomain, dropLastName),
			"models/marts/dim_customers.sql": replace("    customers.last_name,\n", "")},
	},
	{
		name: "diff_json",
		head: map[string]func(string) string{
			"models/staging/stg_customers.sql":              chain(addEmailDomain, renameSignedUp, dropLastName),
			"models/marts/dim_customers.sql":                chain(dimRenameSigned, replace("    customers.last_name,\n", "")),
			"models/marts/dim_products.sql":                 deleted,
			"models/marts/fct_payments.sql":                 newPaymentsMart,
			"models/staging/stg_payments.sql":               deleted,
			"models/staging/stg_payment_events.sql":         func(string) string { return shopFile("models/staging/stg_payments.sql") },
			"models/intermediate/int_payments_by_order.sql": replace("ref('stg_payments')", "ref('stg_payment_events')"),
			"models/marts/fct_daily_revenue.sql":            replace("{{", "{{ config(materialized='view') }}\n{{"),
		},
	},
	{
		name: "diff_text",
		head: map[string]func(string) string{
			"models/staging/stg_customers.sql":              chain(addEmailDomain, renameSignedUp, dropLastName),
			"models/marts/dim_customers.sql":                chain(dimRenameSigned, replace("    customers.last_name,\n", "")),
			"models/marts/dim_products.sql":                 deleted,
			"models/staging/stg_payments.sql":               deleted,
			"models/staging/stg_payment_events.sql":         func(string) string { return shopFile("models/staging/stg_payments.sql") },
			"models/intermediate/int_payments_by_order.sql": replace("ref('stg_payments')", "ref('stg_payment_events')"),
		},
	},
}

// styledStaging is _staging.yml written with every YAML habit the editor must leave alone:
// comments, an anchor and its aliases, block and folded scalars, flow lists, list items flush
// with their key and indented under it.
const styledStaging = `version: 2

# Staging models: one per raw table, renamed and typed.
x-key-tests: &key_tests
  - unique
  - not_null

models:
- name: stg_customers   # the back office export
  description: |
    One row per customer, cleaned from the back office export.
    Emails are lower-cased.
  columns:
  - name: customer_id
    description: Primary key of the customer.
    data_tests: *key_tests
  - {name: first_name, description: Given name.}
  - name: last_name
    description: Family name.
  - name: email
    description: >-
      Lower-cased email address; empty when the customer
      never gave one.
  # country is the shipping country
  - name: country_code
    description: 'ISO 3166-1 alpha-2 code of the shipping country.'
  - name: signed_up_on
    description: "Day the customer created an account."

- name: stg_products
  description: One row per product of the catalogue.
  columns:
    - name: product_id
      data_tests: [unique, not_null]
    - name: sku
    - name: product_name
    - name: category
    - name: price
      description: List price in dollars.

- name: stg_orders
  columns: [{name: order_id, data_tests: [unique]}, {name: customer_id}, {name: ordered_at}, {name: status}]

- name: stg_order_items
  description: One row per order line.

- name: stg_payments
  description: One row per payment.
`

func shopFile(rel string) string {
	data, err := os.ReadFile(filepath.Join("../../examples/shop", filepath.FromSlash(rel)))
	if err != nil {
		panic(err)
	}
	return string(data)
}

// shopTree reads examples/shop, seeds cut to their header line (column inference needs no
// more) and the data generator left out.
func shopTree(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := "../../examples/shop"
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch rel {
			case "gen", "target", "logs", ".dataops", "dbt_packages":
				return filepath.SkipDir
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(data)
		if strings.HasSuffix(rel, ".csv") {
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[:i+1]
			}
		}
		out[rel] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func applyEdits(tree map[string]string, edits map[string]func(string) string) map[string]string {
	out := maps.Clone(tree)
	// Sorted so that a case that reads another file's content sees the same tree every time.
	for _, k := range slices.Sorted(maps.Keys(edits)) {
		if v := edits[k](tree[k]); v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func writeTree(t testing.TB, dir string, tree map[string]string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for rel, s := range tree {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readTreeFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		data, _ := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	return out
}

func TestPRCasesThroughGit(t *testing.T) {
	for _, c := range slices.Concat(prCases, reviewCases) {
		dir := filepath.Join(e2eRoot, c.name)
		t.Run(c.name, func(t *testing.T) {
			cmdLine, err := os.ReadFile(filepath.Join(dir, "cmd"))
			if err != nil {
				t.Fatalf("every pull-request case needs a folder with a cmd file: %v", err)
			}
			if !strings.Contains(string(cmdLine), "--base-dir {base}") {
				t.Fatalf("%s/cmd: a pull-request case compares with --base-dir {base}", dir)
			}
			if c.notThroughGit {
				return
			}
			base, head := c.trees(t)
			replayThroughGit(t, strings.TrimSpace(string(cmdLine)), dir, base, head)
		})
	}
}

// replayThroughGit runs the case with --base HEAD in a git repository whose last commit is the
// base and whose work tree is the head, and compares with the pinned output.
func replayThroughGit(t *testing.T, cmdLine, dir string, base, head map[string]string) {
	repo := t.TempDir()
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	for rel, s := range base {
		p := filepath.Join(repo, filepath.FromSlash(rel))
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte(s), 0o644)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	for rel := range base {
		if _, ok := head[rel]; !ok {
			_ = os.Remove(filepath.Join(repo, filepath.FromSlash(rel)))
		}
	}
	for rel, s := range head {
		p := filepath.Join(repo, filepath.FromSlash(rel))
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte(s), 0o644)
	}
	var args []string
	words := splitArgs(cmdLine)
	for i := 0; i < len(words); i++ {
		if words[i] == "--base-dir" && i+1 < len(words) && words[i+1] == "{base}" {
			args = append(args, "--base", "HEAD")
			i++
			continue
		}
		args = append(args, strings.ReplaceAll(words[i], "{project}", repo))
	}
	var stdout, stderr bytes.Buffer
	code := RunEnv(&Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: testGetenv(nil)}, args)
	want, err := os.ReadFile(filepath.Join(dir, "expected", "stdout"))
	if err != nil {
		t.Fatalf("no pinned output: run go test ./internal/cli -run TestE2E -update (%v)", err)
	}
	got := normalizeOutput(stdout.String(), repo, "\x00no-scratch")
	if got != string(want) {
		t.Errorf("through git, stdout differs from %s/expected/stdout:\n%s\nstderr: %s", dir, firstDiff(string(want), got), stderr.String())
	}
	wantCode, _ := os.ReadFile(filepath.Join(dir, "expected", "exit_code"))
	if strings.TrimSpace(string(wantCode)) != strconv.Itoa(code) {
		t.Errorf("through git, exit code %d, pinned %s", code, strings.TrimSpace(string(wantCode)))
	}
}
