package bedrock

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/dataops-dev/dataops/internal/memory/remotetest"
)

const (
	akid   = "AKIDEXAMPLETEST01"
	secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var authRe = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/(\d{8})/([a-z0-9-]+)/bedrock/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

// runtime is an in-process bedrock-runtime: InvokeModel for Titan Text Embeddings V2, with
// SigV4 checked as AWS does (the Authorization header's shape, its date against X-Amz-Date,
// and the signature itself, recomputed over the signed headers and the body's hash) and the
// request body validated against Titan V2's schema.
type runtime struct {
	t        *testing.T
	mu       sync.Mutex
	texts    []string
	throttle int
}

func (s *runtime) fail(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("X-Amzn-ErrorType", typ)
	remotetest.WriteJSON(w, status, map[string]string{"message": msg})
}

func (s *runtime) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	m := authRe.FindStringSubmatch(r.Header.Get("Authorization"))
	amzDate := r.Header.Get("X-Amz-Date")
	if m == nil || m[1] != akid || m[3] != "us-east-1" || !strings.HasPrefix(amzDate, m[2]) {
		s.fail(w, 403, "UnrecognizedClientException", "The security token included in the request is invalid.")
		return
	}
	signed := strings.Split(m[4], ";")
	if !contains(signed, "host") || !contains(signed, "x-amz-date") {
		s.fail(w, 403, "InvalidSignatureException", "host and x-amz-date must be signed")
		return
	}
	if !s.signatureOK(r, body, signed, amzDate, m[5]) {
		s.fail(w, 403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")
		return
	}
	if r.Method != "POST" || r.URL.EscapedPath() != "/model/amazon.titan-embed-text-v2%3A0/invoke" {
		s.fail(w, 404, "ResourceNotFoundException", "no route "+r.Method+" "+r.URL.EscapedPath())
		return
	}
	if r.Header.Get("Content-Type") != "application/json" {
		s.fail(w, 400, "ValidationException", "Content-Type must be application/json")
		return
	}
	s.mu.Lock()
	if s.throttle > 0 {
		s.throttle--
		s.mu.Unlock()
		s.fail(w, 429, "ThrottlingException", "Too many requests, please wait before trying again.")
		return
	}
	s.mu.Unlock()
	var req struct {
		InputText      string   `json:"inputText"`
		Dimensions     int      `json:"dimensions"`
		Normalize      *bool    `json:"normalize"`
		EmbeddingTypes []string `json:"embeddingTypes"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.InputText == "" || len(req.InputText) > 50000 ||
		(req.Dimensions != 0 && req.Dimensions != 256 && req.Dimensions != 512 && req.Dimensions != 1024) {
		s.fail(w, 400, "ValidationException", "Malformed input request, please reformat your input and try again.")
		return
	}
	if req.Dimensions == 0 {
		req.Dimensions = 1024
	}
	s.mu.Lock()
	s.texts = append(s.texts, req.InputText)
	s.mu.Unlock()
	remotetest.WriteJSON(w, 200, map[string]any{"embedding": remotetest.Embed(req.InputText, req.Dimensions), "inputTextTokenCount": 3})
}

// signatureOK signs a copy of the request holding only the signed headers and compares.
func (s *runtime) signatureOK(r *http.Request, body []byte, signed []string, amzDate, got string) bool {
	at, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return false
	}
	c, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	c.Header = http.Header{}
	for _, h := range signed {
		if h != "host" {
			c.Header.Set(h, r.Header.Get(h))
		}
	}
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}, c,
		hex.EncodeToString(sum[:]), "bedrock", "us-east-1", at)
	if err != nil {
		return false
	}
	m := authRe.FindStringSubmatch(c.Header.Get("Authorization"))
	return m != nil && m[5] == got
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func newEmbedder(t *testing.T, url, secretKey string, dims int) *Embedder {
	t.Helper()
	e, err := New(context.Background(), Config{Region: "us-east-1", Endpoint: url, Dimensions: dims, MaxAttempts: 3,
		Credentials: credentials.NewStaticCredentialsProvider(akid, secretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEmbedSignedAndInOrder(t *testing.T) {
	s := &runtime{t: t}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := newEmbedder(t, srv.URL, secret, 256)
	if e.Name() != "bedrock:amazon.titan-embed-text-v2:0:256" || e.Dimension() != 256 {
		t.Fatalf("name %s dimension %d", e.Name(), e.Dimension())
	}
	texts := []string{"customer email", "", "order total amount", strings.Repeat("long ", 20000)}
	vs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		want := text
		if text == "" {
			want = " "
		}
		if len(want) > 50000 {
			want = want[:50000]
		}
		if got := vs[i]; len(got) != 256 || remotetest.Cosine(got, remotetest.Embed(want, 256)) < 0.9999 {
			t.Fatalf("vector %d is not text %d's", i, i)
		}
	}
	if len(s.texts) != 4 {
		t.Fatalf("%d calls for 4 texts", len(s.texts))
	}
}

func TestThrottlingRetriedAndBadCredentials(t *testing.T) {
	s := &runtime{t: t, throttle: 2}
	srv := httptest.NewServer(s)
	defer srv.Close()
	if _, err := newEmbedder(t, srv.URL, secret, 512).Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatalf("two throttles then success: %v", err)
	}
	_, err := newEmbedder(t, srv.URL, "wrong-secret-key-value", 512).Embed(context.Background(), []string{"x"})
	if err == nil || !strings.Contains(err.Error(), "InvalidSignatureException") || strings.Contains(err.Error(), "wrong-secret-key-value") {
		t.Fatalf("a wrong secret must fail the signature check, unprinted: %v", err)
	}
}

func TestDimensionsValidated(t *testing.T) {
	if _, err := New(context.Background(), Config{Region: "us-east-1", Dimensions: 384, Credentials: credentials.NewStaticCredentialsProvider(akid, secret, "")}); err == nil {
		t.Fatal("384 dimensions accepted; Titan V2 takes 256, 512, 1024")
	}
}
