package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

// ListUsers end to end through aws-sdk-go-v2: the Filter syntax and what
// each searchable attribute matches, AttributesToGet, Limit, and pagination
// (tokens bound to their filter, walks stable under concurrent inserts).
// Helpers are prefixed lu so that they do not collide with other files of
// the package.

// luPool creates a pool; edit may change the request first.
func luPool(t testing.TB, ctx context.Context, c *cip.Client, edit func(*cip.CreateUserPoolInput)) string {
	t.Helper()
	in := &cip.CreateUserPoolInput{PoolName: aws.String("list-users")}
	if edit != nil {
		edit(in)
	}
	out, err := c.CreateUserPool(ctx, in)
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	return aws.ToString(out.UserPool.Id)
}

// luCreate creates a user with name, value attribute pairs, sending nothing,
// and returns its sub.
func luCreate(t testing.TB, ctx context.Context, c *cip.Client, pool, username string, kv ...string) string {
	t.Helper()
	out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(username),
		UserAttributes: luAttrs(kv...), MessageAction: types.MessageActionTypeSuppress})
	if err != nil {
		t.Fatalf("AdminCreateUser %s: %v", username, err)
	}
	for _, a := range out.User.Attributes {
		if aws.ToString(a.Name) == "sub" {
			return aws.ToString(a.Value)
		}
	}
	t.Fatalf("AdminCreateUser %s: no sub in %+v", username, out.User.Attributes)
	return ""
}

func luAttrs(kv ...string) []types.AttributeType {
	out := make([]types.AttributeType, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// luList follows every page of a ListUsers request and returns the
// usernames in the order they came.
func luList(ctx context.Context, c *cip.Client, in cip.ListUsersInput) ([]string, error) {
	var names []string
	for {
		out, err := c.ListUsers(ctx, &in)
		if err != nil {
			return names, err
		}
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.Username))
		}
		if out.PaginationToken == nil {
			return names, nil
		}
		in.PaginationToken = out.PaginationToken
	}
}

// luErr checks that err is an InvalidParameterException with message msg,
// without stopping the test (for tables).
func luErr(t *testing.T, what string, err error, msg string) {
	t.Helper()
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Errorf("%s: error %v (%T), want InvalidParameterException %q", what, err, err, msg)
		return
	}
	if aws.ToString(ip.Message) != msg {
		t.Errorf("%s: message\n got %q\nwant %q", what, aws.ToString(ip.Message), msg)
	}
}

