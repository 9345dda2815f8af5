package e2e

import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

// Username models and the attribute schema, as an administrator meets them.

// uaWantCode checks an error by its __type and message. AdminCreateUser
// answers AliasExistsException, as its ForceAliasCreation documentation
// says, though the model leaves it out of the operation's errors: the SDK
// then hands it over as a generic API error.
func uaWantCode(t *testing.T, code string, err error, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("error %v, want %s %q", err, code, msg)
	}
}

func TestUserAttrsAliasModel(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, &cip.CreateUserPoolInput{
		AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePhoneNumber, types.AliasAttributeTypePreferredUsername},
	})
	create := func(username string, force bool, attrs ...string) error {
		_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(username),
			UserAttributes: uaAttrs(attrs...), MessageAction: types.MessageActionTypeSuppress, ForceAliasCreation: force})
		return err
	}
	noUser := func(name string) {
		t.Helper()
		_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)})
		wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	}

	// With email and phone aliases, the username may not look like one.
	wantErr[*types.InvalidParameterException](t, create("olga@example.com", false),
		"Username cannot be of email format, since user pool is configured for email alias.")
	wantErr[*types.InvalidParameterException](t, create("+15550123", false),
		"Username cannot be of phone number format, since user pool is configured for phone number alias.")
	noUser("olga@example.com")

	if err := create("olga", false, "email", "olga@example.com", "email_verified", "true", "phone_number", "+15550123",
		"phone_number_verified", "true", "preferred_username", "olgaP"); err != nil {
		t.Fatal(err)
	}
	olga := uaSnap(t, ctx, c, pool, "olga")

	// A verified address is one user's alias; the same address unverified
	// is anybody's.
	uaWantCode(t, "AliasExistsException", create("pete", false, "email", "OLGA@example.com", "email_verified", "true"),
		"An account with the given email already exists.")
	uaWantCode(t, "AliasExistsException", create("pete", false, "phone_number", "+15550123", "phone_number_verified", "true"),
		"An account with the given phone_number already exists.")
	uaWantCode(t, "AliasExistsException", create("pete", false, "preferred_username", "olgaP"),
		"An account with the given preferred_username already exists.")
	noUser("pete")
	uaUnchanged(t, ctx, c, pool, "olga", olga)
	if err := create("pete", false, "email", "olga@example.com"); err != nil {
		t.Fatalf("an unverified copy of an alias: %v", err)
	}
	if g := uaGet(t, ctx, c, pool, "olga@example.com"); aws.ToString(g.Username) != "olga" {
		t.Errorf("the email finds %s", aws.ToString(g.Username))
	}

	// Verifying pete's copy is refused while olga holds it.
	pete := uaSnap(t, ctx, c, pool, "pete")
	_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("pete"),
		UserAttributes: uaAttrs("email_verified", "true")})
	wantErr[*types.AliasExistsException](t, err, "An account with the given email already exists.")
	uaUnchanged(t, ctx, c, pool, "pete", pete)
	_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("pete"),
		UserAttributes: uaAttrs("preferred_username", "olgaP")})
	wantErr[*types.AliasExistsException](t, err, "An account with the given preferred_username already exists.")
	uaUnchanged(t, ctx, c, pool, "pete", pete)

	// ForceAliasCreation moves the alias: olga keeps the address, unverified.
	if err := create("quinn", true, "email", "olga@example.com", "email_verified", "true"); err != nil {
		t.Fatal(err)
	}
	if g := uaGet(t, ctx, c, pool, "olga@example.com"); aws.ToString(g.Username) != "quinn" {
		t.Errorf("after ForceAliasCreation the email finds %s", aws.ToString(g.Username))
	}
	after := uaSnap(t, ctx, c, pool, "olga")
	if after.Attrs["email"] != "olga@example.com" || after.Attrs["email_verified"] != "false" || after.Attrs["phone_number_verified"] != "true" {
		t.Errorf("olga after losing the alias: %v", after.Attrs)
	}
	if err := create("rita", true, "phone_number", "+15550123", "phone_number_verified", "true"); err != nil {
		t.Fatal(err)
	}
	if g := uaGet(t, ctx, c, pool, "+15550123"); aws.ToString(g.Username) != "rita" {
		t.Errorf("after ForceAliasCreation the phone number finds %s", aws.ToString(g.Username))
	}
	// ForceAliasCreation does not move a preferred_username.
	uaWantCode(t, "AliasExistsException", create("sam", true, "preferred_username", "olgaP"),
		"An account with the given preferred_username already exists.")
	noUser("sam")
}

