package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/crypto/password"
	"github.com/cognitod/cognitod/internal/outbox"
	"github.com/cognitod/cognitod/internal/testserver"
)

// The administrator's user operations, end to end through aws-sdk-go-v2.
// Every refused request is followed by a look at the user: bad input
// changes nothing, not even UserLastModifiedDate.

// uaPool creates a pool from in (a name is filled in) and returns its id.
func uaPool(t *testing.T, ctx context.Context, c *cip.Client, in *cip.CreateUserPoolInput) string {
	t.Helper()
	if in == nil {
		in = &cip.CreateUserPoolInput{}
	}
	if in.PoolName == nil {
		in.PoolName = aws.String("users")
	}
	out, err := c.CreateUserPool(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.UserPool.Id)
}

// uaCreate creates a user without sending an invitation.
func uaCreate(t *testing.T, ctx context.Context, c *cip.Client, pool, username string, attrs ...string) *types.UserType {
	t.Helper()
	out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(username),
		UserAttributes: uaAttrs(attrs...), MessageAction: types.MessageActionTypeSuppress})
	if err != nil {
		t.Fatalf("AdminCreateUser %s: %v", username, err)
	}
	return out.User
}

// uaAttrs makes attributes from name, value pairs.
func uaAttrs(kv ...string) []types.AttributeType {
	out := make([]types.AttributeType, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func uaAttrMap(attrs []types.AttributeType) map[string]string {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

func uaGet(t *testing.T, ctx context.Context, c *cip.Client, pool, username string) *cip.AdminGetUserOutput {
	t.Helper()
	out, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(username)})
	if err != nil {
		t.Fatalf("AdminGetUser %s: %v", username, err)
	}
	return out
}

// uaSnapshot is what AdminGetUser says about a user, for comparing before and
// after a refused request.
type uaSnapshot struct {
	Username string
	Attrs    map[string]string
	Status   types.UserStatusType
	Enabled  bool
	Created  time.Time
	Modified time.Time
}

func uaSnap(t *testing.T, ctx context.Context, c *cip.Client, pool, username string) uaSnapshot {
	t.Helper()
	g := uaGet(t, ctx, c, pool, username)
	return uaSnapshot{Username: aws.ToString(g.Username), Attrs: uaAttrMap(g.UserAttributes), Status: g.UserStatus,
		Enabled: g.Enabled, Created: aws.ToTime(g.UserCreateDate), Modified: aws.ToTime(g.UserLastModifiedDate)}
}

// uaUnchanged fails when the user is not as before.
func uaUnchanged(t *testing.T, ctx context.Context, c *cip.Client, pool, username string, before uaSnapshot) {
	t.Helper()
	if after := uaSnap(t, ctx, c, pool, username); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused request changed %s:\nbefore %+v\n after %+v", username, before, after)
	}
}

func uaMessages(t *testing.T, ctx context.Context, srv *testserver.Server, pool, username string) []outbox.Message {
	t.Helper()
	ms, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: pool, Username: username})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// uaRaw posts an operation and returns the decoded JSON answer, to see which
// members are on the wire at all.
func uaRaw(t *testing.T, srv *testserver.Server, op string, body any) (int, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s answered %q", op, raw)
	}
	return resp.StatusCode, m
}

