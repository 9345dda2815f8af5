package password

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	all := DefaultPolicy()
	lenOnly := Policy{MinimumLength: 6}
	symbolsOnly := Policy{MinimumLength: 6, RequireSymbols: true}
	tests := []struct {
		name     string
		policy   Policy
		password string
		want     Reason // "" for a pass
	}{
		{"every class", all, "Passw0rd!", ""},
		{"exactly the minimum", all, "Pa5s!wor", ""},
		{"one short", all, "Pa5s!wo", TooShort},
		{"empty", all, "", TooShort},
		{"length before classes", all, "abc", TooShort},
		{"no lowercase", all, "PASSW0RD!", NoLowercase},
		{"no uppercase", all, "passw0rd!", NoUppercase},
		{"no number", all, "Password!", NoNumber},
		{"no symbol", all, "Passw0rdd", NoSymbol},
		// One rule at a time, lowercase first.
		{"digits only", all, "12345678", NoLowercase},
		{"symbols only", all, "!@#$%^&*", NoLowercase},
		{"lowercase only", all, "password", NoUppercase},
		{"letters only", all, "PassWord", NoNumber},
		{"letters and digits", all, "PassW0rd", NoSymbol},
		// The space: a symbol inside, not at either end.
		{"inner space", all, "Pass w0rd", ""},
		{"several inner spaces", all, "Pa  ss w0rd", ""},
		{"leading space", all, " Passw0rd", NoSymbol},
		{"trailing space", all, "Passw0rd ", NoSymbol},
		{"spaces at both ends", all, "  Passw0rd  ", NoSymbol},
		{"inner space among edge ones", all, " Pass w0rd ", ""},
		{"tab is no symbol", all, "Pass\tw0rd", NoSymbol},
		// Basic Latin only.
		{"accented capital is no uppercase", all, "éÉpassw0rd!", NoUppercase},
		{"accented small is no lowercase", all, "PASSW0RDé!", NoLowercase},
		{"other digits are no number", all, "Password٣!", NoNumber},
		{"other punctuation is no symbol", all, "Passw0rd¡§", NoSymbol},
		{"unicode letters count toward the length", lenOnly, "ééééé", TooShort},
		{"unicode letters count toward the length 2", lenOnly, "éééééé", ""},
		// UTF-16 units, as Java counts: an emoji is two.
		{"emoji count twice", lenOnly, "😀😀😀", ""},
		{"emoji count twice, short", lenOnly, "😀😀a", TooShort},
		// Rules that are off are not checked.
		{"length only", lenOnly, "aaaaaa", ""},
		{"no minimum", Policy{}, "", ""},
		{"negative minimum", Policy{MinimumLength: -1, RequireNumbers: true}, "1", ""},
		{"symbols only policy", symbolsOnly, "abcdef", NoSymbol},
		{"symbols only policy passes", symbolsOnly, "abc-de", ""},
		{"numbers only policy", Policy{RequireNumbers: true}, "abc", NoNumber},
		{"uppercase only policy", Policy{RequireUppercase: true}, "abc", NoUppercase},
		{"lowercase only policy", Policy{RequireLowercase: true}, "ABC", NoLowercase},
		{"long minimum", Policy{MinimumLength: 99}, strings.Repeat("a", 98), TooShort},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.policy, tc.password)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tc.password, err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Reason != tc.want {
				t.Fatalf("Check(%q) = %v, want %q", tc.password, err, tc.want)
			}
		})
	}
}

func TestEverySymbol(t *testing.T) {
	// The Developer Guide's list, as printed there.
	const guide = `^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` + "`" + ` = + -`
	listed := strings.Fields(guide)
	if len(listed) != len(Symbols) {
		t.Fatalf("%d symbols in the guide, %d in Symbols", len(listed), len(Symbols))
	}
	p := Policy{RequireSymbols: true}
	for _, s := range listed {
		if !strings.Contains(Symbols, s) || !IsSymbol(rune(s[0])) {
			t.Errorf("%q is not in Symbols", s)
		}
		if err := Check(p, "ab"+s+"cd"); err != nil {
			t.Errorf("Check with %q = %v", s, err)
		}
	}
	// No other ASCII character counts.
	for r := rune(0); r < 0x80; r++ {
		if IsSymbol(r) != strings.ContainsRune(Symbols, r) {
			t.Errorf("IsSymbol(%q) = %v", r, IsSymbol(r))
		}
	}
	if IsSymbol(' ') {
		t.Error("IsSymbol(' ') is true; the space is a symbol only inside a password")
	}
}

func TestMessages(t *testing.T) {
	tests := []struct {
		reason Reason
		op     string
		want   string
	}{
		{TooShort, "SignUp", "Password did not conform with policy: Password not long enough"},
		{NoUppercase, "SignUp", "Password did not conform with policy: Password must have uppercase characters"},
		{NoLowercase, "AdminSetUserPassword", "Password did not conform with policy: Password must have lowercase characters"},
		{NoNumber, "ChangePassword", "Password does not conform to policy: Password must have numeric characters"},
		{NoSymbol, "ConfirmForgotPassword", "Password does not conform to policy: Password must have symbol characters"},
		{TooShort, "RespondToAuthChallenge", "Password does not conform to policy: Password not long enough"},
		{TooShort, "AdminRespondToAuthChallenge", "Password does not conform to policy: Password not long enough"},
		{NoNumber, "AdminCreateUser", "Password did not conform with password policy: Password must have numeric characters"},
		{NoSymbol, "SomethingElse", "Password did not conform with policy: Password must have symbol characters"},
	}
	for _, tc := range tests {
		e := &Error{Reason: tc.reason}
		if got := e.Message(tc.op); got != tc.want {
			t.Errorf("Message(%s) = %q, want %q", tc.op, got, tc.want)
		}
	}
	e := &Error{Reason: TooShort}
	if e.Error() != e.DidNotConform() ||
		e.DoesNotConform() != "Password does not conform to policy: Password not long enough" ||
		e.DidNotConformWithPasswordPolicy() != "Password did not conform with password policy: Password not long enough" {
		t.Errorf("wordings: %q, %q, %q", e.Error(), e.DoesNotConform(), e.DidNotConformWithPasswordPolicy())
	}
}

