package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

// Multi-factor sign-in with the real amazon-cognito-identity-js, as Amplify
// apps use it: test/js/mfa.js signs in with USER_SRP_AUTH and answers the
// challenges through the library's callbacks (mfaRequired, totpRequired,
// selectMFAType) and methods (sendMFACode, sendMFASelectionAnswer,
// associateSoftwareToken, verifySoftwareToken, setUserMfaPreference). SMS
// codes come from the outbox over GET /_cognitod/messages; TOTP codes are
// computed in node from the real clock (the server here runs on it). Like
// TestJSSignIn it skips without node and test/js/node_modules, or fails when
// COGNITOD_REQUIRE_JS=1.

const jsmPassword = "Mfa-Js-Passw0rd!"

// jsmCase is one case for mfa.js (see its header).
type jsmCase struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	PoolID   string `json:"poolId"`
	ClientID string `json:"clientId"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// jsmStep is one step of a case as mfa.js reports it.
type jsmStep struct {
	Step                string            `json:"step"`
	Kind                string            `json:"kind"`
	ChallengeName       string            `json:"challengeName"`
	ChallengeParameters map[string]string `json:"challengeParameters"`
	Error               *jsmError         `json:"error"`
	Medium              string            `json:"medium"`
	Destination         string            `json:"destination"`
	Body                string            `json:"body"`
	Data                map[string]any    `json:"data"`
}

type jsmError struct {
	Step    string `json:"step"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// jsmResult is mfa.js's report of one case.
type jsmResult struct {
	Name     string     `json:"name"`
	OK       bool       `json:"ok"`
	Steps    []jsmStep  `json:"steps"`
	Errors   []jsmError `json:"errors"`
	Sessions []struct {
		Step         string         `json:"step"`
		IDToken      string         `json:"idToken"`
		AccessToken  string         `json:"accessToken"`
		RefreshToken string         `json:"refreshToken"`
		ID           map[string]any `json:"id"`
		Access       map[string]any `json:"access"`
	} `json:"sessions"`
	SecretCode string `json:"secretCode"`
	Device     *struct {
		Key                       string `json:"key"`
		GroupKey                  string `json:"groupKey"`
		UserConfirmationNecessary bool   `json:"userConfirmationNecessary"`
		Get                       struct {
			Device jsmDevice
		} `json:"get"`
		List struct {
			Devices []jsmDevice
		} `json:"list"`
	} `json:"device"`
	UserData *struct {
		PreferredMfaSetting string   `json:"PreferredMfaSetting"`
		UserMFASettingList  []string `json:"UserMFASettingList"`
	} `json:"userData"`
	Problems []string `json:"problems"`
}

// jsmDevice is a device as GetDevice and ListDevices answer the library.
type jsmDevice struct {
	DeviceKey        string
	DeviceAttributes []struct{ Name, Value string }
}

// step is the report of the named step, or fails the test.
func (r jsmResult) step(t *testing.T, name string) jsmStep {
	t.Helper()
	for _, s := range r.Steps {
		if s.Step == name {
			return s
		}
	}
	t.Fatalf("%s: no step %q in %+v", r.Name, name, r.Steps)
	return jsmStep{}
}

// jsmRun runs mfa.js against srv with the cases and returns its reports by
// case name.
func jsmRun(t *testing.T, script string, srv *testserver.Server, cases []jsmCase) map[string]jsmResult {
	t.Helper()
	raw, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Env = append(os.Environ(), "COGNITOD_ENDPOINT="+srv.URL, "MFA_CASES="+string(raw))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	results := map[string]jsmResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r jsmResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("mfa.js output %q: %v", sc.Text(), err)
		}
		results[r.Name] = r
	}
	if len(results) != len(cases) {
		t.Fatalf("mfa.js reported %d cases of %d:\n%s\n%s", len(results), len(cases), out, stderr.String())
	}
	for _, tc := range cases {
		if r := results[tc.Name]; !r.OK {
			t.Errorf("%s: %s (steps %+v)", tc.Name, strings.Join(r.Problems, "; "), r.Steps)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return results
}

// jsmPool makes a pool with MFA in mode, SMS and TOTP configured, and an
// Amplify-style client: no secret, SRP and refresh only.
func jsmPool(t *testing.T, c *cip.Client, ctx context.Context, mode types.UserPoolMfaType, edit ...func(*cip.CreateUserPoolInput)) (pool, client string) {
	t.Helper()
	in := &cip.CreateUserPoolInput{PoolName: aws.String("js-mfa"), MfaConfiguration: mode,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypePhoneNumber}, SmsConfiguration: poolSMS}
	for _, f := range edit {
		f(in)
	}
	out, err := c.CreateUserPool(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	pool = aws.ToString(out.UserPool.Id)
	if _, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(pool), MfaConfiguration: mode,
		SmsMfaConfiguration:           &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Your sign-in code is {####}"), SmsConfiguration: poolSMS},
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
	}); err != nil {
		t.Fatal(err)
	}
	client, _ = appClient(t, c, ctx, pool, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	})
	return pool, client
}

