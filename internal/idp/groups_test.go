package idp

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/store"
)

const (
	groupsExists   = "GroupExistsException"
	groupsLimit    = "LimitExceededException"
	groupsRoleARN  = "arn:aws:iam::210987654321:role/readers"
	groupsRoleARN2 = "arn:aws:iam::210987654321:role/writers"
)

func (e *poolsEnv) createGroup(t *testing.T, poolID, name string, edit func(*api.CreateGroupRequest)) *api.GroupType {
	t.Helper()
	in := &api.CreateGroupRequest{UserPoolId: api.String(poolID), GroupName: api.String(name)}
	if edit != nil {
		edit(in)
	}
	out, err := e.svc.CreateGroup(e.ctx, in)
	if err != nil {
		t.Fatalf("CreateGroup %s: %v", name, err)
	}
	return out.Group
}

func (e *poolsEnv) getGroup(poolID, name string) (*api.GroupType, error) {
	out, err := e.svc.GetGroup(e.ctx, &api.GetGroupRequest{UserPoolId: api.String(poolID), GroupName: api.String(name)})
	if err != nil {
		return nil, err
	}
	return out.Group, nil
}

func TestCreateAndGetGroup(t *testing.T) {
	e := newPoolsEnv(t)
	id := api.ToString(e.create(t, nil).Id)
	created := e.now

	g := e.createGroup(t, id, "readers", func(in *api.CreateGroupRequest) {
		in.Description = api.String("People who read")
		in.RoleArn = api.String(groupsRoleARN)
		in.Precedence = api.Int32(0)
	})
	want := &api.GroupType{
		GroupName: api.String("readers"), UserPoolId: api.String(id),
		Description: api.String("People who read"), RoleArn: api.String(groupsRoleARN), Precedence: api.Int32(0),
		LastModifiedDate: api.NewTimestamp(created), CreationDate: api.NewTimestamp(created),
	}
	if !reflect.DeepEqual(g, want) {
		t.Fatalf("CreateGroup answered\n%+v\nwant\n%+v", g, want)
	}
	got, err := e.getGroup(id, "readers")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetGroup answered\n%+v\nwant\n%+v", got, want)
	}

	// A bare group carries no description, role or precedence.
	bare := e.createGroup(t, id, "bare", nil)
	if bare.Description != nil || bare.RoleArn != nil || bare.Precedence != nil {
		t.Errorf("bare group reports unset members: %+v", bare)
	}
	if bare.CreationDate == nil || bare.LastModifiedDate == nil {
		t.Errorf("bare group lacks dates: %+v", bare)
	}

	// Names are case-sensitive: another case is another group.
	e.createGroup(t, id, "Readers", nil)
	if _, err := e.getGroup(id, "READERS"); err == nil {
		t.Error("GetGroup found READERS")
	}
}

func TestCreateGroupRefusals(t *testing.T) {
	e := newPoolsEnv(t)
	id := api.ToString(e.create(t, nil).Id)
	e.createGroup(t, id, "admins", nil)

	_, err := e.svc.CreateGroup(e.ctx, &api.CreateGroupRequest{UserPoolId: api.String(id), GroupName: api.String("admins")})
	wantAPIError(t, err, groupsExists, "A group with the name admins already exists.")

	_, err = e.svc.CreateGroup(e.ctx, &api.CreateGroupRequest{UserPoolId: api.String("eu-west-3_nothere12"), GroupName: api.String("x")})
	wantAPIError(t, err, poolsNotFound, "User pool eu-west-3_nothere12 does not exist.")

	// The same name is free in another pool.
	other := api.ToString(e.create(t, nil).Id)
	e.createGroup(t, other, "admins", nil)
}

