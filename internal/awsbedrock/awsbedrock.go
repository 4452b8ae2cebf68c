// Package awsbedrock sends SigV4-signed JSON requests to Amazon Bedrock's runtime API
// (POST /model/{modelId}/{operation}) on net/http: what internal/llm/bedrock (Converse) and
// internal/memory/embed/bedrock (InvokeModel) share. It replaces the SDK's bedrockruntime
// client, whose generated schemas and endpoint rules every command of the binary paid for at
// start-up (about 2.6 ms of package initialisation, and the page faults of its code) for the
// two operations used here.
//
// The AWS configuration still comes from aws-sdk-go-v2's config package, so the credential
// chain users rely on (environment, shared config and profiles, SSO, assumed and instance
// roles) and the configured endpoints (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
// endpoint_url in a profile) work as before; requests are signed with the SDK's v4 signer.
// The client does not retry: its HTTP client's transport does.
package awsbedrock

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/encoding/httpbinding"
)

// SigningName is the service name in Bedrock runtime's SigV4 credential scope.
const SigningName = "bedrock"

// maxAnswer bounds the body read from one answer.
const maxAnswer = 32 << 20

// ErrNoRegion is a configuration that names no region: the caller says where to set one.
var ErrNoRegion = errors.New("no AWS region")

// Options say which region, where and as whom.
type Options struct {
	Region      string                  // "" takes the AWS configuration's
	Endpoint    string                  // a custom bedrock-runtime endpoint (VPC endpoint, tests)
	Credentials aws.CredentialsProvider // nil: the AWS default chain
	HTTP        *http.Client            // nil is http.DefaultClient
}

// Client calls one region's bedrock-runtime endpoint.
type Client struct {
	base   *url.URL
	region string
	creds  aws.CredentialsProvider
	signer *v4.Signer
	http   *http.Client
}

// New loads the AWS configuration (it calls nothing) and returns a client. A configuration
// that cannot be loaded is returned as is, one without a region as ErrNoRegion.
func New(ctx context.Context, o Options) (*Client, error) {
	var awsCfg aws.Config
	if o.Credentials != nil {
		awsCfg = aws.Config{Region: o.Region, Credentials: o.Credentials}
	} else {
		var opts []func(*config.LoadOptions) error
		if o.Region != "" {
			opts = append(opts, config.WithRegion(o.Region))
		}
		var err error
		if awsCfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
			return nil, err
		}
	}
	if awsCfg.Region == "" {
		return nil, ErrNoRegion
	}
	if !hostLabel(awsCfg.Region) {
		return nil, fmt.Errorf("invalid AWS region %q", awsCfg.Region)
	}
	endpoint := o.Endpoint
	if endpoint == "" {
		endpoint = configuredEndpoint(ctx, awsCfg)
	}
	if endpoint == "" {
		endpoint = "https://bedrock-runtime." + awsCfg.Region + ".amazonaws.com"
	}
	base, err := url.Parse(endpoint)
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, fmt.Errorf("bedrock-runtime endpoint %q is not an http(s) URL", endpoint)
	}
	base.RawQuery, base.Fragment = "", ""
	creds := awsCfg.Credentials
	if creds == nil {
		return nil, errors.New("no AWS credentials provider")
	}
	if _, ok := creds.(*aws.CredentialsCache); !ok {
		creds = aws.NewCredentialsCache(creds)
	}
	hc := o.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: base, region: awsCfg.Region, creds: creds, signer: v4.NewSigner(), http: hc}, nil
}

// Region is the region requests are signed for.
func (c *Client) Region() string { return c.region }