// jsmUser makes a confirmed user with an email address and the phone number
// (none when phone is empty).
func jsmUser(t *testing.T, c *cip.Client, ctx context.Context, pool, name, phone string) {
	t.Helper()
	attrs := []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}
	if phone != "" {
		attrs = append(attrs, types.AttributeType{Name: aws.String("phone_number"), Value: aws.String(phone)})
	}
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(name),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: attrs}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String(name),
		Password: aws.String(jsmPassword), Permanent: true}); err != nil {
		t.Fatal(err)
	}
}

// jsmWantSession checks a session the library got: issued to the user, and
// its access token good for GetUser from another client.
func jsmWantSession(t *testing.T, c *cip.Client, ctx context.Context, r jsmResult, i int, username string) *cip.GetUserOutput {
	t.Helper()
	if i >= len(r.Sessions) {
		t.Fatalf("%s: %d sessions, want at least %d", r.Name, len(r.Sessions), i+1)
	}
	s := r.Sessions[i]
	if s.ID["cognito:username"] != username || s.Access["username"] != username {
		t.Errorf("%s (%s): cognito:username %v, username %v, want %s", r.Name, s.Step, s.ID["cognito:username"], s.Access["username"], username)
	}
	got, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(s.AccessToken)})
	if err != nil {
		t.Fatalf("%s (%s): GetUser with the library's access token: %v", r.Name, s.Step, err)
	}
	if aws.ToString(got.Username) != username {
		t.Errorf("%s (%s): GetUser Username %q", r.Name, s.Step, aws.ToString(got.Username))
	}
	return got
}

// jsmWantSMS checks an mfaRequired step and the outbox message behind it.
func jsmWantSMS(t *testing.T, r jsmResult, challenge, outbox string) {
	t.Helper()
	ch := r.step(t, challenge)
	if ch.ChallengeName != "SMS_MFA" || ch.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "SMS" ||
		ch.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "+*******0142" {
		t.Errorf("%s: mfaRequired(%q, %v)", r.Name, ch.ChallengeName, ch.ChallengeParameters)
	}
	m := r.step(t, outbox)
	if m.Medium != "SMS" || m.Destination != "+15555550142" || !strings.HasPrefix(m.Body, "Your sign-in code is ") {
		t.Errorf("%s: the SMS %+v", r.Name, m)
	}
}

// SMS MFA required by the pool: mfaRequired → the outbox's code →
// sendMFACode; a wrong code first fails with CodeMismatchException and leaves
// the challenge answerable.
func TestJSMFASMS(t *testing.T) {
	script := srpJSScript(t, "mfa.js")
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := jsmPool(t, c, ctx, types.UserPoolMfaTypeOn)
	jsmUser(t, c, ctx, pool, "sally", "+15555550142")
	jsmUser(t, c, ctx, pool, "wanda", "+15555550142")

	res := jsmRun(t, script, srv, []jsmCase{
		{Name: "sms", Kind: "sms", PoolID: pool, ClientID: client, Username: "sally", Password: jsmPassword},
		{Name: "wrong code", Kind: "smsWrongCode", PoolID: pool, ClientID: client, Username: "wanda", Password: jsmPassword},
	})

	r := res["sms"]
	jsmWantSMS(t, r, "sign-in", "sendMFACode: outbox")
	jsmWantSession(t, c, ctx, r, 0, "sally")
	if len(r.Errors) != 0 {
		t.Errorf("sms: errors %+v", r.Errors)
	}

	r = res["wrong code"]
	jsmWantSMS(t, r, "sign-in", "outbox")
	bad := r.step(t, "sendMFACode (wrong code)")
	if bad.Error == nil || bad.Error.Code != "CodeMismatchException" || bad.Error.Message != "Invalid code or auth state for the user." {
		t.Errorf("wrong code: %+v", bad.Error)
	}
	jsmWantSession(t, c, ctx, r, 0, "wanda")
}

