package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/testserver"
)

// awsCLI runs the AWS CLI against srv and returns its decoded JSON output, or
// its stderr when it fails.
func awsCLI(t *testing.T, srv *testserver.Server, args ...string) (map[string]any, string, error) {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("SKIPPED LOUDLY: the AWS CLI is not installed (make deps installs it); the AWS CLI tests did not run")
	}
	full := append([]string{"cognito-idp"}, args...)
	full = append(full, "--endpoint-url", srv.URL, "--output", "json", "--region", srv.Config.Region)
	cmd := exec.Command(path, full...)
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if err != nil {
		return nil, stderr.String(), err
	}
	var out map[string]any
	if stdout.Len() > 0 {
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			t.Fatalf("aws %s: output is not JSON: %s", strings.Join(args, " "), stdout.String())
		}
	}
	return out, stderr.String(), nil
}

func TestAWSCLI(t *testing.T) {
	srv := testserver.Start(t)
	out, stderr, err := awsCLI(t, srv, "create-user-pool", "--pool-name", "cli-pool")
	if err != nil {
		t.Fatalf("create-user-pool: %v\n%s", err, stderr)
	}
	pool, _ := out["UserPool"].(map[string]any)
	id, _ := pool["Id"].(string)
	if !strings.HasPrefix(id, "us-east-1_") || pool["Name"] != "cli-pool" {
		t.Fatalf("create-user-pool answered %v", out)
	}
	out, stderr, err = awsCLI(t, srv, "describe-user-pool", "--user-pool-id", id)
	if err != nil {
		t.Fatalf("describe-user-pool: %v\n%s", err, stderr)
	}
	if p, _ := out["UserPool"].(map[string]any); p["Id"] != id || p["MfaConfiguration"] != "OFF" {
		t.Fatalf("describe-user-pool answered %v", out)
	}
	out, stderr, err = awsCLI(t, srv, "list-user-pools", "--max-results", "10")
	if err != nil {
		t.Fatalf("list-user-pools: %v\n%s", err, stderr)
	}
	if pools, _ := out["UserPools"].([]any); len(pools) != 1 {
		t.Fatalf("list-user-pools answered %v", out)
	}
	out, stderr, err = awsCLI(t, srv, "create-user-pool-client", "--user-pool-id", id, "--client-name", "web", "--generate-secret")
	if err != nil {
		t.Fatalf("create-user-pool-client: %v\n%s", err, stderr)
	}
	client, _ := out["UserPoolClient"].(map[string]any)
	if cid, _ := client["ClientId"].(string); len(cid) != 26 || client["ClientSecret"] == nil {
		t.Fatalf("create-user-pool-client answered %v", out)
	}
	out, stderr, err = awsCLI(t, srv, "get-user-pool-mfa-config", "--user-pool-id", id)
	if err != nil || out["MfaConfiguration"] != "OFF" {
		t.Fatalf("get-user-pool-mfa-config: %v %v\n%s", out, err, stderr)
	}
	_, stderr, err = awsCLI(t, srv, "describe-user-pool", "--user-pool-id", "us-east-1_missing00")
	if err == nil || !strings.Contains(stderr, "ResourceNotFoundException") || !strings.Contains(stderr, "User pool us-east-1_missing00 does not exist.") {
		t.Fatalf("describe of a missing pool: err %v, stderr %s", err, stderr)
	}
	if _, stderr, err = awsCLI(t, srv, "delete-user-pool", "--user-pool-id", id); err != nil {
		t.Fatalf("delete-user-pool: %v\n%s", err, stderr)
	}
}
