package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/outbox"
	"github.com/cognitod/cognitod/internal/testserver"
)

// Tests of ForgotPassword and ConfirmForgotPassword through aws-sdk-go-v2.

// confirmedUser signs a user up and confirms the e-mail address with the code
// from the outbox.
func confirmedUser(t *testing.T, srv *testserver.Server, c *cip.Client, ctx context.Context, poolID, clientID, username, email string) {
	t.Helper()
	signUp(t, c, ctx, clientID, username, email)
	if err := confirmSignUp(c, ctx, clientID, username, latestCode(t, srv, ctx, poolID, username)); err != nil {
		t.Fatalf("ConfirmSignUp %s: %v", username, err)
	}
}

func forgotPassword(c *cip.Client, ctx context.Context, clientID, username string) (*cip.ForgotPasswordOutput, error) {
	return c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String(username),
		ClientMetadata: map[string]string{"from": "test"}})
}

func confirmForgot(c *cip.Client, ctx context.Context, clientID, username, code, pw string) error {
	_, err := c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String(username),
		ConfirmationCode: aws.String(code), Password: aws.String(pw)})
	return err
}

// newestMessage is the latest outbox message to username.
func newestMessage(t *testing.T, srv *testserver.Server, ctx context.Context, poolID, username string) outbox.Message {
	t.Helper()
	msgs, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID, Username: username})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 {
		t.Fatalf("no message to %s", username)
	}
	return msgs[len(msgs)-1]
}

func TestForgotPasswordFlow(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(8), RequireNumbers: true,
			PasswordHistorySize: aws.Int32(2)}},
	})
	clientID, _ := appClient(t, c, ctx, poolID, nil)
	confirmedUser(t, srv, c, ctx, poolID, clientID, "alice", "alice@example.com")

	out, err := forgotPassword(c, ctx, clientID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	wantDelivery(t, out.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "a***@e***")
	m := newestMessage(t, srv, ctx, poolID, "alice")
	if m.Kind != "FORGOT_PASSWORD_CODE" || m.Medium != "EMAIL" || m.Destination != "alice@example.com" || !sixDigits.MatchString(m.Code) ||
		m.Subject != "Your verification code" || m.Body != "Your verification code is "+m.Code+". " {
		t.Errorf("message %+v", m)
	}
	// ForgotPassword leaves the status alone: the old password still works
	// until the new one is set.
	if u := getUser(t, c, ctx, poolID, "alice"); u.status != types.UserStatusTypeConfirmed {
		t.Errorf("after ForgotPassword alice is %s", u.status)
	}

	err = confirmForgot(c, ctx, clientID, "alice", otherCode(m.Code), "NewPassw0rd")
	wantErr[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
	err = confirmForgot(c, ctx, clientID, "alice", m.Code, "short1")
	wantErr[*types.InvalidPasswordException](t, err, "Password does not conform to policy: Password not long enough")
	err = confirmForgot(c, ctx, clientID, "alice", m.Code, "NoNumbersHere")
	wantErr[*types.InvalidPasswordException](t, err, "Password does not conform to policy: Password must have numeric characters")
	// The history counts the current password: it may not come back.
	err = confirmForgot(c, ctx, clientID, "alice", m.Code, signUpPassword)
	wantErr[*types.PasswordHistoryPolicyViolationException](t, err, "")

	// Refused passwords did not spend the code.
	if err := confirmForgot(c, ctx, clientID, "alice", m.Code, "NewPassw0rd"); err != nil {
		t.Fatal(err)
	}
	if u := getUser(t, c, ctx, poolID, "alice"); u.status != types.UserStatusTypeConfirmed {
		t.Errorf("after ConfirmForgotPassword alice is %s", u.status)
	}
	// A spent code does not work again.
	err = confirmForgot(c, ctx, clientID, "alice", m.Code, "Another1pass")
	wantErr[*types.ExpiredCodeException](t, err, "")

	// The new password is the one stored: with a history of two, both it and
	// the one before are refused now, and a third is taken.
	if _, err := forgotPassword(c, ctx, clientID, "alice"); err != nil {
		t.Fatal(err)
	}
	code := latestCode(t, srv, ctx, poolID, "alice")
	for _, used := range []string{"NewPassw0rd", signUpPassword} {
		err = confirmForgot(c, ctx, clientID, "alice", code, used)
		wantErr[*types.PasswordHistoryPolicyViolationException](t, err, "")
	}
	if err := confirmForgot(c, ctx, clientID, "alice", code, "Third1pass"); err != nil {
		t.Fatal(err)
	}
	// The history holds two: the first password has left it.
	if _, err := forgotPassword(c, ctx, clientID, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := confirmForgot(c, ctx, clientID, "alice", latestCode(t, srv, ctx, poolID, "alice"), signUpPassword); err != nil {
		t.Fatalf("a password three changes old: %v", err)
	}
}

func TestForgotPasswordSecretHash(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, secret := appClient(t, c, ctx, poolID, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
	_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("bob"), Password: aws.String(signUpPassword),
		UserAttributes: emailAttrs("bob@example.com"), SecretHash: aws.String(secretHash(secret, "bob", clientID))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String("bob"),
		ConfirmationCode: aws.String(latestCode(t, srv, ctx, poolID, "bob")), SecretHash: aws.String(secretHash(secret, "bob", clientID))}); err != nil {
		t.Fatal(err)
	}

	_, err = forgotPassword(c, ctx, clientID, "bob")
	wantErr[*types.NotAuthorizedException](t, err, "Client "+clientID+" is configured for secret but secret was not received")
	if _, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String("bob"),
		SecretHash: aws.String(secretHash(secret, "bob", clientID))}); err != nil {
		t.Fatal(err)
	}
	code := latestCode(t, srv, ctx, poolID, "bob")
	_, err = c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String("bob"),
		ConfirmationCode: aws.String(code), Password: aws.String("NewPassw0rd!"), SecretHash: aws.String(secretHash(secret, "bobby", clientID))})
	wantErr[*types.NotAuthorizedException](t, err, "Unable to verify secret hash for client "+clientID)
	if _, err := c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String("bob"),
		ConfirmationCode: aws.String(code), Password: aws.String("NewPassw0rd!"), SecretHash: aws.String(secretHash(secret, "bob", clientID))}); err != nil {
		t.Fatal(err)
	}
}

