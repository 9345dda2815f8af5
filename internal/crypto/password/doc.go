// Package password is Amazon Cognito's password policy, as a user pool
// enforces it, and the temporary passwords an administrator's user is given.
// It is pure: randomness comes in as an io.Reader.
//
// Check applies a Policy the way Cognito does: one rule at a time, in the
// order length, lowercase, uppercase, numbers, symbols, and says which rule
// failed in Cognito's words. The words around the reason depend on the
// operation (see Error): SignUp says "Password did not conform with policy:
// Password not long enough", ChangePassword says "Password does not conform to
// policy: …", AdminCreateUser says "Password did not conform with password
// policy: …".
//
// The character classes are those of the Cognito Developer Guide: uppercase
// and lowercase Basic Latin letters (A–Z, a–z), the digits 0–9, and the
// symbols ^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` = + - —
// with the space counted as a symbol when it is neither leading nor trailing
// (the console's wording of the rule). Other characters are allowed and count
// toward the length only. Length is counted as Java's String.length counts
// it (UTF-16 code units), like the rest of the API's limits.
package password