func TestUserAttrsUsernameAttributes(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
	create := func(pool, username string) (*types.UserType, error) {
		out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(username),
			MessageAction: types.MessageActionTypeSuppress})
		if err != nil {
			return nil, err
		}
		return out.User, nil
	}
	u, err := create(pool, "Mia@Example.com")
	if err != nil {
		t.Fatal(err)
	}
	attrs := uaAttrMap(u.Attributes)
	sub := attrs["sub"]
	if aws.ToString(u.Username) != sub || attrs["email"] != "Mia@Example.com" {
		t.Fatalf("email as username: %+v, attributes %v", u, attrs)
	}
	for _, name := range []string{"Mia@Example.com", "mia@example.com", sub} {
		if g := uaGet(t, ctx, c, pool, name); aws.ToString(g.Username) != sub {
			t.Errorf("AdminGetUser(%s) = %s", name, aws.ToString(g.Username))
		}
	}
	_, err = create(pool, "mia@example.COM")
	wantErr[*types.UsernameExistsException](t, err, "An account with the given email already exists.")
	_, err = create(pool, "mia")
	wantErr[*types.InvalidParameterException](t, err, "Username should be an email.")

	// The address is the user's username, verified or not: changing it to
	// another user's is refused.
	if _, err := create(pool, "noah@example.com"); err != nil {
		t.Fatal(err)
	}
	before := uaSnap(t, ctx, c, pool, "noah@example.com")
	_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("noah@example.com"),
		UserAttributes: uaAttrs("email", "MIA@example.com")})
	wantErr[*types.AliasExistsException](t, err, "An account with the given email already exists.")
	uaUnchanged(t, ctx, c, pool, "noah@example.com", before)

	phone := uaPool(t, ctx, c, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypePhoneNumber}})
	_, err = create(phone, "mia@example.com")
	wantErr[*types.InvalidParameterException](t, err, "Username should be a phone number.")
	both := uaPool(t, ctx, c, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{
		types.UsernameAttributeTypeEmail, types.UsernameAttributeTypePhoneNumber}})
	_, err = create(both, "mia")
	wantErr[*types.InvalidParameterException](t, err, "Username should be either an email or a phone number.")
	u, err = create(both, "+15550199")
	if err != nil {
		t.Fatal(err)
	}
	if attrs := uaAttrMap(u.Attributes); aws.ToString(u.Username) != attrs["sub"] || attrs["phone_number"] != "+15550199" {
		t.Errorf("phone as username: %+v", u)
	}
	if g := uaGet(t, ctx, c, both, "+15550199"); aws.ToString(g.Username) != aws.ToString(u.Username) {
		t.Errorf("the phone number finds %s", aws.ToString(g.Username))
	}
}

func TestUserAttrsCaseSensitivity(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	insensitive := uaPool(t, ctx, c, &cip.CreateUserPoolInput{UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}})
	sensitive := uaPool(t, ctx, c, nil)

	uaCreate(t, ctx, c, insensitive, "Nora")
	for _, name := range []string{"Nora", "nora", "NORA"} {
		if g := uaGet(t, ctx, c, insensitive, name); aws.ToString(g.Username) != "Nora" {
			t.Errorf("AdminGetUser(%s) = %s", name, aws.ToString(g.Username))
		}
	}
	_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(insensitive), Username: aws.String("nORA")})
	wantErr[*types.UsernameExistsException](t, err, "User account already exists.")
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(insensitive), Username: aws.String("NORA")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(insensitive), Username: aws.String("nora")}); err != nil {
		t.Fatal(err)
	}

	uaCreate(t, ctx, c, sensitive, "Nora")
	uaCreate(t, ctx, c, sensitive, "nora")
	_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(sensitive), Username: aws.String("NORA")})
	wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
}

