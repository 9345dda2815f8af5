package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/app"
	"github.com/cognitod/cognitod/internal/outbox"
	"github.com/cognitod/cognitod/internal/store"
)

func openApp(t *testing.T, edit func(*app.Config)) *app.App {
	t.Helper()
	cfg := app.Defaults()
	cfg.DB = "memory"
	cfg.DataDir = t.TempDir()
	if edit != nil {
		edit(&cfg)
	}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func appendMsg(t *testing.T, a *app.App, pool, user, to, code string) store.Message {
	t.Helper()
	m, err := a.Store.AppendMessage(context.Background(), store.Message{
		PoolID: pool, Username: user, Medium: "EMAIL", Destination: to, Kind: "SIGN_UP_CODE",
		Subject: "Your verification code", Body: "Your code is " + code + "\nThanks.", Code: code,
		Created: time.Date(2026, 11, 22, 0, 10, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// get serves one request from remote and decodes the answer.
func get(t *testing.T, a *app.App, remote, query string) (int, outbox.Response, outbox.ErrorResponse, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/_cognitod/messages"+query, nil)
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	a.Server.Handler().ServeHTTP(rec, req)
	var ok outbox.Response
	var bad outbox.ErrorResponse
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", query, ct)
	}
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &ok); err != nil {
			t.Fatalf("%s: %v: %s", query, err, rec.Body)
		}
	} else if err := json.Unmarshal(rec.Body.Bytes(), &bad); err != nil || bad.Error == "" {
		t.Fatalf("%s: error body %q", query, rec.Body)
	}
	return rec.Code, ok, bad, rec.Body.Bytes()
}

func seqs(ms []outbox.Message) []int64 {
	out := []int64{}
	for _, m := range ms {
		out = append(out, m.Seq)
	}
	return out
}

func TestMessagesFilters(t *testing.T) {
	a := openApp(t, nil)
	const loop = "127.0.0.1:5555"
	m1 := appendMsg(t, a, "us-east-1_A", "alice", "alice@example.com", "111111")
	m2 := appendMsg(t, a, "us-east-1_A", "bob", "bob@example.com", "222222")
	m3 := appendMsg(t, a, "us-east-1_B", "alice", "alice@example.com", "333333")
	m4 := appendMsg(t, a, "us-east-1_A", "alice", "other@example.com", "444444")

	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{m1.Seq, m2.Seq, m3.Seq, m4.Seq}},
		{"?userPoolId=us-east-1_A", []int64{m1.Seq, m2.Seq, m4.Seq}},
		{"?username=alice", []int64{m1.Seq, m3.Seq, m4.Seq}},
		{"?userPoolId=us-east-1_A&username=alice", []int64{m1.Seq, m4.Seq}},
		{"?to=alice@example.com", []int64{m1.Seq, m3.Seq}},
		{"?destination=alice%40example.com&userPoolId=us-east-1_B", []int64{m3.Seq}},
		{"?username=Alice", []int64{}},
		{"?userPoolId=us-east-1_C", []int64{}},
		{fmt.Sprintf("?after=%d", m2.Seq), []int64{m3.Seq, m4.Seq}},
		{"?limit=2", []int64{m1.Seq, m2.Seq}},
		{fmt.Sprintf("?after=%d&limit=1", m1.Seq), []int64{m2.Seq}},
		{"?to=alice@example.com&limit=1", []int64{m1.Seq}},
		{fmt.Sprintf("?to=alice@example.com&after=%d", m1.Seq), []int64{m3.Seq}},
		{fmt.Sprintf("?after=%d", m4.Seq), []int64{}},
	}
	for _, tc := range tests {
		status, resp, bad, _ := get(t, a, loop, tc.query)
		if status != 200 {
			t.Errorf("%s: %d %s", tc.query, status, bad.Error)
			continue
		}
		if got := seqs(resp.Messages); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: seqs %v, want %v", tc.query, got, tc.want)
		}
	}

	// The served shape of one message, created as RFC 3339.
	_, _, _, body := get(t, a, loop, fmt.Sprintf("?limit=1&after=%d", m3.Seq))
	var raw struct {
		Messages []map[string]any `json:"messages"`
	}
	if err := json.Unmarshal(body, &raw); err != nil || len(raw.Messages) != 1 {
		t.Fatalf("%v %s", err, body)
	}
	got := raw.Messages[0]
	want := map[string]any{
		"seq": float64(m4.Seq), "userPoolId": "us-east-1_A", "username": "alice", "medium": "EMAIL",
		"destination": "other@example.com", "kind": "SIGN_UP_CODE", "subject": "Your verification code",
		"body": "Your code is 444444\nThanks.", "code": "444444", "created": "2026-11-22T00:10:00Z",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("message\n got %v\nwant %v", got, want)
	}
	if _, err := time.Parse(time.RFC3339, got["created"].(string)); err != nil {
		t.Error(err)
	}

	// An empty outbox answers an empty list, not null.
	_, _, _, body = get(t, a, loop, "?userPoolId=none")
	if string(body) != `{"messages":[]}`+"\n" {
		t.Errorf("empty: %s", body)
	}
}

