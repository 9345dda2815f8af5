package e2e

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"

	"github.com/cognitod/cognitod/internal/testserver"
)

type rawAnswer struct {
	status int
	header http.Header
	body   map[string]any
}

func post(t *testing.T, url, target, contentType, body string) rawAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("body is not JSON: %q", b)
		}
	}
	return rawAnswer{status: resp.StatusCode, header: resp.Header, body: m}
}

const target = "AWSCognitoIdentityProviderService."

func TestProtocolErrors(t *testing.T) {
	srv := testserver.Start(t)
	tests := []struct {
		name        string
		target      string
		contentType string
		body        string
		status      int
		errType     string
		message     string // exact, when set
		contains    string
	}{
		{name: "missing target", body: `{}`, status: 400, errType: "UnknownOperationException"},
		{name: "unknown operation", target: target + "NoSuchThing", body: `{}`, status: 400, errType: "UnknownOperationException"},
		{name: "wrong service prefix", target: "DynamoDB_20120810.ListTables", body: `{}`, status: 400, errType: "UnknownOperationException"},
		{name: "malformed json", target: target + "DescribeUserPool", body: `{"UserPoolId":`, status: 400, errType: "SerializationException"},
		{name: "not an object", target: target + "DescribeUserPool", body: `[1,2]`, status: 400, errType: "SerializationException"},
		{name: "trailing garbage", target: target + "DescribeUserPool", body: `{} {}`, status: 400, errType: "SerializationException"},
		{name: "number for string", target: target + "DescribeUserPool", body: `{"UserPoolId": 12}`, status: 400, errType: "SerializationException",
			contains: "can not be converted to a String"},
		{name: "object for string", target: target + "DescribeUserPool", body: `{"UserPoolId": {}}`, status: 400, errType: "SerializationException",
			contains: "Start of structure or map found where not expected"},
		{name: "string for integer", target: target + "ListUserPools", body: `{"MaxResults": "10"}`, status: 400, errType: "SerializationException",
			contains: "can not be converted to an Integer"},
		{name: "pattern", target: target + "GetUserPoolMfaConfig", body: `{"UserPoolId":"bad"}`, status: 400, errType: "InvalidParameterException",
			message: `1 validation error detected: Value 'bad' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`},
		{name: "missing required", target: target + "GetUserPoolMfaConfig", body: `{}`, status: 400, errType: "InvalidParameterException",
			message: `1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null`},
		{name: "two violations", target: target + "ListUserPools", body: `{"MaxResults": 0, "NextToken": ""}`, status: 400, errType: "InvalidParameterException",
			message: `3 validation errors detected: Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'nextToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+; Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1`},
		{name: "sensitive value hidden", target: target + "InitiateAuth", body: `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"a b"}`, status: 400, errType: "InvalidParameterException",
			message: `1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+`},
		{name: "enum", target: target + "InitiateAuth", body: `{"AuthFlow":"NOPE","ClientId":"abc"}`, status: 400, errType: "InvalidParameterException",
			contains: `Value 'NOPE' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH`},
		{name: "json 1.0 content type accepted", target: target + "GetUserPoolMfaConfig", contentType: "application/x-amz-json-1.0", body: `{}`, status: 400, errType: "InvalidParameterException"},
		{name: "plain json accepted", target: target + "GetUserPoolMfaConfig", contentType: "application/json", body: `{}`, status: 400, errType: "InvalidParameterException"},
		{name: "oversized body", target: target + "ListUserPools", body: `{"MaxResults": 1, "x":"` + strings.Repeat("a", 11<<20) + `"}`, status: 413, errType: "RequestEntityTooLargeException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.contentType
			if ct == "" {
				ct = "application/x-amz-json-1.1"
			}
			a := post(t, srv.URL, tc.target, ct, tc.body)
			if a.status != tc.status {
				t.Errorf("status %d, want %d (%v)", a.status, tc.status, a.body)
			}
			if got := a.body["__type"]; got != tc.errType {
				t.Errorf("__type %v, want %s", got, tc.errType)
			}
			if got := a.header.Get("X-Amzn-ErrorType"); got != tc.errType {
				t.Errorf("x-amzn-ErrorType %q, want %s", got, tc.errType)
			}
			if a.header.Get("X-Amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId")
			}
			if got := a.header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
				t.Errorf("content type %q", got)
			}
			msg, _ := a.body["message"].(string)
			if tc.message != "" && msg != tc.message {
				t.Errorf("message\n got %s\nwant %s", msg, tc.message)
			}
			if tc.contains != "" && !strings.Contains(msg, tc.contains) {
				t.Errorf("message %q does not contain %q", msg, tc.contains)
			}
		})
	}
}

func TestNotImplementedThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	_, err := srv.Client().ListWebAuthnCredentials(testserver.Ctx(t), &cip.ListWebAuthnCredentialsInput{AccessToken: strPtr("x")})
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	if ae.ErrorCode() != "NotImplementedException" || !strings.Contains(ae.ErrorMessage(), "ListWebAuthnCredentials") {
		t.Fatalf("got %s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
}

func TestCORS(t *testing.T) {
	srv := testserver.Start(t)
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent,amz-sdk-invocation-id")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("preflight status %d", resp.StatusCode)
	}
	h := resp.Header
	if h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("allow-origin %q", h.Get("Access-Control-Allow-Origin"))
	}
	if !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("allow-methods %q", h.Get("Access-Control-Allow-Methods"))
	}
	for _, want := range []string{"content-type", "x-amz-target", "x-amz-user-agent", "amz-sdk-invocation-id"} {
		if !strings.Contains(h.Get("Access-Control-Allow-Headers"), want) {
			t.Errorf("allow-headers %q lacks %s", h.Get("Access-Control-Allow-Headers"), want)
		}
	}
	a := post(t, srv.URL, target+"GetUserPoolMfaConfig", "application/x-amz-json-1.1", `{}`)
	if a.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("error answers lack Access-Control-Allow-Origin")
	}
	for _, want := range []string{"x-amzn-RequestId", "x-amzn-ErrorType", "x-amzn-ErrorMessage"} {
		if !strings.Contains(a.header.Get("Access-Control-Expose-Headers"), want) {
			t.Errorf("expose-headers %q lacks %s", a.header.Get("Access-Control-Expose-Headers"), want)
		}
	}
}

func strPtr(s string) *string { return &s }