// schemaPool is a pool with custom attributes of each kind and a required
// standard one.
func schemaPool(t *testing.T, srv *testserver.Server, in *cip.CreateUserPoolInput) string {
	t.Helper()
	c, ctx := srv.Client(), testserver.Ctx(t)
	if in == nil {
		in = &cip.CreateUserPoolInput{}
	}
	in.Schema = []types.SchemaAttributeType{
		{Name: aws.String("name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
		{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true),
			StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("2"), MaxLength: aws.String("5")}},
		{Name: aws.String("age"), AttributeDataType: types.AttributeDataTypeNumber, Mutable: aws.Bool(true),
			NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("0"), MaxValue: aws.String("150")}},
		{Name: aws.String("badge"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
		{Name: aws.String("secret"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true), DeveloperOnlyAttribute: aws.Bool(true)},
	}
	return uaPool(t, ctx, c, in)
}

func TestUserAttrsSchemaOnCreate(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := schemaPool(t, srv, nil)
	const schema = "Attributes did not conform to the schema: "
	tests := []struct {
		name  string
		attrs []string
		msg   string
	}{
		{"unknown", []string{"name", "T", "custom:nope", "x"}, schema + "Type for attribute {custom:nope} could not be determined"},
		{"unknown standard-looking", []string{"name", "T", "favourite_colour", "x"}, schema + "Type for attribute {favourite_colour} could not be determined"},
		{"developer-only by its plain name", []string{"name", "T", "custom:secret", "x"}, schema + "Type for attribute {custom:secret} could not be determined"},
		{"string too short", []string{"name", "T", "custom:tier", "x"}, schema + "custom:tier: String must be no shorter than 2 characters"},
		{"string too long", []string{"name", "T", "custom:tier", "platinum"}, schema + "custom:tier: String must be no longer than 5 characters"},
		{"not a number", []string{"name", "T", "custom:age", "old"}, schema + "custom:age: Number must be a number"},
		{"number too small", []string{"name", "T", "custom:age", "-1"}, schema + "custom:age: Number must be no less than 0"},
		{"number too large", []string{"name", "T", "custom:age", "151"}, schema + "custom:age: Number must be no greater than 150"},
		{"bad email", []string{"name", "T", "email", "not-an-address"}, "Invalid email address format."},
		{"bad phone", []string{"name", "T", "phone_number", "555-0100"}, "Invalid phone number format."},
		{"bad boolean", []string{"name", "T", "email_verified", "yes"}, schema + "email_verified: Attribute value must be true or false"},
		{"sub", []string{"name", "T", "sub", "11111111-2222-4333-8444-555555555555"}, "user.sub: Attribute cannot be updated."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("tess"),
				UserAttributes: uaAttrs(tc.attrs...), MessageAction: types.MessageActionTypeSuppress})
			wantErr[*types.InvalidParameterException](t, err, tc.msg)
			_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("tess")})
			wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
		})
	}

	// An administrator may leave required attributes out: the user gives
	// them with the new password (NEW_PASSWORD_REQUIRED's requiredAttributes).
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("nameless"),
		UserAttributes: uaAttrs("email", "a@example.com"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Errorf("AdminCreateUser without a required attribute: %v", err)
	}

	// Immutable and developer-only attributes may be set at creation by an
	// administrator; booleans are stored lower-case; sub is made.
	u := uaCreate(t, ctx, c, pool, "tess", "name", "Tess", "custom:tier", "gold", "custom:age", "42", "custom:badge", "B-1",
		"dev:custom:secret", "s3cr3t", "email", "tess@example.com", "email_verified", "TRUE")
	got := uaAttrMap(u.Attributes)
	want := map[string]string{"sub": got["sub"], "name": "Tess", "custom:tier": "gold", "custom:age": "42", "custom:badge": "B-1",
		"dev:custom:secret": "s3cr3t", "email": "tess@example.com", "email_verified": "true"}
	if len(got["sub"]) != 36 || len(got) != len(want) {
		t.Errorf("created with %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if g := uaSnap(t, ctx, c, pool, "tess"); len(g.Attrs) != len(want) || g.Attrs["custom:badge"] != "B-1" {
		t.Errorf("AdminGetUser attributes %v", g.Attrs)
	}
}

