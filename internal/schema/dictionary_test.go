package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dataops-dev/dataops/internal/fsconfine"
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
	writeFile(t, dir, "dict.csv", "column,description\ncustomer_id,\"The customer, as in the CRM\"\n# comment\nORDER_ID,Order key\n")
	d, err := LoadDictionary(dir, "dict.csv")
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
		writeFile(t, dir, name, content)
		d, err := LoadDictionary(dir, name)
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
		writeFile(t, dir, name, content)
		_, err := LoadDictionary(dir, name)
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

func TestFileName(t *testing.T) {
	if got := fileName("_{dir}__models.yml", "stripe", "m"); got != "_stripe__models.yml" {
		t.Fatalf("fileName = %q", got)
	}
}

// The dictionary is project content: a path to elsewhere would publish that file's text as
// column descriptions.
func TestDictionaryStaysInsideProject(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside, "dict.yml", "customer_id: planted-secret-description\n")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "dict.yml"), filepath.Join(dir, "docs", "linked.yml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "shared")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(outside, "dict.yml"), "../" + filepath.Base(outside) + "/dict.yml", "docs/linked.yml", "shared/dict.yml"} {
		d, err := LoadDictionary(dir, p)
		if !errors.Is(err, fsconfine.ErrOutside) || d != nil {
			t.Errorf("LoadDictionary(%q) = %v, %v; want a refusal", p, d, err)
		}
		if err != nil && strings.Contains(err.Error(), "planted") {
			t.Errorf("the refusal shows the file: %v", err)
		}
	}
	// Set at line 3 of the settings file (internal/cli locates it).
	c := DefaultConfig()
	c.Dictionary, c.DictionaryAt = filepath.Join(outside, "dict.yml"), Setting{Path: ".dataops.yml", Line: 3}
	_, err := c.ReadDictionary(dir)
	if err == nil || !strings.HasPrefix(err.Error(), ".dataops.yml:3: schema.dictionary: ") || !strings.Contains(err.Error(), "leads outside the project") {
		t.Errorf("ReadDictionary: %v; want a refusal at .dataops.yml:3", err)
	}
	writeFile(t, dir, "dict.csv", "customer_id,Inside\n")
	c.Dictionary, c.DictionaryAt = "dict.csv", Setting{}
	if d, err := c.ReadDictionary(dir); err != nil || d.Len() != 1 {
		t.Errorf("a dictionary inside the project: %v, %v", d, err)
	}
}
