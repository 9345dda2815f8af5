// Command cognitod-bench is cognitod's load tool. It drives a running server
// that speaks the Cognito User Pools API (cognitod, moto, cognito-local, any
// endpoint) over kept-alive HTTP connections at a chosen concurrency, and
// reports per operation the successful calls per second, latency
// percentiles and failures by error type. In the same run it measures the
// machine's ceiling for this request shape, a minimal net/http server that
// decodes the same JSON bodies, and gives each figure as a percentage of it.
//
//	go run ./cmd/cognitod-bench                                   # the default scenarios against 127.0.0.1:9229
//	go run ./cmd/cognitod-bench --endpoint http://127.0.0.1:15000 --scenario describe-user-pool --json
//	go run ./cmd/cognitod-bench --list                            # every scenario
//
// docs/benchmarks.md has the figures and how they were taken.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	if os.Getenv(ceilingChildEnv) != "" {
		os.Exit(serveCeilingChild())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "cognitod-bench:", err)
		os.Exit(1)
	}
}

type options struct {
	endpoint        string
	concurrency     int
	duration        time.Duration
	requests        int64
	warmup          time.Duration
	scenarios       string
	json            bool
	ceiling         bool
	ceilingMode     string
	ceilingDuration time.Duration
	region          string
	users           int
	setupConc       int
	serverPID       int
	timeout         time.Duration
	cleanup         bool
	list            bool
	logLevel        string
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("cognitod-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.endpoint, "endpoint", "http://127.0.0.1:9229", "URL of the server under test")
	fs.IntVar(&o.concurrency, "concurrency", 8, "concurrent workers, each with its own kept-alive connection")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per scenario (after the warm-up)")
	fs.Int64Var(&o.requests, "requests", 0, "measured requests per scenario instead of a duration (0: use --duration)")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "warm-up per scenario, sent but not recorded")
	fs.StringVar(&o.scenarios, "scenario", "default", `comma list of scenarios; "default" (those cognitod implements today), "all"; --list names them`)
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.BoolVar(&o.ceiling, "ceiling", true, "also measure the ceiling: a minimal net/http JSON server on loopback (--ceiling=false to skip)")
	fs.StringVar(&o.ceilingMode, "ceiling-mode", ceilingProcess, `where the ceiling server runs: "process" (a child process, like a real server) or "inprocess"`)
	fs.DurationVar(&o.ceilingDuration, "ceiling-duration", 3*time.Second, "measured time of the ceiling, per scenario (with --requests, the ceiling sends as many)")
	fs.StringVar(&o.region, "region", "us-east-1", "region in the credential scope of the (dummy) Authorization header")
	fs.IntVar(&o.users, "users", 0, "users the setup of user scenarios creates (0: the scenario's default)")
	fs.IntVar(&o.setupConc, "setup-concurrency", 32, "concurrent calls of the setups (creating users): more than --concurrency lets the server commit more writes together")
	fs.IntVar(&o.serverPID, "server-pid", 0, "process id of the server under test, to report its CPU use (Linux)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "time to wait for an answer's headers")
	fs.BoolVar(&o.cleanup, "cleanup", true, "delete the pools the run created when a scenario ends")
	fs.BoolVar(&o.list, "list", false, "list the scenarios and exit")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error (logs go to stderr)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.concurrency < 1:
		return o, errors.New("--concurrency must be at least 1")
	case o.requests < 0:
		return o, errors.New("--requests must not be negative")
	case o.requests == 0 && o.duration <= 0:
		return o, errors.New("--duration must be positive (or give --requests)")
	case o.warmup < 0:
		return o, errors.New("--warmup must not be negative")
	case o.ceiling && o.requests == 0 && o.ceilingDuration <= 0:
		return o, errors.New("--ceiling-duration must be positive")
	case o.users < 0:
		return o, errors.New("--users must not be negative")
	case o.setupConc < 1:
		return o, errors.New("--setup-concurrency must be at least 1")
	}
	u, err := url.Parse(o.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return o, fmt.Errorf("--endpoint %q: want a URL such as http://127.0.0.1:9229", o.endpoint)
	}
	return o, nil
}

// errNotAllRan ends a run in which some scenario did not run to its end; the
// report says which and why.
// probes is how many unrecorded requests each scenario sends before its
// warm-up (enough to see each kind of request of list-users-filter).
const probes = 2

