// Command gen writes a synthetic dbt project of a given size for benchmarks: staging models on
// sources, intermediate and mart models that ref earlier ones, with the Jinja real projects
// use (config(), var(), macros, if and for blocks), property files with columns and tests, and
// a few seeds. The same -models and -seed give the same project byte for byte.
//
//	go run ./bench/gen -models 10000 -out /tmp/bench-10k
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	n := flag.Int("models", 1000, "number of models")
	out := flag.String("out", "", "directory to write the project to (must not exist or be empty)")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" || *n < 10 {
		fmt.Fprintln(os.Stderr, "usage: gen -models N (>= 10) -out DIR")
		os.Exit(2)
	}
	if err := generate(*out, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

type model struct {
	name, dir string
	cols      []string
}

var domains = []string{"billing", "crm", "events", "finance", "inventory", "marketing", "product", "support"}

func generate(root string, n int, seed int64) error {
	r := rand.New(rand.NewSource(seed))
	w := &writer{root: root}
	w.file("dbt_project.yml", projectYML())
	w.file("macros/money.sql", macros)
	w.file("macros/dates.sql", dateMacros)
	w.file("seeds/country_codes.csv", "code,name\nDE,Germany\nFR,France\nUS,United States\n")
	w.file("seeds/properties.yml", "version: 2\nseeds:\n  - name: country_codes\n    columns:\n      - name: code\n        data_tests: [unique, not_null]\n")

	nStaging := n / 4
	nInter := n / 4
	var staging, inter, marts []model
	tablesPerDomain := map[string][]string{}
	for i := 0; i < nStaging; i++ {
		d := domains[i%len(domains)]
		table := fmt.Sprintf("%s_table_%d", d, i)
		tablesPerDomain[d] = append(tablesPerDomain[d], table)
		m := model{name: fmt.Sprintf("stg_%s__%d", d, i), dir: "staging/" + d, cols: columns(r, "id", 4+r.Intn(8))}
		staging = append(staging, m)
		w.file(fmt.Sprintf("models/%s/%s.sql", m.dir, m.name), stagingSQL(r, d, table, m.cols))
	}
	for _, d := range domains {
		var b strings.Builder
		fmt.Fprintf(&b, "version: 2\n\nsources:\n  - name: raw_%s\n    schema: \"{{ var('raw_schema', 'raw') }}_%s\"\n    tables:\n", d, d)
		for _, t := range tablesPerDomain[d] {
			fmt.Fprintf(&b, "      - name: %s\n        columns:\n          - name: id\n            data_tests: [not_null]\n", t)
		}
		w.file(fmt.Sprintf("models/staging/%s/_%s__sources.yml", d, d), b.String())
	}
	for i := 0; i < nInter; i++ {
		d := domains[i%len(domains)]
		m := model{name: fmt.Sprintf("int_%s__%d", d, i), dir: "intermediate/" + d}
		parents := pick(r, staging, 1+r.Intn(3))
		m.cols = append([]string{"id"}, columns(r, "", 3+r.Intn(5))...)
		inter = append(inter, m)
		w.file(fmt.Sprintf("models/%s/%s.sql", m.dir, m.name), joinSQL(r, m, parents, false))
	}
	for i := 0; i < n-nStaging-nInter; i++ {
		d := domains[i%len(domains)]
		kind := "fct"
		if i%3 == 0 {
			kind = "dim"
		}
		m := model{name: fmt.Sprintf("%s_%s__%d", kind, d, i), dir: "marts/" + d}
		pool := inter
		if len(marts) > 0 && r.Intn(3) == 0 {
			pool = marts // marts on marts make the graph deeper
		}
		parents := pick(r, pool, 1+r.Intn(3))
		m.cols = append([]string{"id"}, columns(r, "", 3+r.Intn(6))...)
		marts = append(marts, m)
		w.file(fmt.Sprintf("models/%s/%s.sql", m.dir, m.name), joinSQL(r, m, parents, i%5 == 0))
	}
	for _, group := range [][]model{staging, inter, marts} {
		byDir := map[string][]model{}
		var dirs []string
		for _, m := range group {
			if _, ok := byDir[m.dir]; !ok {
				dirs = append(dirs, m.dir)
			}
			byDir[m.dir] = append(byDir[m.dir], m)
		}
		for _, d := range dirs {
			w.file(fmt.Sprintf("models/%s/_%s__models.yml", d, strings.ReplaceAll(d, "/", "_")), propertiesYML(r, byDir[d]))
		}
	}
	return w.err
}

type writer struct {
	root string
	err  error
}

func (w *writer) file(rel, content string) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.err = err
		return
	}
	w.err = os.WriteFile(p, []byte(content), 0o644)
}

var words = []string{"amount", "status", "created_at", "updated_at", "name", "email", "country", "quantity", "price_cents", "is_active", "category", "score", "region", "channel", "owner_id", "account_id"}

