package idp

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/cognitod/cognitod/internal/api"
)

func TestPoolTags(t *testing.T) {
	e := newPoolsEnv(t)
	p := e.create(t, func(in *api.CreateUserPoolRequest) { in.UserPoolTags = map[string]string{"env": "test", "team": "id"} })
	arn := p.Arn
	list := func() map[string]string {
		t.Helper()
		out, err := e.svc.ListTagsForResource(e.ctx, &api.ListTagsForResourceRequest{ResourceArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		return out.Tags
	}
	if got := list(); !reflect.DeepEqual(got, map[string]string{"env": "test", "team": "id"}) {
		t.Errorf("tags from create: %v", got)
	}
	if _, err := e.svc.TagResource(e.ctx, &api.TagResourceRequest{ResourceArn: arn, Tags: map[string]string{"env": "prod", "cost": "42"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UntagResource(e.ctx, &api.UntagResourceRequest{ResourceArn: arn, TagKeys: []string{"team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"env": "prod", "cost": "42"}
	if got := list(); !reflect.DeepEqual(got, want) {
		t.Errorf("tags %v, want %v", got, want)
	}
	if got := e.describe(t, api.ToString(p.Id)).UserPoolTags; !reflect.DeepEqual(got, want) {
		t.Errorf("describe tags %v, want %v", got, want)
	}

	// At most 50 tags.
	many := map[string]string{}
	for i := range 48 {
		many[fmt.Sprint("k", i)] = "v"
	}
	if _, err := e.svc.TagResource(e.ctx, &api.TagResourceRequest{ResourceArn: arn, Tags: many}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.TagResource(e.ctx, &api.TagResourceRequest{ResourceArn: arn, Tags: map[string]string{"one-too-many": "v"}})
	wantAPIError(t, err, poolsInvalidParam, "A user pool can have at most 50 tags.")
	// Replacing a value does not count as a new tag.
	if _, err := e.svc.TagResource(e.ctx, &api.TagResourceRequest{ResourceArn: arn, Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Fatal(err)
	}

	for _, bad := range []string{
		"arn:aws:cognito-idp:eu-west-3:210987654321:userpool/eu-west-3_nothere12",
		"arn:aws:cognito-idp:us-east-1:210987654321:userpool/" + api.ToString(p.Id),  // another region
		"arn:aws:cognito-idp:eu-west-3:111111111111:userpool/" + api.ToString(p.Id),  // another account
		"arn:aws:cognito-identity:eu-west-3:210987654321:identitypool/eu-west-3:abc", // another service
		"arn:aws:cognito-idp:eu-west-3:210987654321:userpool/",
		"not an arn",
	} {
		_, err := e.svc.ListTagsForResource(e.ctx, &api.ListTagsForResourceRequest{ResourceArn: api.String(bad)})
		wantAPIError(t, err, poolsNotFound, "")
		_, err = e.svc.TagResource(e.ctx, &api.TagResourceRequest{ResourceArn: api.String(bad), Tags: map[string]string{"a": "b"}})
		wantAPIError(t, err, poolsNotFound, "")
		_, err = e.svc.UntagResource(e.ctx, &api.UntagResourceRequest{ResourceArn: api.String(bad), TagKeys: []string{"a"}})
		wantAPIError(t, err, poolsNotFound, "")
	}
	_, err = e.svc.ListTagsForResource(e.ctx, &api.ListTagsForResourceRequest{
		ResourceArn: api.String("arn:aws:cognito-idp:eu-west-3:210987654321:userpool/eu-west-3_nothere12")})
	wantAPIError(t, err, poolsNotFound, "User pool eu-west-3_nothere12 does not exist.")
}
