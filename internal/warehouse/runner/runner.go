// Package runner runs a dbt project's seeds, models and data tests on a warehouse the way
// `dbt seed`, `dbt build` and `dbt test` do: in DAG order, independent nodes in parallel,
// dependents of a failure skipped and the rest carried on. It compiles nodes itself (refs
// resolve to this run's relations, ephemeral models become CTEs, is_incremental() answers for
// the warehouse's state) and writes the SQL of generic tests, dbt_utils' included. It never
// parses a project (internal/dbt does) and never talks to a database except through
// warehouse.Warehouse.
package runner

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dataops-dev/dataops/internal/dbt"
	"github.com/dataops-dev/dataops/internal/warehouse"
)

// Statuses of a result, as the JSON contract spells them.
const (
	StatusSuccess = "success" // a seed loaded or a model built
	StatusPass    = "pass"
	StatusWarn    = "warn"
	StatusFail    = "fail"
	StatusError   = "error"
	StatusSkipped = "skipped"
)

// Result is the outcome of one node.
type Result struct {
	UniqueID     string  `json:"unique_id"`
	ResourceType string  `json:"resource_type"`
	Name         string  `json:"name"`
	Status       string  `json:"status"`
	Failures     int64   `json:"failures"`
	Message      string  `json:"message"`
	Seconds      float64 `json:"seconds"`
	// Tests: the test (not_null, dbt_utils.accepted_range, or "singular"), the tested model
	// and column.
	Test   string `json:"test,omitempty"`
	Model  string `json:"model,omitempty"`
	Column string `json:"column,omitempty"`
	// Path is where the node is written (file:line for tests declared in property files).
	Path     string `json:"path,omitempty"`
	Relation string `json:"relation,omitempty"`
	// Sample holds a few failing rows of a failing or warning test.
	Sample *warehouse.Rows `json:"sample,omitempty"`
	// SQL is the compiled SQL that ran (or failed), for the log.
	SQL string `json:"-"`
}

// Failed says whether the result makes the run fail (exit 1).
func (r Result) Failed() bool { return r.Status == StatusError || r.Status == StatusFail }

// Config says what to run and where.
type Config struct {
	Project   *dbt.Project
	Warehouse warehouse.Warehouse
	Target    *warehouse.Target
	// Selected limits the run to these unique ids (nil runs everything).
	Selected map[string]bool
	// Types are the resource types to run: dbt.Seed, dbt.Model, dbt.Test (and dbt.Snapshot,
	// which is reported as skipped: dataops does not run snapshots).
	Types       []string
	FullRefresh bool
	Threads     int // default 4
	Sample      int // failing rows kept per test (default 5)
	// OnResult is called once per node as it finishes, from one goroutine at a time; done
	// counts results so far and total the nodes of the run.
	OnResult func(r Result, done, total int)
}

type task struct {
	id         string
	node       *dbt.Node
	deps       int
	dependents []*task
	blockedBy  string
}

// Run runs the selected nodes and returns their results in the order they finished.
func Run(ctx context.Context, cfg Config) []Result {
	if cfg.Threads <= 0 {
		cfg.Threads = 4
	}
	if cfg.Sample <= 0 {
		cfg.Sample = 5
	}
	if cfg.Target == nil {
		cfg.Target = &warehouse.Target{Schema: "main"}
	}
	c := newCompiler(cfg.Project, cfg.Target)
	tasks := plan(cfg)
	total := len(tasks)
	var results []Result
	if total == 0 {
		return results
	}
	ready := make(chan *task, total)
	type finished struct {
		t   *task
		res Result
	}
	doneCh := make(chan finished, total)
	for w := 0; w < cfg.Threads; w++ {
		go func() {
			for t := range ready {
				doneCh <- finished{t, execute(ctx, cfg, c, t)}
			}
		}()
	}
	var finish func(t *task, res Result)
	finish = func(t *task, res Result) {
		results = append(results, res)
		if cfg.OnResult != nil {
			cfg.OnResult(res, len(results), total)
		}
		blocking := res.Failed() || res.Status == StatusSkipped
		for _, d := range t.dependents {
			if blocking && d.blockedBy == "" {
				d.blockedBy = res.Name
			}
			d.deps--
			if d.deps > 0 {
				continue
			}
			if d.blockedBy != "" {
				finish(d, skipped(c, cfg, d))
				continue
			}
			ready <- d
		}
	}
	for _, t := range tasks {
		if t.deps == 0 {
			ready <- t
		}
	}
	for len(results) < total {
		f := <-doneCh
		finish(f.t, f.res)
	}
	close(ready)
	return results
}