func TestForgotPasswordCodeExpiresAfterAnHour(t *testing.T) {
	clk := testserver.NewClock(time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := testserver.Start(t, testserver.WithClock(clk))
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, _ := appClient(t, c, ctx, poolID, nil)
	confirmedUser(t, srv, c, ctx, poolID, clientID, "carol", "carol@example.com")

	if _, err := forgotPassword(c, ctx, clientID, "carol"); err != nil {
		t.Fatal(err)
	}
	code := latestCode(t, srv, ctx, poolID, "carol")
	clk.Advance(61 * time.Minute)
	err := confirmForgot(c, ctx, clientID, "carol", code, "NewPassw0rd!")
	wantErr[*types.ExpiredCodeException](t, err, "Invalid code provided, please request a code again.")

	if _, err := forgotPassword(c, ctx, clientID, "carol"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(59 * time.Minute)
	if err := confirmForgot(c, ctx, clientID, "carol", latestCode(t, srv, ctx, poolID, "carol"), "NewPassw0rd!"); err != nil {
		t.Fatalf("a code 59 minutes old: %v", err)
	}
}

func TestForgotPasswordAttemptsAreLimited(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, _ := appClient(t, c, ctx, poolID, nil)
	confirmedUser(t, srv, c, ctx, poolID, clientID, "dave", "dave@example.com")
	if _, err := forgotPassword(c, ctx, clientID, "dave"); err != nil {
		t.Fatal(err)
	}
	code := latestCode(t, srv, ctx, poolID, "dave")
	tooMany := false
	for i := 0; i < 20 && !tooMany; i++ {
		err := confirmForgot(c, ctx, clientID, "dave", otherCode(code), "NewPassw0rd!")
		if errors.As(err, new(*types.TooManyFailedAttemptsException)) {
			tooMany = true
			continue
		}
		wantErr[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
	}
	if !tooMany {
		t.Fatal("wrong codes are never refused as too many")
	}
	err := confirmForgot(c, ctx, clientID, "dave", code, "NewPassw0rd!")
	wantErr[*types.TooManyFailedAttemptsException](t, err, "")
	// A new code starts afresh.
	if _, err := forgotPassword(c, ctx, clientID, "dave"); err != nil {
		t.Fatal(err)
	}
	if err := confirmForgot(c, ctx, clientID, "dave", latestCode(t, srv, ctx, poolID, "dave"), "NewPassw0rd!"); err != nil {
		t.Fatal(err)
	}
}

// adminUserWith creates a CONFIRMED user with the given attributes through
// the admin operations, no message sent.
func adminUserWith(t *testing.T, c *cip.Client, ctx context.Context, poolID, username string, attrs ...string) {
	t.Helper()
	in := &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String(username), MessageAction: types.MessageActionTypeSuppress}
	for i := 0; i+1 < len(attrs); i += 2 {
		in.UserAttributes = append(in.UserAttributes, types.AttributeType{Name: aws.String(attrs[i]), Value: aws.String(attrs[i+1])})
	}
	if _, err := c.AdminCreateUser(ctx, in); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String(username),
		Password: aws.String(signUpPassword), Permanent: true}); err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
}