// TestMessagesDefaultLimitAndPaging: 100 messages by default, at most 1000,
// and a destination filter that reads past a page of non-matching messages.
func TestMessagesDefaultLimitAndPaging(t *testing.T) {
	a := openApp(t, nil)
	const loop = "127.0.0.1:5555"
	var first store.Message
	for i := range 1005 {
		m := appendMsg(t, a, "us-east-1_A", "bob", "bob@example.com", fmt.Sprint(i))
		if i == 0 {
			first = m
		}
	}
	last := appendMsg(t, a, "us-east-1_A", "carol", "carol@example.com", "999999")

	_, resp, _, _ := get(t, a, loop, "")
	if len(resp.Messages) != 100 || resp.Messages[0].Seq != first.Seq {
		t.Errorf("default: %d messages from %d", len(resp.Messages), resp.Messages[0].Seq)
	}
	_, resp, _, _ = get(t, a, loop, "?limit=1000")
	if len(resp.Messages) != 1000 {
		t.Errorf("limit=1000: %d messages", len(resp.Messages))
	}
	_, resp, _, _ = get(t, a, loop, "?to=carol@example.com")
	if got := seqs(resp.Messages); fmt.Sprint(got) != fmt.Sprint([]int64{last.Seq}) {
		t.Errorf("destination past a full page: %v", got)
	}
}

func TestMessagesBadParameters(t *testing.T) {
	a := openApp(t, nil)
	for _, q := range []string{
		"?limit=0", "?limit=1001", "?limit=-1", "?limit=ten",
		"?after=-1", "?after=x", "?after=1.5",
		"?pool=us-east-1_A", "?userPoolId=a&userPoolId=b",
		"?to=a@example.com&destination=b@example.com",
	} {
		status, _, bad, _ := get(t, a, "127.0.0.1:5555", q)
		if status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", q, status)
		}
		if bad.Error == "" {
			t.Errorf("%s: no error message", q)
		}
	}
}

func TestMessagesAccess(t *testing.T) {
	tests := []struct {
		name           string
		strict, remote bool
		from           string
		status         int
	}{
		{"loopback", false, false, "127.0.0.1:5555", 200},
		{"loopback v6", false, false, "[::1]:5555", 200},
		{"remote refused", false, false, "192.0.2.10:5555", 403},
		{"remote allowed", false, true, "192.0.2.10:5555", 200},
		{"strict", true, false, "127.0.0.1:5555", 403},
		{"strict remote", true, false, "192.0.2.10:5555", 403},
		{"strict with outbox-remote", true, true, "192.0.2.10:5555", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := openApp(t, func(c *app.Config) { c.Strict, c.OutboxRemote = tc.strict, tc.remote })
			m := appendMsg(t, a, "us-east-1_A", "alice", "alice@example.com", "123456")
			status, resp, bad, _ := get(t, a, tc.from, "")
			if status != tc.status {
				t.Fatalf("status %d (%s), want %d", status, bad.Error, tc.status)
			}
			if status == 200 && (len(resp.Messages) != 1 || resp.Messages[0].Code != "123456" || resp.Messages[0].Seq != m.Seq) {
				t.Errorf("messages %+v", resp.Messages)
			}
			if status != 200 && resp.Messages != nil {
				t.Errorf("refused but served %+v", resp.Messages)
			}
		})
	}
}

func TestMessagesMethod(t *testing.T) {
	a := openApp(t, nil)
	req := httptest.NewRequest(http.MethodPost, "/_cognitod/messages", nil)
	req.RemoteAddr = "127.0.0.1:5555"
	rec := httptest.NewRecorder()
	a.Server.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}