// TestListUsersFilters runs a filter on every searchable attribute, with
// both operators, and checks exactly who matches: searches ignore case
// except on username (in a case-sensitive pool) and status.
func TestListUsersFilters(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, nil)

	luCreate(t, ctx, c, pool, "Alice", "email", "Alice.Smith@Example.com", "phone_number", "+13125550101",
		"name", "Alice Smith", "given_name", "Alice", "family_name", "Smith", "preferred_username", "ally")
	luCreate(t, ctx, c, pool, "alicia", "email", "alicia@example.org", "phone_number", "+13125550102",
		"name", "Alicia Keys", "given_name", "Alicia", "family_name", "Keys", "preferred_username", "Alley-Cat")
	bobSub := luCreate(t, ctx, c, pool, "bob", "email", "bob@example.com", "phone_number", "+442071838750",
		"name", "Bob Smithers", "given_name", "Bob", "family_name", "Smithers")
	luCreate(t, ctx, c, pool, "carol") // no attributes but sub

	// bob is CONFIRMED (a permanent password) and disabled; the others
	// stay FORCE_CHANGE_PASSWORD and enabled.
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("bob"),
		Password: aws.String("Perm-Passw0rd!"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}

	all := []string{"Alice", "alicia", "bob", "carol"}
	tests := []struct {
		filter string
		want   []string
	}{
		{"", all},
		{"   ", all},

		// username: case-sensitive in a case-sensitive pool.
		{`username = "Alice"`, []string{"Alice"}},
		{`username = "alice"`, nil},
		{`username = "ALICE"`, nil},
		{`username ^= "Ali"`, []string{"Alice"}},
		{`username ^= "ali"`, []string{"alicia"}},
		{`username ^= ""`, all},
		{`username = "Alic"`, nil},

		// email: case-insensitive both ways.
		{`email = "alice.smith@example.com"`, []string{"Alice"}},
		{`email = "ALICE.SMITH@EXAMPLE.COM"`, []string{"Alice"}},
		{`email ^= "ALI"`, []string{"Alice", "alicia"}},
		{`email ^= "alice."`, []string{"Alice"}},
		{`email = "alice"`, nil},
		{`email ^= ""`, []string{"Alice", "alicia", "bob"}}, // carol has no email

		// phone_number.
		{`phone_number = "+13125550101"`, []string{"Alice"}},
		{`phone_number ^= "+1312"`, []string{"Alice", "alicia"}},
		{`phone_number ^= "+44"`, []string{"bob"}},
		{`phone_number = ""`, nil},

		// name, given_name, family_name, preferred_username.
		{`name = "alice smith"`, []string{"Alice"}},
		{`name ^= "ALICIA K"`, []string{"alicia"}},
		{`given_name = "bob"`, []string{"bob"}},
		{`given_name ^= "Ali"`, []string{"Alice", "alicia"}},
		{`family_name = "Smith"`, []string{"Alice"}},
		{`family_name ^= "smith"`, []string{"Alice", "bob"}},
		{`preferred_username = "ALLY"`, []string{"Alice"}},
		{`preferred_username ^= "all"`, []string{"Alice", "alicia"}},
		{`preferred_username = "alley-cat"`, []string{"alicia"}},

		// cognito:user_status: case-insensitive.
		{`cognito:user_status = "FORCE_CHANGE_PASSWORD"`, []string{"Alice", "alicia", "carol"}},
		{`cognito:user_status = "force_change_password"`, []string{"Alice", "alicia", "carol"}},
		{`cognito:user_status = "Confirmed"`, []string{"bob"}},
		{`cognito:user_status ^= "conf"`, []string{"bob"}},
		{`cognito:user_status = "UNCONFIRMED"`, nil},

		// status: "Enabled" / "Disabled", case-sensitive.
		{`status = "Enabled"`, []string{"Alice", "alicia", "carol"}},
		{`status = "Disabled"`, []string{"bob"}},
		{`status = "enabled"`, nil},
		{`status = "DISABLED"`, nil},
		{`status ^= "Dis"`, []string{"bob"}},
		{`status = "Maybe"`, nil},

		// sub: exact, and without case (a UUID in upper case is the same).
		{fmt.Sprintf(`sub = %q`, bobSub), []string{"bob"}},
		{fmt.Sprintf(`sub = %q`, strings.ToUpper(bobSub)), []string{"bob"}},
		{fmt.Sprintf(`sub ^= %q`, bobSub[:8]), []string{"bob"}},
		{`sub = "not-a-uuid"`, nil},

		// Spacing and a quoted attribute name.
		{`email="bob@example.com"`, []string{"bob"}},
		{"\temail \t^=\n\"BOB\"  ", []string{"bob"}},
		{`"given_name" = "Bob"`, []string{"bob"}},
	}
	for _, tt := range tests {
		in := cip.ListUsersInput{UserPoolId: aws.String(pool)}
		if tt.filter != "" {
			in.Filter = aws.String(tt.filter)
		}
		got, err := luList(ctx, c, in)
		if err != nil {
			t.Errorf("%q: %v", tt.filter, err)
			continue
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q matched %q, want %q", tt.filter, got, tt.want)
		}
	}
}