func TestForgotPasswordRecoverySetting(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	both := []string{"email", "erin@example.com", "email_verified", "true", "phone_number", "+15555550199", "phone_number_verified", "true"}

	for _, tc := range []struct {
		name    string
		setting *types.AccountRecoverySettingType
		attrs   []string
		medium  types.DeliveryMediumType
		attr    string
		masked  string
		dest    string
	}{
		{"email first", &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)},
			{Name: types.RecoveryOptionNameTypeVerifiedPhoneNumber, Priority: aws.Int32(2)}}},
			both, types.DeliveryMediumTypeEmail, "email", "e***@e***", "erin@example.com"},
		{"phone first", &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(2)},
			{Name: types.RecoveryOptionNameTypeVerifiedPhoneNumber, Priority: aws.Int32(1)}}},
			both, types.DeliveryMediumTypeSms, "phone_number", "+*******0199", "+15555550199"},
		{"phone first but unverified", &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: types.RecoveryOptionNameTypeVerifiedPhoneNumber, Priority: aws.Int32(1)},
			{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(2)}}},
			[]string{"email", "erin@example.com", "email_verified", "true", "phone_number", "+15555550199"},
			types.DeliveryMediumTypeEmail, "email", "e***@e***", "erin@example.com"},
		{"no setting", nil, both, types.DeliveryMediumTypeSms, "phone_number", "+*******0199", "+15555550199"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{AccountRecoverySetting: tc.setting})
			clientID, _ := appClient(t, c, ctx, poolID, nil)
			adminUserWith(t, c, ctx, poolID, "erin", tc.attrs...)
			out, err := forgotPassword(c, ctx, clientID, "erin")
			if err != nil {
				t.Fatal(err)
			}
			wantDelivery(t, out.CodeDeliveryDetails, tc.medium, tc.attr, tc.masked)
			m := newestMessage(t, srv, ctx, poolID, "erin")
			if m.Medium != string(tc.medium) || m.Destination != tc.dest || m.Kind != "FORGOT_PASSWORD_CODE" {
				t.Errorf("message %+v", m)
			}
		})
	}

	t.Run("only verified addresses", func(t *testing.T) {
		poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{})
		clientID, _ := appClient(t, c, ctx, poolID, nil)
		hiding, _ := appClient(t, c, ctx, poolID, hidingUsers)
		adminUserWith(t, c, ctx, poolID, "frank", "email", "frank@example.com", "phone_number", "+15555550100")
		_, err := forgotPassword(c, ctx, clientID, "frank")
		wantErr[*types.InvalidParameterException](t, err, "Cannot reset password for the user as there is no registered/verified email or phone_number")
		// A client hiding users answers as if a code went out, and none does.
		out, err := forgotPassword(c, ctx, hiding, "frank")
		if err != nil {
			t.Fatal(err)
		}
		if out.CodeDeliveryDetails == nil || aws.ToString(out.CodeDeliveryDetails.Destination) == "" {
			t.Errorf("CodeDeliveryDetails %+v", out.CodeDeliveryDetails)
		}
		if msgs, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID}); err != nil || len(msgs) != 0 {
			t.Errorf("outbox: %v %+v", err, msgs)
		}
	})
}

