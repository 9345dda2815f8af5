package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

// listPools creates listPool and its neighbour if they do not exist yet.
func listPools(t *testing.T, s store.Store) {
	t.Helper()
	for _, p := range []string{listPool, listPool + "_other"} {
		if _, err := s.GetUserPool(t.Context(), p); err != nil {
			must(t, s.CreateUserPool(t.Context(), pool(p, "list")))
		}
	}
}

// listUser is a user for the list tests: given_name "listed" when it should
// appear in the filtered lists, "other" when not.
func listUser(poolID, name string, listed bool) store.User {
	u := user(poolID, name)
	u.Search["given_name"] = "other"
	if listed {
		u.Search["given_name"] = "listed"
	}
	return u
}

// usersLister turns ListUsers with a query into a lister of usernames.
func usersLister(q store.UserQuery) lister {
	return func(ctx context.Context, s store.Store, page store.Page) ([]string, string, error) {
		users, next, err := s.ListUsers(ctx, listPool, q, page)
		for _, u := range users {
			if u.PoolID != listPool {
				return nil, "", fmt.Errorf("ListUsers(%q) returned a user of pool %q", listPool, u.PoolID)
			}
		}
		return usernames(users), next, err
	}
}

// userListKinds are the lists of users and groups. Each interleaves
// records that must not show (other pools, other values, other groups).
func userListKinds() []listKind {
	addUser := func(t *testing.T, s store.Store, i int, id string) {
		ctx := t.Context()
		listPools(t, s)
		must(t, s.CreateUser(ctx, listUser(listPool+"_other", id, true)))
		must(t, s.CreateUser(ctx, listUser(listPool, "x-"+id, false)))
		must(t, s.CreateUser(ctx, listUser(listPool, id, true)))
	}
	removeUser := func(t *testing.T, s store.Store, id string) {
		must(t, s.DeleteUser(t.Context(), listPool, subOf(id)))
	}
	const member, theGroup = "the-member", "the-group"
	setupMember := func(t *testing.T, s store.Store) {
		ctx := t.Context()
		listPools(t, s)
		if _, err := s.GetUserBySub(ctx, listPool, subOf(member)); err != nil {
			must(t, s.CreateUser(ctx, user(listPool, member)))
			must(t, s.CreateUser(ctx, user(listPool, "not-"+member)))
		}
	}
	setupGroup := func(t *testing.T, s store.Store) {
		ctx := t.Context()
		listPools(t, s)
		if _, err := s.GetGroup(ctx, listPool, theGroup); err != nil {
			must(t, s.CreateGroup(ctx, group(listPool, theGroup)))
			must(t, s.CreateGroup(ctx, group(listPool, "not-"+theGroup)))
		}
	}
	return []listKind{
		{
			name: "ListUsers",
			add: func(t *testing.T, s store.Store, i int, id string) {
				listPools(t, s)
				must(t, s.CreateUser(t.Context(), listUser(listPool+"_other", id, true)))
				must(t, s.CreateUser(t.Context(), listUser(listPool, id, i%2 == 0)))
			},
			remove: removeUser,
			list:   usersLister(store.UserQuery{}),
		},
		{
			name:   "ListUsers=",
			add:    addUser,
			remove: removeUser,
			list:   usersLister(store.UserQuery{Attr: "given_name", Op: store.OpEqual, Value: "listed"}),
		},
		{
			name:   "ListUsers^=",
			add:    addUser,
			remove: removeUser,
			list:   usersLister(store.UserQuery{Attr: "given_name", Op: store.OpPrefix, Value: "lis"}),
		},
		{
			name: "ListGroups",
			add: func(t *testing.T, s store.Store, i int, id string) {
				listPools(t, s)
				must(t, s.CreateGroup(t.Context(), group(listPool+"_other", id)))
				must(t, s.CreateGroup(t.Context(), group(listPool, id)))
			},
			remove: func(t *testing.T, s store.Store, id string) {
				must(t, s.DeleteGroup(t.Context(), listPool, id))
			},
			list: func(ctx context.Context, s store.Store, page store.Page) ([]string, string, error) {
				groups, next, err := s.ListGroups(ctx, listPool, page)
				return groupNames(groups), next, err
			},
		},
		{
			name: "ListGroupsForUser",
			add: func(t *testing.T, s store.Store, i int, id string) {
				ctx := t.Context()
				setupMember(t, s)
				must(t, s.CreateGroup(ctx, group(listPool, "x-"+id)))
				must(t, s.AddUserToGroup(ctx, listPool, "x-"+id, subOf("not-"+member)))
				must(t, s.CreateGroup(ctx, group(listPool, id)))
				must(t, s.AddUserToGroup(ctx, listPool, id, subOf(member)))
			},
			remove: func(t *testing.T, s store.Store, id string) {
				must(t, s.RemoveUserFromGroup(t.Context(), listPool, id, subOf(member)))
			},
			setup: setupMember,
			list: func(ctx context.Context, s store.Store, page store.Page) ([]string, string, error) {
				groups, next, err := s.ListGroupsForUser(ctx, listPool, subOf(member), page)
				return groupNames(groups), next, err
			},
		},
		{
			name: "ListUsersInGroup",
			add: func(t *testing.T, s store.Store, i int, id string) {
				ctx := t.Context()
				setupGroup(t, s)
				must(t, s.CreateUser(ctx, user(listPool, "x-"+id)))
				must(t, s.AddUserToGroup(ctx, listPool, "not-"+theGroup, subOf("x-"+id)))
				must(t, s.CreateUser(ctx, user(listPool, id)))
				must(t, s.AddUserToGroup(ctx, listPool, theGroup, subOf(id)))
			},
			remove: removeUser,
			setup:  setupGroup,
			list: func(ctx context.Context, s store.Store, page store.Page) ([]string, string, error) {
				users, next, err := s.ListUsersInGroup(ctx, listPool, theGroup, page)
				return usernames(users), next, err
			},
		},
	}
}