func TestAdminUserCreateAndInvitation(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	clk := testserver.NewClock(t0)
	srv := testserver.Start(t, testserver.WithClock(clk))
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, &cip.CreateUserPoolInput{
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(14), RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true,
			TemporaryPasswordValidityDays: 3,
		}},
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{InviteMessageTemplate: &types.MessageTemplateType{
			EmailSubject: aws.String("Welcome aboard"),
			EmailMessage: aws.String("Hello {username}, your password is {####} (email)"),
			SMSMessage:   aws.String("User {username} code {####} (sms)"),
		}},
	})

	out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
		UserAttributes:         uaAttrs("email", "alice@example.com", "phone_number", "+15550100", "name", "Alice"),
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail, types.DeliveryMediumTypeSms}})
	if err != nil {
		t.Fatal(err)
	}
	u := out.User
	attrs := uaAttrMap(u.Attributes)
	if aws.ToString(u.Username) != "alice" || u.UserStatus != types.UserStatusTypeForceChangePassword || !u.Enabled ||
		!aws.ToTime(u.UserCreateDate).Equal(t0) || !aws.ToTime(u.UserLastModifiedDate).Equal(t0) ||
		attrs["email"] != "alice@example.com" || attrs["phone_number"] != "+15550100" || attrs["name"] != "Alice" || len(attrs["sub"]) != 36 ||
		u.MFAOptions != nil {
		t.Fatalf("AdminCreateUser answered %+v (attributes %v)", u, attrs)
	}
	if n := aws.ToString(u.Attributes[0].Name); n != "sub" {
		t.Errorf("first attribute is %s, want sub", n)
	}

	// One invitation per medium, rendered from the pool's templates, the
	// temporary password made to the pool's policy.
	ms := uaMessages(t, ctx, srv, pool, "alice")
	if len(ms) != 2 {
		t.Fatalf("%d messages, want 2: %+v", len(ms), ms)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Medium < ms[j].Medium })
	email, sms := ms[0], ms[1]
	temp := email.Code
	policy := password.Policy{MinimumLength: 14, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}
	if err := password.Check(policy, temp); err != nil || password.Length(temp) < 14 {
		t.Errorf("generated temporary password %q: %v", temp, err)
	}
	if email.Kind != "INVITATION" || email.Medium != "EMAIL" || email.Destination != "alice@example.com" || email.Subject != "Welcome aboard" ||
		email.Body != "Hello alice, your password is "+temp+" (email)" {
		t.Errorf("email invitation %+v", email)
	}
	if sms.Kind != "INVITATION" || sms.Medium != "SMS" || sms.Destination != "+15550100" || sms.Subject != "" ||
		sms.Body != "User alice code "+temp+" (sms)" || sms.Code != temp {
		t.Errorf("SMS invitation %+v", sms)
	}
	if code, err := srv.Outbox().LatestCode(ctx, pool, "alice"); err != nil || code != temp {
		t.Errorf("LatestCode = %q, %v; want %q", code, err, temp)
	}

	// The same name again is refused, and the first user is untouched.
	before := uaSnap(t, ctx, c, pool, "alice")
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
		UserAttributes: uaAttrs("name", "Other")})
	wantErr[*types.UsernameExistsException](t, err, "User account already exists.")
	uaUnchanged(t, ctx, c, pool, "alice", before)

	// RESEND sends a new temporary password by the default medium (SMS) and
	// moves the modification date.
	clk.Advance(time.Hour)
	re, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
		MessageAction: types.MessageActionTypeResend})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(re.User.Username) != "alice" || re.User.UserStatus != types.UserStatusTypeForceChangePassword ||
		!aws.ToTime(re.User.UserCreateDate).Equal(t0) || !aws.ToTime(re.User.UserLastModifiedDate).Equal(t0.Add(time.Hour)) {
		t.Errorf("RESEND answered %+v", re.User)
	}
	ms = uaMessages(t, ctx, srv, pool, "alice")
	if len(ms) != 3 || ms[2].Medium != "SMS" || ms[2].Kind != "INVITATION" || ms[2].Code == temp || password.Check(policy, ms[2].Code) != nil {
		t.Errorf("after RESEND: %+v", ms)
	}

	// RESEND with a TemporaryPassword sends that one.
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
		MessageAction: types.MessageActionTypeResend, TemporaryPassword: aws.String("Given-Passw0rd-1"),
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := srv.Outbox().LatestCode(ctx, pool, "alice"); code != "Given-Passw0rd-1" {
		t.Errorf("RESEND with a password sent %q", code)
	}

	// RESEND to nobody, and to a user who is not waiting for a first sign-in.
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("nobody"),
		MessageAction: types.MessageActionTypeResend})
	wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	uaCreate(t, ctx, c, pool, "carol")
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("carol"),
		Password: aws.String("Permanent-Passw0rd"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	before = uaSnap(t, ctx, c, pool, "carol")
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("carol"),
		MessageAction: types.MessageActionTypeResend})
	wantErr[*types.UnsupportedUserStateException](t, err, "Resend not possible. carol status is not FORCE_CHANGE_PASSWORD")
	uaUnchanged(t, ctx, c, pool, "carol", before)
	if ms := uaMessages(t, ctx, srv, pool, "carol"); len(ms) != 0 {
		t.Errorf("messages to carol: %+v", ms)
	}

	// SUPPRESS sends nothing; a given temporary password is checked against
	// the policy in AdminCreateUser's words, and a refused one creates no user.
	tests := []struct {
		pw, msg string
	}{
		{"Short1!a", "Password did not conform with password policy: Password not long enough"},
		{"NOLOWERCASE-123456", "Password did not conform with password policy: Password must have lowercase characters"},
		{"nouppercase-123456", "Password did not conform with password policy: Password must have uppercase characters"},
		{"NoNumbers-abcdefgh", "Password did not conform with password policy: Password must have numeric characters"},
		{"NoSymbols1abcdefgh", "Password did not conform with password policy: Password must have symbol characters"},
	}
	for _, tc := range tests {
		_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("dave"),
			TemporaryPassword: aws.String(tc.pw), UserAttributes: uaAttrs("email", "dave@example.com"),
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
		wantErr[*types.InvalidPasswordException](t, err, tc.msg)
	}
	_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("dave")})
	wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("dave"),
		TemporaryPassword: aws.String("Dave-Temp-Passw0rd"), UserAttributes: uaAttrs("email", "dave@example.com"),
		MessageAction: types.MessageActionTypeSuppress, DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}}); err != nil {
		t.Fatal(err)
	}
	if ms := uaMessages(t, ctx, srv, pool, "dave"); len(ms) != 0 {
		t.Errorf("SUPPRESS sent %+v", ms)
	}
}

