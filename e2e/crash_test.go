package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/outbox"
	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
	"github.com/cognitod/cognitod/internal/testserver"
)

// Crash test (issue 6): the real cognitod binary, killed with SIGKILL during
// a burst of sign-ups and restarted on the same database, has every
// acknowledged sign-up, and no user half-written.

const (
	crWorkers   = 16  // goroutines signing up
	crKillAfter = 200 // acknowledged sign-ups before the kill
	crMaxPerW   = 400 // bound on each goroutine's calls, should the kill never come
	crPassword  = "Passw0rd!"
	crRegion    = "us-east-1"
)

func TestCrashSignUpBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test builds and runs the cognitod binary")
	}
	bin := crBuild(t)

	t.Run("sqlite", func(t *testing.T) {
		data := t.TempDir()
		crRun(t, bin, []string{"--data", data})
	})

	t.Run("postgres", func(t *testing.T) {
		c, err := pgtest.Start(t.Context())
		if errors.Is(err, pgtest.ErrUnavailable) {
			t.Skip("SKIPPING PostgreSQL crash test: " + err.Error())
		}
		if err != nil {
			t.Fatal(err)
		}
		// Registered first, so it runs after the processes are gone.
		t.Cleanup(func() {
			if err := c.Stop(); err != nil {
				t.Errorf("stopping the cluster: %v", err)
			}
		})
		name, err := c.NewDatabase(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		crRun(t, bin, []string{
			"--data", t.TempDir(),
			"--db", c.DSN(name),
			"--secret-key", "crash-test-secret-key-0123456789abcdef",
		})
	})
}

// crBuild builds ./cmd/cognitod from the module root (the parent of e2e/,
// the test's working directory) into a temporary folder.
func crBuild(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "cognitod", "main.go")); err != nil {
		t.Fatalf("module root not found from %s: %v", root, err)
	}
	bin := filepath.Join(t.TempDir(), "cognitod")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/cognitod")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// crProc is one running cognitod child process.
type crProc struct {
	cmd  *exec.Cmd
	url  string
	log  string // file with its stdout and stderr
	done chan struct{}
	err  error // of Wait, after done
}

// crFreePort returns a loopback port that was free a moment ago.
func crFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// crStart starts the binary with args on a free loopback port and waits
// (with a deadline) until its health endpoint answers. The process is killed
// at the end of the test if still running.
func crStart(t *testing.T, bin string, args []string, run int) *crProc {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // the free port may be taken meanwhile
		addr := "127.0.0.1:" + strconv.Itoa(crFreePort(t))
		logPath := filepath.Join(t.TempDir(), fmt.Sprintf("cognitod-run%d-%d.log", run, attempt))
		logFile, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, append([]string{"--addr", addr, "--log-level", "warn"}, args...)...)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x")
		if err := cmd.Start(); err != nil {
			logFile.Close()
			t.Fatalf("starting cognitod: %v", err)
		}
		logFile.Close() // the child has its own descriptor
		p := &crProc{cmd: cmd, url: "http://" + addr, log: logPath, done: make(chan struct{})}
		go func() { p.err = cmd.Wait(); close(p.done) }()
		t.Cleanup(func() { p.kill() })
		if lastErr = p.waitHealthy(15 * time.Second); lastErr == nil {
			return p
		}
		p.kill()
	}
	t.Fatalf("cognitod did not become healthy: %v", lastErr)
	return nil
}

// waitHealthy polls GET /_cognitod/health until it answers 200, the process
// exits, or the deadline passes.
func (p *crProc) waitHealthy(d time.Duration) error {
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := hc.Get(p.url + "/_cognitod/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("health: status %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%v (log: %s)", err, p.logText())
		}
		select {
		case <-p.done:
			return fmt.Errorf("cognitod exited: %v (log: %s)", p.err, p.logText())
		case <-tick.C:
		}
	}
}

