package e2e

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

// Group membership end to end: AdminAddUserToGroup,
// AdminRemoveUserFromGroup, AdminListGroupsForUser and ListUsersInGroup,
// with their errors and pagination.

// mbGroupNames returns the names of groups.
func mbGroupNames(gs []types.GroupType) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		out = append(out, aws.ToString(g.GroupName))
	}
	return out
}

// mbGroupsOf follows every page of AdminListGroupsForUser.
func mbGroupsOf(t *testing.T, c *cip.Client, pool, user string, limit int32) []types.GroupType {
	t.Helper()
	ctx := testserver.Ctx(t)
	in := &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String(user)}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	var out []types.GroupType
	for {
		page, err := c.AdminListGroupsForUser(ctx, in)
		if err != nil {
			t.Fatalf("AdminListGroupsForUser %s: %v", user, err)
		}
		out = append(out, page.Groups...)
		if page.NextToken == nil {
			return out
		}
		in.NextToken = page.NextToken
	}
}

// mbMembers follows every page of ListUsersInGroup and returns the users.
func mbMembers(t *testing.T, c *cip.Client, pool, group string, limit int32) []types.UserType {
	t.Helper()
	ctx := testserver.Ctx(t)
	in := &cip.ListUsersInGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String(group)}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	var out []types.UserType
	for {
		page, err := c.ListUsersInGroup(ctx, in)
		if err != nil {
			t.Fatalf("ListUsersInGroup %s: %v", group, err)
		}
		out = append(out, page.Users...)
		if page.NextToken == nil {
			return out
		}
		in.NextToken = page.NextToken
	}
}

func mbUsernames(us []types.UserType) []string {
	out := make([]string, 0, len(us))
	for _, u := range us {
		out = append(out, aws.ToString(u.Username))
	}
	return out
}

func TestMembershipLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, nil)
	luCreate(t, ctx, c, pool, "ann", "email", "ann@example.com", "given_name", "Ann")
	luCreate(t, ctx, c, pool, "ben", "email", "ben@example.com")

	admins, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins"),
		Description: aws.String("Administrators"), RoleArn: aws.String(groupRole), Precedence: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("readers"),
		Precedence: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("bare")}); err != nil {
		t.Fatal(err)
	}

	add := func(user, group string) {
		t.Helper()
		if _, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool),
			Username: aws.String(user), GroupName: aws.String(group)}); err != nil {
			t.Fatalf("AdminAddUserToGroup %s %s: %v", user, group, err)
		}
	}
	remove := func(user, group string) {
		t.Helper()
		if _, err := c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(pool),
			Username: aws.String(user), GroupName: aws.String(group)}); err != nil {
			t.Fatalf("AdminRemoveUserFromGroup %s %s: %v", user, group, err)
		}
	}

	if gs := mbGroupsOf(t, c, pool, "ann", 0); len(gs) != 0 {
		t.Errorf("groups before any membership: %+v", gs)
	}
	add("ann", "admins")
	add("ann", "readers")
	add("ann", "admins") // a member stays one
	add("ann", "bare")
	add("ben", "readers")

	// The groups, in their creation order, as GetGroup describes them:
	// Precedence and RoleArn included, unset members left out.
	gs := mbGroupsOf(t, c, pool, "ann", 0)
	if got := mbGroupNames(gs); !slices.Equal(got, []string{"admins", "readers", "bare"}) {
		t.Fatalf("ann's groups: %q", got)
	}
	g := gs[0]
	if aws.ToString(g.RoleArn) != groupRole || aws.ToInt32(g.Precedence) != 1 || aws.ToString(g.Description) != "Administrators" ||
		aws.ToString(g.UserPoolId) != pool || g.CreationDate == nil || !g.CreationDate.Equal(*admins.Group.CreationDate) || g.LastModifiedDate == nil {
		t.Errorf("admins as listed for ann: %+v", g)
	}
	if gs[1].Precedence == nil || *gs[1].Precedence != 0 || gs[1].RoleArn != nil {
		t.Errorf("readers as listed for ann: %+v", gs[1])
	}
	if gs[2].Precedence != nil || gs[2].RoleArn != nil || gs[2].Description != nil {
		t.Errorf("bare as listed for ann: %+v", gs[2])
	}

	// The members, in their creation order, as ListUsers shows them.
	members := mbMembers(t, c, pool, "readers", 0)
	if got := mbUsernames(members); !slices.Equal(got, []string{"ann", "ben"}) {
		t.Fatalf("readers: %q", got)
	}
	listed, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(`username = "ann"`)})
	if err != nil || len(listed.Users) != 1 {
		t.Fatalf("ListUsers ann: %v", err)
	}
	m, l := members[0], listed.Users[0]
	if m.UserStatus != l.UserStatus || m.Enabled != l.Enabled || !m.UserCreateDate.Equal(*l.UserCreateDate) || len(m.Attributes) != len(l.Attributes) {
		t.Errorf("ann in ListUsersInGroup %+v, in ListUsers %+v", m, l)
	}
	if got := mbUsernames(mbMembers(t, c, pool, "bare", 0)); !slices.Equal(got, []string{"ann"}) {
		t.Errorf("bare: %q", got)
	}

	// Removing ends one membership; removing a non-member is no error.
	remove("ann", "readers")
	remove("ann", "readers")
	remove("ben", "admins")
	if got := mbGroupNames(mbGroupsOf(t, c, pool, "ann", 0)); !slices.Equal(got, []string{"admins", "bare"}) {
		t.Errorf("ann's groups after removal: %q", got)
	}
	if got := mbUsernames(mbMembers(t, c, pool, "readers", 0)); !slices.Equal(got, []string{"ben"}) {
		t.Errorf("readers after removal: %q", got)
	}

	// Deleting a group ends its memberships; a group made again with the
	// same name starts empty.
	if _, err := c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("bare")}); err != nil {
		t.Fatal(err)
	}
	if got := mbGroupNames(mbGroupsOf(t, c, pool, "ann", 0)); !slices.Equal(got, []string{"admins"}) {
		t.Errorf("ann's groups after DeleteGroup: %q", got)
	}
	if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("bare")}); err != nil {
		t.Fatal(err)
	}
	if got := mbMembers(t, c, pool, "bare", 0); len(got) != 0 {
		t.Errorf("re-created group has members %q", mbUsernames(got))
	}

	// Deleting a user ends theirs; a user made again with the same name
	// belongs to nothing.
	if _, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("ann")}); err != nil {
		t.Fatal(err)
	}
	if got := mbMembers(t, c, pool, "admins", 0); len(got) != 0 {
		t.Errorf("admins after the user's deletion: %q", mbUsernames(got))
	}
	luCreate(t, ctx, c, pool, "ann")
	if gs := mbGroupsOf(t, c, pool, "ann", 0); len(gs) != 0 {
		t.Errorf("re-created user's groups: %q", mbGroupNames(gs))
	}
}

