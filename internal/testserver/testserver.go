// Package testserver starts a real cognitod (the same wiring as the command)
// on a random loopback port for end-to-end tests, and hands out real clients
// for it: aws-sdk-go-v2's cognitoidentityprovider client above all.
package testserver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitod/cognitod/internal/app"
	"github.com/cognitod/cognitod/internal/outbox"
)

// Server is one running cognitod.
type Server struct {
	URL    string
	App    *app.App
	Config app.Config

	t      testing.TB
	cancel context.CancelFunc
	done   chan error
	// transport is this server's own connection pool: a pool shared across
	// tests could hand a request a connection to an earlier server that had
	// the same port.
	transport *http.Transport
}

// Option changes the configuration before the server starts.
type Option func(*app.Config)

// WithConfig edits the configuration.
func WithConfig(f func(*app.Config)) Option { return Option(f) }

// Start runs cognitod with SQLite in a fresh temporary data folder and stops
// it when the test ends. Set COGNITOD_TEST_LOG=1 to see its request log.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := app.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{t: t, Config: cfg}
	s.start()
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start() {
	s.t.Helper()
	ln, err := net.Listen("tcp", s.Config.Addr)
	if err != nil {
		s.t.Fatal(err)
	}
	cfg := s.Config
	cfg.Addr = ln.Addr().String()
	var w io.Writer = io.Discard
	if os.Getenv("COGNITOD_TEST_LOG") != "" {
		w = os.Stderr
	}
	logger := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, logger)
	if err != nil {
		cancel()
		ln.Close()
		s.t.Fatal(err)
	}
	s.App, s.cancel, s.done = a, cancel, make(chan error, 1)
	s.transport = http.DefaultTransport.(*http.Transport).Clone()
	s.URL = "http://" + cfg.Addr
	go func() {
		err := a.Serve(ctx, ln)
		s.done <- errors.Join(err, a.Close())
	}()
}

// Stop shuts the server down as SIGTERM does: in-flight requests finish, the
// database closes. Calling it twice is harmless.
func (s *Server) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	s.transport.CloseIdleConnections()
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("cognitod stopped with: %v", err)
		}
	case <-time.After(30 * time.Second):
		s.t.Error("cognitod did not stop within 30s")
	}
}

// Restart stops the server and starts it again on the same data folder (the
// port may change: take a new Client afterwards).
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.Config.Addr = "127.0.0.1:0"
	s.start()
}

// Client returns an aws-sdk-go-v2 Cognito client for this server.
func (s *Server) Client() *cip.Client {
	return ClientFor(s.URL, s.Config.Region, s.HTTPClient())
}

// ClientFor returns an aws-sdk-go-v2 Cognito client for any endpoint, with
// static dummy credentials and no retries: a test sees every answer once.
func ClientFor(url, region string, hc *http.Client) *cip.Client {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := *hc
	c.Transport = ownedBody{base}
	return cip.New(cip.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &c,
	})
}

// ownedBody gives the transport a request body of its own. aws-sdk-go-v2
// closes its request body as soon as the answer arrives, and Go's transport
// may still be reading that body for its end (to check for extra bytes after
// Content-Length): the read fails, the transport closes the connection, and
// the call fails with "use of closed network connection" although the server
// answered (aws/aws-sdk-go-v2#2737; it happens against cognito-local too, and
// the faster the server, the more often). The SDK's default retryer hides it
// by retrying, which would repeat writes in tests.
type ownedBody struct{ next http.RoundTripper }

func (o ownedBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		r.ContentLength = int64(len(b))
	}
	return o.next.RoundTrip(r)
}

// HTTPClient returns a plain HTTP client for this server.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: s.transport}
}

// Outbox returns a client for this server's message outbox
// (GET /_cognitod/messages): the codes and invitations cognitod recorded
// instead of sending. Take a new one after Restart (the port may change).
//
//	code, err := srv.Outbox().LatestCode(ctx, poolID, "alice")
func (s *Server) Outbox() *outbox.Client {
	return &outbox.Client{BaseURL: s.URL, HTTP: s.HTTPClient(), Interval: 50 * time.Millisecond}
}

// Ctx is a context for one test step.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Clock is a clock a test moves by hand, so that expiry and lockout are
// tested without sleeping. Start it at a time, pass WithClock(c) to Start,
// and Advance it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// WithClock makes the server read time from c.
func WithClock(c *Clock) Option {
	return func(cfg *app.Config) { cfg.Now = c.Now }
}