func TestCreateGroupQuota(t *testing.T) {
	e := newPoolsEnv(t)
	id := api.ToString(e.create(t, nil).Id)
	// Fill the pool through the store: 10,000 calls of the service would
	// be slow and test nothing more.
	for i := 0; i < maxGroupsPerPool; i++ {
		err := e.svc.Store.CreateGroup(e.ctx, store.Group{PoolID: id, Name: fmt.Sprintf("g%05d", i), Created: e.now, Modified: e.now, Doc: []byte("{}")})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.svc.CreateGroup(e.ctx, &api.CreateGroupRequest{UserPoolId: api.String(id), GroupName: api.String("one-too-many")})
	wantAPIError(t, err, groupsLimit, "")
	if err := e.svc.DeleteGroup(e.ctx, &api.DeleteGroupRequest{UserPoolId: api.String(id), GroupName: api.String("g00000")}); err != nil {
		t.Fatal(err)
	}
	e.createGroup(t, id, "one-too-many", nil)
}

func TestGroupNotFound(t *testing.T) {
	e := newPoolsEnv(t)
	id := api.ToString(e.create(t, nil).Id)
	const noPool = "eu-west-3_nothere12"

	_, err := e.getGroup(id, "ghost")
	wantAPIError(t, err, poolsNotFound, "Group not found.")
	_, err = e.getGroup(noPool, "ghost")
	wantAPIError(t, err, poolsNotFound, "User pool "+noPool+" does not exist.")

	_, err = e.svc.UpdateGroup(e.ctx, &api.UpdateGroupRequest{UserPoolId: api.String(id), GroupName: api.String("ghost"), Description: api.String("x")})
	wantAPIError(t, err, poolsNotFound, "Group not found.")
	_, err = e.svc.UpdateGroup(e.ctx, &api.UpdateGroupRequest{UserPoolId: api.String(noPool), GroupName: api.String("ghost")})
	wantAPIError(t, err, poolsNotFound, "User pool "+noPool+" does not exist.")

	err = e.svc.DeleteGroup(e.ctx, &api.DeleteGroupRequest{UserPoolId: api.String(id), GroupName: api.String("ghost")})
	wantAPIError(t, err, poolsNotFound, "Group not found.")
	err = e.svc.DeleteGroup(e.ctx, &api.DeleteGroupRequest{UserPoolId: api.String(noPool), GroupName: api.String("ghost")})
	wantAPIError(t, err, poolsNotFound, "User pool "+noPool+" does not exist.")

	_, err = e.svc.ListGroups(e.ctx, &api.ListGroupsRequest{UserPoolId: api.String(noPool)})
	wantAPIError(t, err, poolsNotFound, "User pool "+noPool+" does not exist.")

	// A group of another pool is not found in this one.
	other := api.ToString(e.create(t, nil).Id)
	e.createGroup(t, other, "elsewhere", nil)
	_, err = e.getGroup(id, "elsewhere")
	wantAPIError(t, err, poolsNotFound, "Group not found.")
}

func TestUpdateGroupKeepsOmittedMembers(t *testing.T) {
	e := newPoolsEnv(t)
	id := api.ToString(e.create(t, nil).Id)
	created := e.now
	e.createGroup(t, id, "readers", func(in *api.CreateGroupRequest) {
		in.Description = api.String("before")
		in.RoleArn = api.String(groupsRoleARN)
		in.Precedence = api.Int32(5)
	})

	e.now = e.now.Add(time.Hour)
	out, err := e.svc.UpdateGroup(e.ctx, &api.UpdateGroupRequest{UserPoolId: api.String(id), GroupName: api.String("readers"),
		Description: api.String("after")})
	if err != nil {
		t.Fatal(err)
	}
	want := &api.GroupType{
		GroupName: api.String("readers"), UserPoolId: api.String(id),
		Description: api.String("after"), RoleArn: api.String(groupsRoleARN), Precedence: api.Int32(5),
		LastModifiedDate: api.NewTimestamp(e.now), CreationDate: api.NewTimestamp(created),
	}
	if !reflect.DeepEqual(out.Group, want) {
		t.Fatalf("UpdateGroup answered\n%+v\nwant\n%+v", out.Group, want)
	}

	e.now = e.now.Add(time.Hour)
	out, err = e.svc.UpdateGroup(e.ctx, &api.UpdateGroupRequest{UserPoolId: api.String(id), GroupName: api.String("readers"),
		RoleArn: api.String(groupsRoleARN2), Precedence: api.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	want.RoleArn, want.Precedence, want.LastModifiedDate = api.String(groupsRoleARN2), api.Int32(0), api.NewTimestamp(e.now)
	if !reflect.DeepEqual(out.Group, want) {
		t.Fatalf("UpdateGroup answered\n%+v\nwant\n%+v", out.Group, want)
	}
	got, err := e.getGroup(id, "readers")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetGroup after update\n%+v\nwant\n%+v", got, want)
	}

	// An update that gives nothing changes nothing but the date.
	e.now = e.now.Add(time.Hour)
	out, err = e.svc.UpdateGroup(e.ctx, &api.UpdateGroupRequest{UserPoolId: api.String(id), GroupName: api.String("readers")})
	if err != nil {
		t.Fatal(err)
	}
	want.LastModifiedDate = api.NewTimestamp(e.now)
	if !reflect.DeepEqual(out.Group, want) {
		t.Fatalf("empty UpdateGroup answered\n%+v\nwant\n%+v", out.Group, want)
	}
}

func TestDeleteGroup(t *testing.T) {
	e := newPoolsEnv(t)
	id := api.ToString(e.create(t, nil).Id)
	e.createGroup(t, id, "temp", nil)
	if err := e.svc.DeleteGroup(e.ctx, &api.DeleteGroupRequest{UserPoolId: api.String(id), GroupName: api.String("temp")}); err != nil {
		t.Fatal(err)
	}
	_, err := e.getGroup(id, "temp")
	wantAPIError(t, err, poolsNotFound, "Group not found.")
	// The name is free again.
	e.createGroup(t, id, "temp", nil)
}

func TestDeleteUserPoolRemovesGroups(t *testing.T) {
	e := newPoolsEnv(t)
	id := api.ToString(e.create(t, nil).Id)
	e.createGroup(t, id, "g", nil)
	if err := e.svc.DeleteUserPool(e.ctx, &api.DeleteUserPoolRequest{UserPoolId: api.String(id)}); err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.Store.CountGroups(e.ctx, id)
	if err != nil || n != 0 {
		t.Fatalf("CountGroups after DeleteUserPool = %d, %v", n, err)
	}
}

func TestListGroupsPages(t *testing.T) {
	e := newPoolsEnv(t)
	id := api.ToString(e.create(t, nil).Id)
	other := api.ToString(e.create(t, nil).Id)

	empty, err := e.svc.ListGroups(e.ctx, &api.ListGroupsRequest{UserPoolId: api.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if empty.Groups == nil || len(empty.Groups) != 0 || empty.NextToken != nil {
		t.Fatalf("empty pool lists %+v", empty)
	}

	// Names out of alphabetical order: the list follows creation.
	var want []string
	for i := 0; i < 7; i++ {
		name := fmt.Sprintf("%c-group", 'g'-i)
		want = append(want, name)
		e.createGroup(t, id, name, func(in *api.CreateGroupRequest) { in.Precedence = api.Int32(int32(i)) })
		e.now = e.now.Add(time.Second)
	}
	e.createGroup(t, other, "not-mine", nil)

	var got []string
	var token *string
	pages := 0
	for {
		out, err := e.svc.ListGroups(e.ctx, &api.ListGroupsRequest{UserPoolId: api.String(id), Limit: api.Int32(3), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Groups) > 3 {
			t.Fatalf("page of %d groups with Limit 3", len(out.Groups))
		}
		for _, g := range out.Groups {
			if api.ToString(g.UserPoolId) != id || g.CreationDate == nil || g.Precedence == nil {
				t.Errorf("listed group %+v", g)
			}
			got = append(got, api.ToString(g.GroupName))
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
		if pages > 10 {
			t.Fatal("no end to the pages")
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
	if pages != 3 {
		t.Errorf("%d pages, want 3", pages)
	}

	// Default limit: everything at once.
	all, err := e.svc.ListGroups(e.ctx, &api.ListGroupsRequest{UserPoolId: api.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Groups) != 7 || all.NextToken != nil {
		t.Errorf("default limit listed %d groups, token %v", len(all.Groups), all.NextToken)
	}
}

func TestListGroupsRefusals(t *testing.T) {
	e := newPoolsEnv(t)
	id := api.ToString(e.create(t, nil).Id)
	other := api.ToString(e.create(t, nil).Id)
	for i := 0; i < 3; i++ {
		e.createGroup(t, id, fmt.Sprintf("g%d", i), nil)
		e.createGroup(t, other, fmt.Sprintf("g%d", i), nil)
	}
	for _, limit := range []int32{0, -1, 61} {
		_, err := e.svc.ListGroups(e.ctx, &api.ListGroupsRequest{UserPoolId: api.String(id), Limit: api.Int32(limit)})
		wantAPIError(t, err, poolsInvalidParam, "~Limit")
	}
	for _, tok := range []string{"", "garbage", "lg." + id + ".1", "bGc="} {
		_, err := e.svc.ListGroups(e.ctx, &api.ListGroupsRequest{UserPoolId: api.String(id), NextToken: api.String(tok)})
		wantAPIError(t, err, poolsInvalidParam, "~pagination token")
	}
	// A token of one pool does not work for another.
	out, err := e.svc.ListGroups(e.ctx, &api.ListGroupsRequest{UserPoolId: api.String(other), Limit: api.Int32(1)})
	if err != nil || out.NextToken == nil {
		t.Fatalf("ListGroups: %v, token %v", err, out)
	}
	_, err = e.svc.ListGroups(e.ctx, &api.ListGroupsRequest{UserPoolId: api.String(id), NextToken: out.NextToken})
	wantAPIError(t, err, poolsInvalidParam, "~pagination token")

	// A ListUserPools token is no ListGroups token.
	pools, err := e.svc.ListUserPools(e.ctx, &api.ListUserPoolsRequest{MaxResults: api.Int32(1)})
	if err != nil || pools.NextToken == nil {
		t.Fatalf("ListUserPools: %v", err)
	}
	_, err = e.svc.ListGroups(e.ctx, &api.ListGroupsRequest{UserPoolId: api.String(id), NextToken: pools.NextToken})
	wantAPIError(t, err, poolsInvalidParam, "~pagination token")
}

// TestGroupsWithoutSeal: a Service without a Seal still pages, with tokens
// bound to the pool.
func TestGroupsWithoutSeal(t *testing.T) {
	e := newPoolsEnv(t)
	e.svc.Seal = nil
	id := api.ToString(e.create(t, nil).Id)
	for i := 0; i < 3; i++ {
		e.createGroup(t, id, fmt.Sprintf("g%d", i), nil)
	}
	var n int
	var token *string
	for {
		out, err := e.svc.ListGroups(e.ctx, &api.ListGroupsRequest{UserPoolId: api.String(id), Limit: api.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Groups)
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if n != 3 {
		t.Errorf("listed %d groups, want 3", n)
	}
}