func TestAdminUserDefaultInvitation(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, nil)
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("bob"),
		UserAttributes:         uaAttrs("email", "bob@example.com"),
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}}); err != nil {
		t.Fatal(err)
	}
	ms := uaMessages(t, ctx, srv, pool, "bob")
	if len(ms) != 1 {
		t.Fatalf("messages %+v", ms)
	}
	m := ms[0]
	if m.Subject != "Your temporary password" || m.Body != "Your username is bob and temporary password is "+m.Code+". " ||
		password.Check(password.DefaultPolicy(), m.Code) != nil {
		t.Errorf("default invitation %+v", m)
	}
}

func TestAdminUserGet(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, &cip.CreateUserPoolInput{
		AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePhoneNumber, types.AliasAttributeTypePreferredUsername},
	})
	created := uaCreate(t, ctx, c, pool, "erin", "email", "erin@example.com", "email_verified", "true",
		"phone_number", "+15550111", "preferred_username", "Erin-P")
	sub := uaAttrMap(created.Attributes)["sub"]

	for _, name := range []string{"erin", "erin@example.com", "ERIN@example.com", "Erin-P", sub} {
		g, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)})
		if err != nil {
			t.Errorf("AdminGetUser(%s): %v", name, err)
			continue
		}
		if aws.ToString(g.Username) != "erin" || uaAttrMap(g.UserAttributes)["sub"] != sub || g.UserStatus != types.UserStatusTypeForceChangePassword ||
			!g.Enabled || g.UserCreateDate == nil || g.UserLastModifiedDate == nil {
			t.Errorf("AdminGetUser(%s) = %+v", name, g)
		}
	}
	// An unverified phone number is no alias.
	_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("+15550111")})
	wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("nobody")})
	wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("us-east-1_nothere12"), Username: aws.String("erin")})
	wantErr[*types.ResourceNotFoundException](t, err, "User pool us-east-1_nothere12 does not exist.")

	// On the wire: exactly the members there is something to say about.
	status, raw := uaRaw(t, srv, "AdminGetUser", map[string]string{"UserPoolId": pool, "Username": "erin"})
	if status != 200 {
		t.Fatalf("raw AdminGetUser: %d %v", status, raw)
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"Enabled", "UserAttributes", "UserCreateDate", "UserLastModifiedDate", "UserStatus", "Username"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("AdminGetUser members %v, want %v", keys, want)
	}
	status, raw = uaRaw(t, srv, "AdminCreateUser", map[string]any{"UserPoolId": pool, "Username": "frank", "MessageAction": "SUPPRESS"})
	if status != 200 {
		t.Fatalf("raw AdminCreateUser: %d %v", status, raw)
	}
	user, _ := raw["User"].(map[string]any)
	keys = keys[:0]
	for k := range user {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want = []string{"Attributes", "Enabled", "UserCreateDate", "UserLastModifiedDate", "UserStatus", "Username"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("AdminCreateUser User members %v, want %v", keys, want)
	}
}