func skipped(c *compiler, cfg Config, t *task) Result {
	r := describe(c, cfg, t.node)
	r.Status = StatusSkipped
	r.Message = "skipped: upstream " + t.blockedBy + " did not succeed"
	return r
}

// parents lists a node's direct parents (nodes and sources).
func parents(p *dbt.Project, id string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(ids []string) {
		for _, x := range ids {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	if n := p.Nodes[id]; n != nil {
		add(n.DependsOn.Nodes)
	}
	add(p.ParentMap[id])
	sort.Strings(out)
	return out
}

// runnable says whether a node becomes a task of this run.
func runnable(cfg Config, n *dbt.Node) bool {
	if n == nil || n.Disabled || (cfg.Selected != nil && !cfg.Selected[n.UniqueID]) {
		return false
	}
	ok := false
	for _, t := range cfg.Types {
		if t == n.ResourceType {
			ok = true
		}
	}
	if !ok {
		return false
	}
	return n.ResourceType != dbt.Model || materialized(n) != warehouse.Ephemeral
}

// plan builds the task graph: each task waits for its nearest upstream tasks (looking through
// nodes this run leaves out), and in a build each model's dependents also wait for its tests,
// as dbt build orders them.
func plan(cfg Config) []*task {
	p := cfg.Project
	byID := map[string]*task{}
	var ids []string
	for id, n := range p.Nodes {
		if runnable(cfg, n) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	tasks := make([]*task, 0, len(ids))
	for _, id := range ids {
		t := &task{id: id, node: p.Nodes[id]}
		byID[id] = t
		tasks = append(tasks, t)
	}
	upMemo := map[string][]string{}
	var upstream func(id string, visiting map[string]bool) []string
	upstream = func(id string, visiting map[string]bool) []string {
		if v, ok := upMemo[id]; ok {
			return v
		}
		if visiting[id] {
			return nil // a cycle: the loader reports it
		}
		visiting[id] = true
		set := map[string]bool{}
		for _, par := range parents(p, id) {
			if byID[par] != nil {
				set[par] = true
				continue
			}
			for _, a := range upstream(par, visiting) {
				set[a] = true
			}
		}
		delete(visiting, id)
		out := make([]string, 0, len(set))
		for a := range set {
			out = append(out, a)
		}
		sort.Strings(out)
		upMemo[id] = out
		return out
	}
	edges := map[[2]string]bool{}
	link := func(from, to *task) {
		k := [2]string{from.id, to.id}
		if from == to || edges[k] {
			return
		}
		edges[k] = true
		from.dependents = append(from.dependents, to)
		to.deps++
	}
	for _, t := range tasks {
		for _, a := range upstream(t.id, map[string]bool{}) {
			link(byID[a], t)
		}
	}
	hasModels := false
	for _, ty := range cfg.Types {
		if ty == dbt.Model || ty == dbt.Seed {
			hasModels = true
		}
	}
	if !hasModels {
		return tasks
	}
	// Children of a tested node wait for its tests, unless the child is itself upstream of
	// the test (a relationships test between a model and its own parent).
	for _, t := range tasks {
		if t.node.ResourceType != dbt.Test {
			continue
		}
		testUp := map[string]bool{}
		for _, a := range upstream(t.id, map[string]bool{}) {
			testUp[a] = true
		}
		for _, par := range upstream(t.id, map[string]bool{}) {
			for _, child := range byID[par].dependents {
				if child.node.ResourceType == dbt.Test || testUp[child.id] || reaches(child, testUp) {
					continue
				}
				link(t, child)
			}
		}
	}
	return tasks
}

// reaches says whether any of the given tasks is downstream of from.
func reaches(from *task, targets map[string]bool) bool {
	seen := map[*task]bool{}
	stack := []*task{from}
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range t.dependents {
			if targets[d.id] {
				return true
			}
			if !seen[d] {
				seen[d] = true
				stack = append(stack, d)
			}
		}
	}
	return false
}

// describe fills in what a result says about its node before it runs.
func describe(c *compiler, cfg Config, n *dbt.Node) Result {
	r := Result{UniqueID: n.UniqueID, ResourceType: n.ResourceType, Name: n.Name, Path: n.RelPath}
	if r.Path == "" {
		r.Path = n.OriginalFilePath
	}
	switch n.ResourceType {
	case dbt.Model, dbt.Seed, dbt.Snapshot:
		r.Relation = cfg.Warehouse.Render(c.relation(n))
	case dbt.Test:
		if tm := n.TestMeta; tm != nil {
			r.Test = tm.Name
			if tm.Namespace != "" {
				r.Test = tm.Namespace + "." + tm.Name
			}
			r.Column = tm.ColumnName
			if a := cfg.Project.Nodes[tm.AttachedNode]; a != nil {
				r.Model = a.Name
			} else if s := cfg.Project.Sources[tm.AttachedNode]; s != nil {
				r.Model = s.SourceName + "." + s.Name
			}
			if n.Patch != nil && n.Patch.File != "" {
				r.Path = n.Patch.File
				if n.Patch.Pos.Line > 0 {
					r.Path += ":" + strconv.Itoa(n.Patch.Pos.Line)
				}
			}
		} else {
			r.Test = "singular"
			for _, par := range parents(cfg.Project, n.UniqueID) {
				if a := cfg.Project.Nodes[par]; a != nil && r.Model == "" {
					r.Model = a.Name
				}
			}
		}
	}
	return r
}

func execute(ctx context.Context, cfg Config, c *compiler, t *task) Result {
	start := time.Now()
	r := describe(c, cfg, t.node)
	if err := ctx.Err(); err != nil {
		r.Status, r.Message = StatusError, "canceled: "+err.Error()
		return r
	}
	switch t.node.ResourceType {
	case dbt.Seed:
		seed(ctx, cfg, c, t.node, &r)
	case dbt.Model:
		model(ctx, cfg, c, t.node, &r)
	case dbt.Test:
		test(ctx, cfg, c, t.node, &r)
	default:
		r.Status, r.Message = StatusSkipped, t.node.ResourceType+"s are not run by dataops"
	}
	r.Seconds = time.Since(start).Seconds()
	return r
}

func fail(r *Result, err error) {
	r.Status = StatusError
	r.Message = err.Error()
}

func seed(ctx context.Context, cfg Config, c *compiler, n *dbt.Node, r *Result) {
	s := warehouse.Seed{Relation: c.relation(n), Path: n.FilePath, FullRefresh: cfg.FullRefresh}
	if s.Path == "" {
		fail(r, fmt.Errorf("the seed has no file"))
		return
	}
	if n.RelPath != "" {
		// Messages name the file as the user knows it; the data is read from disk.
		s.File, s.Path = n.FilePath, n.RelPath
	}
	if m, ok := n.Config["column_types"].(map[string]any); ok {
		s.ColumnTypes = map[string]string{}
		for k, v := range m {
			s.ColumnTypes[k] = fmt.Sprint(v)
		}
	}
	// dbt quotes seed columns unless quote_columns is false: headers may be reserved words
	// ("from") or mixed case.
	s.QuoteColumns = true
	switch v := n.Config["quote_columns"].(type) {
	case bool:
		s.QuoteColumns = v
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(v)); err == nil {
			s.QuoteColumns = b
		}
	}
	if d := configString(n.Config, "delimiter"); d != "" {
		s.Delimiter = []rune(d)[0]
	}
	rows, err := cfg.Warehouse.LoadSeed(ctx, s)
	if err != nil {
		fail(r, err)
		return
	}
	r.Status = StatusSuccess
	r.Message = fmt.Sprintf("INSERT %d", rows)
}

func uniqueKey(cfg map[string]any) []string {
	switch v := cfg["unique_key"].(type) {
	case string:
		var out []string
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				out = append(out, k)
			}
		}
		return out
	case []any:
		var out []string
		for _, k := range v {
			out = append(out, fmt.Sprint(k))
		}
		return out
	case []string:
		return v
	}
	return nil
}

