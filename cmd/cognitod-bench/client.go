package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// targetPrefix starts every X-Amz-Target of the Cognito Identity Provider API.
const targetPrefix = "AWSCognitoIdentityProviderService."

// Error types the tool gives to failures that carry no __type.
const (
	errTransport      = "TransportError"
	errNotImplemented = "NotImplementedException"
)

// Request is one API call: the operation (the X-Amz-Target suffix), its JSON
// body, and the label the report counts it under (the operation when empty).
type Request struct {
	Op    string
	Label string
	Body  []byte
}

func (r Request) label() string {
	if r.Label != "" {
		return r.Label
	}
	return r.Op
}

// Response is a server's answer. Body is valid until the worker's next call.
type Response struct {
	Status int
	Body   []byte
}

// APIError is an answer other than 2xx, or a request that got no answer.
type APIError struct {
	Op      string
	Status  int // 0 when no answer came
	Type    string
	Message string
}

func (e *APIError) Error() string {
	msg := e.Type
	if e.Status != 0 {
		msg = fmt.Sprintf("%s (HTTP %d)", e.Type, e.Status)
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return e.Op + ": " + msg
}

// NotImplemented reports whether the server said it does not implement the
// operation (cognitod's HTTP 501 NotImplementedException).
func (e *APIError) NotImplemented() bool {
	return e.Type == errNotImplemented || e.Status == http.StatusNotImplemented
}

// apiClient sends requests to one endpoint over kept-alive HTTP/1.1
// connections: one connection per worker at most, none dropped between
// requests (unless the server closes them, as moto's does).
type apiClient struct {
	endpoint  string
	hc        *http.Client
	transport *http.Transport
	auth      string
}

func newAPIClient(endpoint, region string, conns int, timeout time.Duration) *apiClient {
	t := &http.Transport{
		Proxy:                 nil, // loopback targets: never through a proxy
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          2 * conns,
		MaxIdleConnsPerHost:   2 * conns,
		MaxConnsPerHost:       2 * conns,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: timeout,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
	}
	return &apiClient{
		endpoint:  strings.TrimRight(endpoint, "/") + "/",
		hc:        &http.Client{Transport: t},
		transport: t,
		// A syntactically valid SigV4 header with a dummy signature: cognitod
		// in dev mode, moto and cognito-local do not check signatures, and
		// moto takes the region from the credential scope.
		auth: "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/" + region +
			"/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" +
			strings.Repeat("0", 64),
	}
}

func (c *apiClient) close() { c.transport.CloseIdleConnections() }

// header builds the headers of one operation's requests. The map is only
// read afterwards (net/http does not change a client request's headers), so
// a worker reuses it for every request of that operation.
func (c *apiClient) header(op string) http.Header {
	return http.Header{
		"Content-Type":  {"application/x-amz-json-1.1"},
		"X-Amz-Target":  {targetPrefix + op},
		"X-Amz-Date":    {"20260101T000000Z"},
		"Authorization": {c.auth},
		"User-Agent":    {"cognitod-bench"},
	}
}

// parseError reads the error type and message of an answer that is not 2xx:
// the __type member (its namespace dropped), else the x-amzn-ErrorType header,
// else the HTTP status.
func parseError(op string, status int, h http.Header, body []byte) *APIError {
	e := &APIError{Op: op, Status: status}
	var doc struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	if json.Unmarshal(body, &doc) == nil {
		e.Type = doc.Type
		e.Message = doc.Message
		if e.Message == "" {
			e.Message = doc.MessageU
		}
	}
	if e.Type == "" && h != nil {
		e.Type = h.Get("X-Amzn-ErrorType")
	}
	if i := strings.IndexByte(e.Type, ':'); i >= 0 {
		e.Type = e.Type[:i]
	}
	if i := strings.LastIndexByte(e.Type, '#'); i >= 0 {
		e.Type = e.Type[i+1:]
	}
	if e.Type == "" {
		e.Type = fmt.Sprintf("HTTP%d", status)
		if e.Message == "" {
			e.Message = strings.TrimSpace(string(truncate(body, 200)))
		}
	}
	return e
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// do sends one request and reads the whole answer into buf (so the
// connection goes back to the pool). It returns the answer, or an *APIError
// for a non-2xx answer or a transport failure.
func (c *apiClient) do(ctx context.Context, h http.Header, req Request, buf *bytes.Buffer) (Response, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(req.Body))
	if err != nil {
		return Response{}, &APIError{Op: req.Op, Type: errTransport, Message: err.Error()}
	}
	hr.Header = h
	resp, err := c.hc.Do(hr)
	if err != nil {
		return Response{}, &APIError{Op: req.Op, Type: errTransport, Message: err.Error()}
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return Response{}, &APIError{Op: req.Op, Status: resp.StatusCode, Type: errTransport, Message: "reading the answer: " + err.Error()}
	}
	r := Response{Status: resp.StatusCode, Body: buf.Bytes()}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return r, parseError(req.Op, resp.StatusCode, resp.Header, r.Body)
	}
	return r, nil
}