func TestAdminUserDeleteEnableDisable(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	clk := testserver.NewClock(t0)
	srv := testserver.Start(t, testserver.WithClock(clk))
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, nil)
	uaCreate(t, ctx, c, pool, "gina")

	clk.Advance(time.Minute)
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("gina")}); err != nil {
		t.Fatal(err)
	}
	s := uaSnap(t, ctx, c, pool, "gina")
	if s.Enabled || !s.Modified.Equal(t0.Add(time.Minute)) || !s.Created.Equal(t0) {
		t.Errorf("after AdminDisableUser: %+v", s)
	}
	// Disabling twice is no error.
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("gina")}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if _, err := c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(pool), Username: aws.String("gina")}); err != nil {
		t.Fatal(err)
	}
	if s := uaSnap(t, ctx, c, pool, "gina"); !s.Enabled || !s.Modified.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("after AdminEnableUser: %+v", s)
	}

	nobody := map[string]func() error{
		"AdminEnableUser": func() error {
			_, err := c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(pool), Username: aws.String("nobody")})
			return err
		},
		"AdminDisableUser": func() error {
			_, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("nobody")})
			return err
		},
		"AdminDeleteUser": func() error {
			_, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("nobody")})
			return err
		},
		"AdminUpdateUserAttributes": func() error {
			_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("nobody"),
				UserAttributes: uaAttrs("name", "x")})
			return err
		},
		"AdminDeleteUserAttributes": func() error {
			_, err := c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("nobody"),
				UserAttributeNames: []string{"name"}})
			return err
		},
		"AdminConfirmSignUp": func() error {
			_, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pool), Username: aws.String("nobody")})
			return err
		},
		"AdminResetUserPassword": func() error {
			_, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("nobody")})
			return err
		},
		"AdminSetUserPassword": func() error {
			_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("nobody"),
				Password: aws.String("Passw0rd!"), Permanent: true})
			return err
		},
	}
	for op, call := range nobody {
		t.Run(op, func(t *testing.T) { wantErr[*types.UserNotFoundException](t, call(), "User does not exist.") })
	}

	if _, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("gina")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("gina")})
	wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	_, err = c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("gina")})
	wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	// The name is free again.
	uaCreate(t, ctx, c, pool, "gina")
}

// uaSignUp signs a user up through a new app client; the user is UNCONFIRMED.
func uaSignUp(t *testing.T, ctx context.Context, c *cip.Client, pool, username, pw string, attrs ...string) {
	t.Helper()
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: cl.UserPoolClient.ClientId, Username: aws.String(username),
		Password: aws.String(pw), UserAttributes: uaAttrs(attrs...)}); err != nil {
		t.Fatal(err)
	}
}

func TestAdminUserConfirmSignUp(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, nil)
	uaSignUp(t, ctx, c, pool, "hank", "Hank-Passw0rd")
	if s := uaSnap(t, ctx, c, pool, "hank"); s.Status != types.UserStatusTypeUnconfirmed {
		t.Fatalf("signed-up user is %s", s.Status)
	}
	if _, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pool), Username: aws.String("hank")}); err != nil {
		t.Fatal(err)
	}
	before := uaSnap(t, ctx, c, pool, "hank")
	if before.Status != types.UserStatusTypeConfirmed {
		t.Fatalf("confirmed user is %s", before.Status)
	}
	_, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pool), Username: aws.String("hank")})
	wantErr[*types.NotAuthorizedException](t, err, "User cannot be confirmed. Current status is CONFIRMED")
	uaUnchanged(t, ctx, c, pool, "hank", before)

	uaCreate(t, ctx, c, pool, "ivy")
	before = uaSnap(t, ctx, c, pool, "ivy")
	_, err = c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pool), Username: aws.String("ivy")})
	wantErr[*types.NotAuthorizedException](t, err, "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD")
	uaUnchanged(t, ctx, c, pool, "ivy", before)
}

