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

// awsPath finds the AWS CLI, or skips the test in a way nobody misses.
func awsPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("SKIPPED LOUDLY: the AWS CLI is not installed (scripts/install-test-deps.sh, run by make test, installs it); the AWS CLI tests did not run")
	}
	return path
}

// awsEnv is the environment of an AWS CLI run against srv: dummy
// credentials, the server's region, and nothing from the user's own AWS
// configuration (profiles, pager, retries that would hide a failure).
func awsEnv(srv *testserver.Server) []string {
	return append(os.Environ(),
		"AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=",
		"AWS_REGION="+srv.Config.Region, "AWS_DEFAULT_REGION="+srv.Config.Region,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
}

// awsCLI runs the AWS CLI against srv and returns its decoded JSON output, or
// its stderr when it fails.
func awsCLI(t *testing.T, srv *testserver.Server, args ...string) (map[string]any, string, error) {
	t.Helper()
	path := awsPath(t)
	full := append([]string{"cognito-idp"}, args...)
	full = append(full, "--endpoint-url", srv.URL, "--output", "json", "--region", srv.Config.Region)
	cmd := exec.Command(path, full...)
	cmd.Env = awsEnv(srv)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
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

// TestAWSCLIUsersScript runs testdata/cli-users.sh: the AWS CLI creates a
// pool and users, lists them with filters (over pages, which the CLI follows
// itself), and puts a user in a group, each answer checked with --query.
func TestAWSCLIUsersScript(t *testing.T) {
	awsPath(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("SKIPPED LOUDLY: bash is not installed; the AWS CLI script did not run")
	}
	srv := testserver.Start(t)
	cmd := exec.Command(bash, "testdata/cli-users.sh")
	cmd.Env = append(awsEnv(srv), "COGNITOD_ENDPOINT="+srv.URL)
	out, err := cmd.CombinedOutput()
	t.Logf("cli-users.sh:\n%s", out)
	if err != nil {
		t.Fatalf("cli-users.sh: %v", err)
	}
	if !bytes.HasSuffix(bytes.TrimSpace(out), []byte("PASS")) {
		t.Fatal("cli-users.sh ended without PASS")
	}
}
