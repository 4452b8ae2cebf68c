package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDictionary(t *testing.T) {
	dir := t.TempDir()
	csvPath := writeFile(t, dir, "dict.csv", "column,description\ncustomer_id,\"The customer, as in the CRM\"\n# comment\nORDER_ID,Order key\n")
	d, err := LoadDictionary(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := d.Lookup("Customer_ID"); !ok || s != "The customer, as in the CRM" {
		t.Errorf("customer_id = %q %v", s, ok)
	}
	if s, _ := d.Lookup("order_id"); s != "Order key" || d.Len() != 2 {
		t.Errorf("order_id = %q, len %d", s, d.Len())
	}
	for name, content := range map[string]string{
		"map.yml":  "customer_id: The customer\norder_id:\n  description: Order key\n",
		"cols.yml": "columns:\n  customer_id: The customer\n  order_id: Order key\n",
		"list.yml": "- name: customer_id\n  description: The customer\n- name: order_id\n  description: Order key\n",
	} {
		d, err := LoadDictionary(writeFile(t, dir, name, content))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s, _ := d.Lookup("order_id"); s != "Order key" || d.Len() != 2 {
			t.Errorf("%s: order_id = %q, len %d", name, s, d.Len())
		}
	}
}

func TestLoadDictionaryErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"short.csv": "a,b\nonly_one_field\n",
		"bad.yml":   "a: [\n",
		"kind.yml":  "a: {b: [1]}\n",
		"dict.txt":  "a,b\n",
	}
	want := map[string]string{"short.csv": "short.csv:2:", "bad.yml": "bad.yml:", "kind.yml": "must be a string", "dict.txt": "must be .csv"}
	for name, content := range cases {
		_, err := LoadDictionary(writeFile(t, dir, name, content))
		if err == nil || !strings.Contains(err.Error(), want[name]) {
			t.Errorf("%s: err = %v, want it to contain %q", name, err, want[name])
		}
	}
}

func TestLearnPattern(t *testing.T) {
	files := map[string]bool{
		"models/staging/stripe/_stripe__models.yml": true,
		"models/staging/shop/_shop__models.yml":     true,
		"models/marts/schema.yml":                   true,
	}
	if got := learnPattern(files); got != "_{folder}__models.yml" {
		t.Errorf("pattern = %q", got)
	}
	files = map[string]bool{"models/a/schema.yml": true, "models/b/schema.yml": true, "models/c/x.yml": true}
	if got := learnPattern(files); got != "schema.yml" {
		t.Errorf("pattern = %q", got)
	}
	if got := learnPattern(map[string]bool{"models/a/weird.yml": true}); got != defaultFilePattern {
		t.Errorf("pattern = %q", got)
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	c, err := LoadConfig(dir)
	if err != nil || c.DataType != "auto" || c.Columns != "changed" || !c.inherit() || c.RemoveStale || c.NewFile != "" {
		t.Fatalf("defaults = %+v, %v", c, err)
	}
	writeFile(t, dir, ".dataops.yml", "schema:\n  remove_stale: true\n  data_types: true\n  placeholder: TODO\n  inherit_descriptions: false\n  new_file: schema.yml\n")
	c, err = LoadConfig(dir)
	if err != nil || !c.RemoveStale || c.DataType != "always" || c.DescriptionPlaceholder != "TODO" || c.inherit() || c.NewFile != "schema.yml" {
		t.Fatalf("config = %+v, %v", c, err)
	}
	writeFile(t, dir, ".dataops.yml", "schema:\n  columns: some\n")
	if _, err := LoadConfig(dir); err == nil || !strings.Contains(err.Error(), "columns") {
		t.Fatalf("err = %v", err)
	}
	if got := fileName("_{dir}__models.yml", "stripe"); got != "_stripe__models.yml" {
		t.Fatalf("fileName = %q", got)
	}
}
