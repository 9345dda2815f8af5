package e2e

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

func TestUserPoolTags(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("tagged"), UserPoolTags: map[string]string{"env": "dev"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.UserPool.Arn
	tags := func() map[string]string {
		t.Helper()
		l, err := c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		return l.Tags
	}
	if got := tags(); !reflect.DeepEqual(got, map[string]string{"env": "dev"}) {
		t.Errorf("tags from CreateUserPool: %v", got)
	}
	if _, err := c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"env": "prod", "team": "identity", "cost": "7"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"cost", "never-set"}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"env": "prod", "team": "identity"}
	if got := tags(); !reflect.DeepEqual(got, want) {
		t.Errorf("tags %v, want %v", got, want)
	}
	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: out.UserPool.Id})
	if err != nil || !reflect.DeepEqual(d.UserPool.UserPoolTags, want) {
		t.Errorf("DescribeUserPool tags %v (%v)", d.UserPool.UserPoolTags, err)
	}
	// UpdateUserPool keeps tags it is not given.
	if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: out.UserPool.Id}); err != nil {
		t.Fatal(err)
	}
	if got := tags(); !reflect.DeepEqual(got, want) {
		t.Errorf("tags after an update without tags: %v", got)
	}

	many := map[string]string{}
	for i := range 49 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	var ip *types.InvalidParameterException
	if _, err := c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: many}); !errors.As(err, &ip) {
		t.Errorf("51 tags: %v", err)
	}
	if got := tags(); !reflect.DeepEqual(got, want) {
		t.Errorf("a refused TagResource changed the tags: %v", got)
	}

	var nf *types.ResourceNotFoundException
	for _, bad := range []string{
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_nothere12",
		"arn:aws:cognito-idp:eu-central-1:123456789012:userpool/" + aws.ToString(out.UserPool.Id),
		"arn:aws:lambda:us-east-1:123456789012:function:not-a-pool",
	} {
		if _, err := c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String(bad)}); !errors.As(err, &nf) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