func model(ctx context.Context, cfg Config, c *compiler, n *dbt.Node, r *Result) {
	if n.Language == "python" {
		r.Status, r.Message = StatusSkipped, "python models are not run by dataops"
		return
	}
	mat := materialized(n)
	switch mat {
	case warehouse.View, warehouse.Table, warehouse.Incremental:
	default:
		fail(r, fmt.Errorf("materialization %q is not supported (view, table, incremental and ephemeral are)", mat))
		return
	}
	rel := c.relation(n)
	full := cfg.FullRefresh
	if b, ok := n.Config["full_refresh"].(bool); ok {
		full = b // a model's full_refresh config overrides the flag, as in dbt
	}
	incremental := false
	if mat == warehouse.Incremental && !full {
		kind, _, err := cfg.Warehouse.Describe(ctx, rel)
		if err != nil {
			fail(r, err)
			return
		}
		incremental = kind == warehouse.KindTable
	}
	sql, err := c.compile(n, incremental)
	if err != nil {
		fail(r, err)
		return
	}
	r.SQL = sql
	key := uniqueKey(n.Config)
	if strings.EqualFold(configString(n.Config, "incremental_strategy"), "append") {
		key = nil
	}
	if err := cfg.Warehouse.Build(ctx, warehouse.Model{Relation: rel, Materialized: mat, SQL: sql, Incremental: incremental, UniqueKey: key}); err != nil {
		fail(r, err)
		return
	}
	r.Status = StatusSuccess
	switch {
	case incremental:
		r.Message = "incremental merge into " + r.Relation
	default:
		r.Message = "created " + mat + " " + r.Relation
	}
}