func TestUserAttrsSchemaOnUpdate(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := schemaPool(t, srv, nil)
	uaCreate(t, ctx, c, pool, "uma", "name", "Uma", "custom:tier", "gold", "custom:badge", "B-2", "given_name", "U")
	update := func(attrs ...string) error {
		_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("uma"),
			UserAttributes: uaAttrs(attrs...)})
		return err
	}
	del := func(names ...string) error {
		_, err := c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("uma"),
			UserAttributeNames: names})
		return err
	}
	const schema = "Attributes did not conform to the schema: "

	before := uaSnap(t, ctx, c, pool, "uma")
	refused := []struct {
		name string
		call func() error
		msg  string
	}{
		{"update immutable", func() error { return update("custom:badge", "B-3") }, "user.custom:badge: Attribute cannot be updated."},
		{"update immutable among good ones", func() error { return update("name", "Changed", "custom:badge", "B-3") }, "user.custom:badge: Attribute cannot be updated."},
		{"update sub", func() error { return update("sub", "11111111-2222-4333-8444-555555555555") }, "user.sub: Attribute cannot be updated."},
		{"update unknown", func() error { return update("name", "Changed", "custom:nope", "x") }, schema + "Type for attribute {custom:nope} could not be determined"},
		{"update too long", func() error { return update("custom:tier", "platinum") }, schema + "custom:tier: String must be no longer than 5 characters"},
		{"update out of range", func() error { return update("custom:age", "1000") }, schema + "custom:age: Number must be no greater than 150"},
		{"update bad email", func() error { return update("email", "nope") }, "Invalid email address format."},
		{"blank required", func() error { return update("name", "") }, "user.name: Required attribute cannot be deleted."},
		{"delete required", func() error { return del("name") }, "user.name: Required attribute cannot be deleted."},
		{"delete immutable", func() error { return del("custom:badge") }, "user.custom:badge: Attribute cannot be updated."},
		{"delete sub", func() error { return del("sub") }, "user.sub: Attribute cannot be updated."},
		{"delete unknown", func() error { return del("given_name", "custom:nope") }, schema + "Type for attribute {custom:nope} could not be determined"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			wantErr[*types.InvalidParameterException](t, tc.call(), tc.msg)
			uaUnchanged(t, ctx, c, pool, "uma", before)
		})
	}

	// What may change does; a blank value removes an attribute.
	if err := update("custom:tier", "bronze"[:5], "custom:age", "7", "dev:custom:secret", "k", "given_name", "", "name", "Uma B"); err != nil {
		t.Fatal(err)
	}
	got := uaSnap(t, ctx, c, pool, "uma").Attrs
	if got["custom:tier"] != "bronz" || got["custom:age"] != "7" || got["dev:custom:secret"] != "k" || got["name"] != "Uma B" || got["custom:badge"] != "B-2" {
		t.Errorf("after update: %v", got)
	}
	if _, ok := got["given_name"]; ok {
		t.Errorf("a blank value left given_name: %v", got)
	}
	if err := del("custom:tier", "dev:custom:secret", "nickname"); err != nil {
		t.Fatal(err)
	}
	got = uaSnap(t, ctx, c, pool, "uma").Attrs
	if _, ok := got["custom:tier"]; ok {
		t.Errorf("custom:tier survived its deletion: %v", got)
	}
	if _, ok := got["dev:custom:secret"]; ok {
		t.Errorf("dev:custom:secret survived its deletion: %v", got)
	}
}