// TestMembershipErrors: an unknown user, group or pool, with Cognito's
// exceptions and messages, for each of the four operations.
func TestMembershipErrors(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, nil)
	luCreate(t, ctx, c, pool, "ann")
	if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	const missingPool = "us-east-1_missing00"
	userNotFound := func(what string, err error) {
		t.Helper()
		var e *types.UserNotFoundException
		if !errors.As(err, &e) || aws.ToString(e.Message) != "User does not exist." {
			t.Errorf("%s: %v, want UserNotFoundException \"User does not exist.\"", what, err)
		}
	}
	resourceNotFound := func(what string, err error, msg string) {
		t.Helper()
		var e *types.ResourceNotFoundException
		if !errors.As(err, &e) || aws.ToString(e.Message) != msg {
			t.Errorf("%s: %v, want ResourceNotFoundException %q", what, err, msg)
		}
	}
	const groupNotFound = "Group not found."
	poolNotFound := "User pool " + missingPool + " does not exist."

	add := func(p, user, group string) error {
		_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(p), Username: aws.String(user), GroupName: aws.String(group)})
		return err
	}
	remove := func(p, user, group string) error {
		_, err := c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(p), Username: aws.String(user), GroupName: aws.String(group)})
		return err
	}
	groupsOf := func(p, user string) error {
		_, err := c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(p), Username: aws.String(user)})
		return err
	}
	members := func(p, group string) error {
		_, err := c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(p), GroupName: aws.String(group)})
		return err
	}

	userNotFound("add, unknown user", add(pool, "nobody", "g"))
	userNotFound("add, unknown user and group", add(pool, "nobody", "nogroup"))
	resourceNotFound("add, unknown group", add(pool, "ann", "nogroup"), groupNotFound)
	resourceNotFound("add, unknown pool", add(missingPool, "ann", "g"), poolNotFound)

	userNotFound("remove, unknown user", remove(pool, "nobody", "g"))
	resourceNotFound("remove, unknown group", remove(pool, "ann", "nogroup"), groupNotFound)
	resourceNotFound("remove, unknown pool", remove(missingPool, "ann", "g"), poolNotFound)

	userNotFound("groups of an unknown user", groupsOf(pool, "nobody"))
	resourceNotFound("groups, unknown pool", groupsOf(missingPool, "ann"), poolNotFound)

	resourceNotFound("members of an unknown group", members(pool, "nogroup"), groupNotFound)
	resourceNotFound("members, unknown pool", members(missingPool, "g"), poolNotFound)

	// Group names are case-sensitive: "G" is another, missing group.
	resourceNotFound("add, group name in another case", add(pool, "ann", "G"), groupNotFound)

	// Limits: at most 60 members, 60 groups a page.
	_, err := c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g"), Limit: aws.Int32(61)})
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Errorf("ListUsersInGroup Limit 61: %v", err)
	}
	_, err = c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String("ann"), Limit: aws.Int32(61)})
	if !errors.As(err, &ip) {
		t.Errorf("AdminListGroupsForUser Limit 61: %v", err)
	}
}

