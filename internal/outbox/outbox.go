// Package outbox is the reading side of cognitod's message outbox: every
// message Cognito would send (a sign-up code, an invitation, a forgot-password
// code …) is recorded instead of sent, and can be read back over
// GET /_cognitod/messages. This package holds the JSON shape of a message as
// that endpoint serves it, the query it accepts, and a small client that lists
// and follows messages (the `cognitod messages` command and Go tests use it).
package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// Path is where cognitod serves the outbox.
const Path = "/_cognitod/messages"

// DefaultLimit and MaxLimit bound how many messages one request returns.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Message is one recorded message as the endpoint serves it.
type Message struct {
	Seq         int64     `json:"seq"`
	UserPoolID  string    `json:"userPoolId"`
	Username    string    `json:"username"`
	Medium      string    `json:"medium"` // EMAIL or SMS
	Destination string    `json:"destination"`
	Kind        string    `json:"kind"` // SIGN_UP_CODE, INVITATION, FORGOT_PASSWORD_CODE …
	Subject     string    `json:"subject"`
	Body        string    `json:"body"`
	Code        string    `json:"code"`
	Created     time.Time `json:"created"` // RFC 3339, UTC
}

// FromStore converts a stored message to its served shape.
func FromStore(m store.Message) Message {
	return Message{
		Seq:         m.Seq,
		UserPoolID:  m.PoolID,
		Username:    m.Username,
		Medium:      m.Medium,
		Destination: m.Destination,
		Kind:        m.Kind,
		Subject:     m.Subject,
		Body:        m.Body,
		Code:        m.Code,
		Created:     m.Created.UTC(),
	}
}

// Response is the endpoint's answer: {"messages":[…]} in Seq order.
type Response struct {
	Messages []Message `json:"messages"`
}

// ErrorResponse is the endpoint's answer to a refused or bad request.
type ErrorResponse struct {
	Error string `json:"error"`
}

// Query selects messages. Empty fields do not filter.
type Query struct {
	UserPoolID  string
	Username    string
	Destination string // the e-mail address or phone number, byte for byte
	// AfterSeq lists only messages with a greater Seq.
	AfterSeq int64
	// Limit is the most messages one request returns: 0 is DefaultLimit,
	// at most MaxLimit.
	Limit int
}

// Values encodes q as the endpoint's query parameters.
func (q Query) Values() url.Values {
	v := url.Values{}
	if q.UserPoolID != "" {
		v.Set("userPoolId", q.UserPoolID)
	}
	if q.Username != "" {
		v.Set("username", q.Username)
	}
	if q.Destination != "" {
		v.Set("to", q.Destination)
	}
	if q.AfterSeq != 0 {
		v.Set("after", strconv.FormatInt(q.AfterSeq, 10))
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// ParseQuery reads the endpoint's query parameters: userPoolId, username,
// to (or destination), after and limit. Unknown or repeated parameters and
// values out of range are errors, so that a misspelt filter does not silently
// list everything. The returned Limit is never 0.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{Limit: DefaultLimit}
	for name, vals := range v {
		if len(vals) != 1 {
			return q, fmt.Errorf("parameter %s is given %d times", name, len(vals))
		}
		val := vals[0]
		switch name {
		case "userPoolId":
			q.UserPoolID = val
		case "username":
			q.Username = val
		case "to", "destination":
			if q.Destination != "" && q.Destination != val {
				return q, errors.New("to and destination differ")
			}
			q.Destination = val
		case "after":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n < 0 {
				return q, fmt.Errorf("after must be a message seq (a whole number, 0 or more), not %q", val)
			}
			q.AfterSeq = n
		case "limit":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > MaxLimit {
				return q, fmt.Errorf("limit must be a whole number from 1 to %d, not %q", MaxLimit, val)
			}
			q.Limit = n
		default:
			return q, fmt.Errorf("unknown parameter %q (want userPoolId, username, to, after or limit)", name)
		}
	}
	return q, nil
}

// Client reads the outbox of a running cognitod.
type Client struct {
	// BaseURL is the server, e.g. http://127.0.0.1:9229.
	BaseURL string
	// HTTP makes the requests; nil is a client with a 30 s timeout.
	HTTP *http.Client
	// Interval is how long Follow waits between polls that found nothing;
	// 0 is 500 ms.
	Interval time.Duration
}

// StatusError is a refusal or failure that the server answered.
type StatusError struct {
	StatusCode int
	Message    string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("outbox: %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), e.Message)
}

var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// List makes one request: at most q.Limit messages (DefaultLimit when 0),
// in Seq order.
func (c *Client) List(ctx context.Context, q Query) ([]Message, error) {
	u := strings.TrimRight(c.BaseURL, "/") + Path
	if v := q.Values().Encode(); v != "" {
		u += "?" + v
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e ErrorResponse
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(bytes.ToValidUTF8(body[:min(len(body), 500)], nil)))
		}
		return nil, &StatusError{StatusCode: resp.StatusCode, Message: e.Error}
	}
	var r Response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("outbox: decoding the answer: %w", err)
	}
	return r.Messages, nil
}

// ListAll lists every message q selects after q.AfterSeq, however many
// requests that takes (q.Limit is the page size).
func (c *Client) ListAll(ctx context.Context, q Query) ([]Message, error) {
	if q.Limit <= 0 {
		q.Limit = MaxLimit
	}
	var all []Message
	for {
		page, err := c.List(ctx, q)
		if err != nil {
			return all, err
		}
		all = append(all, page...)
		if len(page) < q.Limit {
			return all, nil
		}
		q.AfterSeq = page[len(page)-1].Seq
	}
}

// Follow calls fn for every message q selects after q.AfterSeq, in Seq order,
// then keeps polling (every Interval) for new ones until ctx ends or fn
// returns an error. A server that cannot be reached is polled again (a
// development server restarts); one that refuses the request ends the
// follow. It returns fn's error, the refusal, or ctx.Err().
// q.Limit is the page size of each poll.
func (c *Client) Follow(ctx context.Context, q Query, fn func(Message) error) error {
	if q.Limit <= 0 {
		q.Limit = MaxLimit
	}
	interval := c.Interval
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		page, err := c.List(ctx, q)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var se *StatusError
			if errors.As(err, &se) {
				return err // the server refuses: asking again will not help
			}
			// The server is away (restarting, say): keep following.
			t.Reset(interval)
			continue
		}
		for _, m := range page {
			if err := fn(m); err != nil {
				return err
			}
			q.AfterSeq = m.Seq
		}
		if len(page) == q.Limit {
			t.Reset(0) // more may be waiting
		} else {
			t.Reset(interval)
		}
	}
}

// ErrNoCode means no message to that user carries a code.
var ErrNoCode = errors.New("outbox: no message with a code")

// LatestCode returns the code of the newest message to username in the pool
// that carries one, for tests: sign up, then confirm with LatestCode. In a
// pool whose users sign in with their email or phone number the stored
// username is the sub, so a username that names no message is also tried as
// the destination (the address itself).
func (c *Client) LatestCode(ctx context.Context, userPoolID, username string) (string, error) {
	for _, q := range []Query{{UserPoolID: userPoolID, Username: username}, {UserPoolID: userPoolID, Destination: username}} {
		all, err := c.ListAll(ctx, q)
		if err != nil {
			return "", err
		}
		for i := len(all) - 1; i >= 0; i-- {
			if all[i].Code != "" {
				return all[i].Code, nil
			}
		}
	}
	return "", fmt.Errorf("%w to %s in %s", ErrNoCode, username, userPoolID)
}