func TestUserAttrsEmailVerification(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	update := func(pool, user string, attrs ...string) {
		t.Helper()
		if _, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String(user),
			UserAttributes: uaAttrs(attrs...)}); err != nil {
			t.Fatal(err)
		}
	}

	// The pool verifies e-mail: a new address is unverified and gets a code.
	auto := uaPool(t, ctx, c, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
	uaCreate(t, ctx, c, auto, "vera", "email", "vera@example.com", "email_verified", "true")
	update(auto, "vera", "email", "vera@new.example.com")
	s := uaSnap(t, ctx, c, auto, "vera")
	if s.Attrs["email"] != "vera@new.example.com" || s.Attrs["email_verified"] != "false" {
		t.Errorf("after changing the email: %v", s.Attrs)
	}
	ms := uaMessages(t, ctx, srv, auto, "vera")
	if len(ms) != 1 || ms[0].Kind != "VERIFY_ATTRIBUTE_CODE" || ms[0].Destination != "vera@new.example.com" || ms[0].Medium != "EMAIL" ||
		len(ms[0].Code) != 6 || ms[0].Body != "Your verification code is "+ms[0].Code+". " {
		t.Errorf("verification messages %+v", ms)
	}
	// The same address again changes nothing and sends nothing.
	update(auto, "vera", "email", "vera@new.example.com")
	if ms := uaMessages(t, ctx, srv, auto, "vera"); len(ms) != 1 {
		t.Errorf("an unchanged email sent %d messages", len(ms)-1)
	}
	// An administrator may mark the new address verified in the same request:
	// no code then.
	update(auto, "vera", "email", "vera@third.example.com", "email_verified", "true")
	if s := uaSnap(t, ctx, c, auto, "vera"); s.Attrs["email"] != "vera@third.example.com" || s.Attrs["email_verified"] != "true" {
		t.Errorf("after a verified change: %v", s.Attrs)
	}
	if ms := uaMessages(t, ctx, srv, auto, "vera"); len(ms) != 1 {
		t.Errorf("a verified change sent %d messages", len(ms)-1)
	}
	// Changing another attribute leaves the address verified.
	update(auto, "vera", "name", "Vera")
	if s := uaSnap(t, ctx, c, auto, "vera"); s.Attrs["email_verified"] != "true" {
		t.Errorf("after changing the name: %v", s.Attrs)
	}

	// A pool that verifies nothing: the new address is unverified, no code.
	plain := uaPool(t, ctx, c, nil)
	uaCreate(t, ctx, c, plain, "walt", "email", "walt@example.com", "email_verified", "true")
	update(plain, "walt", "email", "walt@new.example.com")
	if s := uaSnap(t, ctx, c, plain, "walt"); s.Attrs["email"] != "walt@new.example.com" || s.Attrs["email_verified"] != "false" {
		t.Errorf("after changing the email: %v", s.Attrs)
	}
	if ms := uaMessages(t, ctx, srv, plain, "walt"); len(ms) != 0 {
		t.Errorf("a pool without verification sent %+v", ms)
	}

	// AttributesRequireVerificationBeforeUpdate: a verified address stays
	// until the new one is verified; the code goes to the new one.
	keep := uaPool(t, ctx, c, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes:      []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail, types.VerifiedAttributeTypePhoneNumber},
		AliasAttributes:             []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}},
	})
	uaCreate(t, ctx, c, keep, "xena", "email", "xena@example.com", "email_verified", "true", "phone_number", "+15550177", "phone_number_verified", "true")
	update(keep, "xena", "email", "xena@new.example.com", "phone_number", "+15550178")
	s = uaSnap(t, ctx, c, keep, "xena")
	if s.Attrs["email"] != "xena@example.com" || s.Attrs["email_verified"] != "true" {
		t.Errorf("the old email should stay until the new one is verified: %v", s.Attrs)
	}
	// phone_number is not kept back: it changes and is unverified.
	if s.Attrs["phone_number"] != "+15550178" || s.Attrs["phone_number_verified"] != "false" {
		t.Errorf("phone number after its change: %v", s.Attrs)
	}
	if g := uaGet(t, ctx, c, keep, "xena@example.com"); aws.ToString(g.Username) != "xena" {
		t.Errorf("the old email no longer finds xena")
	}
	ms = uaMessages(t, ctx, srv, keep, "xena")
	dests := map[string]string{}
	for _, m := range ms {
		dests[m.Destination] = m.Kind
	}
	if len(ms) != 2 || dests["xena@new.example.com"] != "VERIFY_ATTRIBUTE_CODE" || dests["+15550178"] != "VERIFY_ATTRIBUTE_CODE" {
		t.Errorf("verification messages %+v", ms)
	}
	// An unverified address is simply replaced.
	uaCreate(t, ctx, c, keep, "yuri", "email", "yuri@example.com")
	update(keep, "yuri", "email", "yuri@new.example.com")
	if s := uaSnap(t, ctx, c, keep, "yuri"); s.Attrs["email"] != "yuri@new.example.com" || s.Attrs["email_verified"] != "false" {
		t.Errorf("an unverified email should be replaced: %v", s.Attrs)
	}
}

func TestUserAttrsAliasLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, &cip.CreateUserPoolInput{
		AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePreferredUsername},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		UsernameConfiguration:  &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
		UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{
			AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}},
	})
	update := func(user string, attrs ...string) error {
		_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String(user),
			UserAttributes: uaAttrs(attrs...)})
		return err
	}
	del := func(user string, names ...string) error {
		_, err := c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String(user),
			UserAttributeNames: names})
		return err
	}

	uaCreate(t, ctx, c, pool, "zoe", "email", "zoe@example.com", "email_verified", "true", "preferred_username", "Zed")
	// preferred_username follows the pool's case-insensitivity.
	if g := uaGet(t, ctx, c, pool, "ZED"); aws.ToString(g.Username) != "zoe" {
		t.Errorf("ZED finds %s", aws.ToString(g.Username))
	}
	_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("other"),
		UserAttributes: uaAttrs("preferred_username", "zed"), MessageAction: types.MessageActionTypeSuppress})
	uaWantCode(t, "AliasExistsException", err, "An account with the given preferred_username already exists.")

	// Deleting the email frees the alias for someone else.
	if err := del("zoe", "email"); err != nil {
		t.Fatal(err)
	}
	_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("zoe@example.com")})
	wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	uaCreate(t, ctx, c, pool, "amy", "email", "zoe@example.com", "email_verified", "true")
	if g := uaGet(t, ctx, c, pool, "zoe@example.com"); aws.ToString(g.Username) != "amy" {
		t.Errorf("the freed email finds %s", aws.ToString(g.Username))
	}
	// Deleting a user frees its aliases too.
	if _, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("ZOE")}); err != nil {
		t.Fatal(err)
	}
	uaCreate(t, ctx, c, pool, "ben", "preferred_username", "zed")

	// A pending email: the new one waits, a second change replaces the
	// waiting one (with a new code), and deleting the email drops both.
	if err := update("amy", "email", "amy@new.example.com"); err != nil {
		t.Fatal(err)
	}
	if err := update("amy", "email", "amy@newer.example.com"); err != nil {
		t.Fatal(err)
	}
	ms := uaMessages(t, ctx, srv, pool, "amy")
	if len(ms) != 2 || ms[0].Destination != "amy@new.example.com" || ms[1].Destination != "amy@newer.example.com" {
		t.Errorf("pending email messages %+v", ms)
	}
	if s := uaSnap(t, ctx, c, pool, "amy"); s.Attrs["email"] != "zoe@example.com" || s.Attrs["email_verified"] != "true" {
		t.Errorf("amy with a pending email: %v", s.Attrs)
	}
	// Writing the current address again sends nothing.
	if err := update("amy", "email", "zoe@example.com"); err != nil {
		t.Fatal(err)
	}
	if ms := uaMessages(t, ctx, srv, pool, "amy"); len(ms) != 2 {
		t.Errorf("changing back sent %+v", ms[2:])
	}
	// An administrator's verified change replaces the address at once.
	if err := update("amy", "email", "amy@final.example.com", "email_verified", "true"); err != nil {
		t.Fatal(err)
	}
	if g := uaGet(t, ctx, c, pool, "amy@final.example.com"); aws.ToString(g.Username) != "amy" {
		t.Errorf("the new email finds %s", aws.ToString(g.Username))
	}
	if s := uaSnap(t, ctx, c, pool, "amy"); s.Attrs["email"] != "amy@final.example.com" || s.Attrs["email_verified"] != "true" {
		t.Errorf("after a verified change: %v", s.Attrs)
	}
}

func TestUserAttrsUsernameAttributeInvitation(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool := uaPool(t, ctx, c, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
	out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("ada@example.com"),
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
	if err != nil {
		t.Fatal(err)
	}
	sub := aws.ToString(out.User.Username)
	ms := uaMessages(t, ctx, srv, pool, sub)
	if len(ms) != 1 || ms[0].Destination != "ada@example.com" ||
		ms[0].Body != "Your username is ada@example.com and temporary password is "+ms[0].Code+". " {
		t.Fatalf("invitation %+v", ms)
	}
	// RESEND finds the user by the address.
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("ADA@example.com"),
		MessageAction: types.MessageActionTypeResend, DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}}); err != nil {
		t.Fatal(err)
	}
	if ms := uaMessages(t, ctx, srv, pool, sub); len(ms) != 2 {
		t.Errorf("after RESEND: %+v", ms)
	}
}
