package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, o options)
		fails bool
	}{
		{name: "defaults", check: func(t *testing.T, o options) {
			c := o.cfg
			if c.Addr != "127.0.0.1:9229" || c.DataDir != "cognitod-data" || c.DB != "" || c.Region != "us-east-1" || c.AccountID != "123456789012" || c.Strict {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{name: "env", env: map[string]string{"COGNITOD_ADDR": "127.0.0.1:1", "COGNITOD_DATA": "/d", "COGNITOD_DB": "memory",
			"COGNITOD_REGION": "eu-west-1", "COGNITOD_ACCOUNT": "000000000000", "COGNITOD_PUBLIC_URL": "https://id.example", "COGNITOD_STRICT": "true"},
			check: func(t *testing.T, o options) {
				c := o.cfg
				if c.Addr != "127.0.0.1:1" || c.DataDir != "/d" || c.DB != "memory" || c.Region != "eu-west-1" || c.AccountID != "000000000000" || c.PublicURL != "https://id.example" || !c.Strict {
					t.Errorf("env: %+v", c)
				}
			}},
		{name: "flag wins over env", args: []string{"--region", "ap-south-1", "--strict=false"}, env: map[string]string{"COGNITOD_REGION": "eu-west-1", "COGNITOD_STRICT": "1"},
			check: func(t *testing.T, o options) {
				if o.cfg.Region != "ap-south-1" || o.cfg.Strict {
					t.Errorf("%+v", o.cfg)
				}
			}},
		{name: "issuer default", check: func(t *testing.T, o options) {
			if o.cfg.Issuer != "public-url" {
				t.Errorf("issuer %q", o.cfg.Issuer)
			}
		}},
		{name: "issuer env", env: map[string]string{"COGNITOD_ISSUER": "aws"}, check: func(t *testing.T, o options) {
			if o.cfg.Issuer != "aws" {
				t.Errorf("issuer %q", o.cfg.Issuer)
			}
		}},
		{name: "issuer flag wins", args: []string{"--issuer", "aws-issuer"}, env: map[string]string{"COGNITOD_ISSUER": "aws"}, check: func(t *testing.T, o options) {
			if o.cfg.Issuer != "aws-issuer" {
				t.Errorf("issuer %q", o.cfg.Issuer)
			}
		}},
		{name: "bad issuer", args: []string{"--issuer", "cognito"}, fails: true},
		{name: "bad strict env", env: map[string]string{"COGNITOD_STRICT": "maybe"}, fails: true},
		{name: "unknown flag", args: []string{"--nope"}, fails: true},
		{name: "stray argument", args: []string{"serve-everything"}, fails: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if tc.fails {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, o)
		})
	}
}

// TestProcess builds the command, runs it as a user would, reads the line it
// prints, calls it, and stops it with SIGTERM: it must exit cleanly.
func TestProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "cognitod")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--data", data)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		l, _ := r.ReadString('\n')
		lines <- l
		_, _ = io.Copy(io.Discard, r)
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatal("no start-up line")
	}
	m := regexp.MustCompile(`--endpoint-url (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(line)
	if m == nil || !strings.Contains(line, "aws cognito-idp") {
		t.Fatalf("start-up line does not say how to point the AWS CLI at it: %q", line)
	}
	resp, err := http.Get(m[1] + "/_cognitod/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health: %d", resp.StatusCode)
	}
	for _, f := range []string{"cognitod.db", "secret.key"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("data folder lacks %s: %v", f, err)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("did not stop after SIGTERM")
	}
}
