package ingest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dataops-dev/dataops/internal/memory"
	"github.com/dataops-dev/dataops/internal/memory/embedded"
)

// recorder is a store that remembers what it was asked to write.
type recorder struct {
	memory.Store
	mu       sync.Mutex
	upserted map[string]memory.Record
	upserts  int // records upserted
	deletes  []string
}

func (r *recorder) Upsert(ctx context.Context, recs []memory.Record) error {
	r.mu.Lock()
	for _, rec := range recs {
		r.upserted[rec.ID] = rec
	}
	r.upserts += len(recs)
	r.mu.Unlock()
	return r.Store.Upsert(ctx, recs)
}

func (r *recorder) DeleteBySource(ctx context.Context, source string) (int, error) {
	r.mu.Lock()
	r.deletes = append(r.deletes, source)
	r.mu.Unlock()
	return r.Store.DeleteBySource(ctx, source)
}

func (r *recorder) reset() {
	r.upserted, r.upserts, r.deletes = map[string]memory.Record{}, 0, nil
}

// copyProject copies testdata/project into a fresh directory.
func copyProject(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src := "testdata/project"
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

type harness struct {
	t     *testing.T
	dir   string
	store *recorder
	emb   memory.Embedder
	warns []string
	opts  Options
	opens int // times the store was asked for
}

func newHarness(t *testing.T, dir string) *harness {
	t.Helper()
	emb := memory.NewLocalEmbedderDim(64)
	s, err := embedded.Open(context.Background(), filepath.Join(dir, ".dataops/memory"), emb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h := &harness{t: t, dir: dir, store: &recorder{Store: s}, emb: emb}
	h.store.reset()
	h.opts = Options{Dir: dir, Project: "shop", StatePath: filepath.Join(dir, ".dataops/memory/INGEST"),
		Skip: []string{filepath.Join(dir, ".dataops/memory")}, Warn: func(w string) { h.warns = append(h.warns, w) }}
	return h
}

func (h *harness) run() *Result {
	h.t.Helper()
	h.store.reset()
	h.warns = nil
	h.opens = 0
	res, err := Run(context.Background(), func(context.Context) (memory.Store, memory.Embedder, bool, error) {
		h.opens++
		return h.store, h.emb, false, nil
	}, h.opts)
	if err != nil {
		h.t.Fatal(err)
	}
	return res
}

// find returns the records written of a kind whose text contains s.
func (h *harness) find(kind memory.Kind, s string) []memory.Record {
	var out []memory.Record
	for _, r := range h.store.upserted {
		if r.Kind == kind && strings.Contains(r.Text, s) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b memory.Record) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (h *harness) one(kind memory.Kind, s string) memory.Record {
	h.t.Helper()
	got := h.find(kind, s)
	if len(got) != 1 {
		var all []string
		for _, r := range h.store.upserted {
			if r.Kind == kind {
				all = append(all, r.Text)
			}
		}
		slices.Sort(all)
		h.t.Fatalf("%d %s records containing %q, want 1; the %s records:\n%s", len(got), kind, s, kind, strings.Join(all, "\n"))
	}
	return got[0]
}

func TestIngestEverySourceKind(t *testing.T) {
	h := newHarness(t, copyProject(t))
	res := h.run()

	// Property files: model_doc, column_doc, tests; conventions other packages rely on.
	m := h.one(memory.KindModelDoc, "stg_orders: One row per order")
	if m.Metadata.Model != "stg_orders" || m.Metadata.Source != "models/staging/_staging.yml" || m.Metadata.Line != 4 ||
		m.Metadata.Project != "shop" || m.Metadata.Extra["origin"] != OriginPropertyFile || m.Metadata.Extra["description"] != "One row per order placed in the shop." {
		t.Errorf("model_doc: %+v", m)
	}
	c := h.one(memory.KindColumnDoc, "stg_orders.Order_ID:")
	if c.Text != "stg_orders.Order_ID: Primary key of the order." || c.Metadata.Column != "order_id" || c.Metadata.Line != 7 ||
		c.Metadata.Extra["data_type"] != "integer" || c.Metadata.Extra["description"] != "Primary key of the order." {
		t.Errorf("column_doc: %+v", c)
	}
	// A docs block is resolved in the text, kept raw in the description.
	st := h.one(memory.KindColumnDoc, "stg_orders.status:")
	if st.Text != "stg_orders.status: Where an order is in its life cycle: placed or shipped." || st.Metadata.Extra["description"] != `{{ doc("order_status") }}` {
		t.Errorf("docs block in a description: %+v", st)
	}
	if got := h.find(memory.KindColumnDoc, "stg_orders.note"); len(got) != 0 {
		t.Errorf("an undescribed column is no column_doc: %+v", got)
	}
	rel := h.one(memory.KindTest, "relationships")
	if rel.Metadata.Column != "customer_id" || rel.Metadata.Extra["test"] != "relationships" ||
		rel.Metadata.Extra["args"] != `{"field":"customer_id","to":"ref('stg_customers')"}` || rel.Metadata.Line != 16 ||
		rel.Text != "stg_orders.customer_id: test relationships(field: customer_id, to: ref('stg_customers'))" {
		t.Errorf("relationships test: %+v", rel)
	}
	av := h.one(memory.KindTest, "accepted_values")
	if av.Metadata.Extra["args"] != `{"values":["placed","shipped"]}` || av.Metadata.Extra["config"] != `{"severity":"warn"}` {
		t.Errorf("accepted_values: %+v", av.Metadata.Extra)
	}
	if got := h.find(memory.KindTest, "stg_orders.Order_ID: test "); len(got) != 2 {
		t.Errorf("unique and not_null on Order_ID: %d records", len(got))
	}
	combo := h.one(memory.KindTest, "unique_combination_of_columns")
	if combo.Metadata.Column != "" || combo.Metadata.Extra["test"] != "dbt_utils.unique_combination_of_columns" {
		t.Errorf("model-level test: %+v", combo)
	}
	src := h.one(memory.KindColumnDoc, "raw.orders.id:")
	if src.Metadata.Model != "raw.orders" || src.Metadata.Extra["resource"] != "source" {
		t.Errorf("source column: %+v", src)
	}

	// Documents: a docs block, markdown and reStructuredText by heading, plain text.
	blk := h.one(memory.KindDocChunk, "order_status:")
	if blk.Metadata.Source != "models/docs.md" || blk.Metadata.Line != 1 || blk.Metadata.Extra["heading"] != "order_status" {
		t.Errorf("docs block: %+v", blk)
	}
	conv := h.one(memory.KindDocChunk, "Amounts are in cents")
	if conv.Metadata.Extra["heading"] != "Shop analytics > Conventions" || conv.Metadata.Line != 7 ||
		!strings.Contains(conv.Text, "Every model has a primary key") || conv.Metadata.Extra["origin"] != OriginDocs {
		t.Errorf("markdown chunk (two paragraphs of one section): %+v", conv)
	}
	naming := h.one(memory.KindDocChunk, "staging models start")
	if naming.Metadata.Extra["heading"] != "Shop analytics > Conventions > Naming" || naming.Metadata.Line != 13 {
		t.Errorf("markdown list: %+v", naming)
	}
	refund := h.one(memory.KindDocChunk, "A refund reverses")
	if refund.Metadata.Source != "docs/design.rst" || refund.Metadata.Extra["heading"] != "Revenue > Refunds" || refund.Metadata.Line != 10 {
		t.Errorf("rst chunk: %+v", refund)
	}
	// Short paragraphs of one section make one chunk, at the first one's line.
	notes := h.one(memory.KindDocChunk, "lands at 02:00")
	if notes.Metadata.Line != 1 || notes.Text != "Data freshness\n\nThe back office export lands at 02:00 UTC." {
		t.Errorf("text chunk: %q %+v", notes.Text, notes.Metadata)
	}

	// Playbook: each item or paragraph one rule with its headings; code joins its rule.
	fk := h.one(memory.KindPlaybookRule, "Foreign keys")
	if fk.Text != "Review playbook > Keys: Foreign keys get a `relationships` test\nunless the parent is a source." ||
		fk.Metadata.Line != 6 || fk.Metadata.Extra["heading"] != "Review playbook > Keys" {
		t.Errorf("playbook rule: %q %+v", fk.Text, fk.Metadata)
	}
	snake := h.one(memory.KindPlaybookRule, "snake_case")
	if !strings.Contains(snake.Text, "select order_id from orders") || snake.Metadata.Line != 11 {
		t.Errorf("a paragraph rule with its code: %q", snake.Text)
	}
	if r := h.one(memory.KindPlaybookRule, "_amount"); r.Text != "Review playbook > Style: Money columns end in `_amount`." {
		t.Errorf("numbered item: %q", r.Text)
	}
	if n := len(h.find(memory.KindPlaybookRule, "")); n != 4 {
		t.Errorf("%d playbook rules, want 4", n)
	}

	// Dictionaries: CSV with a header naming the model and type, YAML, JSON.
	amt := h.one(memory.KindColumnDoc, "amount_cents: Amount in cents")
	if amt.Metadata.Model != "" || amt.Metadata.Line != 2 || amt.Metadata.Extra["origin"] != OriginDictionary || amt.Metadata.Extra["data_type"] != "bigint" {
		t.Errorf("csv dictionary: %+v", amt)
	}
	if m := h.one(memory.KindColumnDoc, "stg_payments.method"); m.Metadata.Model != "stg_payments" || m.Metadata.Line != 3 {
		t.Errorf("csv dictionary with a model: %+v", m)
	}
	if cc := h.one(memory.KindColumnDoc, "country_code: ISO"); cc.Metadata.Line != 3 || cc.Metadata.Extra["data_type"] != "char(2)" {
		t.Errorf("yaml dictionary: %+v", cc)
	}
	if p := h.one(memory.KindColumnDoc, "stg_products.price"); p.Metadata.Line != 3 || p.Metadata.Source != "reference/glossary.json" {
		t.Errorf("json dictionary: %+v", p)
	}

	// Artifacts: package nodes of the manifest, types of the catalog.
	pay := h.one(memory.KindColumnDoc, "stripe__payments.payment_id")
	if pay.Metadata.Extra["origin"] != OriginManifest || pay.Metadata.Extra["data_type"] != "varchar" || pay.Metadata.Source != "target/manifest.json" {
		t.Errorf("manifest column: %+v", pay)
	}
	if got := h.find(memory.KindModelDoc, "Skipped: the property file"); len(got) != 0 {
		t.Errorf("the root project's manifest nodes are the property files': %+v", got)
	}
	cat := h.one(memory.KindColumnDoc, "stg_orders.ORDER_ID (INTEGER)")
	if cat.Metadata.Extra["origin"] != OriginCatalog || cat.Metadata.Extra["data_type"] != "INTEGER" || cat.Metadata.Column != "order_id" {
		t.Errorf("catalog column: %+v", cat)
	}

	// Bad input: skipped with file:line, the rest ingested.
	wantWarn := []string{"docs/diagram.md:1: binary file", "docs/latin1.txt:2: not UTF-8", "models/staging/_broken.yml:3: columns: must be a list"}
	for _, w := range wantWarn {
		if !slices.ContainsFunc(h.warns, func(s string) bool { return strings.HasPrefix(s, w) }) {
			t.Errorf("no warning %q in %q", w, h.warns)
		}
	}
	if res.Skipped != 3 {
		t.Errorf("skipped %d, want 3", res.Skipped)
	}
	for _, r := range h.store.upserted {
		if strings.Contains(r.Metadata.Source, "requirements") || strings.HasPrefix(r.Metadata.Source, ".dataops") {
			t.Errorf("not a knowledge source: %s", r.Metadata.Source)
		}
		if len(r.ID) != 24 || len(r.Vector) != h.emb.Dimension() {
			t.Errorf("record %s: id or vector wrong", r.ID)
		}
	}
	if res.Added != len(h.store.upserted) || res.Written != res.Added || res.Updated != 0 || res.Removed != 0 {
		t.Errorf("result %+v for %d records", res, len(h.store.upserted))
	}
}

func TestIngestIsIncremental(t *testing.T) {
	dir := copyProject(t)
	h := newHarness(t, dir)
	first := h.run()
	if first.Written == 0 {
		t.Fatal("nothing written")
	}
	// Unchanged: nothing parsed, embedded, written or deleted; the store is not even opened.
	second := h.run()
	if second.Embedded != 0 || second.Written != 0 || second.Changed != 0 || h.store.upserts != 0 || len(h.store.deletes) != 0 || h.opens != 0 {
		t.Errorf("second run on an unchanged project: %+v, %d upserts, deletes %v, store opened %d times", second, h.store.upserts, h.store.deletes, h.opens)
	}
	if second.Sources != first.Sources {
		t.Errorf("sources %d then %d", first.Sources, second.Sources)
	}
	// Files whose size and modification time did not change are not read: only the two
	// skipped as binary or not UTF-8, which the state does not keep, are.
	if first.Read != 14 || second.Read != 2 {
		t.Errorf("files read: %d then %d", first.Read, second.Read)
	}
	// Touched, not changed (a checkout): read once, not ingested, not read again.
	readme := filepath.Join(dir, "README.md")
	later := time.Now().Add(time.Minute)
	os.Chtimes(readme, later, later)
	if res := h.run(); res.Read != 3 || res.Changed != 0 || h.opens != 0 {
		t.Errorf("a touched file: %+v, store opened %d times", res, h.opens)
	}
	if res := h.run(); res.Read != 2 {
		t.Errorf("the touched file's new signature is remembered: %+v", res)
	}

	props := filepath.Join(dir, "models/staging/_staging.yml")
	data, _ := os.ReadFile(props)
	// A column added at the top moves every line below it: the moved records are rewritten,
	// none deleted.
	edited := strings.Replace(string(data), "    columns:\n      - name: Order_ID", "    columns:\n      - name: placed_at\n        description: When the order was placed.\n      - name: Order_ID", 1)
	os.WriteFile(props, []byte(edited), 0o644)
	res := h.run()
	if res.Changed != 1 || res.Added != 1 || res.Removed != 0 || len(h.store.deletes) != 0 {
		t.Errorf("a column added: %+v, deletes %v", res, h.store.deletes)
	}
	if r := h.one(memory.KindColumnDoc, "placed_at"); r.Metadata.Line != 7 {
		t.Errorf("new column at line %d", r.Metadata.Line)
	}
	if r := h.one(memory.KindColumnDoc, "Order_ID"); r.Metadata.Line != 9 {
		t.Errorf("moved column rewritten with its new line: %d", r.Metadata.Line)
	}

	// A column removed: the file is deleted and written whole.
	os.WriteFile(props, []byte(strings.Replace(edited, "      - name: placed_at\n        description: When the order was placed.\n", "", 1)), 0o644)
	res = h.run()
	if res.Removed != 1 || !slices.Equal(h.store.deletes, []string{"models/staging/_staging.yml"}) {
		t.Errorf("a column removed: %+v, deletes %v", res, h.store.deletes)
	}

	// A docs block edited: the property file that shows it is read again.
	os.WriteFile(filepath.Join(dir, "models/docs.md"), []byte("{% docs order_status %}\nPlaced, shipped or returned.\n{% enddocs %}\n"), 0o644)
	res = h.run()
	if res.Changed != 2 || res.Updated != 2 {
		t.Errorf("a docs block edited: %+v", res)
	}
	if r := h.one(memory.KindColumnDoc, "stg_orders.status"); !strings.Contains(r.Text, "returned") {
		t.Errorf("the column shows the new docs block: %q", r.Text)
	}

	// A file removed: forgotten.
	os.Remove(filepath.Join(dir, "docs/notes.txt"))
	res = h.run()
	if res.Removed != 1 || !slices.Equal(h.store.deletes, []string{"docs/notes.txt"}) {
		t.Errorf("a file removed: %+v, deletes %v", res, h.store.deletes)
	}
	if hits, _ := h.store.Query(context.Background(), memory.Query{Text: "back office export lands", Limit: 5,
		Filter: memory.Filter{Source: "docs/notes.txt"}}); len(hits) != 0 {
		t.Errorf("records of a removed file remain: %+v", hits)
	}

	// A file that does not parse is not parsed again until it changes, but reported each time.
	res = h.run()
	if res.Skipped != 3 || res.Written != 0 || h.store.upserts != 0 || !slices.ContainsFunc(h.warns, func(w string) bool { return strings.HasPrefix(w, "models/staging/_broken.yml:3:") }) {
		t.Errorf("unchanged broken file: %+v %q", res, h.warns)
	}

	// The store emptied behind the state's back: the next ingest that writes notices and
	// reads everything again.
	st, _, _ := ReadState(h.opts.StatePath)
	for _, s := range st.AllSources() {
		h.store.Store.DeleteBySource(context.Background(), s)
	}
	os.WriteFile(filepath.Join(dir, "docs/design.rst"), []byte("Revenue\n=======\n\nRecognised on shipping.\n"), 0o644)
	res = h.run()
	st, _, _ = ReadState(h.opts.StatePath)
	if res.Written != st.Records() || res.Written < 20 {
		t.Errorf("after the store was emptied: wrote %d, the state holds %d", res.Written, st.Records())
	}
}

func TestIngestMasksSecrets(t *testing.T) {
	dir := copyProject(t)
	os.WriteFile(filepath.Join(dir, "docs/ops.md"), []byte("# Ops\n\nThe warehouse password is hunter2secret, do not share.\n"), 0o644)
	h := newHarness(t, dir)
	h.opts.Mask = func(s string) string { return strings.ReplaceAll(s, "hunter2secret", "***") }
	h.run()
	r := h.one(memory.KindDocChunk, "warehouse password")
	if strings.Contains(r.Text, "hunter2") || !strings.Contains(r.Text, "***") {
		t.Errorf("secret stored: %q", r.Text)
	}
}

func TestIngestPathsOutsideTheProject(t *testing.T) {
	dir := copyProject(t)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "team-guide.md"), []byte("# Team\n\nWe review every model change.\n"), 0o644)
	os.WriteFile(filepath.Join(outside, "terms.csv"), []byte("column,description\nmrr,Monthly recurring revenue.\n"), 0o644)
	h := newHarness(t, dir)
	h.opts.Args = []string{outside}
	h.run()
	guide := h.one(memory.KindDocChunk, "We review every model change")
	if guide.Metadata.Source != filepath.ToSlash(filepath.Join(outside, "team-guide.md")) {
		t.Errorf("source of a file outside the repository: %q", guide.Metadata.Source)
	}
	if r := h.one(memory.KindColumnDoc, "mrr"); r.Metadata.Extra["origin"] != OriginDictionary {
		t.Errorf("a csv under a given path is a dictionary: %+v", r)
	}
	// Without the path, its files stay; given again without a file, that file goes.
	h.opts.Args = nil
	if res := h.run(); res.Removed != 0 {
		t.Errorf("a path not given again is not forgotten: %+v", res)
	}
	os.Remove(filepath.Join(outside, "terms.csv"))
	h.opts.Args = []string{outside}
	if res := h.run(); res.Removed != 1 {
		t.Errorf("a file gone from a path given again is forgotten: %+v", res)
	}
}

func TestConcurrentIngestsDoNotCorruptTheStore(t *testing.T) {
	dir := copyProject(t)
	ctx := context.Background()
	emb := memory.NewLocalEmbedderDim(64)
	storeDir := filepath.Join(dir, ".dataops/memory")
	var wg sync.WaitGroup
	results := make([]*Result, 3)
	errs := make([]error, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := embedded.Open(ctx, storeDir, emb)
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			results[i], errs[i] = Run(ctx, Opened(s, emb), Options{Dir: dir, Project: "shop", StatePath: filepath.Join(storeDir, "INGEST"), Skip: []string{storeDir}})
		}()
	}
	wg.Wait()
	written := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("ingest %d: %v", i, err)
		}
		written += results[i].Written
	}
	// One ingest did the work; the others waited for it and found nothing to do.
	s, err := embedded.Open(ctx, storeDir, emb)
	if err != nil {
		t.Fatalf("store after concurrent ingests: %v", err)
	}
	defer s.Close()
	stats, _ := s.Stats(ctx)
	st, _, _ := ReadState(filepath.Join(storeDir, "INGEST"))
	if stats.Records != st.Records() || written != stats.Records {
		t.Errorf("store holds %d records, state says %d, ingests wrote %d", stats.Records, st.Records(), written)
	}
}