func TestForgotPasswordStates(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, _ := appClient(t, c, ctx, poolID, nil)

	// An invited user who never set a password has none to reset.
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String("grace"),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String("grace@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	_, err := forgotPassword(c, ctx, clientID, "grace")
	wantErr[*types.NotAuthorizedException](t, err, "User password cannot be reset in the current state.")

	// An unconfirmed user has no verified address yet.
	signUp(t, c, ctx, clientID, "heidi", "heidi@example.com")
	_, err = forgotPassword(c, ctx, clientID, "heidi")
	wantErr[*types.InvalidParameterException](t, err, "Cannot reset password for the user as there is no registered/verified email or phone_number")

	// A disabled user.
	confirmedUser(t, srv, c, ctx, poolID, clientID, "ivan", "ivan@example.com")
	if _, err := forgotPassword(c, ctx, clientID, "ivan"); err != nil {
		t.Fatal(err)
	}
	code := latestCode(t, srv, ctx, poolID, "ivan")
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(poolID), Username: aws.String("ivan")}); err != nil {
		t.Fatal(err)
	}
	_, err = forgotPassword(c, ctx, clientID, "ivan")
	wantErr[*types.NotAuthorizedException](t, err, "User is disabled.")
	err = confirmForgot(c, ctx, clientID, "ivan", code, "NewPassw0rd!")
	wantErr[*types.NotAuthorizedException](t, err, "User is disabled.")

	// A user who asked for no code.
	confirmedUser(t, srv, c, ctx, poolID, clientID, "judy", "judy@example.com")
	err = confirmForgot(c, ctx, clientID, "judy", "123456", "NewPassw0rd!")
	wantErr[*types.ExpiredCodeException](t, err, "Invalid code provided, please request a code again.")
}

func TestForgotPasswordPreventUserExistenceErrors(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	legacy, _ := appClient(t, c, ctx, poolID, nil)
	hiding, _ := appClient(t, c, ctx, poolID, hidingUsers)
	confirmedUser(t, srv, c, ctx, poolID, legacy, "kate", "kate@example.com")

	_, err := forgotPassword(c, ctx, legacy, "nobody")
	wantErr[*types.UserNotFoundException](t, err, "Username/client id combination not found.")
	err = confirmForgot(c, ctx, legacy, "nobody", "123456", "NewPassw0rd!")
	wantErr[*types.UserNotFoundException](t, err, "Username/client id combination not found.")

	known, err := forgotPassword(c, ctx, hiding, "kate")
	if err != nil {
		t.Fatal(err)
	}
	unknown, err := forgotPassword(c, ctx, hiding, "kyle")
	if err != nil {
		t.Fatalf("ForgotPassword of an unknown user: %v", err)
	}
	wantDelivery(t, known.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "k***@e***")
	wantDelivery(t, unknown.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "k***@k***")
	again, err := forgotPassword(c, ctx, hiding, "kyle")
	if err != nil || aws.ToString(again.CodeDeliveryDetails.Destination) != aws.ToString(unknown.CodeDeliveryDetails.Destination) {
		t.Errorf("a second answer for the unknown user differs: %v %+v", err, again)
	}
	// A username shaped like an address is answered with that address.
	byEmail, err := forgotPassword(c, ctx, hiding, "someone@example.org")
	if err != nil {
		t.Fatal(err)
	}
	wantDelivery(t, byEmail.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "s***@e***")
	byPhone, err := forgotPassword(c, ctx, hiding, "+15555550123")
	if err != nil {
		t.Fatal(err)
	}
	wantDelivery(t, byPhone.CodeDeliveryDetails, types.DeliveryMediumTypeSms, "phone_number", "+*******0123")

	err = confirmForgot(c, ctx, hiding, "kyle", "123456", "NewPassw0rd!")
	wantErr[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
	err = confirmForgot(c, ctx, hiding, "kate", otherCode(latestCode(t, srv, ctx, poolID, "kate")), "NewPassw0rd!")
	wantErr[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")

	// A disabled user is answered as an unknown one, and sent nothing.
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(poolID), Username: aws.String("kate")}); err != nil {
		t.Fatal(err)
	}
	before := newestMessage(t, srv, ctx, poolID, "kate")
	if _, err := forgotPassword(c, ctx, hiding, "kate"); err != nil {
		t.Fatalf("ForgotPassword of a disabled user: %v", err)
	}
	if after := newestMessage(t, srv, ctx, poolID, "kate"); after.Seq != before.Seq {
		t.Errorf("a code went to a disabled user: %+v", after)
	}
	err = confirmForgot(c, ctx, hiding, "kate", before.Code, "NewPassw0rd!")
	wantErr[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
}

// Phone pools: the unknown user's simulated answer follows the pool.
func TestForgotPasswordSimulatedDeliveryFollowsThePool(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{AccountRecoverySetting: &types.AccountRecoverySettingType{
		RecoveryMechanisms: []types.RecoveryOptionType{{Name: types.RecoveryOptionNameTypeVerifiedPhoneNumber, Priority: aws.Int32(1)}}}})
	hiding, _ := appClient(t, c, ctx, poolID, hidingUsers)
	out, err := forgotPassword(c, ctx, hiding, "lena")
	if err != nil {
		t.Fatal(err)
	}
	d := out.CodeDeliveryDetails
	if d == nil || d.DeliveryMedium != types.DeliveryMediumTypeSms || aws.ToString(d.AttributeName) != "phone_number" ||
		len(aws.ToString(d.Destination)) != len("+*******0123") {
		t.Errorf("CodeDeliveryDetails %+v", d)
	}
}