// TOTP set up through the library by a signed-in user, then asked for at
// sign-in; the code that verified the token cannot be used again.
func TestJSMFATOTP(t *testing.T) {
	script := srpJSScript(t, "mfa.js")
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := jsmPool(t, c, ctx, types.UserPoolMfaTypeOptional)
	jsmUser(t, c, ctx, pool, "tina", "+15555550142")

	r := jsmRun(t, script, srv, []jsmCase{
		{Name: "totp", Kind: "totp", PoolID: pool, ClientID: client, Username: "tina", Password: jsmPassword},
	})["totp"]

	if r.SecretCode == "" {
		t.Error("no SecretCode")
	}
	if d := r.UserData; d == nil || d.PreferredMfaSetting != "SOFTWARE_TOKEN_MFA" || len(d.UserMFASettingList) != 1 || d.UserMFASettingList[0] != "SOFTWARE_TOKEN_MFA" {
		t.Errorf("getUserData after setUserMfaPreference: %+v", r.UserData)
	}
	ch := r.step(t, "sign-in with MFA")
	if ch.ChallengeName != "SOFTWARE_TOKEN_MFA" {
		t.Errorf("totpRequired(%q, %v)", ch.ChallengeName, ch.ChallengeParameters)
	}
	if e := r.step(t, "sendMFACode (replayed code)").Error; e == nil || e.Code != "CodeMismatchException" {
		t.Errorf("replayed code: %+v", e)
	}
	if len(r.Sessions) != 2 {
		t.Fatalf("%d sessions, want 2 (before and after MFA)", len(r.Sessions))
	}
	got := jsmWantSession(t, c, ctx, r, 1, "tina")
	if aws.ToString(got.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
		t.Errorf("GetUser PreferredMfaSetting %q", aws.ToString(got.PreferredMfaSetting))
	}
	if r.Sessions[1].AccessToken == r.Sessions[0].AccessToken {
		t.Error("the sign-in with MFA gave the first session's access token")
	}
}

// Two factors and no preference: selectMFAType, then the chosen factor (SMS,
// then TOTP in a second sign-in).
func TestJSMFASelect(t *testing.T) {
	script := srpJSScript(t, "mfa.js")
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := jsmPool(t, c, ctx, types.UserPoolMfaTypeOptional)
	jsmUser(t, c, ctx, pool, "selma", "+15555550142")

	r := jsmRun(t, script, srv, []jsmCase{
		{Name: "select", Kind: "select", PoolID: pool, ClientID: client, Username: "selma", Password: jsmPassword},
	})["select"]

	for _, name := range []string{"sign-in (choose SMS)", "sign-in (choose TOTP)"} {
		ch := r.step(t, name)
		var can []string
		if err := json.Unmarshal([]byte(ch.ChallengeParameters["MFAS_CAN_CHOOSE"]), &can); ch.ChallengeName != "SELECT_MFA_TYPE" || err != nil ||
			len(can) != 2 || can[0] != "SMS_MFA" || can[1] != "SOFTWARE_TOKEN_MFA" {
			t.Errorf("%s: selectMFAType(%q, %v)", name, ch.ChallengeName, ch.ChallengeParameters)
		}
	}
	jsmWantSMS(t, r, "sendMFASelectionAnswer SMS_MFA", "sendMFACode (SMS): outbox")
	if ch := r.step(t, "sendMFASelectionAnswer SOFTWARE_TOKEN_MFA"); ch.ChallengeName != "SOFTWARE_TOKEN_MFA" {
		t.Errorf("totpRequired(%q, %v)", ch.ChallengeName, ch.ChallengeParameters)
	}
	if len(r.Sessions) != 3 {
		t.Fatalf("%d sessions, want 3", len(r.Sessions))
	}
	got := jsmWantSession(t, c, ctx, r, 1, "selma")
	jsmWantSession(t, c, ctx, r, 2, "selma")
	if aws.ToString(got.PreferredMfaSetting) != "" || len(got.UserMFASettingList) != 2 {
		t.Errorf("GetUser PreferredMfaSetting %q, UserMFASettingList %v", aws.ToString(got.PreferredMfaSetting), got.UserMFASettingList)
	}
}