// TestListUsersFilterEscapes: inside the quotes a backslash takes the next
// character literally, so values with quotes and backslashes are found.
func TestListUsersFilterEscapes(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, nil)
	luCreate(t, ctx, c, pool, "quoted", "name", `Jo "JJ" O'Neil`)
	luCreate(t, ctx, c, pool, "slashed", "name", `back\slash`)
	luCreate(t, ctx, c, pool, "spaced", "name", `  two  spaces `)
	luCreate(t, ctx, c, pool, "unicode", "name", "José Núñez 山田", "given_name", "ÉLODIE")

	tests := []struct {
		filter string
		want   []string
	}{
		{`name = "Jo \"JJ\" O'Neil"`, []string{"quoted"}},
		{`name ^= "jo \"jj"`, []string{"quoted"}},
		{`name = "back\\slash"`, []string{"slashed"}},
		{`name ^= "back\\"`, []string{"slashed"}},
		{`name = "\b\a\c\k\\\s\l\a\s\h"`, []string{"slashed"}}, // \x is x
		{`name = "backslash"`, nil},
		{`name = "  two  spaces "`, []string{"spaced"}},
		{`name = "two  spaces"`, nil},
		{`name = "josé núñez 山田"`, []string{"unicode"}},
		{`name ^= "JOSÉ"`, []string{"unicode"}},
		{`given_name = "élodie"`, []string{"unicode"}},
		// A filter's own syntax inside the value is only text.
		{`name = "name = \"x\""`, nil},
	}
	for _, tt := range tests {
		got, err := luList(ctx, c, cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(tt.filter)})
		if err != nil {
			t.Errorf("%q: %v", tt.filter, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q matched %q, want %q", tt.filter, got, tt.want)
		}
	}
}

// TestListUsersFilterErrors: what Cognito refuses, with its messages.
func TestListUsersFilterErrors(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, func(in *cip.CreateUserPoolInput) {
		in.Schema = []types.SchemaAttributeType{{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}}
	})
	luCreate(t, ctx, c, pool, "u1", "email", "u1@example.com", "custom:tier", "gold", "locale", "en")

	const parse = "Error while parsing filter."
	tests := []struct{ filter, msg string }{
		// Attributes outside the searchable set, custom ones included.
		{`custom:tier = "gold"`, "Invalid search attribute: custom:tier"},
		{`locale = "en"`, "Invalid search attribute: locale"},
		{`email_verified = "true"`, "Invalid search attribute: email_verified"},
		{`address ^= "x"`, "Invalid search attribute: address"},
		{`Email = "u1@example.com"`, "Invalid search attribute: Email"},
		{`USERNAME = "u1"`, "Invalid search attribute: USERNAME"},
		{`cognito:username = "u1"`, "Invalid search attribute: cognito:username"},
		{`"locale" = "en"`, "Invalid search attribute: locale"},

		// Syntax.
		{`email`, parse},
		{`email =`, parse},
		{`email = u1@example.com`, parse},
		{`email = 'u1@example.com'`, parse},
		{`email = "u1@example.com`, parse},
		{`email = "u1@example.com" and name = "x"`, parse},
		{`email == "x"`, parse},
		{`email != "x"`, parse},
		{`email > "x"`, parse},
		{`email ~= "x"`, parse},
		{`email = "x\"`, parse},
		{`= "x"`, parse},
		{`"email = "x"`, parse},
		{`email-address = "x"`, parse},
		{`custom:tier = gold`, parse}, // syntax is checked before the attribute
		{`email ^ = "x"`, parse},
		{`email = "x" "y"`, parse},
	}
	for _, tt := range tests {
		_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(tt.filter)})
		luErr(t, fmt.Sprintf("%q", tt.filter), err, tt.msg)
	}

	// An unknown pool is named as such, filter or not.
	for _, f := range []*string{nil, aws.String(`email = "x"`)} {
		_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String("us-east-1_missing00"), Filter: f})
		var rnf *types.ResourceNotFoundException
		if !errors.As(err, &rnf) || aws.ToString(rnf.Message) != "User pool us-east-1_missing00 does not exist." {
			t.Errorf("unknown pool, filter %v: %v", aws.ToString(f), err)
		}
	}
}