// TestSQL compiles a test node to the query whose rows are its failures.
func testSQL(cfg Config, c *compiler, n *dbt.Node) (string, error) {
	if tm := n.TestMeta; tm != nil {
		kw := map[string]any{}
		for k, v := range tm.Kwargs {
			if k != "model" {
				kw[k] = v
			}
		}
		return c.genericSQL(cfg.Warehouse, n.Package, TestSpec{Name: tm.Name, Namespace: tm.Namespace, Attached: tm.AttachedNode,
			Column: tm.ColumnName, Kwargs: kw, Config: n.Config})
	}
	return c.compile(n, false)
}

func test(ctx context.Context, cfg Config, c *compiler, n *dbt.Node, r *Result) {
	sql, err := testSQL(cfg, c, n)
	if err != nil {
		fail(r, err)
		return
	}
	out, err := runTestSQL(ctx, cfg.Warehouse, sql, n.Config, cfg.Sample)
	r.SQL = sql
	if err != nil {
		fail(r, err)
		return
	}
	r.Failures = out.Failures
	status, err := testStatus(n.Config, out.Failures)
	if err != nil {
		fail(r, err)
		return
	}
	r.Status = status
	if status != StatusPass {
		r.Sample = out.Sample
		r.Message = fmt.Sprintf("got %d result%s, configured to %s if %s", out.Failures, plural(out.Failures), map[string]string{StatusFail: "fail", StatusWarn: "warn"}[status], condFor(n.Config, status))
	}
}