// TestMembershipNamesTheUser: the operations find a user by whatever name
// Cognito accepts: the username in either case in a case-insensitive pool,
// and the email in a pool that signs in with it.
func TestMembershipNamesTheUser(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)

	ci := luPool(t, ctx, c, func(in *cip.CreateUserPoolInput) {
		in.UsernameConfiguration = &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}
	})
	luCreate(t, ctx, c, ci, "Mixed")
	if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(ci), GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(ci), Username: aws.String("MIXED"), GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	if got := mbUsernames(mbMembers(t, c, ci, "g", 0)); !slices.Equal(got, []string{"Mixed"}) {
		t.Errorf("members: %q", got)
	}
	if got := mbGroupNames(mbGroupsOf(t, c, ci, "mixed", 0)); !slices.Equal(got, []string{"g"}) {
		t.Errorf("groups of mixed: %q", got)
	}

	ep := luPool(t, ctx, c, func(in *cip.CreateUserPoolInput) {
		in.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}
	})
	luCreate(t, ctx, c, ep, "dee@example.com", "email", "dee@example.com")
	if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(ep), GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(ep), Username: aws.String("dee@example.com"), GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	members := mbMembers(t, c, ep, "g", 0)
	if len(members) != 1 {
		t.Fatalf("members: %+v", members)
	}
	// The listed username is the sub, which names the user too.
	sub := aws.ToString(members[0].Username)
	if got := mbGroupNames(mbGroupsOf(t, c, ep, sub, 0)); !slices.Equal(got, []string{"g"}) {
		t.Errorf("groups of %s: %q", sub, got)
	}
}

// TestMembershipPages: both lists page through every entry once, and a
// token belongs to the list that made it.
func TestMembershipPages(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, nil)
	const users, groups = 23, 13
	var wantUsers, wantGroups []string
	for i := range users {
		name := fmt.Sprintf("u%02d", i)
		luCreate(t, ctx, c, pool, name)
		wantUsers = append(wantUsers, name)
	}
	for i := range groups {
		name := fmt.Sprintf("g%02d", i)
		if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		wantGroups = append(wantGroups, name)
	}
	// Memberships are made in the reverse order and from many callers at
	// once: the lists still follow creation order.
	var wg sync.WaitGroup
	errs := make(chan error, users+groups)
	for i := users - 1; i >= 0; i-- {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool), Username: aws.String(wantUsers[i]), GroupName: aws.String("g00")})
			errs <- err
		}()
	}
	for i := groups - 1; i >= 0; i-- {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool), Username: aws.String("u00"), GroupName: aws.String(wantGroups[i])})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, limit := range []int32{0, 1, 5, 60} {
		if got := mbUsernames(mbMembers(t, c, pool, "g00", limit)); !slices.Equal(got, wantUsers) {
			t.Errorf("members with Limit %d: %q", limit, got)
		}
		if got := mbGroupNames(mbGroupsOf(t, c, pool, "u00", limit)); !slices.Equal(got, wantGroups) {
			t.Errorf("groups with Limit %d: %q", limit, got)
		}
	}

	// A token of one group's members is no token for another group's, nor
	// one user's groups for another user's.
	if _, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool), Username: aws.String("u01"), GroupName: aws.String("g01")}); err != nil {
		t.Fatal(err)
	}
	mp, err := c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g00"), Limit: aws.Int32(2)})
	if err != nil || mp.NextToken == nil {
		t.Fatalf("first page of members: %v", err)
	}
	_, err = c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g01"), NextToken: mp.NextToken})
	luErr(t, "members token for another group", err, "Paging Marker is Invalid for Request")
	gp, err := c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String("u00"), Limit: aws.Int32(2)})
	if err != nil || gp.NextToken == nil {
		t.Fatalf("first page of groups: %v", err)
	}
	_, err = c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String("u01"), NextToken: gp.NextToken})
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Errorf("groups token for another user: %v", err)
	}

	// The SDK's paginators walk them too.
	pg := cip.NewListUsersInGroupPaginator(c, &cip.ListUsersInGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g00"), Limit: aws.Int32(10)})
	n := 0
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Users)
	}
	if n != users {
		t.Errorf("paginator: %d members, want %d", n, users)
	}
	gpg := cip.NewAdminListGroupsForUserPaginator(c, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String("u00"), Limit: aws.Int32(4)})
	n = 0
	for gpg.HasMorePages() {
		out, err := gpg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Groups)
	}
	if n != groups {
		t.Errorf("paginator: %d groups, want %d", n, groups)
	}
}
