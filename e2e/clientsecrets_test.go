package e2e

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

func TestClientSecretRotationThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := newPool(t, c, ctx, "secrets")
	created, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("server"), GenerateSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	clientID, first := created.UserPoolClient.ClientId, aws.ToString(created.UserPoolClient.ClientSecret)
	ids := func() []string {
		t.Helper()
		out, err := c.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: aws.String(poolID), ClientId: clientID})
		if err != nil {
			t.Fatal(err)
		}
		var l []string
		for _, d := range out.ClientSecrets {
			if d.ClientSecretValue != nil || d.ClientSecretCreateDate == nil {
				t.Errorf("listed descriptor %+v", d)
			}
			l = append(l, aws.ToString(d.ClientSecretId))
		}
		return l
	}
	describeSecret := func() string {
		t.Helper()
		out, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: clientID})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.UserPoolClient.ClientSecret)
	}

	initial := ids()
	if len(initial) != 1 || !strings.HasPrefix(initial[0], aws.ToString(clientID)+"--") {
		t.Fatalf("secrets of a new client: %v", initial)
	}

	added, err := c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: clientID})
	if err != nil {
		t.Fatal(err)
	}
	d := added.ClientSecretDescriptor
	second := aws.ToString(d.ClientSecretValue)
	if len(second) != 51 || second == first || d.ClientSecretCreateDate == nil || !strings.HasPrefix(aws.ToString(d.ClientSecretId), aws.ToString(clientID)+"--") {
		t.Errorf("added %+v", d)
	}
	if l := ids(); len(l) != 2 || l[0] != initial[0] || l[1] != aws.ToString(d.ClientSecretId) {
		t.Errorf("after add: %v", l)
	}
	if got := describeSecret(); got != first {
		t.Errorf("Describe shows %q, want the primary secret", got)
	}

	_, err = c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: clientID})
	wantErr[*types.LimitExceededException](t, err, "")

	if _, err := c.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: clientID,
		ClientSecretId: aws.String(initial[0])}); err != nil {
		t.Fatal(err)
	}
	if got := describeSecret(); got != second {
		t.Errorf("after deleting the primary Describe shows %q, want the remaining secret", got)
	}
	_, err = c.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: clientID,
		ClientSecretId: d.ClientSecretId})
	wantErr[*types.InvalidParameterException](t, err, "")
	_, err = c.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: clientID,
		ClientSecretId: aws.String(initial[0])})
	wantErr[*types.ResourceNotFoundException](t, err, "")

	// A secret of one's own is accepted and not echoed.
	mine := "my_own_secret_value_0123456789"
	own, err := c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: clientID, ClientSecret: aws.String(mine)})
	if err != nil {
		t.Fatal(err)
	}
	if own.ClientSecretDescriptor.ClientSecretValue != nil {
		t.Errorf("a chosen secret came back: %+v", own.ClientSecretDescriptor)
	}
	if l := ids(); len(l) != 2 {
		t.Errorf("after adding a chosen secret: %v", l)
	}
	srv.Restart()
	c = srv.Client()
	if got := describeSecret(); got != second {
		t.Errorf("after a restart Describe shows %q, want %q", got, second)
	}
}

func TestClientSecretRefusalsThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := newPool(t, c, ctx, "public")
	created, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("spa")})
	if err != nil {
		t.Fatal(err)
	}
	if created.UserPoolClient.ClientSecret != nil {
		t.Fatal("a client created without GenerateSecret has a secret")
	}
	clientID := created.UserPoolClient.ClientId
	_, err = c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: clientID})
	wantErr[*types.InvalidParameterException](t, err, "")
	list, err := c.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: aws.String(poolID), ClientId: clientID})
	if err != nil || len(list.ClientSecrets) != 0 {
		t.Errorf("a public client lists %+v (%v)", list, err)
	}
	_, err = c.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: aws.String(poolID), ClientId: aws.String("nosuchclient00000000000000")})
	wantErr[*types.ResourceNotFoundException](t, err, "User pool client nosuchclient00000000000000 does not exist.")
	_, err = c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String("us-east-1_nopool000"), ClientId: clientID})
	wantErr[*types.ResourceNotFoundException](t, err, "User pool us-east-1_nopool000 does not exist.")

	// A client created with a chosen secret reports it and takes a second.
	conf, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("conf"),
		ClientSecret: aws.String("chosen_at_creation_0123456789")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(conf.UserPoolClient.ClientSecret) != "chosen_at_creation_0123456789" {
		t.Errorf("chosen secret reported as %q", aws.ToString(conf.UserPoolClient.ClientSecret))
	}
	_, err = c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: conf.UserPoolClient.ClientId,
		ClientSecret: aws.String("chosen_at_creation_0123456789")})
	wantErr[*types.InvalidParameterException](t, err, "")
}