// configuredEndpoint is the endpoint the AWS configuration names for Bedrock runtime, "" when
// none: AWS_ENDPOINT_URL_BEDROCK_RUNTIME or a profile's services section, else the global
// AWS_ENDPOINT_URL or a profile's endpoint_url (the order the SDK's clients follow), unless
// configured endpoints are turned off.
func configuredEndpoint(ctx context.Context, cfg aws.Config) string {
	type ignore interface {
		GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
	}
	type service interface {
		GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
	}
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(ignore); ok {
			if v, found, err := p.GetIgnoreConfiguredEndpoints(ctx); err == nil && found {
				if v {
					return ""
				}
				break
			}
		}
	}
	global := aws.ToString(cfg.BaseEndpoint)
	_, g := os.LookupEnv("AWS_ENDPOINT_URL")
	_, s := os.LookupEnv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME")
	if g && !s {
		return global
	}
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(service); ok {
			v, found, err := p.GetServiceBaseEndpoint(ctx, "Bedrock Runtime")
			if err != nil {
				break
			}
			if found {
				return v
			}
		}
	}
	return global
}

// Error is an answer with an error status: the exception's name (x-amzn-errortype, or the
// body's __type or code) and the body's message.
type Error struct {
	Status    int
	Code      string // e.g. ThrottlingException; "UnknownError" when the answer names none
	Message   string // the body's message; the status text when it has none
	RequestID string // x-amzn-RequestId, when given
}

func (e *Error) Error() string {
	return fmt.Sprintf("HTTP %d: %s: %s", e.Status, e.Code, e.Message)
}

// Post signs body (JSON) for model's operation ("converse", "invoke"), sends it and returns the
// answer's body when the status is 2xx, else an *Error. accept, when not "", is sent (and
// signed) as the Accept header.
func (c *Client) Post(ctx context.Context, model, operation string, body []byte, accept string) ([]byte, error) {
	if model == "" {
		return nil, errors.New("no model ID")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u := *c.base
	prefix := strings.TrimRight(c.base.Path, "/")
	u.Path = prefix + "/model/" + model + "/" + operation
	u.RawPath = strings.TrimRight(c.base.EscapedPath(), "/") + "/model/" + EscapeLabel(model) + "/" + operation
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), SigningName, c.region, time.Now()); err != nil {
		return nil, fmt.Errorf("signing the request: %w", err)
	}
	res, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // not the *url.Error that repeats the URL
		}
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if len(data) > maxAnswer {
		return nil, fmt.Errorf("the answer is larger than %d MiB", maxAnswer>>20)
	}
	if res.StatusCode/100 != 2 {
		return nil, answerError(res, data)
	}
	return data, nil
}

// answerError reads an error answer as the REST-JSON protocol writes it.
func answerError(res *http.Response, data []byte) *Error {
	e := &Error{Status: res.StatusCode, RequestID: res.Header.Get("X-Amzn-Requestid")}
	var body struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	_ = json.Unmarshal(data, &body)
	e.Code = res.Header.Get("X-Amzn-Errortype")
	if e.Code == "" {
		e.Code = body.Code
	}
	if e.Code == "" {
		e.Code = body.Type
	}
	// "ThrottlingException:http://internal.amazon.com/...", "com.amazon.bedrock#ValidationException"
	e.Code, _, _ = strings.Cut(e.Code, ":")
	if i := strings.LastIndexByte(e.Code, '#'); i >= 0 {
		e.Code = e.Code[i+1:]
	}
	if e.Code == "" {
		e.Code = "UnknownError"
	}
	e.Message = body.Message
	if e.Message == "" {
		e.Message = body.Message2
	}
	if e.Message == "" {
		e.Message = http.StatusText(res.StatusCode)
	}
	return e
}

// EscapeLabel escapes a model ID for its path segment as the API requires: every byte but
// letters, digits and -._~ percent-encoded, so an ARN's ':' and '/' stay inside the segment
// (and the signer, which escapes the path once more, signs what the service recomputes).
// smithy-go's escaper, already linked in by the AWS configuration, is the SDK's own.
func EscapeLabel(s string) string { return httpbinding.EscapePath(s, true) }

// hostLabel says whether region can stand in a host name.
func hostLabel(region string) bool {
	if region == "" || len(region) > 63 || region[0] == '-' || region[len(region)-1] == '-' {
		return false
	}
	for i := 0; i < len(region); i++ {
		c := region[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
