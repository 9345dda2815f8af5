package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

type resetCounter struct{ n int }

func (r *resetCounter) Reset(context.Context) error { r.n++; return nil }

func TestReset(t *testing.T) {
	tests := []struct {
		name   string
		strict bool
		remote string
		status int
		resets int
	}{
		{"loopback", false, "127.0.0.1:5555", 200, 1},
		{"loopback v6", false, "[::1]:5555", 200, 1},
		{"remote", false, "192.0.2.10:5555", 403, 0},
		{"strict", true, "127.0.0.1:5555", 403, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := &resetCounter{}
			s := &Server{API: http.NotFoundHandler(), Reset: rc, Strict: tc.strict, Logger: discard()}
			req := httptest.NewRequest(http.MethodPost, "/_cognitod/reset", nil)
			req.RemoteAddr = tc.remote
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.status || rc.n != tc.resets {
				t.Errorf("status %d resets %d, want %d %d", rec.Code, rc.n, tc.status, tc.resets)
			}
		})
	}
}

func TestPanicBecomesInternalError(t *testing.T) {
	s := &Server{API: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), Logger: discard()}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != 500 || rec.Header().Get("X-Amzn-ErrorType") != "InternalErrorException" || rec.Header().Get("X-Amzn-RequestId") == "" {
		t.Fatalf("got %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

// TestGracefulShutdown stops the server while a request is in flight: the
// request must still get its answer, and Serve must return afterwards.
func TestGracefulShutdown(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	s := &Server{Logger: discard(), API: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, `{"done":true}`)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+"/", "application/x-amz-json-1.1", nil)
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-entered
	cancel()
	select {
	case err := <-served:
		t.Fatalf("Serve returned before the in-flight request finished: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if b := <-got; b != `{"done":true}` {
		t.Fatalf("in-flight request got %q", b)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
