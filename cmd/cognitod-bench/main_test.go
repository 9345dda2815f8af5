package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cognitod/cognitod/internal/testserver"
)

// TestMain lets the test binary be the ceiling server's child process, as
// the command is (startCeiling starts os.Executable again).
func TestMain(m *testing.M) {
	if os.Getenv(ceilingChildEnv) != "" {
		os.Exit(serveCeilingChild())
	}
	os.Exit(m.Run())
}

func runJSON(t *testing.T, args ...string) (*Report, error, string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append(args, "--json", "--log-level", "warn"), &out, &errb)
	var rep Report
	if jerr := json.Unmarshal(out.Bytes(), &rep); jerr != nil {
		t.Fatalf("the JSON report does not parse: %v\n%s\nstderr: %s", jerr, out.Bytes(), errb.Bytes())
	}
	return &rep, err, errb.String()
}

// TestRunAgainstCognitod runs the tool's whole path for about a second
// against an in-process cognitod, with the ceiling in its child process.
func TestRunAgainstCognitod(t *testing.T) {
	srv := testserver.Start(t)
	rep, err, stderr := runJSON(t, "--endpoint", srv.URL, "--scenario", "describe-user-pool",
		"--concurrency", "4", "--warmup", "200ms", "--duration", "1s", "--ceiling-duration", "300ms")
	if err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, stderr)
	}
	if len(rep.Scenarios) != 1 {
		t.Fatalf("%d scenarios in the report, want 1", len(rep.Scenarios))
	}
	s := rep.Scenarios[0]
	if s.Name != "describe-user-pool" || s.Status != statusOK {
		t.Fatalf("scenario %s: status %s (%s)", s.Name, s.Status, s.Error)
	}
	if len(s.Operations) != 1 {
		t.Fatalf("operations %+v, want DescribeUserPool alone", s.Operations)
	}
	op := s.Operations[0]
	if op.Operation != "DescribeUserPool" || op.OK == 0 || op.OpsPerSec <= 0 {
		t.Errorf("DescribeUserPool: %+v, want calls that succeeded", op)
	}
	if op.Failed != 0 || len(op.Errors) != 0 {
		t.Errorf("DescribeUserPool failed %d times: %+v", op.Failed, op.Errors)
	}
	if l := op.LatencyMS; !(l.P50 > 0 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max) {
		t.Errorf("latency %+v, want 0 < p50 <= p90 <= p99 <= max", l)
	}
	if s.WindowS < 0.9 || s.WindowS > 5 {
		t.Errorf("measured window %.2fs, want about 1s", s.WindowS)
	}
	if s.Ceiling == nil || s.Ceiling.OpsPerSec <= 0 || s.Ceiling.Failed != 0 {
		t.Fatalf("ceiling %+v, want a measured ceiling without failures", s.Ceiling)
	}
	if op.PctOfCeiling == nil || *op.PctOfCeiling <= 0 {
		t.Errorf("DescribeUserPool has no percentage of the ceiling: %v", op.PctOfCeiling)
	}
	if rep.Ceiling == nil || rep.Ceiling.Mode != ceilingProcess {
		t.Errorf("ceiling info %+v, want the child-process mode", rep.Ceiling)
	}
}

// TestScenarioTheServerLacks checks that a scenario whose operations the
// server does not implement ends cleanly with the server's answer in the
// report, that the next scenario still runs, and that the run says not
// everything ran. cognitod has every operation the scenarios use, so the
// server here is a stand-in that answers NotImplementedException as
// cognitod answers an operation it lacks.
func TestScenarioTheServerLacks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch op := r.Header.Get("X-Amz-Target"); {
		case strings.HasSuffix(op, ".CreateUserPool"):
			_, _ = w.Write([]byte(`{"UserPool":{"Id":"us-east-1_abc"}}`))
		case strings.HasSuffix(op, ".AdminCreateUser"):
			w.WriteHeader(http.StatusNotImplemented)
			_, _ = w.Write([]byte(`{"__type":"NotImplementedException","message":"AdminCreateUser is not implemented yet"}`))
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	rep, err, stderr := runJSON(t, "--endpoint", srv.URL, "--scenario", "admin-get-user,get-user-pool-mfa-config",
		"--users", "5", "--concurrency", "2", "--warmup", "0", "--requests", "50", "--ceiling=false")
	if len(rep.Scenarios) != 2 {
		t.Fatalf("%d scenarios, want 2 (stderr: %s)", len(rep.Scenarios), stderr)
	}
	s := rep.Scenarios[0]
	if s.Status != statusNotImplemented || !strings.Contains(s.Error, "NotImplementedException") {
		t.Errorf("admin-get-user: %s (%s), want %s naming NotImplementedException", s.Status, s.Error, statusNotImplemented)
	}
	if !errors.Is(err, errNotAllRan) {
		t.Errorf("run returned %v, want errNotAllRan", err)
	}
	m := rep.Scenarios[1]
	if m.Status != statusOK || len(m.Operations) != 1 || m.Operations[0].OK != 50 {
		t.Errorf("get-user-pool-mfa-config after it: %s, %+v; want exactly the 50 requests asked for", m.Status, m.Operations)
	}
	if m.Ceiling != nil {
		t.Error("--ceiling=false measured a ceiling")
	}
}