func TestAdminUserResetPassword(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, &cip.CreateUserPoolInput{
		AccountRecoverySetting: &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)},
		}},
	})
	uaCreate(t, ctx, c, pool, "jack", "email", "jack@example.com", "email_verified", "true")
	setPw := func(user, pw string, permanent bool) error {
		_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String(user),
			Password: aws.String(pw), Permanent: permanent})
		return err
	}
	reset := func(user string) error {
		_, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String(user)})
		return err
	}

	// A user who has not chosen a password yet cannot be reset.
	before := uaSnap(t, ctx, c, pool, "jack")
	wantErr[*types.NotAuthorizedException](t, reset("jack"), "User password cannot be reset in the current state.")
	uaUnchanged(t, ctx, c, pool, "jack", before)

	if err := setPw("jack", "Jack-Passw0rd", true); err != nil {
		t.Fatal(err)
	}
	if err := reset("jack"); err != nil {
		t.Fatal(err)
	}
	if s := uaSnap(t, ctx, c, pool, "jack"); s.Status != types.UserStatusTypeResetRequired {
		t.Errorf("after AdminResetUserPassword: %s", s.Status)
	}
	ms := uaMessages(t, ctx, srv, pool, "jack")
	if len(ms) != 1 || ms[0].Kind != "FORGOT_PASSWORD_CODE" || ms[0].Medium != "EMAIL" || ms[0].Destination != "jack@example.com" ||
		len(ms[0].Code) != 6 || !strings.Contains(ms[0].Body, ms[0].Code) {
		t.Errorf("reset messages %+v", ms)
	}

	// Without a verified address there is nowhere to send the code.
	uaCreate(t, ctx, c, pool, "kate", "email", "kate@example.com")
	if err := setPw("kate", "Kate-Passw0rd", true); err != nil {
		t.Fatal(err)
	}
	before = uaSnap(t, ctx, c, pool, "kate")
	wantErr[*types.InvalidParameterException](t, reset("kate"),
		"Cannot reset password for the user as there is no registered/verified email or phone_number")
	uaUnchanged(t, ctx, c, pool, "kate", before)

	// A disabled user cannot be reset.
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("jack")}); err != nil {
		t.Fatal(err)
	}
	before = uaSnap(t, ctx, c, pool, "jack")
	wantErr[*types.NotAuthorizedException](t, reset("jack"), "User is disabled.")
	uaUnchanged(t, ctx, c, pool, "jack", before)
}

func TestAdminUserSetPassword(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, &cip.CreateUserPoolInput{
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(10), RequireNumbers: true, PasswordHistorySize: aws.Int32(2),
		}},
	})
	setPw := func(user, pw string, permanent bool) error {
		_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String(user),
			Password: aws.String(pw), Permanent: permanent})
		return err
	}
	uaSignUp(t, ctx, c, pool, "lena", "first-passw0rd")

	// A permanent password confirms even an unconfirmed user.
	if err := setPw("lena", "second-passw0rd", true); err != nil {
		t.Fatal(err)
	}
	if s := uaSnap(t, ctx, c, pool, "lena"); s.Status != types.UserStatusTypeConfirmed {
		t.Errorf("after a permanent password: %s", s.Status)
	}
	// PasswordHistorySize 2: the current and the one before are refused.
	before := uaSnap(t, ctx, c, pool, "lena")
	const used = "The password has been used recently. Choose a different password."
	wantErr[*types.PasswordHistoryPolicyViolationException](t, setPw("lena", "second-passw0rd", true), used)
	wantErr[*types.PasswordHistoryPolicyViolationException](t, setPw("lena", "first-passw0rd", true), used)
	uaUnchanged(t, ctx, c, pool, "lena", before)
	if err := setPw("lena", "third-passw0rd", true); err != nil {
		t.Fatal(err)
	}
	// Two newer passwords later, the first is allowed again.
	wantErr[*types.PasswordHistoryPolicyViolationException](t, setPw("lena", "second-passw0rd", true), used)
	if err := setPw("lena", "first-passw0rd", true); err != nil {
		t.Errorf("the third-newest password was refused: %v", err)
	}

	// The policy, in AdminSetUserPassword's words.
	before = uaSnap(t, ctx, c, pool, "lena")
	wantErr[*types.InvalidPasswordException](t, setPw("lena", "short1", true), "Password did not conform with policy: Password not long enough")
	wantErr[*types.InvalidPasswordException](t, setPw("lena", "no-numbers-here", false), "Password did not conform with policy: Password must have numeric characters")
	uaUnchanged(t, ctx, c, pool, "lena", before)

	// A temporary password sends the user back to FORCE_CHANGE_PASSWORD,
	// without a message.
	if err := setPw("lena", "temporary-passw0rd", false); err != nil {
		t.Fatal(err)
	}
	if s := uaSnap(t, ctx, c, pool, "lena"); s.Status != types.UserStatusTypeForceChangePassword {
		t.Errorf("after a temporary password: %s", s.Status)
	}
	if ms := uaMessages(t, ctx, srv, pool, "lena"); len(ms) != 0 {
		t.Errorf("AdminSetUserPassword sent %+v", ms)
	}
	// A permanent password after it confirms the user again.
	if err := setPw("lena", "fourth-passw0rd", true); err != nil {
		t.Fatal(err)
	}
	if s := uaSnap(t, ctx, c, pool, "lena"); s.Status != types.UserStatusTypeConfirmed {
		t.Errorf("after a permanent password: %s", s.Status)
	}
}

