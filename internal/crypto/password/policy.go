package password

import (
	"strings"
	"unicode/utf16"
)

// Policy is a user pool's password policy (api.PasswordPolicyType without
// the members that are not about the password's text).
type Policy struct {
	// MinimumLength is the shortest password allowed; 0 or less checks no
	// length.
	MinimumLength    int
	RequireUppercase bool
	RequireLowercase bool
	RequireNumbers   bool
	RequireSymbols   bool
}

// DefaultPolicy is the policy of a pool created without one: eight
// characters, every class required.
func DefaultPolicy() Policy {
	return Policy{MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}
}

// Symbols are the characters Cognito counts as symbols, the space aside (see
// IsSymbol).
const Symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"

// Reason is the rule a password broke, in Cognito's words.
type Reason string

// The reasons, in the order Check tests them.
const (
	TooShort    Reason = "Password not long enough"
	NoLowercase Reason = "Password must have lowercase characters"
	NoUppercase Reason = "Password must have uppercase characters"
	NoNumber    Reason = "Password must have numeric characters"
	NoSymbol    Reason = "Password must have symbol characters"
)

// Error is the InvalidPasswordException a password gets. Its message depends
// on the operation: Message picks it, and the methods below give each form.
type Error struct {
	Reason Reason
}

// Error is the SignUp form (DidNotConform).
func (e *Error) Error() string { return e.DidNotConform() }

// DidNotConform is "Password did not conform with policy: <reason>", what
// SignUp and AdminSetUserPassword say.
func (e *Error) DidNotConform() string {
	return "Password did not conform with policy: " + string(e.Reason)
}

// DoesNotConform is "Password does not conform to policy: <reason>", what
// ChangePassword, ConfirmForgotPassword and the NEW_PASSWORD_REQUIRED answer
// of RespondToAuthChallenge and AdminRespondToAuthChallenge say.
func (e *Error) DoesNotConform() string {
	return "Password does not conform to policy: " + string(e.Reason)
}

// DidNotConformWithPasswordPolicy is "Password did not conform with password
// policy: <reason>", what AdminCreateUser says of a TemporaryPassword.
func (e *Error) DidNotConformWithPasswordPolicy() string {
	return "Password did not conform with password policy: " + string(e.Reason)
}

// Message is the message for the named operation (as in X-Amz-Target, e.g.
// "ChangePassword"); operations not listed above get DidNotConform.
func (e *Error) Message(operation string) string {
	switch operation {
	case "ChangePassword", "ConfirmForgotPassword", "RespondToAuthChallenge", "AdminRespondToAuthChallenge":
		return e.DoesNotConform()
	case "AdminCreateUser":
		return e.DidNotConformWithPasswordPolicy()
	default:
		return e.DidNotConform()
	}
}

// IsSymbol reports whether r is one of Symbols. The space counts as a symbol
// too, but only inside a password (see Check), so it is not one here.
func IsSymbol(r rune) bool {
	return r < 0x80 && strings.ContainsRune(Symbols, r)
}

// Length is the password's length as Cognito counts it: UTF-16 code units.
func Length(password string) int {
	n := 0
	for _, r := range password {
		if utf16.RuneLen(r) == 2 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// classes says which character classes a password has.
type classes struct {
	lower, upper, number, symbol bool
}

func classify(password string) classes {
	var c classes
	for _, r := range password {
		switch {
		case 'a' <= r && r <= 'z':
			c.lower = true
		case 'A' <= r && r <= 'Z':
			c.upper = true
		case '0' <= r && r <= '9':
			c.number = true
		case IsSymbol(r):
			c.symbol = true
		}
	}
	// A space between other characters is a symbol; a leading or trailing
	// one is not.
	if strings.Contains(strings.Trim(password, " "), " ") {
		c.symbol = true
	}
	return c
}

// Check returns nil when password satisfies p, and otherwise an *Error with
// the first rule it breaks, in Cognito's order: length, lowercase, uppercase,
// numbers, symbols.
func Check(p Policy, password string) error {
	if p.MinimumLength > 0 && Length(password) < p.MinimumLength {
		return &Error{Reason: TooShort}
	}
	c := classify(password)
	switch {
	case p.RequireLowercase && !c.lower:
		return &Error{Reason: NoLowercase}
	case p.RequireUppercase && !c.upper:
		return &Error{Reason: NoUppercase}
	case p.RequireNumbers && !c.number:
		return &Error{Reason: NoNumber}
	case p.RequireSymbols && !c.symbol:
		return &Error{Reason: NoSymbol}
	}
	return nil
}
