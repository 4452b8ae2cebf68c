package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// One `schema --write` reaches the fixed point: `schema --check` right after it finds nothing
// to do. A plan that reads its own previous output differently (an entry it wrote now counted
// as the folder's habit, a description it wrote from a name now taken for the team's words)
// makes a team run it again and again, and CI fail after a write. Every pull-request case on
// examples/shop is written then checked, and so is the whole project without a base.
func TestSchemaWriteSettles(t *testing.T) {
	type settleCase struct {
		name       string
		base, head map[string]string
	}
	cases := []settleCase{{name: "examples_shop", head: shopTree(t)}}
	// A folder whose entries list one column each: a new model's entry lists its keys, and
	// the entry written says nothing new the second time (it is not the folder's habit).
	sparse := map[string]string{
		"dbt_project.yml":            "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n",
		"models/staging/sources.yml": "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n",
	}
	for _, m := range []string{"stg_orders", "stg_payments", "stg_customers"} {
		sparse["models/staging/"+m+".sql"] = "select order_key, customer_key, amount, status from {{ source('raw', 'orders') }}\n"
		sparse["models/staging/"+m+".yml"] = "version: 2\nmodels:\n  - name: " + m + "\n    columns:\n      - name: order_key\n        description: Key of the order in the shop.\n"
	}
	cases = append(cases, settleCase{name: "few_columns_folder", base: sparse, head: applyEdits(sparse, map[string]func(string) string{
		"models/staging/stg_new.sql": content("select order_key, customer_key, amount, status, 1 as extra_col from {{ ref('stg_orders') }}\n"),
	})})
	// A new model's columns described from their names the first time are no upstream
	// description the second time: the mart that passes them on, whose entry lists columns
	// and gains one, is not given them then.
	named := map[string]string{
		"dbt_project.yml":        "name: p\nversion: '1'\nconfig-version: 2\nprofile: p\n",
		"models/sources.yml":     "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n",
		"models/mart_orders.sql": "select order_key, amount from {{ source('raw', 'orders') }}\n",
		"models/mart_orders.yml": "version: 2\nmodels:\n  - name: mart_orders\n    columns:\n      - name: order_key\n        description: Key of the order in the shop.\n",
	}
	cases = append(cases, settleCase{name: "name_descriptions_not_upstream", base: named, head: applyEdits(named, map[string]func(string) string{
		"models/stg_orders.sql":  content("select order_key, amount, shipped_at from {{ source('raw', 'orders') }}\n"),
		"models/stg_orders.yml":  content("version: 2\nmodels:\n  - name: stg_orders\n    columns:\n      - name: order_key\n        description: Key of the order in the shop.\n"),
		"models/mart_orders.sql": content("select order_key, amount, shipped_at from {{ ref('stg_orders') }}\n"),
	})})
	seen := map[string]bool{}
	for _, c := range slices.Concat(prCases, reviewCases) {
		base, head := c.trees(t)
		// The review cases share their change: each tree is written once.
		h := sha256.New()
		for _, tree := range []map[string]string{base, head} {
			for _, k := range slices.Sorted(maps.Keys(tree)) {
				h.Write([]byte(k + "\x00" + tree[k] + "\x00"))
			}
		}
		key := hex.EncodeToString(h.Sum(nil))
		if seen[key] {
			continue
		}
		seen[key] = true
		cases = append(cases, settleCase{name: c.name, base: base, head: head})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			project := filepath.Join(work, "project")
			writeTree(t, project, c.head)
			args := []string{"schema", "--project", project}
			if c.base != nil {
				baseDir := filepath.Join(work, "base")
				writeTree(t, baseDir, c.base)
				args = append(args, "--base-dir", baseDir)
			}
			run := func(mode string) (int, string) {
				var stdout, stderr bytes.Buffer
				env := &Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
					Getenv: testGetenv(nil)}
				code := RunEnv(env, append(slices.Clone(args), mode))
				return code, stdout.String() + stderr.String()
			}
			if code, out := run("--write"); code != 0 {
				t.Fatalf("schema --write: exit %d\n%s", code, out)
			}
			written := readTreeFiles(t, project)
			if code, out := run("--check"); code != 0 {
				t.Errorf("schema --check after --write: exit %d, want 0\n%s", code, out)
			}
			if code, out := run("--write"); code != 0 {
				t.Fatalf("second schema --write: exit %d\n%s", code, out)
			}
			again := readTreeFiles(t, project)
			for rel, s := range again {
				if strings.HasPrefix(rel, ".dataops/") {
					continue // the cache
				}
				if written[rel] != s {
					t.Errorf("a second --write changed %s:\n%s", rel, firstDiff(written[rel], s))
				}
			}
		})
	}
}
