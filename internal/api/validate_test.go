package api

import (
	"errors"
	"strings"
	"testing"
)

const poolID = "us-east-1_abcDEF123"

// TestValidate covers each constraint kind of the model against a real
// operation's request, with the exact message AWS sends.
func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		want string // "" for valid
	}{
		{"valid", &GetUserPoolMfaConfigRequest{UserPoolId: String(poolID)}, ""},
		{"required", &GetUserPoolMfaConfigRequest{},
			"1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{"pattern", &GetUserPoolMfaConfigRequest{UserPoolId: String("bad")},
			`1 validation error detected: Value 'bad' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`},
		{"max length", &GetUserPoolMfaConfigRequest{UserPoolId: String("us-east-1_" + strings.Repeat("a", 46))},
			"1 validation error detected: Value 'us-east-1_" + strings.Repeat("a", 46) + "' at 'userPoolId' failed to satisfy constraint: Member must have length less than or equal to 55"},
		{"length counts UTF-16 units", &AdminUpdateUserAttributesRequest{UserPoolId: String(poolID), Username: String("u"),
			UserAttributes: []AttributeType{{Name: String(strings.Repeat("😀", 16)), Value: String("v")}}}, ""},
		{"length counts UTF-16 units over", &AdminUpdateUserAttributesRequest{UserPoolId: String(poolID), Username: String("u"),
			UserAttributes: []AttributeType{{Name: String(strings.Repeat("😀", 16) + "a"), Value: String("v")}}},
			"1 validation error detected: Value '" + strings.Repeat("😀", 16) + "a' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32"},
		{"enum", &InitiateAuthRequest{AuthFlow: "NOPE", ClientId: String("abc")},
			"1 validation error detected: Value 'NOPE' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"},
		{"integer min", &ListUserPoolsRequest{MaxResults: Int32(0)},
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"integer max", &ListUserPoolsRequest{MaxResults: Int32(61)},
			"1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"nested structure", &CreateUserPoolRequest{PoolName: String("p"), Policies: &UserPoolPolicyType{PasswordPolicy: &PasswordPolicyType{MinimumLength: Int32(5)}}},
			"1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6"},
		{"list member required", &AdminUpdateUserAttributesRequest{UserPoolId: String(poolID), Username: String("u"),
			UserAttributes: []AttributeType{{Name: String("email")}, {}}},
			"1 validation error detected: Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member must not be null"},
		{"sensitive value hidden", &AdminUpdateUserAttributesRequest{UserPoolId: String(poolID), Username: String("u"),
			UserAttributes: []AttributeType{{Name: String("email"), Value: String(strings.Repeat("x", 2049))}}},
			"1 validation error detected: Value at 'userAttributes.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"list too long", &CreateUserPoolClientRequest{UserPoolId: String(poolID), ClientName: String("c"), AllowedOAuthScopes: strings.Split(strings.Repeat("s,", 50)+"s", ",")},
			"1 validation error detected: Value '[" + strings.Repeat("s, ", 50) + "s]' at 'allowedOAuthScopes' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"list element", &CreateUserPoolClientRequest{UserPoolId: String(poolID), ClientName: String("c"), CallbackURLs: []string{"https://ok", "has space"}},
			`1 validation error detected: Value '[https://ok, has space]' at 'callbackURLs' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+]`},
		{"map key", &CreateUserPoolRequest{PoolName: String("p"), UserPoolTags: map[string]string{"": "v"}},
			"1 validation error detected: Value '{=v}' at 'userPoolTags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"},
		{"map size", &CreateTermsRequest{UserPoolId: String(poolID), ClientId: String("c"), TermsName: String("terms-of-use"), TermsSource: "LINK", Enforcement: "NONE", Links: map[string]string{}},
			"1 validation error detected: Value '{}' at 'links' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"blob size", &SetUICustomizationRequest{UserPoolId: String(poolID), ImageFile: make([]byte, 131073)},
			"1 validation error detected: Value at 'imageFile' failed to satisfy constraint: Member must have length less than or equal to 131072"},
		{"several", &AdminGetUserRequest{},
			"2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; Value null at 'username' failed to satisfy constraint: Member must not be null"},
		{"look-behind pattern rewritten: trailing dot refused", &CreateUserPoolDomainRequest{UserPoolId: String(poolID), Domain: String("auth.")}, "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %v, want InvalidParameterException", err)
			}
			if ae.Type != CodeInvalidParameter || ae.Status != 400 {
				t.Errorf("type %s status %d", ae.Type, ae.Status)
			}
			if tc.want != "x" && ae.Message != tc.want {
				t.Errorf("message\n got %s\nwant %s", ae.Message, tc.want)
			}
		})
	}
}

func TestOperationsTable(t *testing.T) {
	ops := Operations()
	if len(ops) != 122 {
		t.Fatalf("%d operations, want 122", len(ops))
	}
	for _, op := range ops {
		got, ok := LookupOperation(op.Name)
		if !ok || got != op {
			t.Errorf("LookupOperation(%q) does not find its row", op.Name)
		}
		if op.NewInput() == nil || op.Call == nil || len(op.Errors) == 0 {
			t.Errorf("%s: incomplete row", op.Name)
		}
		// Every operation answers NotImplemented through the default handler.
		_, err := op.Call(t.Context(), UnimplementedHandler{}, op.NewInput())
		var ae *Error
		if !errors.As(err, &ae) || ae.Type != CodeNotImplemented || !strings.Contains(ae.Message, op.Name) {
			t.Errorf("%s: unimplemented answer %v", op.Name, err)
		}
	}
	for name, want := range map[string]AuthMode{"InitiateAuth": AuthNone, "SignUp": AuthNone, "AdminInitiateAuth": AuthSigV4, "CreateUserPool": AuthSigV4} {
		op, _ := LookupOperation(name)
		if op.Auth != want {
			t.Errorf("%s auth %v, want %v", name, op.Auth, want)
		}
	}
	if _, ok := LookupOperation("NoSuch"); ok {
		t.Error("found an operation that does not exist")
	}
}

func TestTimestampWire(t *testing.T) {
	var ts Timestamp
	if err := ts.UnmarshalJSON([]byte("1700000000.123")); err != nil {
		t.Fatal(err)
	}
	b, _ := ts.MarshalJSON()
	if string(b) != "1700000000.123" {
		t.Errorf("round trip gives %s", b)
	}
	if err := ts.UnmarshalJSON([]byte(`"x"`)); err == nil {
		t.Error("a string was accepted as a timestamp")
	}
}