// kill sends SIGKILL to this process (by its PID, through os.Process) and
// waits for it to be gone.
func (p *crProc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

func (p *crProc) logText() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

// crClient is an SDK client for p without retries, with enough idle
// connections for the burst.
func crClient(p *crProc) *cip.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2 * crWorkers
	return testserver.ClientFor(p.url, crRegion, &http.Client{Timeout: 10 * time.Second, Transport: tr})
}

func crSignUp(ctx context.Context, c *cip.Client, clientID, username string) error {
	_, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(clientID),
		Username: aws.String(username),
		Password: aws.String(crPassword),
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(username + "@example.com")},
		},
	})
	return err
}

// crRun is the whole test on one backend: start, burst, kill, restart, check.
func crRun(t *testing.T, bin string, args []string) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	p := crStart(t, bin, args, 1)
	c := crClient(p)
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String("crash"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID),
		ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	clientID := aws.ToString(cl.UserPoolClient.ClientId)

	// The burst. acked: SignUp answered 200. tried: every username sent
	// (an unacknowledged one may or may not exist, but must be whole if it does).
	var (
		mu         sync.Mutex
		acked      = map[string]bool{}
		tried      = map[string]bool{}
		ackCount   atomic.Int64
		killed     atomic.Bool
		preKillErr []error
		reached    = make(chan struct{})
		reachOnce  sync.Once
		wg         sync.WaitGroup
	)
	for w := 0; w < crWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < crMaxPerW; i++ {
				u := fmt.Sprintf("cr-w%02d-%04d", w, i)
				mu.Lock()
				tried[u] = true
				mu.Unlock()
				err := crSignUp(ctx, c, clientID, u)
				if err != nil {
					if !killed.Load() {
						mu.Lock()
						preKillErr = append(preKillErr, fmt.Errorf("%s: %w", u, err))
						mu.Unlock()
					}
					return // after the kill every further call fails too
				}
				mu.Lock()
				acked[u] = true
				mu.Unlock()
				if ackCount.Add(1) >= crKillAfter {
					reachOnce.Do(func() { close(reached) })
				}
			}
		}()
	}
	select {
	case <-reached:
	case <-time.After(20 * time.Second):
		t.Errorf("only %d sign-ups acknowledged in 20s before the kill", ackCount.Load())
	}
	killed.Store(true)
	killedAt := ackCount.Load()
	p.kill()
	wg.Wait()
	for _, err := range preKillErr {
		// A call that failed before the kill is not a durability problem,
		// but it is a bug worth seeing.
		t.Errorf("SignUp failed before the kill: %v", err)
	}
	mu.Lock()
	ackedN, triedN := len(acked), len(tried)
	mu.Unlock()
	t.Logf("killed (SIGKILL) after %d acknowledged sign-ups; %d acknowledged in all, %d attempted", killedAt, ackedN, triedN)
	if ackedN == triedN {
		t.Logf("note: no call was in flight at the kill")
	}

	// Restart on the same database and data folder.
	p2 := crStart(t, bin, args, 2)
	c2 := crClient(p2)
	listed, err := crListAll(ctx, c2, poolID)
	if err != nil {
		t.Fatalf("ListUsers after the restart: %v (log: %s)", err, p2.logText())
	}
	var lost []string
	for u := range acked {
		if !listed[u] {
			lost = append(lost, u)
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d acknowledged sign-ups are missing from ListUsers after the crash, e.g. %v", len(lost), lost[:min(len(lost), 10)])
	}
	var unacked []string
	for u := range listed {
		if !tried[u] {
			t.Errorf("ListUsers has %q, a username never signed up", u)
		}
		if !acked[u] {
			unacked = append(unacked, u)
		}
	}
	if len(unacked) > 0 {
		t.Logf("%d users present whose SignUp was not acknowledged (in flight at the kill): %v", len(unacked), unacked)
	}

	// The confirmation codes, read from the restarted process's outbox: an
	// acknowledged sign-up has had its code recorded.
	msgs, err := (&outbox.Client{BaseURL: p2.url, HTTP: &http.Client{Timeout: 10 * time.Second}}).ListAll(ctx, outbox.Query{UserPoolID: poolID})
	if err != nil {
		t.Fatalf("outbox after the restart: %v", err)
	}
	codes := map[string]string{}
	for _, m := range msgs {
		if m.Code != "" {
			codes[m.Username] = m.Code
		}
	}
	for u := range listed {
		if codes[u] == "" && !acked[u] {
			t.Logf("user %s (SignUp in flight at the kill) exists without a code in the outbox", u)
		}
	}

	// Every acknowledged or present user is whole; an acknowledged one
	// confirms with the code it was sent.
	check := map[string]bool{}
	for u := range acked {
		check[u] = true
	}
	for u := range listed {
		check[u] = true
	}
	sem := make(chan struct{}, crWorkers)
	var cwg sync.WaitGroup
	for u := range check {
		cwg.Add(1)
		sem <- struct{}{}
		go func() {
			defer cwg.Done()
			defer func() { <-sem }()
			if err := crWhole(ctx, c2, poolID, u); err != nil {
				t.Errorf("user %s (acknowledged %v) after the crash: %v", u, acked[u], err)
				return
			}
			if !acked[u] {
				return
			}
			code := codes[u]
			if code == "" {
				t.Errorf("acknowledged user %s has no confirmation code in the outbox after the crash", u)
				return
			}
			if _, err := c2.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
				ClientId: aws.String(clientID), Username: aws.String(u), ConfirmationCode: aws.String(code),
			}); err != nil {
				t.Errorf("ConfirmSignUp of acknowledged user %s after the crash: %v", u, err)
			}
		}()
	}
	cwg.Wait()

	// The store is still writable after the crash.
	if err := crSignUp(ctx, c2, clientID, "cr-after-restart"); err != nil {
		t.Errorf("SignUp after the restart: %v", err)
	}
	p2.kill()
	t.Logf("%s: %d users checked in %v", t.Name(), len(check), time.Since(start).Round(time.Millisecond))
}

