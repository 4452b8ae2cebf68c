// Command gen writes the seed CSVs of the shop example project. The data is generated from a
// fixed seed, so running it again reproduces the committed files byte for byte:
//
//	go run ./examples/shop/gen -out examples/shop/seeds
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

var (
	firstNames = []string{"Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Liam", "Maya", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Victor", "Wen", "Yara", "Zoe"}
	lastNames  = []string{"Adams", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat", "Ito", "Jensen", "Kowalski", "Lopez", "Moreau", "Novak", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Weber"}
	countries  = []string{"DE", "FR", "NL", "ES", "IT", "PL", "SE", "US", "GB", "JP"}
	categories = []string{"accessories", "apparel", "electronics", "home", "outdoor"}
	adjectives = []string{"classic", "compact", "deluxe", "everyday", "light", "modern", "rugged", "smart", "travel", "vintage"}
	nouns      = map[string][]string{
		"accessories": {"wallet", "belt", "watch", "scarf"},
		"apparel":     {"jacket", "hoodie", "t-shirt", "sneakers"},
		"electronics": {"headphones", "charger", "speaker", "keyboard"},
		"home":        {"mug", "lamp", "blanket", "vase"},
		"outdoor":     {"tent", "backpack", "bottle", "lantern"},
	}
	statuses = []string{"placed", "shipped", "completed", "completed", "completed", "returned", "return_pending"}
	methods  = []string{"credit_card", "credit_card", "credit_card", "bank_transfer", "coupon", "gift_card"}
)

func main() {
	out := flag.String("out", "examples/shop/seeds", "directory to write the CSVs to")
	flag.Parse()
	if err := generate(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(dir string) error {
	r := rand.New(rand.NewSource(20240501))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	day := func(max int) time.Time { return start.AddDate(0, 0, r.Intn(max)) }

	const nCustomers, nProducts, nOrders = 200, 40, 600
	customers := [][]string{{"id", "first_name", "last_name", "email", "country", "signed_up_at"}}
	signup := make([]time.Time, nCustomers+1)
	for id := 1; id <= nCustomers; id++ {
		f, l := firstNames[r.Intn(len(firstNames))], lastNames[r.Intn(len(lastNames))]
		signup[id] = day(180)
		email := fmt.Sprintf("%s.%s%d@example.com", lower(f), lower(l), id)
		if r.Intn(25) == 0 {
			email = "" // some customers never gave an email
		}
		customers = append(customers, []string{strconv.Itoa(id), f, l, email, countries[r.Intn(len(countries))], signup[id].Format("2006-01-02")})
	}

	products := [][]string{{"id", "sku", "name", "category", "price_cents"}}
	price := make([]int, nProducts+1)
	for id := 1; id <= nProducts; id++ {
		cat := categories[(id-1)%len(categories)]
		noun := nouns[cat][r.Intn(len(nouns[cat]))]
		price[id] = (500 + r.Intn(195)*100) - 1
		products = append(products, []string{strconv.Itoa(id), fmt.Sprintf("SKU-%04d", 1000+id), adjectives[r.Intn(len(adjectives))] + " " + noun, cat, strconv.Itoa(price[id])})
	}

	orders := [][]string{{"id", "customer_id", "ordered_at", "status"}}
	items := [][]string{{"id", "order_id", "product_id", "quantity"}}
	payments := [][]string{{"id", "order_id", "payment_method", "amount_cents", "paid_at"}}
	itemID, paymentID := 0, 0
	for id := 1; id <= nOrders; id++ {
		cust := 1 + r.Intn(nCustomers)
		at := signup[cust].AddDate(0, 0, r.Intn(200)).Add(time.Duration(r.Intn(86400)) * time.Second)
		orders = append(orders, []string{strconv.Itoa(id), strconv.Itoa(cust), at.Format("2006-01-02 15:04:05"), statuses[r.Intn(len(statuses))]})
		total := 0
		for k := 0; k < 1+r.Intn(4); k++ {
			itemID++
			prod, qty := 1+r.Intn(nProducts), 1+r.Intn(3)
			total += price[prod] * qty
			items = append(items, []string{strconv.Itoa(itemID), strconv.Itoa(id), strconv.Itoa(prod), strconv.Itoa(qty)})
		}
		// Most orders are paid at once; some split a coupon or gift card off the total.
		paid := at.Add(time.Duration(5+r.Intn(600)) * time.Minute).Format("2006-01-02 15:04:05")
		if r.Intn(6) == 0 && total > 1000 {
			part := 500 + r.Intn(total/2)
			paymentID++
			payments = append(payments, []string{strconv.Itoa(paymentID), strconv.Itoa(id), []string{"coupon", "gift_card"}[r.Intn(2)], strconv.Itoa(part), paid})
			total -= part
		}
		paymentID++
		payments = append(payments, []string{strconv.Itoa(paymentID), strconv.Itoa(id), methods[r.Intn(len(methods))], strconv.Itoa(total), paid})
	}

	for name, rows := range map[string][][]string{
		"raw_customers": customers, "raw_products": products, "raw_orders": orders,
		"raw_order_items": items, "raw_payments": payments,
	} {
		if err := writeCSV(filepath.Join(dir, name+".csv"), rows); err != nil {
			return err
		}
	}
	return nil
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
