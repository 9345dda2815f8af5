package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/app"
	"github.com/cognitod/cognitod/internal/outbox"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/testserver"
)

// syncBuffer is a bytes.Buffer safe to write from the command's goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func addMessage(t *testing.T, srv *testserver.Server, pool, user, to, code string) store.Message {
	t.Helper()
	m, err := srv.App.Store.AppendMessage(context.Background(), store.Message{
		PoolID: pool, Username: user, Medium: "EMAIL", Destination: to, Kind: "SIGN_UP_CODE",
		Subject: "Your verification code", Body: "Your code is " + code + ".\nWelcome!", Code: code,
		Created: time.Date(2026, 11, 22, 0, 10, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func noEnv(string) string { return "" }

func TestMessagesList(t *testing.T) {
	srv := testserver.Start(t, testserver.WithConfig(func(c *app.Config) { c.DB = "memory" }))
	ctx := testserver.Ctx(t)

	var out, errOut syncBuffer
	if err := run(ctx, []string{"messages", "--endpoint", srv.URL}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if out.String() != "" || !strings.Contains(errOut.String(), "no messages") {
		t.Errorf("empty outbox: stdout %q stderr %q", out.String(), errOut.String())
	}

	m1 := addMessage(t, srv, "us-east-1_A", "alice", "alice@example.com", "111111")
	addMessage(t, srv, "us-east-1_A", "bob", "bob@example.com", "222222")
	addMessage(t, srv, "us-east-1_B", "alice", "alice@example.com", "333333")

	out = syncBuffer{}
	if err := run(ctx, []string{"messages", "--pool", "us-east-1_A", "--user", "alice"}, func(k string) string {
		if k == "COGNITOD_ENDPOINT" {
			return srv.URL
		}
		return ""
	}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	want := "#" + strconv.FormatInt(m1.Seq, 10) + " 2026-11-22T00:10:00Z SIGN_UP_CODE EMAIL to alice@example.com (pool us-east-1_A, user alice)\n" +
		"    code: 111111\n" +
		"    subject: Your verification code\n" +
		"    | Your code is 111111.\n" +
		"    | Welcome!\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}

	out = syncBuffer{}
	if err := run(ctx, []string{"messages", "--endpoint", srv.URL, "--to", "alice@example.com", "--json"}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("--to --json: %q", out.String())
	}
	var m outbox.Message
	if err := json.Unmarshal([]byte(lines[1]), &m); err != nil || m.Code != "333333" || m.UserPoolID != "us-east-1_B" {
		t.Errorf("--json line %q: %+v %v", lines[1], m, err)
	}

	if err := run(ctx, []string{"messages", "--endpoint", srv.URL, "stray"}, noEnv, &out, &errOut); err == nil {
		t.Error("stray argument accepted")
	}
	if err := run(ctx, []string{"messages", "--endpoint", "http://127.0.0.1:1"}, noEnv, &out, &errOut); err == nil {
		t.Error("no error without a server")
	}
}

func TestMessagesFollow(t *testing.T) {
	srv := testserver.Start(t, testserver.WithConfig(func(c *app.Config) { c.DB = "memory" }))
	addMessage(t, srv, "us-east-1_A", "alice", "alice@example.com", "111111")
	addMessage(t, srv, "us-east-1_B", "bob", "bob@example.com", "222222")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"messages", "--endpoint", srv.URL, "--pool", "us-east-1_A", "--follow"}, noEnv, &out, &errOut)
	}()
	waitFor := func(s string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), s) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in %q (stderr %q)", s, out.String(), errOut.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("code: 111111")
	addMessage(t, srv, "us-east-1_B", "bob", "bob@example.com", "333333")
	addMessage(t, srv, "us-east-1_A", "carol", "carol@example.com", "444444")
	waitFor("code: 444444")
	cancel() // as SIGINT does
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("interrupted follow returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not stop")
	}
	got := out.String()
	if strings.Contains(got, "222222") || strings.Contains(got, "333333") || strings.Count(got, "code:") != 2 {
		t.Errorf("followed:\n%s", got)
	}
}

func TestParseOutboxRemote(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want bool
		fail bool
	}{
		{nil, "", false, false},
		{[]string{"--outbox-remote"}, "", true, false},
		{nil, "true", true, false},
		{[]string{"--outbox-remote=false"}, "1", false, false},
		{nil, "sometimes", false, true},
	} {
		o, err := parse(tc.args, func(k string) string {
			if k == "COGNITOD_OUTBOX_REMOTE" {
				return tc.env
			}
			return ""
		}, io.Discard)
		if (err != nil) != tc.fail || (err == nil && o.cfg.OutboxRemote != tc.want) {
			t.Errorf("%v env %q: %v %v", tc.args, tc.env, o.cfg.OutboxRemote, err)
		}
	}
}