func TestAdminUserConcurrentWrites(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, nil)

	// One name, many creators: exactly one user.
	const n = 40
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("race"),
				MessageAction: types.MessageActionTypeSuppress})
			errs <- err
		}()
	}
	created := 0
	for range n {
		err := <-errs
		var ue *types.UsernameExistsException
		switch {
		case err == nil:
			created++
		case errors.As(err, &ue) && aws.ToString(ue.Message) == "User account already exists.":
		default:
			t.Errorf("concurrent AdminCreateUser: %v", err)
		}
	}
	if created != 1 {
		t.Errorf("%d users created under one name", created)
	}

	// Concurrent updates of different attributes all land.
	for i := range n {
		go func() {
			_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("race"),
				UserAttributes: uaAttrs(fmt.Sprintf("custom:a%d", i%4), "x")})
			errs <- err
		}()
	}
	for range n {
		<-errs
	}
	// custom:aN are not in the schema: every update was refused, and the user
	// is as created.
	if s := uaSnap(t, ctx, c, pool, "race"); len(s.Attrs) != 1 {
		t.Errorf("refused updates left %v", s.Attrs)
	}
	names := []string{"name", "given_name", "family_name", "nickname", "locale", "zoneinfo", "website", "profile"}
	for _, name := range names {
		go func() {
			_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("race"),
				UserAttributes: uaAttrs(name, "v-"+name)})
			errs <- err
		}()
	}
	for range names {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	s := uaSnap(t, ctx, c, pool, "race")
	for _, name := range names {
		if s.Attrs[name] != "v-"+name {
			t.Errorf("concurrent updates lost %s: %v", name, s.Attrs)
		}
	}
}

func TestAdminUserUnknownPool(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, user := aws.String("us-east-1_nothere12"), aws.String("u")
	calls := map[string]func() error{
		"AdminCreateUser": func() error {
			_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: user})
			return err
		},
		"AdminCreateUser RESEND": func() error {
			_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: user, MessageAction: types.MessageActionTypeResend})
			return err
		},
		"AdminGetUser": func() error {
			_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: user})
			return err
		},
		"AdminDeleteUser": func() error {
			_, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: user})
			return err
		},
		"AdminEnableUser": func() error {
			_, err := c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: pool, Username: user})
			return err
		},
		"AdminDisableUser": func() error {
			_, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: pool, Username: user})
			return err
		},
		"AdminUpdateUserAttributes": func() error {
			_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: user, UserAttributes: uaAttrs("name", "n")})
			return err
		},
		"AdminDeleteUserAttributes": func() error {
			_, err := c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: pool, Username: user, UserAttributeNames: []string{"name"}})
			return err
		},
		"AdminConfirmSignUp": func() error {
			_, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: pool, Username: user})
			return err
		},
		"AdminResetUserPassword": func() error {
			_, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: pool, Username: user})
			return err
		},
		"AdminSetUserPassword": func() error {
			_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool, Username: user, Password: aws.String("Passw0rd!")})
			return err
		},
	}
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			wantErr[*types.ResourceNotFoundException](t, call(), "User pool us-east-1_nothere12 does not exist.")
		})
	}
}
