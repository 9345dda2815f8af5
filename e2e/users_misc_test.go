package e2e

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

// In a pool whose users sign in with their email the stored username is the
// sub; the outbox helper still finds the code by the address the user typed.
func TestOutboxLatestCodeByEmailUsername(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := userPool(t, c, ctx, &cip.CreateUserPoolInput{
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
	client, _ := appClient(t, c, ctx, pool, nil)
	out := signUp(t, c, ctx, client, "Ivy@Example.com", "Ivy@Example.com")
	code := latestCode(t, srv, ctx, pool, "Ivy@Example.com")
	if err := confirmSignUp(c, ctx, client, "ivy@example.com", code); err != nil {
		t.Fatalf("ConfirmSignUp with the address in another case: %v", err)
	}
	u := getUser(t, c, ctx, pool, aws.ToString(out.UserSub))
	if u.status != types.UserStatusTypeConfirmed || u.attrs["email_verified"] != "true" {
		t.Errorf("after confirmation: %+v", u)
	}
}

// An UNCONFIRMED user with a verified address can be reset by an
// administrator (Cognito checks for the address, not the status); users who
// have no password of their own to reset cannot.
func TestAdminResetUserPasswordStates(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := emailPool(t, c, ctx)
	client, _ := appClient(t, c, ctx, pool, nil)
	signUp(t, c, ctx, client, "uma", "uma@example.com")
	if _, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("uma"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("uma")}); err != nil {
		t.Fatalf("AdminResetUserPassword of an unconfirmed user with a verified email: %v", err)
	}
	if got := getUser(t, c, ctx, pool, "uma").status; got != types.UserStatusTypeResetRequired {
		t.Errorf("status %s, want RESET_REQUIRED", got)
	}

	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("vic"),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String("vic@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("vic")})
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) || aws.ToString(na.Message) != "User password cannot be reset in the current state." {
		t.Errorf("reset of a FORCE_CHANGE_PASSWORD user: %v", err)
	}
}
