package e2e

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

const groupRole = "arn:aws:iam::123456789012:role/group-role"

func newGroupsPool(t *testing.T, ctx context.Context, c *cip.Client) string {
	t.Helper()
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("groups")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.UserPool.Id)
}

func TestGroupLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := newGroupsPool(t, ctx, c)

	created, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins"),
		Description: aws.String("Administrators"), RoleArn: aws.String(groupRole), Precedence: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	g := created.Group
	if aws.ToString(g.GroupName) != "admins" || aws.ToString(g.UserPoolId) != pool || aws.ToString(g.Description) != "Administrators" ||
		aws.ToString(g.RoleArn) != groupRole || aws.ToInt32(g.Precedence) != 1 || g.CreationDate == nil || g.LastModifiedDate == nil {
		t.Fatalf("CreateGroup answered %+v", g)
	}

	got, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins")})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Group, created.Group) {
		t.Errorf("GetGroup answered %+v, CreateGroup %+v", got.Group, created.Group)
	}

	// A bare group: the unset members stay unset on the wire.
	bare, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("bare")})
	if err != nil {
		t.Fatal(err)
	}
	if bare.Group.Description != nil || bare.Group.RoleArn != nil || bare.Group.Precedence != nil {
		t.Errorf("bare group: %+v", bare.Group)
	}

	// UpdateGroup changes what it is given and keeps the rest.
	up, err := c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins"),
		Precedence: aws.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(up.Group.Precedence) != 0 || up.Group.Precedence == nil || aws.ToString(up.Group.Description) != "Administrators" ||
		aws.ToString(up.Group.RoleArn) != groupRole || !up.Group.CreationDate.Equal(*created.Group.CreationDate) {
		t.Errorf("UpdateGroup answered %+v", up.Group)
	}

	var ge *types.GroupExistsException
	_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins")})
	if !errors.As(err, &ge) || aws.ToString(ge.Message) != "A group with the name admins already exists." {
		t.Errorf("duplicate group: %v", err)
	}

	if _, err := c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins")}); err != nil {
		t.Fatal(err)
	}
	var nf *types.ResourceNotFoundException
	_, err = c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins")})
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Group not found." {
		t.Errorf("deleted group: %v", err)
	}
	_, err = c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins")})
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Group not found." {
		t.Errorf("second delete: %v", err)
	}
	_, err = c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins"), Description: aws.String("x")})
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Group not found." {
		t.Errorf("update of a deleted group: %v", err)
	}
}

func TestGroupsUnknownPool(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	const pool = "us-east-1_nothere12"
	const msg = "User pool " + pool + " does not exist."
	calls := map[string]func() error{
		"CreateGroup": func() error {
			_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g")})
			return err
		},
		"GetGroup": func() error {
			_, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g")})
			return err
		},
		"UpdateGroup": func() error {
			_, err := c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g")})
			return err
		},
		"DeleteGroup": func() error {
			_, err := c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g")})
			return err
		},
		"ListGroups": func() error {
			_, err := c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(pool)})
			return err
		},
	}
	for name, call := range calls {
		var nf *types.ResourceNotFoundException
		if err := call(); !errors.As(err, &nf) || aws.ToString(nf.Message) != msg {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestListGroupsPaginator(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := newGroupsPool(t, ctx, c)
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("%c-team", 'z'-i) // creation order is not name order
		if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String(name),
			Precedence: aws.Int32(int32(i))}); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	pager := cip.NewListGroupsPaginator(c, &cip.ListGroupsInput{UserPoolId: aws.String(pool), Limit: aws.Int32(3)})
	var got []string
	pages := 0
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.Groups) > 3 {
			t.Errorf("page of %d", len(page.Groups))
		}
		for _, g := range page.Groups {
			if aws.ToString(g.UserPoolId) != pool || aws.ToInt32(g.Precedence) != int32(len(got)) || g.CreationDate == nil {
				t.Errorf("page %d: %+v", pages, g)
			}
			got = append(got, aws.ToString(g.GroupName))
		}
	}
	if !reflect.DeepEqual(got, want) || pages != 3 {
		t.Errorf("listed %v in %d pages, want %v in 3", got, pages, want)
	}

	var ip *types.InvalidParameterException
	_, err := c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(pool), NextToken: aws.String("made-up-token")})
	if !errors.As(err, &ip) {
		t.Errorf("a token cognitod did not make: %v", err)
	}
	_, err = c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(pool), Limit: aws.Int32(61)})
	if !errors.As(err, &ip) {
		t.Errorf("Limit 61: %v", err)
	}
}

func TestGroupsSurviveRestart(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := newGroupsPool(t, ctx, c)
	before, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("durable"),
		Description: aws.String("kept"), RoleArn: aws.String(groupRole), Precedence: aws.Int32(7)})
	if err != nil {
		t.Fatal(err)
	}
	// A page token made before the restart still works after it.
	if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("second")}); err != nil {
		t.Fatal(err)
	}
	first, err := c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(pool), Limit: aws.Int32(1)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("ListGroups: %v", err)
	}

	srv.Restart()
	c = srv.Client()

	after, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after.Group, before.Group) {
		t.Errorf("after restart %+v, before %+v", after.Group, before.Group)
	}
	next, err := c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(pool), Limit: aws.Int32(1), NextToken: first.NextToken})
	if err != nil {
		t.Fatalf("ListGroups with a token from before the restart: %v", err)
	}
	if len(next.Groups) != 1 || aws.ToString(next.Groups[0].GroupName) != "second" {
		t.Errorf("second page after restart: %+v", next.Groups)
	}

	// Deleting the pool deletes its groups.
	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(pool)}); err != nil {
		t.Fatal(err)
	}
	var nf *types.ResourceNotFoundException
	if _, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("durable")}); !errors.As(err, &nf) {
		t.Errorf("group of a deleted pool: %v", err)
	}
}