// AdminResetUserPassword sends the same kind of code; ConfirmForgotPassword
// takes it and the user is CONFIRMED again.
func TestForgotPasswordAfterAdminReset(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, _ := appClient(t, c, ctx, poolID, nil)
	confirmedUser(t, srv, c, ctx, poolID, clientID, "mike", "mike@example.com")

	if _, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String("mike")}); err != nil {
		t.Fatal(err)
	}
	if u := getUser(t, c, ctx, poolID, "mike"); u.status != types.UserStatusTypeResetRequired {
		t.Fatalf("after AdminResetUserPassword mike is %s", u.status)
	}
	m := newestMessage(t, srv, ctx, poolID, "mike")
	if m.Kind != "FORGOT_PASSWORD_CODE" || m.Destination != "mike@example.com" {
		t.Errorf("message %+v", m)
	}
	// The user may also ask for a code himself meanwhile; the newest counts.
	if _, err := forgotPassword(c, ctx, clientID, "mike"); err != nil {
		t.Fatal(err)
	}
	code := latestCode(t, srv, ctx, poolID, "mike")
	if code != m.Code {
		err := confirmForgot(c, ctx, clientID, "mike", m.Code, "NewPassw0rd!")
		wantErr[*types.CodeMismatchException](t, err, "")
	}
	if err := confirmForgot(c, ctx, clientID, "mike", code, "NewPassw0rd!"); err != nil {
		t.Fatal(err)
	}
	if u := getUser(t, c, ctx, poolID, "mike"); u.status != types.UserStatusTypeConfirmed {
		t.Errorf("after ConfirmForgotPassword mike is %s", u.status)
	}
}

// An unconfirmed user whose address an administrator verified may reset the
// password, and doing so confirms the user.
func TestForgotPasswordConfirmsAnUnconfirmedUser(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, _ := appClient(t, c, ctx, poolID, nil)
	signUp(t, c, ctx, clientID, "nora", "nora@example.com")
	if _, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(poolID), Username: aws.String("nora"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := forgotPassword(c, ctx, clientID, "nora"); err != nil {
		t.Fatal(err)
	}
	if m := newestMessage(t, srv, ctx, poolID, "nora"); m.Kind != "FORGOT_PASSWORD_CODE" {
		t.Fatalf("message %+v", m)
	}
	if err := confirmForgot(c, ctx, clientID, "nora", latestCode(t, srv, ctx, poolID, "nora"), "NewPassw0rd!"); err != nil {
		t.Fatal(err)
	}
	if u := getUser(t, c, ctx, poolID, "nora"); u.status != types.UserStatusTypeConfirmed {
		t.Errorf("nora is %s", u.status)
	}
}