func condFor(cfg map[string]any, status string) string {
	key := "warn_if"
	if status == StatusFail {
		key = "error_if"
	}
	if v := configString(cfg, key); v != "" {
		return v
	}
	return "!=0"
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// runTestSQL applies a test's limit and fail_calc configs and counts its failures.
func runTestSQL(ctx context.Context, wh warehouse.Warehouse, sql string, cfg map[string]any, sample int) (*warehouse.TestResult, error) {
	sql = trimSQL(sql)
	if lim := configString(cfg, "limit"); lim != "" {
		if _, err := strconv.Atoi(lim); err != nil {
			return nil, fmt.Errorf("limit %q is not a number", lim)
		}
		sql = "select * from (\n" + sql + "\n) dbt_limit limit " + lim
	}
	calc := strings.TrimSpace(configString(cfg, "fail_calc"))
	if calc == "" || strings.EqualFold(strings.ReplaceAll(calc, " ", ""), "count(*)") {
		return wh.RunTest(ctx, sql, sample)
	}
	rows, err := wh.Query(ctx, "select "+calc+" as failures from (\n"+sql+"\n) dbt_internal_test", 1)
	if err != nil {
		return nil, err
	}
	res := &warehouse.TestResult{}
	if len(rows.Values) == 1 && rows.Values[0][0] != nil {
		f, _ := strconv.ParseFloat(fmt.Sprint(rows.Values[0][0]), 64)
		res.Failures = int64(f)
	}
	if res.Failures > 0 && sample > 0 {
		res.Sample, err = wh.Query(ctx, "select * from (\n"+sql+"\n) dbt_internal_test limit "+strconv.Itoa(sample), sample)
	}
	return res, err
}

// CheckTest runs one generic test that need not be declared anywhere (the Test Enhancer's
// candidates) and returns its failure count and a sample of failing rows.
func CheckTest(ctx context.Context, p *dbt.Project, wh warehouse.Warehouse, target *warehouse.Target, spec TestSpec, sample int) (*warehouse.TestResult, error) {
	if target == nil {
		target = &warehouse.Target{Schema: "main"}
	}
	c := newCompiler(p, target)
	sql, err := c.genericSQL(wh, p.Name, spec)
	if err != nil {
		return nil, err
	}
	return runTestSQL(ctx, wh, sql, spec.Config, sample)
}

// Relation is where a model, seed or snapshot lives on the target's warehouse.
func Relation(p *dbt.Project, target *warehouse.Target, n *dbt.Node) warehouse.Relation {
	return newCompiler(p, target).relation(n)
}

// SourceRelation is where a source table lives.
func SourceRelation(p *dbt.Project, target *warehouse.Target, s *dbt.Source) warehouse.Relation {
	return newCompiler(p, target).sourceRelation(s)
}

// Step is one statement a run executes: a model's compiled SQL or a test's failure query.
type Step struct {
	Node         *dbt.Node
	Relation     warehouse.Relation // models
	Materialized string             // models: view, table or incremental
	SQL          string
}

// Steps lists, in an order that respects dependencies, the SQL a full-refresh run of the
// selected models and tests executes. Benchmarks replay it directly on the database to measure
// what the runner adds.
func Steps(cfg Config) ([]Step, error) {
	if cfg.Target == nil {
		cfg.Target = &warehouse.Target{Schema: "main"}
	}
	c := newCompiler(cfg.Project, cfg.Target)
	tasks := plan(cfg)
	// Kahn's algorithm over the task graph, ties broken by unique id.
	deps := map[*task]int{}
	for _, t := range tasks {
		deps[t] = t.deps
	}
	var queue, order []*task
	for _, t := range tasks {
		if deps[t] == 0 {
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		order = append(order, t)
		for _, d := range t.dependents {
			if deps[d]--; deps[d] == 0 {
				queue = append(queue, d)
			}
		}
	}
	var steps []Step
	for _, t := range order {
		n := t.node
		switch n.ResourceType {
		case dbt.Model:
			sql, err := c.compile(n, false)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", n.UniqueID, err)
			}
			steps = append(steps, Step{Node: n, Relation: c.relation(n), Materialized: materialized(n), SQL: sql})
		case dbt.Test:
			sql, err := testSQL(cfg, c, n)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", n.UniqueID, err)
			}
			steps = append(steps, Step{Node: n, SQL: sql})
		}
	}
	return steps, nil
}

// CompileTest writes the SQL of one generic test without a warehouse, as CheckTest would run
// it on DuckDB: the check that a proposed test compiles before anyone sees it.
func CompileTest(p *dbt.Project, target *warehouse.Target, spec TestSpec) (string, error) {
	if target == nil {
		target = &warehouse.Target{Schema: "main"}
	}
	return newCompiler(p, target).genericSQL(offline{}, p.Name, spec)
}

// offline is a warehouse that only spells SQL: compiling a test asks it for nothing else.
type offline struct{ warehouse.Warehouse }

func (offline) Type() string                       { return "duckdb" }
func (offline) Dialect() warehouse.Dialect         { return warehouse.DuckDB }
func (offline) Quote(s string) string              { return warehouse.DuckDB.Ident(s) }
func (offline) Render(r warehouse.Relation) string { return warehouse.DuckDB.Relation(r) }