func columns(r *rand.Rand, first string, n int) []string {
	var cols []string
	if first != "" {
		cols = append(cols, first)
	}
	seen := map[string]bool{first: true}
	for len(cols) < n {
		c := words[r.Intn(len(words))]
		if !seen[c] {
			seen[c] = true
			cols = append(cols, c)
		}
	}
	return cols
}

func pick(r *rand.Rand, pool []model, k int) []model {
	var out []model
	seen := map[int]bool{}
	for len(out) < k && len(out) < len(pool) {
		i := r.Intn(len(pool))
		if !seen[i] {
			seen[i] = true
			out = append(out, pool[i])
		}
	}
	return out
}

func projectYML() string {
	var b strings.Builder
	b.WriteString("name: bench\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: bench\n\nvars:\n  raw_schema: raw\n  include_deleted: false\n\nmodels:\n  bench:\n")
	b.WriteString("    staging:\n      +materialized: view\n      +tags: [staging]\n")
	b.WriteString("    intermediate:\n      +materialized: ephemeral\n")
	b.WriteString("    marts:\n      +materialized: table\n      +schema: marts\n")
	for _, d := range domains {
		fmt.Fprintf(&b, "      %s:\n        +tags: [%s]\n", d, d)
	}
	return b.String()
}

const macros = `{% macro cents_to_dollars(column_name, scale=2) -%}
    cast({{ column_name }} / 100.0 as numeric(16, {{ scale }}))
{%- endmacro %}

{% macro safe_divide(a, b) -%}
    case when {{ b }} = 0 then null else {{ a }} / {{ b }} end
{%- endmacro %}
`

const dateMacros = `{% macro day_of(column_name) -%}
    {{ return(adapter.dispatch('day_of', 'bench')(column_name)) }}
{%- endmacro %}

{% macro default__day_of(column_name) -%}
    cast({{ column_name }} as date)
{%- endmacro %}
`

func stagingSQL(r *rand.Rand, domain, table string, cols []string) string {
	var b strings.Builder
	if r.Intn(4) == 0 {
		b.WriteString("{{ config(materialized='table', tags=['heavy']) }}\n\n")
	}
	fmt.Fprintf(&b, "with source as (\n\n    select * from {{ source('raw_%s', '%s') }}\n\n),\n\nrenamed as (\n\n    select\n", domain, table)
	for i, c := range cols {
		sep := ","
		if i == len(cols)-1 {
			sep = ""
		}
		switch {
		case c == "price_cents":
			fmt.Fprintf(&b, "        {{ cents_to_dollars('price_cents') }} as price%s\n", sep)
		case strings.HasSuffix(c, "_at"):
			fmt.Fprintf(&b, "        {{ day_of('%s') }} as %s%s\n", c, strings.TrimSuffix(c, "_at")+"_on", sep)
		default:
			fmt.Fprintf(&b, "        %s%s\n", c, sep)
		}
	}
	b.WriteString("    from source\n    {% if not var('include_deleted') %}\n    where not coalesce(_deleted, false)\n    {% endif %}\n\n)\n\nselect * from renamed\n")
	return b.String()
}

func joinSQL(r *rand.Rand, m model, parents []model, incremental bool) string {
	var b strings.Builder
	if incremental {
		b.WriteString("{{ config(materialized='incremental', unique_key='id') }}\n\n")
	}
	fmt.Fprintf(&b, "{%% set metrics = [%s] %%}\n\nwith\n", quoteList(m.cols[1:]))
	for i, p := range parents {
		sep := ","
		if i == len(parents)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "p%d as (\n    select * from {{ ref('%s') }}\n)%s\n\n", i, p.name, sep)
	}
	b.WriteString("select\n    p0.id,\n    {% for metric in metrics %}\n    p0.{{ metric }} as {{ metric }}{% if not loop.last %},{% endif %}\n    {% endfor %}\nfrom p0\n")
	for i := 1; i < len(parents); i++ {
		fmt.Fprintf(&b, "left join p%d\n    on p0.id = p%d.id\n", i, i)
	}
	if incremental {
		b.WriteString("{% if is_incremental() %}\nwhere p0.id > (select max(id) from {{ this }})\n{% endif %}\n")
	}
	_ = r
	return b.String()
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, ", ")
}

func propertiesYML(r *rand.Rand, models []model) string {
	var b strings.Builder
	b.WriteString("version: 2\n\nmodels:\n")
	for _, m := range models {
		fmt.Fprintf(&b, "  - name: %s\n    description: Model %s.\n    columns:\n", m.name, m.name)
		for i, c := range m.cols {
			fmt.Fprintf(&b, "      - name: %s\n", c)
			if i == 0 {
				b.WriteString("        data_tests:\n          - unique\n          - not_null\n")
			} else if c == "status" && r.Intn(2) == 0 {
				b.WriteString("        data_tests:\n          - accepted_values:\n              arguments:\n                values: ['active', 'inactive']\n")
			}
		}
	}
	return b.String()
}