// TestUserScenariosAgainstCognitod runs the three user scenarios against an
// in-process cognitod with small pools: each must run, every measured call
// must succeed (admin-get-user reads only users its setup made;
// list-users-filter finds one user by email and a page of ten by prefix),
// and the checks of the first answers must pass without a warning.
func TestUserScenariosAgainstCognitod(t *testing.T) {
	srv := testserver.Start(t)
	rep, err, stderr := runJSON(t, "--endpoint", srv.URL, "--scenario", "admin-create-user,admin-get-user,list-users-filter",
		"--users", "300", "--concurrency", "4", "--setup-concurrency", "16", "--warmup", "0", "--requests", "200", "--ceiling=false")
	if err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, stderr)
	}
	want := map[string][]string{
		"admin-create-user": {"AdminCreateUser"},
		"admin-get-user":    {"AdminGetUser"},
		"list-users-filter": {"ListUsers email =", "ListUsers email ^="},
	}
	for _, s := range rep.Scenarios {
		if s.Status != statusOK || s.Warning != "" {
			t.Errorf("%s: %s (%s), warning %q", s.Name, s.Status, s.Error, s.Warning)
			continue
		}
		var ops []string
		total := uint64(0)
		for _, op := range s.Operations {
			ops = append(ops, op.Label)
			total += op.OK
			if op.Failed != 0 {
				t.Errorf("%s: %s failed %d times: %+v", s.Name, op.Operation, op.Failed, op.Errors)
			}
		}
		if strings.Join(ops, ",") != strings.Join(want[s.Name], ",") || total != 200 {
			t.Errorf("%s: operations %q with %d successful calls, want %q with 200", s.Name, ops, total, want[s.Name])
		}
	}
	if len(rep.Scenarios) != 3 {
		t.Errorf("%d scenarios, want 3", len(rep.Scenarios))
	}
}

// TestErrorsCountedByType runs against a server that fails one call in
// four, and checks that only 2xx answers count as successes and that the
// failures are counted by their __type.
func TestErrorsCountedByType(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".CreateUserPool") {
			_, _ = w.Write([]byte(`{"UserPool":{"Id":"us-east-1_abc"}}`))
			return
		}
		if i%4 == 0 {
			w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException:http://internal.amazon.com/")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.cognito#TooManyRequestsException","message":"slow down"}`))
			return
		}
		_, _ = w.Write([]byte(`{"UserPool":{}}`))
	}))
	defer srv.Close()
	rep, err, stderr := runJSON(t, "--endpoint", srv.URL, "--scenario", "describe-user-pool", "--concurrency", "3",
		"--warmup", "0", "--requests", "400", "--ceiling=false", "--cleanup=false")
	if err != nil {
		t.Fatalf("run: %v (%s)", err, stderr)
	}
	op := rep.Scenarios[0].Operations[0]
	if op.OK+op.Failed != 400 || op.Failed < 90 || op.Failed > 110 {
		t.Fatalf("ok %d failed %d, want 400 calls of which about 100 failed", op.OK, op.Failed)
	}
	if len(op.Errors) != 1 || op.Errors[0].Type != "TooManyRequestsException" || op.Errors[0].Count != op.Failed ||
		op.Errors[0].Message != "slow down" {
		t.Errorf("errors %+v, want every failure as TooManyRequestsException", op.Errors)
	}
}
