package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/app"
	"github.com/cognitod/cognitod/internal/outbox"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/testserver"
)

func appendMsg(t *testing.T, srv *testserver.Server, pool, user, to, code string) store.Message {
	t.Helper()
	m, err := srv.App.Store.AppendMessage(context.Background(), store.Message{
		PoolID: pool, Username: user, Medium: "SMS", Destination: to, Kind: "FORGOT_PASSWORD_CODE",
		Body: "Your code is " + code, Code: code, Created: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestQueryRoundTrip(t *testing.T) {
	q := outbox.Query{UserPoolID: "us-east-1_A", Username: "al ice+1", Destination: "+15555550100", AfterSeq: 7, Limit: 20}
	got, err := outbox.ParseQuery(q.Values())
	if err != nil || got != q {
		t.Errorf("%+v %v", got, err)
	}
	got, err = outbox.ParseQuery(url.Values{})
	if err != nil || got != (outbox.Query{Limit: outbox.DefaultLimit}) {
		t.Errorf("empty: %+v %v", got, err)
	}
	if len((outbox.Query{}).Values()) != 0 {
		t.Error("zero query has parameters")
	}
}

func TestClient(t *testing.T) {
	srv := testserver.Start(t, testserver.WithConfig(func(c *app.Config) { c.DB = "memory" }))
	ctx := testserver.Ctx(t)
	c := srv.Outbox()

	if _, err := c.LatestCode(ctx, "us-east-1_A", "alice"); !errors.Is(err, outbox.ErrNoCode) {
		t.Errorf("LatestCode of nothing: %v", err)
	}
	m1 := appendMsg(t, srv, "us-east-1_A", "alice", "+15555550100", "111111")
	appendMsg(t, srv, "us-east-1_A", "bob", "+15555550101", "222222")
	m3 := appendMsg(t, srv, "us-east-1_A", "alice", "+15555550100", "333333")
	if _, err := srv.App.Store.AppendMessage(ctx, store.Message{PoolID: "us-east-1_A", Username: "alice", Kind: "INVITATION", Body: "welcome"}); err != nil {
		t.Fatal(err)
	}

	got, err := c.List(ctx, outbox.Query{UserPoolID: "us-east-1_A", Username: "alice", Limit: 2})
	if err != nil || len(got) != 2 || got[0].Seq != m1.Seq || got[1].Seq != m3.Seq || got[1].Code != "333333" || got[1].Medium != "SMS" || got[1].Destination != "+15555550100" {
		t.Fatalf("List: %+v %v", got, err)
	}
	all, err := c.ListAll(ctx, outbox.Query{Limit: 1})
	if err != nil || len(all) != 4 {
		t.Fatalf("ListAll by pages of 1: %d %v", len(all), err)
	}
	if code, err := c.LatestCode(ctx, "us-east-1_A", "alice"); err != nil || code != "333333" {
		t.Errorf("LatestCode: %q %v", code, err)
	}

	var se *outbox.StatusError
	if _, err := c.List(ctx, outbox.Query{Limit: 5000}); !errors.As(err, &se) || se.StatusCode != http.StatusBadRequest || se.Message == "" {
		t.Errorf("bad limit: %v", err)
	}
}

func TestFollow(t *testing.T) {
	srv := testserver.Start(t, testserver.WithConfig(func(c *app.Config) { c.DB = "memory" }))
	c := srv.Outbox()
	c.Interval = 20 * time.Millisecond
	m1 := appendMsg(t, srv, "us-east-1_A", "alice", "+15555550100", "111111")
	appendMsg(t, srv, "us-east-1_B", "alice", "+15555550100", "222222")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	var seen []string
	got := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() {
		done <- c.Follow(ctx, outbox.Query{UserPoolID: "us-east-1_A", Limit: 1}, func(m outbox.Message) error {
			mu.Lock()
			seen = append(seen, m.Code)
			mu.Unlock()
			got <- struct{}{}
			return nil
		})
	}()
	<-got
	appendMsg(t, srv, "us-east-1_B", "bob", "+15555550101", "333333")
	appendMsg(t, srv, "us-east-1_A", "bob", "+15555550101", "444444")
	appendMsg(t, srv, "us-east-1_A", "carol", "+15555550102", "555555")
	<-got
	<-got
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Follow ended with %v", err)
	}
	if fmt.Sprint(seen) != "[111111 444444 555555]" {
		t.Errorf("seen %v", seen)
	}

	// fn's error stops following and comes back.
	stop := errors.New("enough")
	err := c.Follow(context.Background(), outbox.Query{AfterSeq: m1.Seq - 1}, func(outbox.Message) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("Follow with a failing fn: %v", err)
	}
}

// A server that cannot be reached is polled again until the context ends; a
// server that refuses ends the follow with its answer.
func TestFollowUnreachableAndRefused(t *testing.T) {
	away := &outbox.Client{BaseURL: "http://127.0.0.1:1", HTTP: &http.Client{Timeout: time.Second}, Interval: 10 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := away.Follow(ctx, outbox.Query{}, func(outbox.Message) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("following an unreachable server ended with %v, want the context's end", err)
	}

	strict := testserver.Start(t, testserver.WithConfig(func(c *app.Config) { c.DB = "memory"; c.Strict = true }))
	err = strict.Outbox().Follow(context.Background(), outbox.Query{}, func(outbox.Message) error { return nil })
	var se *outbox.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("following a refusing server ended with %v, want a StatusError", err)
	}
}