var errNotAllRan = errors.New("not every scenario ran (see the report)")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	if o.list {
		for _, s := range allScenarios() {
			def := ""
			if s.Default {
				def = " [default]"
			}
			fmt.Fprintf(stdout, "%-26s %s%s\n", s.Name, s.Summary, def)
		}
		return nil
	}
	scenarios, err := selectScenarios(o.scenarios)
	if err != nil {
		return err
	}

	// Connections for the setups too, which may call from more workers than
	// are measured; the measured workers use one connection each anyway.
	client := newAPIClient(o.endpoint, o.region, max(o.concurrency, o.setupConc), o.timeout)
	defer client.close()
	if err := reachable(ctx, client); err != nil {
		return err
	}

	rep := &Report{
		Tool: "cognitod-bench", Started: time.Now().UTC().Truncate(time.Second), Endpoint: o.endpoint, Region: o.region,
		Concurrency: o.concurrency, WarmupS: o.warmup.Seconds(), Requests: o.requests,
		Machine: Machine{NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), OS: runtime.GOOS,
			Arch: runtime.GOARCH, GoVersion: runtime.Version()},
		Scenarios: []ScenarioReport{},
	}
	if o.requests == 0 {
		rep.DurationS = o.duration.Seconds()
	}

	var ceil *ceilingServer
	var ceilClient *apiClient
	if o.ceiling {
		ceil, err = startCeiling(ctx, o.ceilingMode, logger)
		if err != nil {
			return fmt.Errorf("ceiling server: %w", err)
		}
		defer func() {
			if err := ceil.Close(); err != nil {
				logger.Warn("ceiling server stop", "err", err)
			}
		}()
		ceilClient = newAPIClient(ceil.URL, o.region, o.concurrency, o.timeout)
		defer ceilClient.close()
		rep.Ceiling = &CeilingInfo{Mode: ceil.Mode,
			What: "minimal net/http server on loopback: reads the body, decodes its JSON, answers a small JSON object; " +
				"sent each scenario's request over and over from the same number of connections"}
		if o.requests > 0 {
			rep.Ceiling.Requests = o.requests
		} else {
			rep.Ceiling.DurationS = o.ceilingDuration.Seconds()
		}
	}

	runID := newRunID()
	allRan := true
	for _, sc := range scenarios {
		if ctx.Err() != nil {
			rep.Scenarios = append(rep.Scenarios, ScenarioReport{Name: sc.Name, Summary: sc.Summary,
				Status: statusInterrupted, Error: ctx.Err().Error(), Operations: []OpReport{}})
			allRan = false
			continue
		}
		sr := runScenario(ctx, sc, o, client, ceil, ceilClient, runID, logger)
		if sr.Status != statusOK {
			allRan = false
		}
		rep.Scenarios = append(rep.Scenarios, sr)
	}
	rep.Notes = notes(rep, o)

	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = writeText(stdout, rep)
	}
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !allRan {
		return errNotAllRan
	}
	return nil
}

// reachable checks that something answers HTTP at the endpoint: any answer
// will do (a server may refuse the call itself).
func reachable(ctx context.Context, c *apiClient) error {
	w := newWorker(-1, c)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := w.Call(ctx, Request{Op: "ListUserPools", Body: []byte(`{"MaxResults":1}`)})
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == 0 {
		return fmt.Errorf("no server answers at %s: %s", c.endpoint, ae.Message)
	}
	return nil
}

func newRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func runScenario(ctx context.Context, sc Scenario, o options, client *apiClient, ceil *ceilingServer,
	ceilClient *apiClient, runID string, logger *slog.Logger) ScenarioReport {
	sr := ScenarioReport{Name: sc.Name, Summary: sc.Summary, Operations: []OpReport{}}
	users := o.users
	if users == 0 {
		users = sc.DefaultUsers
	}
	env := &Env{Client: client, Concurrency: o.concurrency, SetupConcurrency: o.setupConc, Users: max(users, 1), RunID: runID,
		Logger: logger.With("scenario", sc.Name)}
	if o.cleanup {
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
			defer cancel()
			env.cleanup(cctx)
		}()
	}
	failed := func(err error) ScenarioReport {
		sr.Status, sr.Error = statusSetupFailed, err.Error()
		var ae *APIError
		if errors.As(err, &ae) && ae.NotImplemented() {
			sr.Status = statusNotImplemented
		}
		if ctx.Err() != nil {
			sr.Status = statusInterrupted
		}
		logger.Warn("scenario not run", "scenario", sc.Name, "status", sr.Status, "err", err)
		return sr
	}

	logger.Info("setup", "scenario", sc.Name)
	t0 := time.Now()
	wl, err := sc.Setup(ctx, env)
	sr.SetupS = time.Since(t0).Seconds()
	if err != nil {
		return failed(err)
	}
	sr.Setup = wl.Setup

	// A few unrecorded requests first: an operation the server does not
	// implement stops the scenario here, cleanly, instead of being sent for
	// the whole duration; other errors are measured and reported. Their
	// answers are checked where the scenario can.
	probe := newWorker(-1, client)
	for range probes {
		req, err := wl.Next(ctx, probe)
		if err != nil {
			return failed(err)
		}
		resp, err := probe.Call(ctx, req)
		if err != nil {
			var ae *APIError
			if errors.As(err, &ae) && (ae.NotImplemented() || ae.Status == 0) {
				return failed(err)
			}
			break
		}
		if wl.Check != nil {
			if err := wl.Check(req, resp.Body); err != nil {
				sr.Warning = fmt.Sprintf("%s: the answer is not what the operation should answer: %v", req.label(), err)
				logger.Warn("answer check", "scenario", sc.Name, "err", sr.Warning)
				break
			}
		}
	}

	cfg := loadConfig{concurrency: o.concurrency, warmup: o.warmup, duration: o.duration, requests: o.requests,
		serverPID: o.serverPID}
	logger.Info("measuring", "scenario", sc.Name, "concurrency", o.concurrency, "warmup", o.warmup, "duration", o.duration)
	res := runLoad(ctx, client, wl.Next, cfg)
	sr.Status = statusOK
	if res.aborted != nil {
		sr.Status, sr.Error = statusAborted, res.aborted.Error()
	}
	if ctx.Err() != nil {
		sr.Status, sr.Error = statusInterrupted, ctx.Err().Error()
	}
	sr.WindowS = res.window.Seconds()
	sr.CPU = cpuOf(res)
	sr.Operations = opReports(res, wl.Sample.label())

	if ceil != nil && ctx.Err() == nil {
		ccfg := loadConfig{concurrency: o.concurrency, warmup: o.warmup, duration: o.ceilingDuration,
			requests: o.requests, serverPID: ceil.PID}
		logger.Info("measuring the ceiling", "scenario", sc.Name, "mode", ceil.Mode, "duration", o.ceilingDuration)
		cres := runLoad(ctx, ceilClient, constant(wl.Sample), ccfg)
		cr := opReports(cres, wl.Sample.label())
		if len(cr) > 0 {
			c := cr[0]
			c.Label, c.Operation = "(ceiling)", "ceiling:"+wl.Sample.Op
			hundred := 100.0
			c.PctOfCeiling = &hundred
			sr.Ceiling = &c
			sr.CeilingCPU = cpuOf(cres)
			if c.OpsPerSec > 0 {
				for i := range sr.Operations {
					// Only the measured operation: the ceiling is its request
					// shape (a pool opened mid-run is another).
					if sr.Operations[i].Operation != wl.Sample.Op {
						continue
					}
					p := 100 * sr.Operations[i].OpsPerSec / c.OpsPerSec
					sr.Operations[i].PctOfCeiling = &p
				}
			}
		}
	}
	return sr
}

// notes are the caveats that go with every report.
func notes(r *Report, o options) []string {
	n := []string{
		fmt.Sprintf("The load tool runs on the same machine as the server (%d CPUs): the two compete for the cores, "+
			"so the figures are what this machine does with both on it, a lower bound of the server alone. "+
			"The CPU lines say how much each used; when they add up to the whole machine, the machine is the limit.", r.Machine.NumCPU),
		fmt.Sprintf("Closed loop: each of the %d workers sends its next request when the previous answer is read, "+
			"so latency is the time of one call under that concurrency (no coordinated-omission correction: there is no target rate).", r.Concurrency),
		"Only 2xx answers count as successes and only they are in the latency figures; failures are counted by __type. " +
			"Percentiles come from a log-linear histogram that keeps every sample (within 0.4 %); max is exact.",
	}
	if o.warmup > 0 {
		also := ""
		if o.ceiling {
			also = " (and of each ceiling run)"
		}
		n = append(n, fmt.Sprintf("The first %s of each scenario%s is a warm-up, sent but not recorded.", o.warmup, also))
	}
	for _, s := range r.Scenarios {
		if c := s.CPU; c != nil && c.LoadTool != nil && c.Server != nil && c.Machine != nil {
			if other := *c.Machine - *c.LoadTool - *c.Server; other > 0.2 {
				n = append(n, fmt.Sprintf("Other processes used %.2f cores while %s was measured: the machine was not idle, "+
					"so its figures are lower than an idle machine's.", other, s.Name))
			}
		}
	}
	if r.Ceiling != nil && r.Ceiling.Mode == ceilingInProcess {
		n = append(n, "The ceiling server ran inside the load tool's process: its CPU is in the load tool's figure.")
	}
	return n
}