func TestStateFileOfAnotherVersionReingests(t *testing.T) {
	dir := copyProject(t)
	h := newHarness(t, dir)
	first := h.run()
	data, _ := os.ReadFile(h.opts.StatePath)
	var raw map[string]any
	json.Unmarshal(data, &raw)
	raw["version"] = "0"
	data, _ = json.Marshal(raw)
	os.WriteFile(h.opts.StatePath, data, 0o644)
	res := h.run()
	if res.Written != first.Written || len(h.store.deletes) == 0 {
		t.Errorf("another version's state: %+v, deletes %v", res, h.store.deletes)
	}
	os.WriteFile(h.opts.StatePath, []byte("{not json"), 0o644)
	if res := h.run(); res.Written != first.Written {
		t.Errorf("an unreadable state: %+v", res)
	}
}

func TestIngestRefusesLinksOutside(t *testing.T) {
	dir := copyProject(t)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "canary.md"), []byte("# Canary\n\ncanary text\n"), 0o644)
	os.Symlink(filepath.Join(outside, "canary.md"), filepath.Join(dir, "docs/stolen.md"))
	os.Symlink(outside, filepath.Join(dir, "docs/linked"))
	os.Symlink("../README.md", filepath.Join(dir, "docs/readme-link.md")) // inside: read
	h := newHarness(t, dir)
	h.opts.Paths = []string{"docs/linked"}
	h.run()
	for _, w := range []string{"docs/stolen.md: a link that leads outside the project; skipped", "docs/linked: leads outside the project; skipped"} {
		if !slices.Contains(h.warns, w) {
			t.Errorf("no warning %q in %q", w, h.warns)
		}
	}
	if got := h.find(memory.KindDocChunk, "canary"); len(got) != 0 {
		t.Errorf("read through a link out of the project: %+v", got)
	}
	if got := h.find(memory.KindDocChunk, "Amounts are in cents"); len(got) != 2 {
		t.Errorf("a link inside the project is read: %d chunks", len(got))
	}
}