// TestListUsersCaseInsensitivePool: in a pool whose usernames ignore case,
// so does the username filter; the username is listed as it was created.
func TestListUsersCaseInsensitivePool(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, func(in *cip.CreateUserPoolInput) {
		in.UsernameConfiguration = &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}
	})
	luCreate(t, ctx, c, pool, "MixedCase")
	luCreate(t, ctx, c, pool, "mixer")
	for _, tt := range []struct {
		filter string
		want   []string
	}{
		{`username = "mixedcase"`, []string{"MixedCase"}},
		{`username = "MIXEDCASE"`, []string{"MixedCase"}},
		{`username ^= "MIX"`, []string{"MixedCase", "mixer"}},
		{`username ^= "mixe"`, []string{"MixedCase", "mixer"}},
		{`username ^= "mixedc"`, []string{"MixedCase"}},
	} {
		got, err := luList(ctx, c, cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(tt.filter)})
		slices.Sort(got)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%q matched %q (%v), want %q", tt.filter, got, err, tt.want)
		}
	}
}

// TestListUsersAttributesToGet: only the attributes asked for, in every
// user of the page; no list is every attribute; an attribute the pool does
// not have is refused.
func TestListUsersAttributesToGet(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, func(in *cip.CreateUserPoolInput) {
		in.Schema = []types.SchemaAttributeType{{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}}
	})
	luCreate(t, ctx, c, pool, "ann", "email", "ann@example.com", "given_name", "Ann", "custom:tier", "gold")
	luCreate(t, ctx, c, pool, "ben", "email", "ben@example.com", "given_name", "Ben", "custom:tier", "silver")

	names := func(u types.UserType) []string {
		var out []string
		for _, a := range u.Attributes {
			out = append(out, aws.ToString(a.Name))
		}
		slices.Sort(out)
		return out
	}
	for _, tt := range []struct {
		get  []string
		want []string
	}{
		{nil, []string{"custom:tier", "email", "given_name", "sub"}},
		{[]string{"email"}, []string{"email"}},
		{[]string{"given_name", "sub"}, []string{"given_name", "sub"}},
		{[]string{"custom:tier"}, []string{"custom:tier"}},
		{[]string{"email", "email"}, []string{"email"}},
	} {
		out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), AttributesToGet: tt.get,
			Filter: aws.String(`email ^= ""`)})
		if err != nil {
			t.Errorf("AttributesToGet %q: %v", tt.get, err)
			continue
		}
		if len(out.Users) != 2 {
			t.Errorf("AttributesToGet %q: %d users", tt.get, len(out.Users))
		}
		for _, u := range out.Users {
			if got := names(u); !slices.Equal(got, tt.want) {
				t.Errorf("AttributesToGet %q: user %s has %q, want %q", tt.get, aws.ToString(u.Username), got, tt.want)
			}
			// The rest of the user is there whatever is asked.
			if u.Username == nil || u.UserCreateDate == nil || u.UserLastModifiedDate == nil || u.UserStatus == "" || !u.Enabled {
				t.Errorf("AttributesToGet %q: user %+v", tt.get, u)
			}
		}
	}
	_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), AttributesToGet: []string{"email", "custom:nope"}})
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Errorf("AttributesToGet with an unknown attribute: %v", err)
	}
}

