package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/url"
	"strings"
	"testing"
)

func TestMaskReplacesEveryOccurrence(t *testing.T) {
	m := New("planted-secret-value-123")
	for _, tc := range []struct{ in, want string }{
		{"select 1 as \"planted-secret-value-123\"", `select 1 as "***"`},
		{"planted-secret-value-123planted-secret-value-123", "***"},
		{"a planted-secret-value-123 b planted-secret-value-123 c", "a *** b *** c"},
		{"nothing here", "nothing here"},
		{"planted-secret-value-12", "planted-secret-value-12"},
	} {
		if got := m.MaskString(tc.in); got != tc.want {
			t.Errorf("MaskString(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := string(m.Mask([]byte(tc.in))); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskDerivedForms(t *testing.T) {
	const v = `ghs_Abc-Def<&>"quote'd/+?=`
	m := New(v)
	jsonHTML, _ := json.Marshal(v)
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	for name, form := range map[string]string{
		"upper":            strings.ToUpper(v),
		"lower":            strings.ToLower(v),
		"dash underscore":  strings.ReplaceAll(v, "-", "_"),
		"upper underscore": strings.ToUpper(strings.ReplaceAll(v, "-", "_")),
		"json":             string(jsonHTML[1 : len(jsonHTML)-1]),
		"json no html":     strings.TrimSpace(plain.String())[1 : len(strings.TrimSpace(plain.String()))-1],
		"query escape":     url.QueryEscape(v),
		"path escape":      url.PathEscape(v),
		"html":             "ghs_Abc-Def&lt;&amp;&gt;&#34;quote&#39;d/+?=",
		"sql string":       strings.ReplaceAll(v, "'", "''"),
		"sql identifier":   strings.ReplaceAll(v, `"`, `""`),
		"base64":           base64.StdEncoding.EncodeToString([]byte(v)),
		"base64 url":       base64.URLEncoding.EncodeToString([]byte(v)),
		"base64 shifted 1": base64.StdEncoding.EncodeToString([]byte("x" + v + "y")),
		"base64 shifted 2": base64.StdEncoding.EncodeToString([]byte("xy" + v + "z")),
		"base64 raw":       base64.RawStdEncoding.EncodeToString([]byte("{" + v + "}")),
	} {
		in := "before " + form + " after"
		got := m.MaskString(in)
		if strings.Contains(got, form) || !strings.HasPrefix(got, "before ") || !strings.HasSuffix(got, " after") {
			t.Errorf("%s: MaskString(%q) = %q", name, in, got)
		}
		if strings.HasPrefix(name, "base64") {
			// Only the characters that depend on the value alone are masked; what is left
			// of the encoding must not decode to any four bytes of the value.
			rest := strings.Trim(strings.TrimSuffix(strings.TrimPrefix(got, "before "), " after"), "=")
			for _, part := range strings.Split(rest, Mask) {
				if len(part) > 4 {
					t.Errorf("%s: %q left unmasked", name, part)
				}
			}
		} else if got != "before *** after" {
			t.Errorf("%s: MaskString(%q) = %q, want one mask", name, in, got)
		}
	}
}

func TestOverlappingSecretsAreMaskedAsOne(t *testing.T) {
	m := New("abcdef", "defghi", "xyz0123456789", "0123")
	for _, tc := range []struct{ in, want string }{
		{"..abcdefghi..", "..***.."},
		{"..defghi abcdef..", "..*** ***.."},
		{"..abcdefdefghi..", "..***.."},   // touching
		{"..xyz0123456789..", "..***.."},  // one inside another
		{"0123 xyz0123456789", "*** ***"}, // the short one alone, then inside the long one
		{"abcdefabcdef", "***"},
	} {
		if got := m.MaskString(tc.in); got != tc.want {
			t.Errorf("MaskString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A long match reaching back over two earlier ones swallows both.
	m3 := New("bcde", "ghij", "abcdefghijk")
	if got := m3.MaskString("<abcdefghijk>"); got != "<***>" {
		t.Errorf("got %q", got)
	}
	m2 := New("aaaa", "bbbb", "aaaa-bbbb-cccc-dddd")
	if got := m2.MaskString("x aaaa-bbbb-cccc-dddd x aaaa-bbbb x"); got != "x *** x ***-*** x" {
		t.Errorf("got %q", got)
	}
}

func TestShortAndPlainValuesAreIgnored(t *testing.T) {
	m := New("abc", "", "true", "False", "none", "  ")
	if m.Len() != 0 {
		t.Errorf("registered %d values, want none", m.Len())
	}
	if got := m.MaskString("abc true False none"); got != "abc true False none" {
		t.Errorf("got %q", got)
	}
	var nilMasker *Masker
	if got := nilMasker.MaskString("x"); got != "x" {
		t.Errorf("nil masker: %q", got)
	}
	nilMasker.Add("abcdef") // must not panic
}

func TestMultiLineValuesAreMaskedLineByLine(t *testing.T) {
	key := "-----BEGIN PRIVATE KEY-----\r\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1\nab\n-----END PRIVATE KEY-----\n"
	m := New(key)
	out := m.MaskString("key: " + strings.ReplaceAll(key, "\r\n", "\n"))
	for _, line := range strings.Split(key, "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= MinLen && strings.Contains(out, line) {
			t.Errorf("line %q not masked in %q", line, out)
		}
	}
	// JSON keeps the lines apart with escapes: each is still found.
	j, _ := json.Marshal(key)
	if got := m.MaskString(string(j)); strings.Contains(got, "MIIEvQ") || strings.Contains(got, "VJTUt9") {
		t.Errorf("JSON form not masked: %s", got)
	}
}

func TestMaskEditKeepsWhatTheFileHad(t *testing.T) {
	m := New("postgres", "planted-secret-value-123")
	old := []byte("type: postgres\n")
	next := []byte("type: postgres\nname: planted-secret-value-123\n")
	if got := string(m.MaskEdit(old, next)); got != "type: postgres\nname: ***\n" {
		t.Errorf("MaskEdit = %q", got)
	}
	if got := string(m.MaskEdit(nil, next)); got != "type: ***\nname: ***\n" {
		t.Errorf("MaskEdit of a new file = %q", got)
	}
}

func TestFromEnviron(t *testing.T) {
	m := FromEnviron([]string{
		"GITHUB_TOKEN=ghs_0123456789",
		"DBT_ENV_SECRET_GIT=gitcred",
		"MY_DB_PWD=hunter22",
		"PWD=/home/runner/work",
		"HOME=/home/runner",
		"DATABASE_URL=postgres://u:s3cr3tpw@db:5432/x",
		"CUSTOM=listed-value",
		"XDG_SESSION_CLASS=user",
		"NOEQUALS",
	}, "CUST*")
	out := m.MaskString("ghs_0123456789 gitcred hunter22 /home/runner/work s3cr3tpw listed-value user")
	if out != "*** *** *** /home/runner/work *** *** user" {
		t.Errorf("got %q", out)
	}
}

func TestLooksSecret(t *testing.T) {
	for name, want := range map[string]bool{
		"GITHUB_TOKEN": true, "ACTIONS_RUNTIME_TOKEN": true, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": true,
		"DBT_ENV_SECRET_X": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
		"OPENAI_API_KEY": true, "ANTHROPIC_API_KEY": true, "GITHUB_APP_PRIVATE_KEY": true,
		"PGPASSWORD": true, "MYSQL_PWD": true, "DB_PASS": true, "GOOGLE_APPLICATION_CREDENTIALS": true,
		"SESSION_COOKIE": true, "BASIC_AUTH": true, "password": true, "private_key_passphrase": true,
		"keyfile_json": true, "client_secret": true, "refresh_token": true, "snowflake_apikey": true,
		"PWD": false, "OLDPWD": false, "PATH": false, "HOME": false, "MONKEY": false, "KEYBOARD": false,
		"XDG_SESSION_TYPE": false, "DESKTOP_SESSION": false, "host": false, "user": false, "schema": false,
		"GITHUB_REPOSITORY": false, "AUTHOR": false,
	} {
		if got := LooksSecret(name); got != want {
			t.Errorf("LooksSecret(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestMatchName(t *testing.T) {
	pats := []string{"SHOP_*", "REGION", "*"}
	for name, want := range map[string]bool{"SHOP_DB": true, "SHOP_": true, "REGION": true, "REGION2": false, "SHOPX": false} {
		if got := MatchName(pats, name); got != want {
			t.Errorf("MatchName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestValuesAddedLaterApply(t *testing.T) {
	m := New()
	if got := m.MaskString("late-secret"); got != "late-secret" {
		t.Fatal(got)
	}
	m.Add("late-secret")
	if got := m.MaskString("a late-secret"); got != "a ***" {
		t.Errorf("got %q", got)
	}
}

// randomText mixes secrets (and their pieces) with filler so that secrets overlap, touch and
// straddle any split point.
func randomText(r *rand.Rand, secrets []string) string {
	var b strings.Builder
	for b.Len() < 400 {
		switch r.Intn(5) {
		case 0, 1:
			s := secrets[r.Intn(len(secrets))]
			b.WriteString(s)
		case 2:
			s := secrets[r.Intn(len(secrets))]
			b.WriteString(s[:r.Intn(len(s))])
		case 3:
			b.WriteString("\n")
		default:
			b.WriteString(fmt.Sprintf(" x%d ", r.Intn(100)))
		}
	}
	return b.String()
}

func BenchmarkMask(b *testing.B) {
	var environ []string
	for i := 0; i < 20; i++ {
		environ = append(environ, fmt.Sprintf("SECRET_%d_TOKEN=value-%d-%s", i, i, strings.Repeat("k", 30)))
	}
	m := FromEnviron(environ)
	var doc strings.Builder
	for doc.Len() < 1<<20 {
		doc.WriteString(`{"path": "models/staging/stg_orders.sql", "line": 12, "message": "column order_id has no test"}` + "\n")
	}
	in := []byte(doc.String())
	m.matcher()
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Mask(in)
	}
}

func BenchmarkBuild(b *testing.B) {
	var environ []string
	for i := 0; i < 20; i++ {
		environ = append(environ, fmt.Sprintf("SECRET_%d_TOKEN=value-%d-%s", i, i, strings.Repeat("k", 60)))
	}
	for i := 0; i < b.N; i++ {
		FromEnviron(environ).matcher()
	}
}

// The environment of a GitHub Actions job: two JWTs of the runner (1,000+ characters each) and a
// few ordinary tokens.
func BenchmarkBuildRunnerEnvironment(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	token := func(n int) string {
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		out := make([]byte, n)
		for i := range out {
			out[i] = alphabet[r.Intn(len(alphabet))]
		}
		return string(out)
	}
	environ := []string{"ACTIONS_RUNTIME_TOKEN=" + token(1200), "ACTIONS_ID_TOKEN_REQUEST_TOKEN=" + token(1100),
		"GITHUB_TOKEN=ghs_" + token(36), "OPENAI_API_KEY=sk-" + token(48), "AWS_SECRET_ACCESS_KEY=" + token(40)}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		FromEnviron(environ).matcher()
	}
}