// crListAll follows every page of ListUsers and returns the usernames; each
// listed user must carry its email attribute.
func crListAll(ctx context.Context, c *cip.Client, poolID string) (map[string]bool, error) {
	users := map[string]bool{}
	var token *string
	for {
		out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID), Limit: aws.Int32(60), PaginationToken: token})
		if err != nil {
			return nil, err
		}
		for _, u := range out.Users {
			name := aws.ToString(u.Username)
			if users[name] {
				return nil, fmt.Errorf("ListUsers lists %q twice", name)
			}
			users[name] = true
			if got := crAttr(u.Attributes, "email"); got != name+"@example.com" {
				return nil, fmt.Errorf("ListUsers: %q has email %q", name, got)
			}
		}
		if aws.ToString(out.PaginationToken) == "" {
			return users, nil
		}
		token = out.PaginationToken
	}
}

// crWhole checks one user with AdminGetUser: found, UNCONFIRMED, with its
// email and sub.
func crWhole(ctx context.Context, c *cip.Client, poolID, username string) error {
	out, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(username)})
	if err != nil {
		return fmt.Errorf("AdminGetUser: %w", err)
	}
	if out.UserStatus != types.UserStatusTypeUnconfirmed {
		return fmt.Errorf("status %s, want UNCONFIRMED", out.UserStatus)
	}
	if got := crAttr(out.UserAttributes, "email"); got != username+"@example.com" {
		return fmt.Errorf("email %q, want %s@example.com", got, username)
	}
	if crAttr(out.UserAttributes, "sub") == "" {
		return errors.New("no sub attribute")
	}
	if !out.Enabled {
		return errors.New("disabled")
	}
	return nil
}

func crAttr(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
