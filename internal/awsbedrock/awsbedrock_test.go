package awsbedrock

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
)

func TestEscapeLabel(t *testing.T) {
	for in, want := range map[string]string{
		"amazon.titan-embed-text-v2:0": "amazon.titan-embed-text-v2%3A0",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0": "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0",
		"a b+c%d~e_f.g-h!*'()&=$,;@é": "a%20b%2Bc%25d~e_f.g-h%21%2A%27%28%29%26%3D%24%2C%3B%40%C3%A9",
	} {
		if got := EscapeLabel(in); got != want {
			t.Errorf("EscapeLabel(%q) = %q, want %q", in, got, want)
		}
		if back, err := url.PathUnescape(EscapeLabel(in)); err != nil || back != in {
			t.Errorf("%q does not unescape back: %q %v", in, back, err)
		}
	}
}

// TestPostPathAndErrors sends through a server that answers with the error shapes of the
// REST-JSON protocol and checks the path a model ID makes under an endpoint with a path.
func TestPostPathAndErrors(t *testing.T) {
	var path, auth string
	answer := func(w http.ResponseWriter) {}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		path, auth = r.URL.EscapedPath(), r.Header.Get("Authorization")
		answer(w)
	}))
	defer srv.Close()
	c, err := New(context.Background(), Options{Region: "eu-west-3", Endpoint: srv.URL + "/vpce/",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "the-secret-key", "")})
	if err != nil {
		t.Fatal(err)
	}
	answer = func(w http.ResponseWriter) { io.WriteString(w, `{"ok":true}`) }
	body, err := c.Post(context.Background(), "arn:aws:bedrock:eu-west-3::foundation-model/x:0", "converse", []byte(`{}`), "")
	if err != nil || string(body) != `{"ok":true}` {
		t.Fatalf("%s %v", body, err)
	}
	if path != "/vpce/model/arn%3Aaws%3Abedrock%3Aeu-west-3%3A%3Afoundation-model%2Fx%3A0/converse" {
		t.Fatalf("path %s", path)
	}
	if !strings.Contains(auth, "/eu-west-3/bedrock/aws4_request") {
		t.Fatalf("authorization %q", auth)
	}
	for _, c2 := range []struct {
		header, body, want string
		status             int
	}{
		{"ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/", `{"message":"Too many requests"}`, "HTTP 429: ThrottlingException: Too many requests", 429},
		{"", `{"__type":"com.amazon.bedrock#ValidationException","Message":"bad input"}`, "HTTP 400: ValidationException: bad input", 400},
		{"", `{"code":"AccessDeniedException","message":"no access"}`, "HTTP 403: AccessDeniedException: no access", 403},
		{"", `upstream failed`, "HTTP 502: UnknownError: Bad Gateway", 502},
		{"ResourceNotFoundException", ``, "HTTP 404: ResourceNotFoundException: Not Found", 404},
	} {
		answer = func(w http.ResponseWriter) {
			if c2.header != "" {
				w.Header().Set("X-Amzn-ErrorType", c2.header)
			}
			w.Header().Set("X-Amzn-RequestId", "req-1")
			w.WriteHeader(c2.status)
			io.WriteString(w, c2.body)
		}
		_, err := c.Post(context.Background(), "m", "invoke", []byte(`{}`), "application/json")
		var e *Error
		if !errors.As(err, &e) || e.Error() != c2.want || e.RequestID != "req-1" {
			t.Errorf("%d %s: %v, want %s", c2.status, c2.body, err, c2.want)
		}
		if strings.Contains(err.Error(), "the-secret-key") {
			t.Fatal("the secret key in an error")
		}
	}
}

func TestEndpointFromAWSConfiguration(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "ap-south-1")
	ctx := context.Background()
	base := func() string {
		c, err := New(ctx, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return c.base.String()
	}
	if got := base(); got != "https://bedrock-runtime.ap-south-1.amazonaws.com" {
		t.Fatalf("default endpoint %s", got)
	}
	t.Setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
	if got := base(); got != "http://localhost:4566" {
		t.Fatalf("AWS_ENDPOINT_URL: %s", got)
	}
	t.Setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://localhost:9000")
	if got := base(); got != "http://localhost:9000" {
		t.Fatalf("AWS_ENDPOINT_URL_BEDROCK_RUNTIME: %s", got)
	}
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
	if got := base(); got != "https://bedrock-runtime.ap-south-1.amazonaws.com" {
		t.Fatalf("configured endpoints ignored: %s", got)
	}
	if c, err := New(ctx, Options{Endpoint: "http://vpce.example:8080"}); err != nil || c.base.String() != "http://vpce.example:8080" {
		t.Fatalf("an explicit endpoint wins: %v", err)
	}
	t.Setenv("AWS_REGION", "")
	if _, err := New(ctx, Options{}); !errors.Is(err, ErrNoRegion) {
		t.Fatalf("no region: %v", err)
	}
	if _, err := New(ctx, Options{Region: "us-east-1/evil"}); err == nil {
		t.Fatal("a region that is no host label accepted")
	}
}

func TestCancelledBeforeSending(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls++ }))
	defer srv.Close()
	c, err := New(context.Background(), Options{Region: "us-east-1", Endpoint: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Post(ctx, "m", "converse", []byte(`{}`), ""); !errors.Is(err, context.Canceled) || calls != 0 {
		t.Fatalf("%v after %d calls", err, calls)
	}
}
