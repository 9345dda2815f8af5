package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// ceilingChildEnv, set in the environment of this program, makes it the
// ceiling server instead of the load tool (see serveCeilingChild).
const ceilingChildEnv = "COGNITOD_BENCH_CEILING_CHILD"

// Ceiling modes.
const (
	ceilingProcess   = "process"
	ceilingInProcess = "inprocess"
)

// ceilingHandler is the least a server speaking this protocol must do: read
// the body, check the target, decode the JSON, encode a small JSON answer
// with its length (so the connection is kept alive). What a real server adds
// (validation, the store, the full output) is what the percentage of this
// ceiling measures.
func ceilingHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
		body, err := io.ReadAll(r.Body)
		var in map[string]any
		if ok && err == nil {
			err = json.Unmarshal(body, &in)
		}
		status := http.StatusOK
		var out []byte
		switch {
		case !ok || r.Method != http.MethodPost:
			status = http.StatusBadRequest
			out, _ = json.Marshal(map[string]string{"__type": "UnknownOperationException"})
		case err != nil:
			status = http.StatusBadRequest
			out, _ = json.Marshal(map[string]string{"__type": "SerializationException", "message": err.Error()})
		default:
			out, _ = json.Marshal(struct {
				Operation string
				Members   int
			}{op, len(in)})
		}
		h := w.Header()
		h.Set("Content-Type", "application/x-amz-json-1.1")
		h.Set("Content-Length", strconv.Itoa(len(out)))
		w.WriteHeader(status)
		_, _ = w.Write(out)
	})
}

// ceilingServer is a running ceiling server.
type ceilingServer struct {
	URL  string
	Mode string
	PID  int // the child's process id; 0 in process
	stop func() error
}

func (c *ceilingServer) Close() error { return c.stop() }

// startCeiling starts the ceiling server. In "process" mode it is this same
// program started again as a child process (ceilingChildEnv set), so that, as
// for the server under test, the load tool and the server are two processes
// with their own Go runtime, scheduler and garbage collector competing for
// the machine's cores; "inprocess" serves from a goroutine of this process.
func startCeiling(ctx context.Context, mode string, logger *slog.Logger) (*ceilingServer, error) {
	switch mode {
	case ceilingInProcess:
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		srv := &http.Server{Handler: ceilingHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		return &ceilingServer{URL: "http://" + ln.Addr().String(), Mode: mode, stop: srv.Close}, nil
	case ceilingProcess:
	default:
		return nil, fmt.Errorf("ceiling mode %q: want %s or %s", mode, ceilingProcess, ceilingInProcess)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), ceilingChildEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() error {
		stdin.Close() // the child exits when its standard input closes
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			return <-done
		}
	}
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var addr string
	select {
	case l, ok := <-line:
		addr, _ = strings.CutPrefix(l, "listening ")
		if !ok || addr == "" {
			_ = stop()
			return nil, errors.New("the ceiling server did not start")
		}
	case <-time.After(10 * time.Second):
		_ = stop()
		return nil, errors.New("the ceiling server did not start within 10s")
	case <-ctx.Done():
		_ = stop()
		return nil, ctx.Err()
	}
	logger.Debug("ceiling server started", "addr", addr, "pid", cmd.Process.Pid)
	return &ceilingServer{URL: "http://" + addr, Mode: mode, PID: cmd.Process.Pid, stop: stop}, nil
}

// serveCeilingChild is the child side of the process mode: it serves on a
// loopback port, writes "listening ADDR" on standard output, and stops when
// its standard input closes (so it never outlives the load tool).
func serveCeilingChild() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cognitod-bench ceiling:", err)
		return 1
	}
	srv := &http.Server{Handler: ceilingHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("listening %s\n", ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
	return 0
}