// MFA required and the user has no factor: mfaSetup, then the library sets
// up TOTP with the challenge's Session (associateSoftwareToken,
// verifySoftwareToken, which answers MFA_SETUP) and the next sign-in asks
// for the token.
func TestJSMFASetup(t *testing.T) {
	script := srpJSScript(t, "mfa.js")
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := jsmPool(t, c, ctx, types.UserPoolMfaTypeOn)
	jsmUser(t, c, ctx, pool, "nora", "")

	r := jsmRun(t, script, srv, []jsmCase{
		{Name: "setup", Kind: "mfaSetup", PoolID: pool, ClientID: client, Username: "nora", Password: jsmPassword},
	})["setup"]

	// What the library and Amplify need: TOTP among the factors to set up.
	// (Which other factors Cognito lists for a user with no phone number is
	// the SDK tests' business.)
	ch := r.step(t, "sign-in")
	if ch.ChallengeName != "MFA_SETUP" || !strings.Contains(ch.ChallengeParameters["MFAS_CAN_SETUP"], `"SOFTWARE_TOKEN_MFA"`) {
		t.Errorf("mfaSetup(%q, %v)", ch.ChallengeName, ch.ChallengeParameters)
	}
	if ch := r.step(t, "sign-in with MFA"); ch.ChallengeName != "SOFTWARE_TOKEN_MFA" {
		t.Errorf("totpRequired(%q, %v)", ch.ChallengeName, ch.ChallengeParameters)
	}
	if len(r.Sessions) != 2 {
		t.Fatalf("%d sessions, want 2 (after setup and after MFA)", len(r.Sessions))
	}
	jsmWantSession(t, c, ctx, r, 0, "nora")
	got := jsmWantSession(t, c, ctx, r, 1, "nora")
	if aws.ToString(got.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
		t.Errorf("GetUser PreferredMfaSetting %q", aws.ToString(got.PreferredMfaSetting))
	}
}

// Device remembering as Amplify does it: the library confirms the device a
// sign-in with MFA hands out, the app remembers it, and the next sign-in
// from it goes through DEVICE_SRP_AUTH without MFA, until it is forgotten.
func TestJSMFADevice(t *testing.T) {
	script := srpJSScript(t, "mfa.js")
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := jsmPool(t, c, ctx, types.UserPoolMfaTypeOn, func(in *cip.CreateUserPoolInput) {
		in.DeviceConfiguration = &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true}
	})
	jsmUser(t, c, ctx, pool, "dora", "+15555550142")

	r := jsmRun(t, script, srv, []jsmCase{
		{Name: "device", Kind: "device", PoolID: pool, ClientID: client, Username: "dora", Password: jsmPassword},
	})["device"]

	jsmWantSMS(t, r, "sign-in", "sendMFACode: outbox")
	d := r.Device
	if d == nil || !strings.HasPrefix(d.Key, "us-east-1_") || d.GroupKey == "" || !d.UserConfirmationNecessary {
		t.Fatalf("the device the library confirmed: %+v", d)
	}
	remembered := func(dev jsmDevice) string {
		for _, a := range dev.DeviceAttributes {
			if a.Name == "dev:device_remembered_status" {
				return a.Value
			}
		}
		return ""
	}
	if got := d.Get.Device; got.DeviceKey != d.Key || remembered(got) != "remembered" {
		t.Errorf("getDevice: %+v", got)
	}
	if l := d.List.Devices; len(l) != 1 || l[0].DeviceKey != d.Key {
		t.Errorf("listDevices: %+v", l)
	}
	if ch := r.step(t, "sign-in after forgetDevice"); ch.ChallengeName != "SMS_MFA" {
		t.Errorf("after forgetDevice: %s", ch.ChallengeName)
	}
	if len(r.Sessions) != 3 {
		t.Fatalf("%d sessions, want 3", len(r.Sessions))
	}
	for i := range r.Sessions {
		jsmWantSession(t, c, ctx, r, i, "dora")
	}
	if got := r.Sessions[1].Access["device_key"]; got != d.Key {
		t.Errorf("the remembered device's access token: device_key %v, want %s", got, d.Key)
	}
	if _, err := c.AdminGetDevice(ctx, &cip.AdminGetDeviceInput{UserPoolId: aws.String(pool), Username: aws.String("dora"),
		DeviceKey: aws.String(d.Key)}); err == nil {
		t.Error("AdminGetDevice finds the device the library forgot")
	}
}
