package idp

import (
	"testing"

	"github.com/cognitod/cognitod/internal/api"
)

func TestFill(t *testing.T) {
	for _, tc := range []struct{ tmpl, code, username, want string }{
		{"Your code is {####}.", "123456", "alice", "Your code is 123456."},
		{"{username}: {####} ({####})", "042000", "bob", "bob: 042000 (042000)"},
		{"no placeholders", "1", "u", "no placeholders"},
		// One pass: a value that looks like a placeholder stays as it is.
		{"{username} {####}", "{username}", "{####}", "{####} {username}"},
		{"{#####} #{####}} {USERNAME}", "9", "u", "{#####} #9} {USERNAME}"},
	} {
		if got := fill(tc.tmpl, tc.code, tc.username); got != tc.want {
			t.Errorf("fill(%q, %q, %q) = %q, want %q", tc.tmpl, tc.code, tc.username, got, tc.want)
		}
	}
}

func TestReplaceLink(t *testing.T) {
	const link = "http://h/p/confirmUser?a=1&b=2"
	for _, tc := range []struct{ body, want string }{
		{"Click {##here##}.", `Click <a href="` + link + `">here</a>.`},
		{"{##Verify Email##}", `<a href="` + link + `">Verify Email</a>`},
		{"no link", "no link"},
		{"unclosed {##text", "unclosed {##text"},
		{"first {##one##} only {##two##}", `first <a href="` + link + `">one</a> only {##two##}`},
	} {
		if got := replaceLink(tc.body, link); got != tc.want {
			t.Errorf("replaceLink(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestVerificationMessage(t *testing.T) {
	svc := &Service{Config: Config{PublicURL: "http://127.0.0.1:9229/"}}
	const poolID, clientID, code, username = "us-east-1_abcdefghi", "client1", "123456", "alice"
	full := func(t *api.VerificationMessageTemplateType) *pool {
		return &pool{Type: api.UserPoolType{VerificationMessageTemplate: t}}
	}
	link := `http://127.0.0.1:9229/us-east-1_abcdefghi/confirmUser?client_id=client1&confirmation_code=123456&user_name=alice`
	for _, tc := range []struct {
		name        string
		p           *pool
		medium      api.DeliveryMediumType
		byLink      bool
		subj, body  string
		wantSubject bool
	}{
		{"defaults by email", &pool{}, api.DeliveryMediumTypeEmail, false,
			"Your verification code", "Your verification code is 123456. ", true},
		{"defaults by SMS", &pool{}, api.DeliveryMediumTypeSms, false,
			"", "Your verification code is 123456. ", false},
		{"template by email", full(&api.VerificationMessageTemplateType{
			EmailSubject: api.String("Hello"), EmailMessage: api.String("{username}, use {####}")}),
			api.DeliveryMediumTypeEmail, false, "Hello", "alice, use 123456", true},
		{"template by SMS", full(&api.VerificationMessageTemplateType{SmsMessage: api.String("Code {####}")}),
			api.DeliveryMediumTypeSms, false, "", "Code 123456", false},
		{"legacy members", &pool{Type: api.UserPoolType{
			EmailVerificationSubject: api.String("Old subject"), EmailVerificationMessage: api.String("Old {####}"),
			SmsVerificationMessage: api.String("Old SMS {####}")}},
			api.DeliveryMediumTypeEmail, false, "Old subject", "Old 123456", true},
		{"legacy SMS", &pool{Type: api.UserPoolType{SmsVerificationMessage: api.String("Old SMS {####}")}},
			api.DeliveryMediumTypeSms, false, "", "Old SMS 123456", false},
		{"template wins over legacy", &pool{Type: api.UserPoolType{
			EmailVerificationMessage:    api.String("Old {####}"),
			VerificationMessageTemplate: &api.VerificationMessageTemplateType{EmailMessage: api.String("New {####}")}}},
			api.DeliveryMediumTypeEmail, false, "Your verification code", "New 123456", true},
		{"empty template member falls back", full(&api.VerificationMessageTemplateType{EmailMessage: api.String("")}),
			api.DeliveryMediumTypeEmail, false, "Your verification code", "Your verification code is 123456. ", true},
		{"link", full(&api.VerificationMessageTemplateType{DefaultEmailOption: api.DefaultEmailOptionTypeConfirmWithLink,
			EmailSubjectByLink: api.String("Confirm"), EmailMessageByLink: api.String("{username}: {##Go##}")}),
			api.DeliveryMediumTypeEmail, true, "Confirm", `alice: <a href="` + link + `">Go</a>`, true},
		{"link defaults", full(&api.VerificationMessageTemplateType{DefaultEmailOption: api.DefaultEmailOptionTypeConfirmWithLink}),
			api.DeliveryMediumTypeEmail, true, "Your verification link",
			`Please click the link below to verify your email address. <a href="` + link + `">Verify Email</a> `, true},
		// Links are for confirming a sign-up by e-mail: a password reset
		// and an SMS carry the code.
		{"link pool, code message", full(&api.VerificationMessageTemplateType{DefaultEmailOption: api.DefaultEmailOptionTypeConfirmWithLink,
			EmailMessage: api.String("Code {####}")}),
			api.DeliveryMediumTypeEmail, false, "Your verification code", "Code 123456", true},
		{"link pool by SMS", full(&api.VerificationMessageTemplateType{DefaultEmailOption: api.DefaultEmailOptionTypeConfirmWithLink}),
			api.DeliveryMediumTypeSms, true, "", "Your verification code is 123456. ", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := svc.verificationMessage(tc.p, poolID, clientID, tc.medium, "dest", code, username, tc.byLink)
			if m.medium != tc.medium || m.dest != "dest" || m.subject != tc.subj || m.body != tc.body {
				t.Errorf("got %+v\nwant subject %q body %q", m, tc.subj, tc.body)
			}
		})
	}
}

func TestInvitationMessage(t *testing.T) {
	withTemplate := &pool{Type: api.UserPoolType{AdminCreateUserConfig: &api.AdminCreateUserConfigType{
		InviteMessageTemplate: &api.MessageTemplateType{
			EmailSubject: api.String("Welcome"),
			EmailMessage: api.String("User {username}, password {####}"),
			SMSMessage:   api.String("{username}/{####}"),
		}}}}
	for _, tc := range []struct {
		name       string
		p          *pool
		medium     api.DeliveryMediumType
		subj, body string
	}{
		{"default email", &pool{}, api.DeliveryMediumTypeEmail, "Your temporary password", "Your username is bob and temporary password is Tmp#1234. "},
		{"default SMS", &pool{}, api.DeliveryMediumTypeSms, "", "Your username is bob and temporary password is Tmp#1234. "},
		{"template email", withTemplate, api.DeliveryMediumTypeEmail, "Welcome", "User bob, password Tmp#1234"},
		{"template SMS", withTemplate, api.DeliveryMediumTypeSms, "", "bob/Tmp#1234"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := invitationMessage(tc.p, tc.medium, "dest", "Tmp#1234", "bob")
			if m.medium != tc.medium || m.subject != tc.subj || m.body != tc.body {
				t.Errorf("got %+v\nwant subject %q body %q", m, tc.subj, tc.body)
			}
		})
	}
}