// TestListUsersLimitAndPages: Limit is at most 60 and pages walk the pool
// in order, each user once; a token belongs to its pool and its filter.
func TestListUsersLimitAndPages(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, nil)
	const n = 70
	var want []string
	for i := range n {
		name := fmt.Sprintf("user%02d", i)
		luCreate(t, ctx, c, pool, name, "email", name+"@example.com", "family_name", []string{"Even", "Odd"}[i%2])
		want = append(want, name)
	}

	_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(61)})
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) || !strings.Contains(aws.ToString(ip.Message), "60") {
		t.Errorf("Limit 61: %v", err)
	}

	// No Limit: a page of 60, then the rest.
	out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool)})
	if err != nil || len(out.Users) != 60 || out.PaginationToken == nil {
		t.Fatalf("first page without Limit: %d users, token %v, %v", len(out.Users), out.PaginationToken, err)
	}
	out, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), PaginationToken: out.PaginationToken})
	if err != nil || len(out.Users) != 10 || out.PaginationToken != nil {
		t.Fatalf("second page without Limit: %d users, token %v, %v", len(out.Users), out.PaginationToken, err)
	}

	// Every page size gives every user once, in creation order (unfiltered)
	// or value order (filtered).
	for _, limit := range []int32{1, 7, 60} {
		got, err := luList(ctx, c, cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(limit)})
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Limit %d: %q, %v", limit, got, err)
		}
		got, err = luList(ctx, c, cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(limit), Filter: aws.String(`email ^= "user"`)})
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Limit %d, prefix: %q, %v", limit, got, err)
		}
		got, err = luList(ctx, c, cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(limit), Filter: aws.String(`family_name = "odd"`)})
		if err != nil || len(got) != n/2 || !slices.IsSorted(got) {
			t.Errorf("Limit %d, equality: %q, %v", limit, got, err)
		}
	}

	// A full last page does not promise more than there is: the token of
	// the page before the end may lead to an empty page, never to an error.
	got, err := luList(ctx, c, cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(35), Filter: aws.String(`family_name = "Even"`)})
	if err != nil || len(got) != n/2 {
		t.Errorf("two exact pages: %d users, %v", len(got), err)
	}

	// A token works only with the filter that made it, however spelt.
	page := func(filter string) *string {
		t.Helper()
		in := &cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(5)}
		if filter != "" {
			in.Filter = aws.String(filter)
		}
		out, err := c.ListUsers(ctx, in)
		if err != nil || out.PaginationToken == nil {
			t.Fatalf("first page of %q: %v", filter, err)
		}
		return out.PaginationToken
	}
	const badMarker = "Paging Marker is Invalid for Request"
	prefixTok, eqTok, allTok := page(`email ^= "user"`), page(`family_name = "Odd"`), page("")
	for _, tt := range []struct {
		what   string
		filter string
		token  *string
		ok     bool
	}{
		{"same filter", `email ^= "user"`, prefixTok, true},
		{"same filter, other spacing", `email^="user"`, prefixTok, true},
		{"same filter, quoted name", `"email" ^=   "user"`, prefixTok, true},
		{"other value", `email ^= "user0"`, prefixTok, false},
		{"other operator", `email = "user"`, prefixTok, false},
		{"other attribute", `username ^= "user"`, prefixTok, false},
		{"no filter", "", prefixTok, false},
		{"equality token, other value", `family_name = "Even"`, eqTok, false},
		{"unfiltered token with a filter", `email ^= "user"`, allTok, false},
		{"unfiltered token without", "", allTok, true},
		{"garbage", "", aws.String("not-a-token"), false},
		{"garbage with a filter", `email ^= "user"`, aws.String("eyJ4IjoxfQ"), false},
	} {
		in := &cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(5), PaginationToken: tt.token}
		if tt.filter != "" {
			in.Filter = aws.String(tt.filter)
		}
		_, err := c.ListUsers(ctx, in)
		if tt.ok {
			if err != nil {
				t.Errorf("%s: %v", tt.what, err)
			}
			continue
		}
		luErr(t, tt.what, err, badMarker)
	}

	// Nor with another pool.
	other := luPool(t, ctx, c, nil)
	_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(other), PaginationToken: allTok})
	luErr(t, "token of another pool", err, badMarker)

	// Nor with ListUsersInGroup.
	if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("g"), NextToken: allTok})
	luErr(t, "ListUsers token in ListUsersInGroup", err, badMarker)
}

// TestListUsersPaginator: the SDK's own paginator walks filtered lists.
func TestListUsersPaginator(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, nil)
	for i := range 25 {
		luCreate(t, ctx, c, pool, fmt.Sprintf("p%02d", i), "given_name", "Pat")
	}
	luCreate(t, ctx, c, pool, "other", "given_name", "Patricia")
	p := cip.NewListUsersPaginator(c, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(`given_name = "pat"`), Limit: aws.Int32(10)})
	var got []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range out.Users {
			got = append(got, aws.ToString(u.Username))
		}
	}
	if len(got) != 25 || pages != 3 || slices.Contains(got, "other") {
		t.Errorf("%d pages: %q", pages, got)
	}
}

