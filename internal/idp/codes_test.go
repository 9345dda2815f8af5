package idp

import (
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/api"
)

func TestMaskDestination(t *testing.T) {
	for _, tc := range []struct {
		name   string
		medium api.DeliveryMediumType
		dest   string
		want   string
	}{
		{"email", api.DeliveryMediumTypeEmail, "alice@example.com", "a***@e***"},
		{"email one letter each side", api.DeliveryMediumTypeEmail, "a@b", "a***@b***"},
		{"email keeps case", api.DeliveryMediumTypeEmail, "Bob@Example.org", "B***@E***"},
		{"email first rune, not byte", api.DeliveryMediumTypeEmail, "élodie@ünï.fr", "é***@ü***"},
		{"email plus address", api.DeliveryMediumTypeEmail, "x+tag@mail.example.com", "x***@m***"},
		{"email without @", api.DeliveryMediumTypeEmail, "nobody", "***"},
		{"email empty local part", api.DeliveryMediumTypeEmail, "@example.com", "***"},
		{"email empty domain", api.DeliveryMediumTypeEmail, "alice@", "***"},
		{"US phone", api.DeliveryMediumTypeSms, "+15555551234", "+*******1234"},
		{"long phone", api.DeliveryMediumTypeSms, "+442071838750", "+********8750"},
		{"five digits", api.DeliveryMediumTypeSms, "+12345", "+*2345"},
		{"four digits hidden whole", api.DeliveryMediumTypeSms, "+1234", "+****"},
		{"two digits hidden whole", api.DeliveryMediumTypeSms, "+12", "+**"},
		{"phone without plus", api.DeliveryMediumTypeSms, "5555551234", "******1234"},
		{"empty phone", api.DeliveryMediumTypeSms, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := maskDestination(tc.medium, tc.dest); got != tc.want {
				t.Errorf("maskDestination(%s, %q) = %q, want %q", tc.medium, tc.dest, got, tc.want)
			}
		})
	}
}

func TestDeliveryDetails(t *testing.T) {
	d := deliveryDetails(mediumOf("phone_number"), "phone_number", "+15555551234")
	if d.DeliveryMedium != api.DeliveryMediumTypeSms || api.ToString(d.AttributeName) != "phone_number" || api.ToString(d.Destination) != "+*******1234" {
		t.Errorf("phone: %+v", d)
	}
	d = deliveryDetails(mediumOf("email"), "email", "alice@example.com")
	if d.DeliveryMedium != api.DeliveryMediumTypeEmail || api.ToString(d.AttributeName) != "email" || api.ToString(d.Destination) != "a***@e***" {
		t.Errorf("email: %+v", d)
	}
}

// TestCodeLifecycle runs a code through issue, wrong guesses, expiry and use
// on a user document, without a store.
func TestCodeLifecycle(t *testing.T) {
	e := newPoolsEnv(t)
	const poolID, sub = "eu-west-3_abcdefghi", "0b5e4a8c-1111-4222-8333-444455556666"
	issued, err := e.svc.issueCodeTo(poolID, sub, purposeForgot, "email", forgotCodeTTL)
	if err != nil {
		t.Fatal(err)
	}
	if len(issued.code) != 6 || issued.state.Attr != "email" || issued.state.Sealed == "" || issued.state.Sealed == issued.code {
		t.Fatalf("issued %+v", issued)
	}
	for _, r := range issued.code {
		if r < '0' || r > '9' {
			t.Fatalf("code %q is not digits", issued.code)
		}
	}
	u := &user{doc: &userDoc{}}
	u.rec.Sub = sub
	issued.apply(u.doc)
	check := func(code string) codeCheck {
		t.Helper()
		res, err := e.svc.checkCode(poolID, u, purposeForgot, code)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	wrong := "000000"
	if issued.code == wrong {
		wrong = "111111"
	}

	if res := check(issued.code); res != codeOK {
		t.Errorf("right code: %v", res)
	}
	if res, _ := e.svc.checkCode(poolID, u, purposeSignUp, issued.code); res != codeMissing {
		t.Errorf("a code of another purpose: %v", res)
	}
	// A code sealed for one user does not open for another.
	other := &user{doc: u.doc}
	other.rec.Sub = "another-sub"
	if _, err := e.svc.checkCode(poolID, other, purposeForgot, issued.code); err == nil {
		t.Error("a code moved to another user opened")
	}

	for i := 1; i < maxCodeAttempts; i++ {
		if res := check(wrong); res != codeMismatch {
			t.Fatalf("wrong code %d: %v", i, res)
		}
		recordFailure(u.doc, purposeForgot)
	}
	if res := check(issued.code); res != codeOK {
		t.Errorf("right code after %d failures: %v", maxCodeAttempts-1, res)
	}
	recordFailure(u.doc, purposeForgot)
	if res := check(issued.code); res != codeExhausted {
		t.Errorf("right code after %d failures: %v", maxCodeAttempts, res)
	}

	// A new code starts afresh; it expires after its time to live, but a
	// wrong guess is still only a mismatch (it tells nothing of the code).
	issued, err = e.svc.issueCodeTo(poolID, sub, purposeForgot, "email", forgotCodeTTL)
	if err != nil {
		t.Fatal(err)
	}
	issued.apply(u.doc)
	e.now = e.now.Add(forgotCodeTTL)
	if res := check(issued.code); res != codeOK {
		t.Errorf("at the last millisecond: %v", res)
	}
	e.now = e.now.Add(time.Millisecond)
	if res := check(issued.code); res != codeExpired {
		t.Errorf("after the time to live: %v", res)
	}
	if res := check(wrong); res != codeMismatch {
		t.Errorf("wrong code after expiry: %v", res)
	}

	useCode(u.doc, purposeForgot)
	if u.doc.Codes != nil {
		t.Errorf("codes after use: %+v", u.doc.Codes)
	}
	if res := check(issued.code); res != codeMissing {
		t.Errorf("a used code: %v", res)
	}
}

func TestCodeLifetimes(t *testing.T) {
	if signUpCodeTTL != 24*time.Hour || verifyCodeTTL != 24*time.Hour || forgotCodeTTL != time.Hour {
		t.Errorf("lifetimes %v %v %v", signUpCodeTTL, verifyCodeTTL, forgotCodeTTL)
	}
}
