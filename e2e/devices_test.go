package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognitod/cognitod/internal/crypto/srp"
	"github.com/cognitod/cognitod/internal/outbox"
	"github.com/cognitod/cognitod/internal/testserver"
)

// Remembered devices through aws-sdk-go-v2: NewDeviceMetadata at sign-in,
// ConfirmDevice with a device verifier computed as amazon-cognito-identity-js
// computes it (AuthenticationHelper.generateHashDevice: x over the device
// group key, the device key and a random password, 16 random salt bytes),
// the device operations and their Admin twins, DEVICE_SRP_AUTH, and refresh
// tokens that end with their device.

const devPassword = "Dev1ce-Passw0rd!"

// devKeyPattern is Cognito's device key: the region, an underscore, a UUID.
var devKeyPattern = regexp.MustCompile(`^[a-z0-9-]+_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// devEnv is a pool (with the device configuration given), a client with
// the password and SRP flows, and a user with devPassword.
type devEnv struct {
	srv          *testserver.Server
	c            *cip.Client
	ctx          context.Context
	pool, client string
	user         string
}

func devSetup(t *testing.T, cfg *types.DeviceConfigurationType) *devEnv {
	t.Helper()
	srv, c, ctx, pool, client := authSetup(t, &cip.CreateUserPoolInput{DeviceConfiguration: cfg})
	authUser(t, c, ctx, pool, "dora", devPassword)
	return &devEnv{srv: srv, c: c, ctx: ctx, pool: pool, client: client, user: "dora"}
}

// devAlways remembers every confirmed device; devPrompt only those the user
// asks to remember.
var (
	devAlways = &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true}
	devPrompt = &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true}
)

// devSignIn signs in with USER_PASSWORD_AUTH and wants tokens; extra adds
// parameters (DEVICE_KEY).
func (e *devEnv) devSignIn(t *testing.T, extra ...string) *types.AuthenticationResultType {
	t.Helper()
	out, err := authUserPassword(e.c, e.ctx, e.client, e.user, devPassword, extra...)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("sign-in: challenge %s, want tokens", out.ChallengeName)
	}
	return out.AuthenticationResult
}

// devDevice is a confirmed device as the app keeps it.
type devDevice struct {
	key, group, password string
}

// devSecret makes a device password and its DeviceSecretVerifierConfig the
// way amazon-cognito-identity-js does: the salt is 16 random bytes as padded
// hex, the verifier g^x padded; both are sent as base64 of the hex's bytes.
func devSecret(t *testing.T, group, key string) (string, *types.DeviceSecretVerifierConfigType) {
	t.Helper()
	raw := make([]byte, 40)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	pw := base64.StdEncoding.EncodeToString(raw)
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		t.Fatal(err)
	}
	saltHex := srp.PadHex(new(big.Int).SetBytes(salt))
	v := srp.Verifier(group, key, pw, salt)
	b64 := func(h string) *string {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		return aws.String(base64.StdEncoding.EncodeToString(b))
	}
	return pw, &types.DeviceSecretVerifierConfigType{PasswordVerifier: b64(srp.PadHex(v)), Salt: b64(saltHex)}
}

// devConfirm confirms the device a sign-in handed out.
func (e *devEnv) devConfirm(t *testing.T, res *types.AuthenticationResultType, name string) (devDevice, *cip.ConfirmDeviceOutput) {
	t.Helper()
	if res.NewDeviceMetadata == nil {
		t.Fatal("no NewDeviceMetadata")
	}
	d := devDevice{key: aws.ToString(res.NewDeviceMetadata.DeviceKey), group: aws.ToString(res.NewDeviceMetadata.DeviceGroupKey)}
	pw, cfg := devSecret(t, d.group, d.key)
	d.password = pw
	out, err := e.c.ConfirmDevice(e.ctx, &cip.ConfirmDeviceInput{AccessToken: res.AccessToken, DeviceKey: aws.String(d.key),
		DeviceSecretVerifierConfig: cfg, DeviceName: aws.String(name)})
	if err != nil {
		t.Fatalf("ConfirmDevice: %v", err)
	}
	return d, out
}

// devAttr is a device attribute's value.
func devAttr(d *types.DeviceType, name string) string {
	for _, a := range d.DeviceAttributes {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

func devKeys(ds []types.DeviceType) string {
	var out []string
	for _, d := range ds {
		out = append(out, aws.ToString(d.DeviceKey))
	}
	return strings.Join(out, ",")
}

func TestDevNewDeviceMetadata(t *testing.T) {
	t.Run("no device configuration", func(t *testing.T) {
		e := devSetup(t, nil)
		res := e.devSignIn(t)
		if res.NewDeviceMetadata != nil {
			t.Errorf("NewDeviceMetadata %+v in a pool that does not track devices", res.NewDeviceMetadata)
		}
		if _, ok := authClaims(t, aws.ToString(res.AccessToken))["device_key"]; ok {
			t.Error("access token has a device_key")
		}
	})
	t.Run("both flags off", func(t *testing.T) {
		e := devSetup(t, &types.DeviceConfigurationType{})
		if res := e.devSignIn(t); res.NewDeviceMetadata != nil {
			t.Errorf("NewDeviceMetadata %+v with both flags off", res.NewDeviceMetadata)
		}
	})
	for name, cfg := range map[string]*types.DeviceConfigurationType{"always": devAlways, "on prompt": devPrompt} {
		t.Run(name, func(t *testing.T) {
			e := devSetup(t, cfg)
			res := e.devSignIn(t)
			md := res.NewDeviceMetadata
			if md == nil {
				t.Fatal("no NewDeviceMetadata")
			}
			key := aws.ToString(md.DeviceKey)
			if !devKeyPattern.MatchString(key) || !strings.HasPrefix(key, e.srv.Config.Region+"_") {
				t.Errorf("DeviceKey %q, want <region>_<uuid>", key)
			}
			if aws.ToString(md.DeviceGroupKey) == "" {
				t.Error("no DeviceGroupKey")
			}
			if got := authClaims(t, aws.ToString(res.AccessToken))["device_key"]; got != key {
				t.Errorf("access token device_key %v, want %s", got, key)
			}
			// A second sign-in without DEVICE_KEY is another new device.
			if again := e.devSignIn(t); aws.ToString(again.NewDeviceMetadata.DeviceKey) == key {
				t.Error("a second sign-in got the same device key")
			}
			// Unconfirmed devices are not the user's yet.
			list, err := e.c.AdminListDevices(e.ctx, &cip.AdminListDevicesInput{UserPoolId: aws.String(e.pool), Username: aws.String(e.user)})
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Devices) != 0 {
				t.Errorf("AdminListDevices lists unconfirmed devices: %s", devKeys(list.Devices))
			}
			_, err = e.c.AdminGetDevice(e.ctx, &cip.AdminGetDeviceInput{UserPoolId: aws.String(e.pool), Username: aws.String(e.user), DeviceKey: md.DeviceKey})
			wantErr[*types.ResourceNotFoundException](t, err, "Device does not exist.")
			// Refreshing keeps the device and hands out no new one.
			out, err := e.c.InitiateAuth(e.ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
				AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken), "DEVICE_KEY": key}})
			if err != nil {
				t.Fatal(err)
			}
			if out.AuthenticationResult.NewDeviceMetadata != nil {
				t.Error("a refresh handed out a new device")
			}
			if got := authClaims(t, aws.ToString(out.AuthenticationResult.AccessToken))["device_key"]; got != key {
				t.Errorf("refreshed access token device_key %v, want %s", got, key)
			}
		})
	}
}

func TestDevConfirmDevice(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    *types.DeviceConfigurationType
		prompt bool
		status string
	}{
		{"always", devAlways, false, "remembered"},
		{"on prompt", devPrompt, true, "not_remembered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := devSetup(t, tc.cfg)
			res := e.devSignIn(t)
			d, out := e.devConfirm(t, res, "Dora's phone")
			if out.UserConfirmationNecessary != tc.prompt {
				t.Errorf("UserConfirmationNecessary %t, want %t", out.UserConfirmationNecessary, tc.prompt)
			}
			got, err := e.c.GetDevice(e.ctx, &cip.GetDeviceInput{AccessToken: res.AccessToken, DeviceKey: aws.String(d.key)})
			if err != nil {
				t.Fatal(err)
			}
			dev := got.Device
			if aws.ToString(dev.DeviceKey) != d.key || devAttr(dev, "device_name") != "Dora's phone" ||
				devAttr(dev, "dev:device_remembered_status") != tc.status || devAttr(dev, "device_status") != "valid" {
				t.Errorf("device %s attributes %+v, want name Dora's phone, %s", aws.ToString(dev.DeviceKey), dev.DeviceAttributes, tc.status)
			}
			if ip := devAttr(dev, "last_ip_used"); ip != "127.0.0.1" {
				t.Errorf("last_ip_used %q, want the test's loopback address", ip)
			}
			if dev.DeviceCreateDate == nil || dev.DeviceLastModifiedDate == nil || dev.DeviceLastAuthenticatedDate == nil {
				t.Errorf("device dates create %v modified %v authenticated %v", dev.DeviceCreateDate, dev.DeviceLastModifiedDate, dev.DeviceLastAuthenticatedDate)
			}
		})
	}
	t.Run("refusals", func(t *testing.T) {
		e := devSetup(t, devAlways)
		res := e.devSignIn(t)
		key := aws.ToString(res.NewDeviceMetadata.DeviceKey)
		_, cfg := devSecret(t, aws.ToString(res.NewDeviceMetadata.DeviceGroupKey), key)
		_, err := e.c.ConfirmDevice(e.ctx, &cip.ConfirmDeviceInput{AccessToken: res.AccessToken,
			DeviceKey: aws.String(e.srv.Config.Region + "_00000000-0000-4000-8000-000000000000"), DeviceSecretVerifierConfig: cfg})
		wantErr[*types.ResourceNotFoundException](t, err, "Device does not exist.")
		_, err = e.c.ConfirmDevice(e.ctx, &cip.ConfirmDeviceInput{AccessToken: res.AccessToken, DeviceKey: aws.String(key),
			DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{PasswordVerifier: aws.String("AA=="), Salt: cfg.Salt}})
		wantErr[*types.InvalidParameterException](t, err, "Invalid PasswordVerifier.")
		_, err = e.c.ConfirmDevice(e.ctx, &cip.ConfirmDeviceInput{AccessToken: aws.String("not-a-token"), DeviceKey: aws.String(key),
			DeviceSecretVerifierConfig: cfg})
		wantErr[*types.NotAuthorizedException](t, err, "Invalid Access Token")
		// Another user's device is no device of this one.
		authUser(t, e.c, e.ctx, e.pool, "eve", devPassword)
		eve := authSignIn(t, e.c, e.ctx, e.client, "eve", devPassword)
		_, err = e.c.ConfirmDevice(e.ctx, &cip.ConfirmDeviceInput{AccessToken: eve.AccessToken, DeviceKey: aws.String(key), DeviceSecretVerifierConfig: cfg})
		wantErr[*types.ResourceNotFoundException](t, err, "Device does not exist.")
	})
}

func TestDevOperations(t *testing.T) {
	e := devSetup(t, devPrompt)
	var devs []devDevice
	var last *types.AuthenticationResultType
	for _, name := range []string{"one", "two", "three"} {
		last = e.devSignIn(t)
		d, _ := e.devConfirm(t, last, name)
		devs = append(devs, d)
	}
	access := last.AccessToken
	admin := func() (*string, *string) { return aws.String(e.pool), aws.String(e.user) }

	// Paging with Limit 1 lists every device once, oldest first.
	var seen []string
	var tok *string
	for range 5 {
		out, err := e.c.ListDevices(e.ctx, &cip.ListDevicesInput{AccessToken: access, Limit: aws.Int32(1), PaginationToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Devices) != 1 {
			t.Fatalf("page of %d devices, want 1", len(out.Devices))
		}
		seen = append(seen, aws.ToString(out.Devices[0].DeviceKey))
		if tok = out.PaginationToken; tok == nil {
			break
		}
	}
	if want := devs[0].key + "," + devs[1].key + "," + devs[2].key; strings.Join(seen, ",") != want {
		t.Errorf("ListDevices pages %v, want %s", seen, want)
	}
	_, err := e.c.ListDevices(e.ctx, &cip.ListDevicesInput{AccessToken: access, PaginationToken: aws.String("bogus")})
	wantErr[*types.InvalidParameterException](t, err, "")
	pool, user := admin()
	all, err := e.c.AdminListDevices(e.ctx, &cip.AdminListDevicesInput{UserPoolId: pool, Username: user})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Devices) != 3 || all.PaginationToken != nil {
		t.Errorf("AdminListDevices %s (token %v), want 3 devices, no token", devKeys(all.Devices), all.PaginationToken)
	}

	// UpdateDeviceStatus and its Admin twin.
	if _, err := e.c.UpdateDeviceStatus(e.ctx, &cip.UpdateDeviceStatusInput{AccessToken: access, DeviceKey: aws.String(devs[0].key),
		DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered}); err != nil {
		t.Fatal(err)
	}
	got, err := e.c.AdminGetDevice(e.ctx, &cip.AdminGetDeviceInput{UserPoolId: pool, Username: user, DeviceKey: aws.String(devs[0].key)})
	if err != nil {
		t.Fatal(err)
	}
	if s := devAttr(got.Device, "dev:device_remembered_status"); s != "remembered" {
		t.Errorf("status after UpdateDeviceStatus %q, want remembered", s)
	}
	if _, err := e.c.AdminUpdateDeviceStatus(e.ctx, &cip.AdminUpdateDeviceStatusInput{UserPoolId: pool, Username: user,
		DeviceKey: aws.String(devs[0].key), DeviceRememberedStatus: types.DeviceRememberedStatusTypeNotRemembered}); err != nil {
		t.Fatal(err)
	}
	g2, err := e.c.GetDevice(e.ctx, &cip.GetDeviceInput{AccessToken: access, DeviceKey: aws.String(devs[0].key)})
	if err != nil {
		t.Fatal(err)
	}
	if s := devAttr(g2.Device, "dev:device_remembered_status"); s != "not_remembered" {
		t.Errorf("status after AdminUpdateDeviceStatus %q, want not_remembered", s)
	}
	missing := aws.String(e.srv.Config.Region + "_00000000-0000-4000-8000-000000000000")
	_, err = e.c.UpdateDeviceStatus(e.ctx, &cip.UpdateDeviceStatusInput{AccessToken: access, DeviceKey: missing,
		DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered})
	wantErr[*types.ResourceNotFoundException](t, err, "Device does not exist.")
	_, err = e.c.GetDevice(e.ctx, &cip.GetDeviceInput{AccessToken: access, DeviceKey: missing})
	wantErr[*types.ResourceNotFoundException](t, err, "Device does not exist.")

	// ForgetDevice and AdminForgetDevice; a forgotten device is gone.
	if _, err := e.c.ForgetDevice(e.ctx, &cip.ForgetDeviceInput{AccessToken: access, DeviceKey: aws.String(devs[1].key)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.AdminForgetDevice(e.ctx, &cip.AdminForgetDeviceInput{UserPoolId: pool, Username: user, DeviceKey: aws.String(devs[0].key)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.ForgetDevice(e.ctx, &cip.ForgetDeviceInput{AccessToken: access, DeviceKey: aws.String(devs[1].key)})
	wantErr[*types.ResourceNotFoundException](t, err, "Device does not exist.")
	_, err = e.c.AdminGetDevice(e.ctx, &cip.AdminGetDeviceInput{UserPoolId: pool, Username: user, DeviceKey: aws.String(devs[0].key)})
	wantErr[*types.ResourceNotFoundException](t, err, "Device does not exist.")
	left, err := e.c.ListDevices(e.ctx, &cip.ListDevicesInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	if devKeys(left.Devices) != devs[2].key {
		t.Errorf("devices left %s, want %s", devKeys(left.Devices), devs[2].key)
	}

	// The Admin operations name users the usual way. AdminListDevices'
	// model declares no UserNotFoundException, so the SDK hands it over as
	// a generic API error with that code.
	_, err = e.c.AdminListDevices(e.ctx, &cip.AdminListDevicesInput{UserPoolId: pool, Username: aws.String("nobody")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UserNotFoundException" {
		t.Errorf("AdminListDevices of an unknown user: %v, want UserNotFoundException", err)
	}
	_, err = e.c.AdminForgetDevice(e.ctx, &cip.AdminForgetDeviceInput{UserPoolId: pool, Username: aws.String("nobody"), DeviceKey: missing})
	wantErr[*types.UserNotFoundException](t, err, "")
}

// devMFASetup is a pool that requires MFA (SMS codes through the outbox) and
// remembers devices as cfg says, a client with the password and SRP flows,
// and a user with a phone number.
func devMFASetup(t *testing.T, cfg *types.DeviceConfigurationType) *devEnv {
	t.Helper()
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := userPool(t, c, ctx, &cip.CreateUserPoolInput{DeviceConfiguration: cfg, SmsConfiguration: poolSMS,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypePhoneNumber}})
	if _, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(pool), MfaConfiguration: types.UserPoolMfaTypeOn,
		SmsMfaConfiguration: &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Your code: {####}."), SmsConfiguration: poolSMS}}); err != nil {
		t.Fatal(err)
	}
	client, _ := authClient(t, c, ctx, pool, nil)
	authUser(t, c, ctx, pool, "dora", devPassword, "phone_number", "+15555550142", "phone_number_verified", "true")
	return &devEnv{srv: srv, c: c, ctx: ctx, pool: pool, client: client, user: "dora"}
}

// devMFASignIn signs in with the password (and DEVICE_KEY when key is not
// empty) and answers the SMS_MFA challenge with the code from the outbox.
func (e *devEnv) devMFASignIn(t *testing.T, key string) *types.AuthenticationResultType {
	t.Helper()
	var extra []string
	if key != "" {
		extra = []string{"DEVICE_KEY", key}
	}
	out, err := authUserPassword(e.c, e.ctx, e.client, e.user, devPassword, extra...)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if out.ChallengeName != types.ChallengeNameTypeSmsMfa {
		t.Fatalf("sign-in answered %q, want SMS_MFA", out.ChallengeName)
	}
	code := msCode(t, e.srv, e.ctx, e.pool, e.user).Code
	resp := map[string]string{"USERNAME": e.user, "SMS_MFA_CODE": code}
	if key != "" {
		resp["DEVICE_KEY"] = key
	}
	done, err := msRespond(e.c, e.ctx, e.client, types.ChallengeNameTypeSmsMfa, aws.ToString(out.Session), resp)
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("SMS_MFA: %v", err)
	}
	return done.AuthenticationResult
}

// devMFACodes counts the MFA codes the outbox holds for the user.
func (e *devEnv) devMFACodes(t *testing.T) int {
	t.Helper()
	all, err := e.srv.Outbox().ListAll(e.ctx, outbox.Query{UserPoolID: e.pool, Username: e.user})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range all {
		if m.Kind == "MFA_CODE" {
			n++
		}
	}
	return n
}

// devRespond sends a challenge answer.
func (e *devEnv) devRespond(name types.ChallengeNameType, session *string, resp map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	return e.c.RespondToAuthChallenge(e.ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(e.client), ChallengeName: name,
		Session: session, ChallengeResponses: resp})
}

// devDeviceAuth answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER as
// amazon-cognito-identity-js's getDeviceResponse does: SRP with the device
// group key as the pool name and the device key as the user, signed with the
// device password given (the device's own, or a wrong one), the Session of
// each answer sent with the next.
func (e *devEnv) devDeviceAuth(t *testing.T, d devDevice, password string, session *string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	sc, err := srp.NewClient(d.group, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := e.devRespond(types.ChallengeNameTypeDeviceSrpAuth, session,
		map[string]string{"USERNAME": e.user, "DEVICE_KEY": d.key, "SRP_A": sc.AHex()})
	if err != nil {
		return nil, err
	}
	if ch.ChallengeName != types.ChallengeNameTypeDevicePasswordVerifier {
		t.Fatalf("DEVICE_SRP_AUTH answered %q, want DEVICE_PASSWORD_VERIFIER", ch.ChallengeName)
	}
	p := ch.ChallengeParameters
	resp, err := sc.RespondPasswordVerifier(map[string]string{"SRP_B": p["SRP_B"], "SALT": p["SALT"], "SECRET_BLOCK": p["SECRET_BLOCK"],
		"USER_ID_FOR_SRP": d.key}, password, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp["USERNAME"], resp["DEVICE_KEY"] = p["USERNAME"], d.key
	return e.devRespond(types.ChallengeNameTypeDevicePasswordVerifier, ch.Session, resp)
}

func TestDevDeviceSRPAuth(t *testing.T) {
	e := devMFASetup(t, devAlways)
	first := e.devMFASignIn(t, "")
	d, _ := e.devConfirm(t, first, "laptop")
	codes := e.devMFACodes(t)

	// USER_PASSWORD_AUTH from the remembered device: DEVICE_SRP_AUTH
	// instead of SMS_MFA.
	out, err := authUserPassword(e.c, e.ctx, e.client, e.user, devPassword, "DEVICE_KEY", d.key)
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth || out.Session == nil {
		t.Fatalf("sign-in from a remembered device answered %q, want DEVICE_SRP_AUTH with a Session", out.ChallengeName)
	}
	done, err := e.devDeviceAuth(t, d, d.password, out.Session)
	if err != nil {
		t.Fatalf("device authentication: %v", err)
	}
	res := done.AuthenticationResult
	authWantTokens(t, res, e.client, e.user, 3600)
	if res.NewDeviceMetadata != nil {
		t.Error("a sign-in from a known device handed out a new one")
	}
	if got := authClaims(t, aws.ToString(res.AccessToken))["device_key"]; got != d.key {
		t.Errorf("access token device_key %v, want %s", got, d.key)
	}
	if n := e.devMFACodes(t); n != codes {
		t.Errorf("%d MFA codes sent for a remembered device", n-codes)
	}
	got, err := e.c.GetDevice(e.ctx, &cip.GetDeviceInput{AccessToken: res.AccessToken, DeviceKey: aws.String(d.key)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Device.DeviceLastAuthenticatedDate == nil || got.Device.DeviceLastAuthenticatedDate.Before(*got.Device.DeviceCreateDate) {
		t.Errorf("DeviceLastAuthenticatedDate %v", got.Device.DeviceLastAuthenticatedDate)
	}

	t.Run("USER_SRP_AUTH", func(t *testing.T) {
		sc, err := srp.NewClient(srp.PoolName(e.pool), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := e.c.InitiateAuth(e.ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": e.user, "SRP_A": sc.AHex(), "DEVICE_KEY": d.key}})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := sc.RespondPasswordVerifier(ch.ChallengeParameters, devPassword, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		resp["DEVICE_KEY"] = d.key
		step, err := e.devRespond(types.ChallengeNameTypePasswordVerifier, ch.Session, resp)
		if err != nil {
			t.Fatal(err)
		}
		if step.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
			t.Fatalf("PASSWORD_VERIFIER answered %q, want DEVICE_SRP_AUTH", step.ChallengeName)
		}
		done, err := e.devDeviceAuth(t, d, d.password, step.Session)
		if err != nil || done.AuthenticationResult == nil {
			t.Fatalf("device authentication: %v", err)
		}
	})
	t.Run("wrong device password", func(t *testing.T) {
		out, err := authUserPassword(e.c, e.ctx, e.client, e.user, devPassword, "DEVICE_KEY", d.key)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.devDeviceAuth(t, d, "not-the-device-password", out.Session)
		authWantNotAuthorized(t, "wrong device password", err, "Incorrect username or password.")
	})
	t.Run("session used once", func(t *testing.T) {
		out, err := authUserPassword(e.c, e.ctx, e.client, e.user, devPassword, "DEVICE_KEY", d.key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.devDeviceAuth(t, d, d.password, out.Session); err != nil {
			t.Fatal(err)
		}
		_, err = e.devDeviceAuth(t, d, d.password, out.Session)
		authWantNotAuthorized(t, "DEVICE_SRP_AUTH answered twice", err, "Invalid session for the user, session can only be used once.")
	})
	t.Run("another device key in the answer", func(t *testing.T) {
		out, err := authUserPassword(e.c, e.ctx, e.client, e.user, devPassword, "DEVICE_KEY", d.key)
		if err != nil {
			t.Fatal(err)
		}
		other := d
		other.key = e.srv.Config.Region + "_00000000-0000-4000-8000-000000000000"
		_, err = e.devDeviceAuth(t, other, d.password, out.Session)
		wantErr[*types.ResourceNotFoundException](t, err, "Device does not exist.")
	})
	t.Run("not remembered", func(t *testing.T) {
		if _, err := e.c.AdminUpdateDeviceStatus(e.ctx, &cip.AdminUpdateDeviceStatusInput{UserPoolId: aws.String(e.pool), Username: aws.String(e.user),
			DeviceKey: aws.String(d.key), DeviceRememberedStatus: types.DeviceRememberedStatusTypeNotRemembered}); err != nil {
			t.Fatal(err)
		}
		// A device that is not remembered does not skip MFA.
		e.devMFASignIn(t, d.key)
		if _, err := e.c.AdminUpdateDeviceStatus(e.ctx, &cip.AdminUpdateDeviceStatusInput{UserPoolId: aws.String(e.pool), Username: aws.String(e.user),
			DeviceKey: aws.String(d.key), DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("forgotten between the steps", func(t *testing.T) {
		res := e.devMFASignIn(t, "")
		d2, _ := e.devConfirm(t, res, "tablet")
		out, err := authUserPassword(e.c, e.ctx, e.client, e.user, devPassword, "DEVICE_KEY", d2.key)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
			t.Fatalf("sign-in: %v %q", err, out.ChallengeName)
		}
		if _, err := e.c.ForgetDevice(e.ctx, &cip.ForgetDeviceInput{AccessToken: res.AccessToken, DeviceKey: aws.String(d2.key)}); err != nil {
			t.Fatal(err)
		}
		_, err = e.devDeviceAuth(t, d2, d2.password, out.Session)
		wantErr[*types.ResourceNotFoundException](t, err, "Device does not exist.")
		// Signing in again with the forgotten key asks for MFA.
		e.devMFASignIn(t, d2.key)
	})
}

// devRefresh refreshes with REFRESH_TOKEN_AUTH, sending DEVICE_KEY as
// amazon-cognito-identity-js does.
func (e *devEnv) devRefresh(res *types.AuthenticationResultType, key string) error {
	params := map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)}
	if key != "" {
		params["DEVICE_KEY"] = key
	}
	_, err := e.c.InitiateAuth(e.ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: params})
	return err
}

func TestDevRefreshEndsWithDevice(t *testing.T) {
	e := devMFASetup(t, devAlways)
	first := e.devMFASignIn(t, "")
	d, _ := e.devConfirm(t, first, "phone")
	out, err := authUserPassword(e.c, e.ctx, e.client, e.user, devPassword, "DEVICE_KEY", d.key)
	if err != nil {
		t.Fatal(err)
	}
	done, err := e.devDeviceAuth(t, d, d.password, out.Session)
	if err != nil {
		t.Fatal(err)
	}
	second := done.AuthenticationResult
	// Another device's session is not affected.
	other := e.devMFASignIn(t, "")
	o, _ := e.devConfirm(t, other, "other")

	for name, res := range map[string]*types.AuthenticationResultType{"confirming sign-in": first, "device sign-in": second, "other device": other} {
		if err := e.devRefresh(res, d.key); err != nil {
			t.Fatalf("%s: refresh before ForgetDevice: %v", name, err)
		}
	}
	if _, err := e.c.ForgetDevice(e.ctx, &cip.ForgetDeviceInput{AccessToken: second.AccessToken, DeviceKey: aws.String(d.key)}); err != nil {
		t.Fatal(err)
	}
	authWantNotAuthorized(t, "refresh of the confirming sign-in", e.devRefresh(first, d.key), "Invalid Refresh Token")
	authWantNotAuthorized(t, "refresh of the device sign-in", e.devRefresh(second, d.key), "Invalid Refresh Token")
	_, err = e.c.GetTokensFromRefreshToken(e.ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(e.client),
		RefreshToken: second.RefreshToken, DeviceKey: aws.String(d.key)})
	authWantNotAuthorized(t, "GetTokensFromRefreshToken of the device sign-in", err, "Invalid Refresh Token")
	if err := e.devRefresh(other, o.key); err != nil {
		t.Errorf("refresh of another device's session: %v", err)
	}
	// AdminForgetDevice ends the other one.
	if _, err := e.c.AdminForgetDevice(e.ctx, &cip.AdminForgetDeviceInput{UserPoolId: aws.String(e.pool), Username: aws.String(e.user),
		DeviceKey: aws.String(o.key)}); err != nil {
		t.Fatal(err)
	}
	authWantNotAuthorized(t, "refresh after AdminForgetDevice", e.devRefresh(other, o.key), "Invalid Refresh Token")
}

// Devices handed out and never confirmed are kept only for the newest few
// sign-ins; the sessions of the older ones keep their refresh tokens, since
// nobody forgot their device.
func TestDevUnconfirmedDevicesPruned(t *testing.T) {
	e := devSetup(t, devAlways)
	oldest := e.devSignIn(t)
	for range 12 {
		e.devSignIn(t)
	}
	if err := e.devRefresh(oldest, aws.ToString(oldest.NewDeviceMetadata.DeviceKey)); err != nil {
		t.Errorf("refresh of a session whose unconfirmed device was pruned: %v", err)
	}
	// The pruned device can no longer be confirmed.
	_, cfg := devSecret(t, aws.ToString(oldest.NewDeviceMetadata.DeviceGroupKey), aws.ToString(oldest.NewDeviceMetadata.DeviceKey))
	_, err := e.c.ConfirmDevice(e.ctx, &cip.ConfirmDeviceInput{AccessToken: oldest.AccessToken, DeviceKey: oldest.NewDeviceMetadata.DeviceKey,
		DeviceSecretVerifierConfig: cfg})
	wantErr[*types.ResourceNotFoundException](t, err, "Device does not exist.")
}

// Without ChallengeRequiredOnNewDevice a remembered device does not stand in
// for the second factor: after the device's proof the SMS code is still
// asked, and the tokens then name the device.
func TestDevRememberedDeviceStillAsksMFAWithoutChallengeRequired(t *testing.T) {
	e := devMFASetup(t, &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: true})
	first := e.devMFASignIn(t, "")
	d, _ := e.devConfirm(t, first, "tablet")
	if _, err := e.c.UpdateDeviceStatus(e.ctx, &cip.UpdateDeviceStatusInput{AccessToken: first.AccessToken, DeviceKey: aws.String(d.key),
		DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered}); err != nil {
		t.Fatal(err)
	}
	out, err := authUserPassword(e.c, e.ctx, e.client, e.user, devPassword, "DEVICE_KEY", d.key)
	if err != nil || out.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
		t.Fatalf("sign-in from the remembered device: %v %s", err, out.ChallengeName)
	}
	before := e.devMFACodes(t)
	ver, err := e.devDeviceAuth(t, d, d.password, out.Session)
	if err != nil || ver.ChallengeName != types.ChallengeNameTypeSmsMfa || ver.AuthenticationResult != nil {
		t.Fatalf("after the device's proof: %v %s, want SMS_MFA", err, ver.ChallengeName)
	}
	if e.devMFACodes(t) != before+1 {
		t.Error("no MFA code was sent")
	}
	code := msCode(t, e.srv, e.ctx, e.pool, e.user).Code
	done, err := msRespond(e.c, e.ctx, e.client, types.ChallengeNameTypeSmsMfa, aws.ToString(ver.Session),
		map[string]string{"USERNAME": e.user, "SMS_MFA_CODE": code, "DEVICE_KEY": d.key})
	if err != nil || done.AuthenticationResult == nil || done.AuthenticationResult.NewDeviceMetadata != nil {
		t.Fatalf("SMS_MFA after the device: %v", err)
	}
}