// TestListUsersWalkUnderInserts walks a pool page by page while other
// callers create users (whose values fall before, inside and after the
// walk's position) and delete some of them: every user that existed for the
// whole walk is listed exactly once, whatever the filter.
func TestListUsersWalkUnderInserts(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, nil)

	// The stable users: m000, m002, … (even numbers), family name Walker.
	const stable = 120
	var wantStable []string
	for i := range stable {
		name := fmt.Sprintf("m%03d", 2*i)
		luCreate(t, ctx, c, pool, name, "email", name+"@walk.example", "family_name", "Walker")
		wantStable = append(wantStable, name)
	}

	// Writers: new users with odd numbers, so their emails sort between the
	// stable ones', and each deletes some of its own again.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var created atomic.Int64
	var werr atomic.Pointer[error]
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i += 3 {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("m%03d", 2*(i%stable)+1)
				if i >= stable {
					name = fmt.Sprintf("n%03d-%d", i, w) // after every stable one
				}
				_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(name),
					UserAttributes: luAttrs("email", name+"@walk.example", "family_name", "Walker"), MessageAction: types.MessageActionTypeSuppress})
				var exists *types.UsernameExistsException
				if err != nil && !errors.As(err, &exists) {
					werr.Store(&err)
					return
				}
				created.Add(1)
				if i%4 == 0 {
					if _, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)}); err != nil {
						werr.Store(&err)
						return
					}
				}
			}
		}()
	}

	walks := []struct {
		what   string
		filter string
	}{
		{"unfiltered", ""},
		{"prefix", `email ^= "m"`},
		{"equality", `family_name = "walker"`},
		{"prefix on username", `username ^= "m"`},
	}
	for _, walk := range walks {
		in := cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(7)}
		if walk.filter != "" {
			in.Filter = aws.String(walk.filter)
		}
		got, err := luList(ctx, c, in)
		if err != nil {
			t.Errorf("%s: %v", walk.what, err)
			continue
		}
		seen := map[string]int{}
		for _, name := range got {
			seen[name]++
		}
		for name, k := range seen {
			if k > 1 {
				t.Errorf("%s: %s listed %d times", walk.what, name, k)
			}
		}
		for _, name := range wantStable {
			if seen[name] != 1 {
				t.Errorf("%s: stable user %s listed %d times", walk.what, name, seen[name])
			}
		}
	}
	close(stop)
	wg.Wait()
	if p := werr.Load(); p != nil {
		t.Fatalf("writer: %v", *p)
	}
	if created.Load() == 0 {
		t.Error("no user was created during the walks")
	}
	t.Logf("%d users created during the walks", created.Load())
}

// TestListUsersDeletedPool: a pool that was listed and then deleted is
// named as missing, with a filter or without, and so is its token.
func TestListUsersDeletedPool(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := luPool(t, ctx, c, nil)
	luCreate(t, ctx, c, pool, "a", "email", "a@example.com")
	luCreate(t, ctx, c, pool, "b", "email", "b@example.com")
	out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(`email ^= ""`), Limit: aws.Int32(1)})
	if err != nil || out.PaginationToken == nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(pool)}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []*cip.ListUsersInput{
		{UserPoolId: aws.String(pool)},
		{UserPoolId: aws.String(pool), Filter: aws.String(`email = "a@example.com"`)},
		{UserPoolId: aws.String(pool), Filter: aws.String(`email ^= ""`), Limit: aws.Int32(1), PaginationToken: out.PaginationToken},
		{UserPoolId: aws.String(pool), AttributesToGet: []string{"email"}},
	} {
		_, err := c.ListUsers(ctx, in)
		var rnf *types.ResourceNotFoundException
		if !errors.As(err, &rnf) || aws.ToString(rnf.Message) != "User pool "+pool+" does not exist." {
			t.Errorf("ListUsers %+v of a deleted pool: %v", in, err)
		}
	}
}
