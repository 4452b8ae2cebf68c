package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client calls one service's JSON API under a base URL.
type Client struct {
	service string
	base    *url.URL
	http    *http.Client
	header  http.Header
	secrets []string
}

// Options configure a Client. Header carries authentication; Secrets lists values (API keys,
// passwords) that must never appear in an error, even if a server echoes them.
type Options struct {
	Header    http.Header
	Secrets   []string
	Transport *Transport // nil: a Transport with its defaults
}

// New returns a client for service (a name for messages, e.g. "qdrant") at baseURL. A user
// and password in baseURL become HTTP basic authentication and are then dropped from it.
func New(service, baseURL string, opt Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%s: %s is not an http(s) URL", service, MaskURL(baseURL))
	}
	h := opt.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	secrets := append([]string(nil), opt.Secrets...)
	if u.User != nil {
		pass, _ := u.User.Password()
		req := &http.Request{Header: http.Header{}}
		req.SetBasicAuth(u.User.Username(), pass)
		h.Set("Authorization", req.Header.Get("Authorization"))
		secrets = append(secrets, pass, req.Header.Get("Authorization"))
		u.User = nil
	}
	for name, vs := range h {
		if looksSecret(name) {
			secrets = append(secrets, vs...)
		}
	}
	t := opt.Transport
	if t == nil {
		t = &Transport{}
	}
	return &Client{service: service, base: u, http: &http.Client{Transport: t}, header: h, secrets: secrets}, nil
}

// URL is the base URL, credentials masked.
func (c *Client) URL() string { return MaskURL(c.base.String()) }

// Error is a call that failed: the service answered with an error status, or did not answer.
type Error struct {
	Service string
	Method  string
	URL     string // masked
	Status  int    // 0 when there was no answer
	Message string // the service's message, masked and shortened; or why there was no answer
	err     error
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s: %s %s: %s", e.Service, e.Method, e.URL, e.Message)
	}
	return fmt.Sprintf("%s: %s %s: %d %s: %s", e.Service, e.Method, e.URL, e.Status, http.StatusText(e.Status), e.Message)
}

func (e *Error) Unwrap() error { return e.err }

// StatusOf returns the HTTP status of a failed call, 0 if there was none.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// Do sends body (nil: none) with contentType to path (joined to the base path, query
// appended) and returns the answer's body when the status is 2xx, else an *Error.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, contentType string, body []byte) ([]byte, error) {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + "/" + strings.TrimLeft(path, "/")
	u.RawPath = ""
	if len(query) > 0 {
		q := c.base.Query()
		for k, vs := range query {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, c.fail(method, u.String(), 0, err.Error(), err)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error repeats the URL unmasked: keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		msg := err.Error()
		if IsTimeout(err) || errors.Is(err, context.DeadlineExceeded) {
			msg = "timed out: " + msg
		}
		return nil, c.fail(method, u.String(), 0, msg, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, c.fail(method, u.String(), 0, "reading the answer: "+err.Error(), err)
	}
	if resp.StatusCode/100 != 2 {
		return data, c.fail(method, u.String(), resp.StatusCode, strings.TrimSpace(string(data)), nil)
	}
	return data, nil
}

// JSON sends in (nil: no body) as JSON and decodes a 2xx answer into out (nil: discarded).
func (c *Client) JSON(ctx context.Context, method, path string, query url.Values, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("%s: encoding %s %s: %w", c.service, method, path, err)
		}
	}
	data, err := c.Do(ctx, method, path, query, "application/json", body)
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			u := *c.base
			u.Path = strings.TrimRight(u.Path, "/") + "/" + strings.TrimLeft(path, "/")
			return c.fail(method, u.String(), 0, "unexpected answer: "+err.Error(), err)
		}
	}
	return nil
}

func (c *Client) fail(method, rawURL string, status int, msg string, err error) *Error {
	msg = maskSecrets(msg, c.secrets)
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	return &Error{Service: c.service, Method: method, URL: MaskURL(rawURL), Status: status, Message: msg, err: err}
}
