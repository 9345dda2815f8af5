package userfilter

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		in   string
		want Filter
	}{
		// No filter.
		{"", Filter{}},
		{"   ", Filter{}},
		{"\t\r\n", Filter{}},

		// The spellings of the documentation and the CLI example.
		{`family_name = "Reddy"`, Filter{"family_name", Equals, "Reddy"}},
		{`given_name = "Jon"`, Filter{"given_name", Equals, "Jon"}},
		{`given_name ^= "Jon"`, Filter{"given_name", Prefix, "Jon"}},
		{`phone_number ^= "+1312"`, Filter{"phone_number", Prefix, "+1312"}},
		{`email^="testuser"`, Filter{"email", Prefix, "testuser"}},
		{`email="a@b.c"`, Filter{"email", Equals, "a@b.c"}},
		{`email = "a@b.c"`, Filter{"email", Equals, "a@b.c"}},
		{`  email   ^=    "a@b.c"   `, Filter{"email", Prefix, "a@b.c"}},
		{"\temail\t=\n\"a@b.c\"\r\n", Filter{"email", Equals, "a@b.c"}},
		{"email\v=\f\"a\"", Filter{"email", Equals, "a"}},

		// Every searchable attribute.
		{`username = "Jane"`, Filter{"username", Equals, "Jane"}},
		{`name ^= "Ja"`, Filter{"name", Prefix, "Ja"}},
		{`preferred_username = "jd"`, Filter{"preferred_username", Equals, "jd"}},
		{`sub = "eaad0219-2117-439f-8d46-4db20e59268f"`, Filter{"sub", Equals, "eaad0219-2117-439f-8d46-4db20e59268f"}},
		{`status = "Enabled"`, Filter{"status", Equals, "Enabled"}},
		{`status = "Disabled"`, Filter{"status", Equals, "Disabled"}},
		{`cognito:user_status = "FORCE_CHANGE_PASSWORD"`, Filter{"cognito:user_status", Equals, "FORCE_CHANGE_PASSWORD"}},
		{`cognito:user_status ^= "UN"`, Filter{"cognito:user_status", Prefix, "UN"}},

		// Values are not checked against the attribute.
		{`status = "enabled"`, Filter{"status", Equals, "enabled"}},
		{`status = "Maybe"`, Filter{"status", Equals, "Maybe"}},
		{`cognito:user_status = "confirmed"`, Filter{"cognito:user_status", Equals, "confirmed"}},
		{`cognito:user_status = "NOT_A_STATUS"`, Filter{"cognito:user_status", Equals, "NOT_A_STATUS"}},
		{`sub = "not-a-uuid"`, Filter{"sub", Equals, "not-a-uuid"}},

		// Empty values.
		{`phone_number=""`, Filter{"phone_number", Equals, ""}},
		{`email ^= ""`, Filter{"email", Prefix, ""}},

		// Escapes and whatever else the quotes hold.
		{`name = "a \"b\" c"`, Filter{"name", Equals, `a "b" c`}},
		{`name = "back\\slash"`, Filter{"name", Equals, `back\slash`}},
		{`name = "\\"`, Filter{"name", Equals, `\`}},
		{`name = "\""`, Filter{"name", Equals, `"`}},
		{`name = "x\y"`, Filter{"name", Equals, "xy"}},
		{`name = "= ^= ' != > and name = "`, Filter{"name", Equals, "= ^= ' != > and name = "}},
		{`name = "José Núñez 山田"`, Filter{"name", Equals, "José Núñez 山田"}},
		{"name = \"two\nlines\"", Filter{"name", Equals, "two\nlines"}},
		{`name = "  padded  "`, Filter{"name", Equals, "  padded  "}},

		// A quoted attribute name.
		{`"email" = "a@b.c"`, Filter{"email", Equals, "a@b.c"}},
		{`"cognito:user_status"^="CONF"`, Filter{"cognito:user_status", Prefix, "CONF"}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
		if again, err := Parse(got.String()); err != nil || again != got {
			t.Errorf("Parse(%q).String() = %q parses as %#v, %v", tt.in, got.String(), again, err)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	const syntax = "Error while parsing filter."
	tests := []struct {
		in, msg string
	}{
		// Not name, operator, quoted value.
		{"foo", syntax},
		{"email", syntax},
		{"email =", syntax},
		{"email = ", syntax},
		{`= "x"`, syntax},
		{`^= "x"`, syntax},
		{`"x"`, syntax},
		{`email "x"`, syntax},

		// Values that are not double-quoted.
		{"username = foo", syntax},
		{"username=", syntax},
		{"email = 'a@b.c'", syntax},
		{"email = a@b.c", syntax},
		{"email = “a@b.c”", syntax},

		// Unknown operators.
		{`email != "x"`, syntax},
		{`email!="x"`, syntax},
		{`email == "x"`, syntax},
		{`email > "x"`, syntax},
		{`email>"x"`, syntax},
		{`email < "x"`, syntax},
		{`email ~= "x"`, syntax},
		{`email $= "x"`, syntax},
		{`email ^ = "x"`, syntax},
		{`email =^ "x"`, syntax},
		{`email ^ "x"`, syntax},
		{`email : "x"`, syntax},
		{`email eq "x"`, syntax},

		// Unterminated values.
		{`email = "x`, syntax},
		{`email = "`, syntax},
		{`email = "x\"`, syntax},
		{`email = "x\`, syntax},

		// Text after the value.
		{`email = "x" y`, syntax},
		{`email = "x"y"`, syntax},
		{`email = "x""`, syntax},
		{`email = """"`, syntax},
		{`email ^= ""."@gmail.com"`, syntax},
		{`email = "a" and name = "b"`, syntax},
		{`email = "a", name = "b"`, syntax},

		// Backslashes outside the value (escapes meant for a host language).
		{`phone_number ^= \"+4474\"`, syntax},
		{`email = \"x\"`, syntax},
		{`\"email\" = "x"`, syntax},

		// Names that are not one word.
		{`em ail = "x"`, syntax},
		{`e-mail = "x"`, syntax},
		{`email.x = "x"`, syntax},
		{`"email = "x"`, syntax},
		{`email" = "x"`, syntax},
		{`"" = "x"`, syntax},
		{`'email' = "x"`, syntax},
		{"émail = \"x\"", syntax},
		{"email\u00a0= \"x\"", syntax},
		{"email = \"x\"\u00a0", syntax},

		// Syntax comes before the attribute check.
		{"custom:foo = bar", syntax},
		{`custom:foo != "bar"`, syntax},

		// Well-formed filters on attributes ListUsers cannot search.
		{`custom:foo = "bar"`, "Invalid search attribute: custom:foo"},
		{`custom:tier ^= "gold"`, "Invalid search attribute: custom:tier"},
		{`dev:custom:foo = "bar"`, "Invalid search attribute: dev:custom:foo"},
		{`"custom:foo" = "bar"`, "Invalid search attribute: custom:foo"},
		{`email_verified = "true"`, "Invalid search attribute: email_verified"},
		{`phone_number_verified = "true"`, "Invalid search attribute: phone_number_verified"},
		{`address = "x"`, "Invalid search attribute: address"},
		{`nickname = "x"`, "Invalid search attribute: nickname"},
		{`updated_at = "0"`, "Invalid search attribute: updated_at"},
		{`Email = "x"`, "Invalid search attribute: Email"},
		{`USERNAME = "x"`, "Invalid search attribute: USERNAME"},
		{`Status = "Enabled"`, "Invalid search attribute: Status"},
		{`user_status = "CONFIRMED"`, "Invalid search attribute: user_status"},
		{`cognito:status = "CONFIRMED"`, "Invalid search attribute: cognito:status"},
		{`enabled = "true"`, "Invalid search attribute: enabled"},
		{`foo = ""`, "Invalid search attribute: foo"},
		{`123 = "x"`, "Invalid search attribute: 123"},
		{`: = "x"`, "Invalid search attribute: :"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %#v, want error %q", tt.in, got, tt.msg)
			continue
		}
		var fe *Error
		if !errors.As(err, &fe) {
			t.Errorf("Parse(%q): error %T %v is not an *Error", tt.in, err, err)
			continue
		}
		if fe.Type != "InvalidParameterException" || fe.Message != tt.msg {
			t.Errorf("Parse(%q): %s / %q, want InvalidParameterException / %q", tt.in, fe.Type, fe.Message, tt.msg)
		}
		if got != (Filter{}) {
			t.Errorf("Parse(%q) refused but returned %#v", tt.in, got)
		}
	}
}

func TestErrorText(t *testing.T) {
	_, err := Parse("foo")
	if got, want := err.Error(), "InvalidParameterException: Error while parsing filter."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if ParseErrorMessage != "Error while parsing filter." || ErrorType != "InvalidParameterException" {
		t.Errorf("constants changed: %q, %q", ParseErrorMessage, ErrorType)
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		f    Filter
		want string
	}{
		{Filter{}, ""},
		{Filter{"email", Equals, "a@b.c"}, `email = "a@b.c"`},
		{Filter{"cognito:user_status", Prefix, "CONF"}, `cognito:user_status ^= "CONF"`},
		{Filter{"name", Equals, ""}, `name = ""`},
		{Filter{"name", Equals, `say "hi" \o/`}, `name = "say \"hi\" \\o/"`},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.f, got, tt.want)
		}
	}
}

// Spellings of one filter share one canonical form, so a pagination token
// bound to it survives a change of spacing or quoting.
func TestStringIsCanonical(t *testing.T) {
	spellings := []string{
		`email ^= "a\"b"`,
		`email^="a\"b"`,
		`  email  ^=  "a\"b"  `,
		`"email" ^= "a\"b"`,
		`email ^= "a\"\b"`,
	}
	for _, s := range spellings {
		f, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if got, want := f.String(), `email ^= "a\"b"`; got != want {
			t.Errorf("Parse(%q).String() = %q, want %q", s, got, want)
		}
	}
}

func TestIsZero(t *testing.T) {
	f, err := Parse("")
	if err != nil || !f.IsZero() {
		t.Errorf(`Parse("") = %#v, %v; want the zero Filter`, f, err)
	}
	f, err = Parse(`email = ""`)
	if err != nil || f.IsZero() {
		t.Errorf(`Parse("email = \"\"") = %#v, %v; want a non-zero Filter`, f, err)
	}
}

func TestAttributes(t *testing.T) {
	want := []string{"username", "email", "phone_number", "name", "given_name", "family_name",
		"preferred_username", "cognito:user_status", "status", "sub"}
	got := Attributes()
	if !slices.Equal(got, want) {
		t.Fatalf("Attributes() = %v, want %v", got, want)
	}
	for _, a := range got {
		if !Searchable(a) {
			t.Errorf("Searchable(%q) = false", a)
		}
		f, err := Parse(a + ` = "v"`)
		if err != nil || f.Attr != a {
			t.Errorf("Parse on %q: %#v, %v", a, f, err)
		}
	}
	got[0] = "changed"
	if Attributes()[0] != "username" {
		t.Error("Attributes shares its slice between calls")
	}
	for _, a := range []string{"", "Email", "custom:email", "email ", "sub:"} {
		if Searchable(a) {
			t.Errorf("Searchable(%q) = true", a)
		}
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		"", " ", "foo", `email = "a@b.c"`, `email^="x"`, `"email" = "x"`,
		`name = "a \"b\" \\ c"`, `name = "x\y"`, `custom:foo = "bar"`, `email = "x`,
		`email != "x"`, `status = "Enabled"`, `cognito:user_status ^= "CONF"`,
		`phone_number ^= \"+4474\"`, `email ^= ""."@gmail.com"`, "email = \"\xff\"",
		`email = "x\"`, "\temail\n=\r\"x\"\v",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q): error %T is not an *Error", s, err)
			}
			if fe.Type != ErrorType {
				t.Fatalf("Parse(%q): type %q", s, fe.Type)
			}
			if fe.Message != ParseErrorMessage {
				name, ok := strings.CutPrefix(fe.Message, "Invalid search attribute: ")
				if !ok || name == "" || Searchable(name) || !strings.Contains(s, name) {
					t.Fatalf("Parse(%q): message %q", s, fe.Message)
				}
			}
			if got != (Filter{}) {
				t.Fatalf("Parse(%q) refused but returned %#v", s, got)
			}
			return
		}
		if got.IsZero() {
			if strings.Trim(s, " \t\n\v\f\r") != "" {
				t.Fatalf("Parse(%q) gave no filter for a non-blank string", s)
			}
			if got.String() != "" {
				t.Fatalf("zero Filter renders as %q", got.String())
			}
			return
		}
		if !Searchable(got.Attr) || (got.Op != Equals && got.Op != Prefix) {
			t.Fatalf("Parse(%q) = %#v", s, got)
		}
		canon := got.String()
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, canon, err)
		}
		if again != got {
			t.Fatalf("Parse(%q) = %#v but Parse(%q) = %#v", s, got, canon, again)
		}
		if again.String() != canon {
			t.Fatalf("String is not stable: %q then %q", canon, again.String())
		}
	})
}