func TestLength(t *testing.T) {
	tests := map[string]int{"": 0, "abc": 3, "é": 1, "😀": 2, "a😀b": 4, "日本": 2}
	for in, want := range tests {
		if got := Length(in); got != want {
			t.Errorf("Length(%q) = %d, want %d", in, got, want)
		}
	}
}

func seeded(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	s[0], s[1] = byte(seed), byte(seed>>8)
	return rand.NewChaCha8(s)
}

func TestTemporary(t *testing.T) {
	tests := []struct {
		name    string
		policy  Policy
		wantLen int
	}{
		{"default", DefaultPolicy(), TemporaryLength},
		{"nothing required", Policy{}, TemporaryLength},
		{"minimum 6", Policy{MinimumLength: 6, RequireNumbers: true}, TemporaryLength},
		{"minimum 20", Policy{MinimumLength: 20, RequireSymbols: true, RequireUppercase: true}, 20},
		{"minimum 99", Policy{MinimumLength: 99, RequireLowercase: true}, 99},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pw, err := Temporary(tc.policy, seeded(1))
			if err != nil {
				t.Fatal(err)
			}
			if len(pw) != tc.wantLen {
				t.Fatalf("len(%q) = %d, want %d", pw, len(pw), tc.wantLen)
			}
			if err := Check(DefaultPolicy(), pw); err != nil {
				t.Fatalf("%q fails the default policy: %v", pw, err)
			}
			if err := Check(tc.policy, pw); err != nil {
				t.Fatalf("%q fails its policy: %v", pw, err)
			}
			for _, r := range pw {
				if !strings.ContainsRune(allAlphabet, r) {
					t.Fatalf("%q has %q", pw, r)
				}
			}
		})
	}
	// The same reader state gives the same password; the reader decides.
	a, _ := Temporary(DefaultPolicy(), seeded(7))
	b, _ := Temporary(DefaultPolicy(), seeded(7))
	c, _ := Temporary(DefaultPolicy(), seeded(8))
	if a != b || a == c {
		t.Fatalf("seeded passwords: %q %q %q", a, b, c)
	}
	// Failing readers fail.
	if _, err := Temporary(DefaultPolicy(), bytes.NewReader(make([]byte, 10))); err == nil {
		t.Error("a short reader gave no error")
	}
	if _, err := Temporary(DefaultPolicy(), bytes.NewReader(bytes.Repeat([]byte{0xff}, 100000))); !errors.Is(err, errRandom) {
		t.Errorf("a reader of rejected bytes: %v, want errRandom", err)
	}
	// A zero reader is accepted (every byte usable) and still satisfies the
	// policy.
	pw, err := Temporary(DefaultPolicy(), bytes.NewReader(make([]byte, 1024)))
	if err != nil || Check(DefaultPolicy(), pw) != nil {
		t.Errorf("zero reader: %q, %v", pw, err)
	}
}

// TestTemporaryAlwaysPasses is the property: generated passwords pass Check
// for every policy, and the symbols they use are Cognito's.
func TestTemporaryAlwaysPasses(t *testing.T) {
	policies := []Policy{
		DefaultPolicy(),
		{},
		{MinimumLength: 6},
		{MinimumLength: 6, RequireSymbols: true},
		{MinimumLength: 8, RequireUppercase: true, RequireNumbers: true},
		{MinimumLength: 16, RequireLowercase: true, RequireSymbols: true},
		{MinimumLength: 99, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true},
	}
	r := seeded(42)
	for _, p := range policies {
		for i := range 1000 {
			pw, err := Temporary(p, r)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(p, pw); err != nil {
				t.Fatalf("policy %+v, password %d %q: %v", p, i, pw, err)
			}
			if err := Check(DefaultPolicy(), pw); err != nil {
				t.Fatalf("password %q fails the default policy: %v", pw, err)
			}
		}
	}
}

// TestTemporaryIsUniform checks that characters and positions are not
// biased: over many passwords every character of the alphabet appears, and
// the guaranteed classes are not stuck at the front.
func TestTemporaryIsUniform(t *testing.T) {
	r := seeded(99)
	counts := map[byte]int{}
	digitAt := make([]int, TemporaryLength)
	const runs = 20000
	for range runs {
		pw, err := Temporary(Policy{}, r)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(pw); i++ {
			counts[pw[i]]++
			if '0' <= pw[i] && pw[i] <= '9' {
				digitAt[i]++
			}
		}
	}
	for i := 0; i < len(allAlphabet); i++ {
		if counts[allAlphabet[i]] == 0 {
			t.Errorf("%q never appeared", allAlphabet[i])
		}
	}
	// Digits appear at every position about equally often.
	lo, hi := digitAt[0], digitAt[0]
	for _, n := range digitAt {
		lo, hi = min(lo, n), max(hi, n)
	}
	if float64(hi-lo) > 0.1*float64(hi) {
		t.Errorf("digits by position are uneven: %v", digitAt)
	}
}
