// Command gen writes a copy of examples/shop whose seeds are scaled to about -rows rows in
// total (customers, products, orders, order items and payments in the example's proportions),
// for timing seed, build and test on large data:
//
//	go run ./bench/warehouse/gen -rows 10000000 -out /tmp/shop-10m
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	rows := flag.Int("rows", 10_000_000, "approximate total rows across all seeds")
	src := flag.String("src", "examples/shop", "the example project to copy")
	out := flag.String("out", "", "directory to write the scaled project to (required)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: -out is required")
		os.Exit(2)
	}
	if err := copyProject(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	n, err := generate(filepath.Join(*out, "seeds"), *rows)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d rows to %s\n", n, *out)
}

// copyProject copies everything but seed data and local state.
func copyProject(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			switch rel {
			case ".dataops", "target", "logs", "gen":
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(rel, ".csv") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}

type table struct {
	f *os.File
	b *bufio.Writer
	w *csv.Writer
	n int
}

func newTable(dir, name string, header ...string) (*table, error) {
	f, err := os.Create(filepath.Join(dir, name+".csv"))
	if err != nil {
		return nil, err
	}
	b := bufio.NewWriterSize(f, 1<<20)
	t := &table{f: f, b: b, w: csv.NewWriter(b)}
	return t, t.w.Write(header)
}

func (t *table) row(cells ...string) {
	t.w.Write(cells)
	t.n++
}

func (t *table) close() error {
	t.w.Flush()
	if err := t.w.Error(); err != nil {
		return err
	}
	if err := t.b.Flush(); err != nil {
		return err
	}
	return t.f.Close()
}

var (
	firstNames = []string{"Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas"}
	lastNames  = []string{"Adams", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat"}
	countries  = []string{"DE", "FR", "NL", "ES", "IT", "PL", "SE", "US", "GB", "JP"}
	categories = []string{"accessories", "apparel", "electronics", "home", "outdoor"}
	statuses   = []string{"placed", "shipped", "completed", "completed", "completed", "returned", "return_pending"}
	methods    = []string{"credit_card", "credit_card", "credit_card", "bank_transfer", "coupon", "gift_card"}
)

// generate writes the five seeds; an order brings about 4.5 rows (itself, 2.5 items, 1.2
// payments) and customers are a tenth of the orders.
func generate(dir string, total int) (int, error) {
	r := rand.New(rand.NewSource(7))
	nOrders := max(int(float64(total)/4.48), 10)
	nCustomers := max(nOrders/10, 10)
	nProducts := 400
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cust, err := newTable(dir, "raw_customers", "id", "first_name", "last_name", "email", "country", "signed_up_at")
	if err != nil {
		return 0, err
	}
	signup := make([]int32, nCustomers+1) // days after start
	for id := 1; id <= nCustomers; id++ {
		f, l := firstNames[r.Intn(len(firstNames))], lastNames[r.Intn(len(lastNames))]
		signup[id] = int32(r.Intn(180))
		email := strings.ToLower(f+"."+l) + strconv.Itoa(id) + "@example.com"
		if r.Intn(25) == 0 {
			email = ""
		}
		cust.row(strconv.Itoa(id), f, l, email, countries[r.Intn(len(countries))], start.AddDate(0, 0, int(signup[id])).Format("2006-01-02"))
	}
	prod, err := newTable(dir, "raw_products", "id", "sku", "name", "category", "price_cents")
	if err != nil {
		return 0, err
	}
	price := make([]int, nProducts+1)
	for id := 1; id <= nProducts; id++ {
		price[id] = 500 + r.Intn(195)*100 - 1
		prod.row(strconv.Itoa(id), fmt.Sprintf("SKU-%05d", 10000+id), "product "+strconv.Itoa(id), categories[(id-1)%len(categories)], strconv.Itoa(price[id]))
	}
	orders, err := newTable(dir, "raw_orders", "id", "customer_id", "ordered_at", "status")
	if err != nil {
		return 0, err
	}
	items, err := newTable(dir, "raw_order_items", "id", "order_id", "product_id", "quantity")
	if err != nil {
		return 0, err
	}
	pays, err := newTable(dir, "raw_payments", "id", "order_id", "payment_method", "amount_cents", "paid_at")
	if err != nil {
		return 0, err
	}
	itemID, payID := 0, 0
	for id := 1; id <= nOrders; id++ {
		c := 1 + r.Intn(nCustomers)
		at := start.AddDate(0, 0, int(signup[c])+r.Intn(200)).Add(time.Duration(r.Intn(86400)) * time.Second)
		oid := strconv.Itoa(id)
		orders.row(oid, strconv.Itoa(c), at.Format("2006-01-02 15:04:05"), statuses[r.Intn(len(statuses))])
		sum := 0
		for k := 0; k < 1+r.Intn(4); k++ {
			itemID++
			p, q := 1+r.Intn(nProducts), 1+r.Intn(3)
			sum += price[p] * q
			items.row(strconv.Itoa(itemID), oid, strconv.Itoa(p), strconv.Itoa(q))
		}
		paid := at.Add(time.Duration(5+r.Intn(600)) * time.Minute).Format("2006-01-02 15:04:05")
		if r.Intn(6) == 0 && sum > 1000 {
			part := 500 + r.Intn(sum/2)
			payID++
			pays.row(strconv.Itoa(payID), oid, []string{"coupon", "gift_card"}[r.Intn(2)], strconv.Itoa(part), paid)
			sum -= part
		}
		payID++
		pays.row(strconv.Itoa(payID), oid, methods[r.Intn(len(methods))], strconv.Itoa(sum), paid)
	}
	n := 0
	for _, t := range []*table{cust, prod, orders, items, pays} {
		n += t.n
		if err := t.close(); err != nil {
			return 0, err
		}
	}
	return n, nil
}
