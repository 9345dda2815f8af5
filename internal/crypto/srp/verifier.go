package srp

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"io"
	"math/big"
	"strings"
)

// SaltSize is the size of the salts NewSalt makes.
const SaltSize = 16

// NewSalt returns SaltSize random bytes for Verifier. Send it to clients as
// lower-case hex (the SALT challenge parameter).
func NewSalt(random io.Reader) ([]byte, error) {
	salt := make([]byte, SaltSize)
	if _, err := io.ReadFull(random, salt); err != nil {
		return nil, err
	}
	return salt, nil
}

// PoolName is the pool's part of a user pool id, the text after its
// underscore ("us-east-1_AbC123" gives "AbC123"), which SRP hashes. Like
// amazon-cognito-identity-js (split('_')[1]) it stops at a second underscore;
// an id without one gives "".
func PoolName(poolID string) string {
	_, rest, ok := strings.Cut(poolID, "_")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "_")
	return name
}

// Verifier is v = g^x mod N, x = H(PAD(salt) | H(poolName | userIDForSRP |
// ":" | password)): what the server stores instead of the password. For a
// user, userIDForSRP is the USER_ID_FOR_SRP the server will send (the user's
// username); for a device, poolName is the device group key and userIDForSRP
// the device key.
func Verifier(poolName, userIDForSRP, password string, salt []byte) *big.Int {
	x := privateKey(poolName, userIDForSRP, password, salt)
	return new(big.Int).Exp(groupG, x, groupN)
}

// privateKey is x. The salt is read as an unsigned integer and padded again,
// as clients do after parsing the SALT hex, so leading zero bytes drop out.
func privateKey(poolName, userIDForSRP, password string, salt []byte) *big.Int {
	inner := hashConcat([]byte(poolName), []byte(userIDForSRP), []byte(":"), []byte(password))
	s := new(big.Int).SetBytes(salt)
	return new(big.Int).SetBytes(hashConcat(padBytes(s), inner))
}

// scramble is u = H(PAD(A) | PAD(B)).
func scramble(A, B *big.Int) *big.Int {
	return new(big.Int).SetBytes(hashConcat(padBytes(A), padBytes(B)))
}

// infoBits is HKDF's info; the name is Cognito's.
const infoBits = "Caldera Derived Key"

// keySize is the size of K.
const keySize = 16

// sessionKey is K = HKDF-SHA256(ikm = PAD(S), salt = PAD(u), infoBits, 16).
func sessionKey(S, u *big.Int) []byte {
	k, err := hkdf.Key(sha256.New, padBytes(S), padBytes(u), infoBits, keySize)
	if err != nil {
		panic("srp: hkdf: " + err.Error()) // only for lengths out of range
	}
	return k
}

// claim is HMAC-SHA256(K, poolName | userIDForSRP | secretBlock | timestamp),
// the PASSWORD_CLAIM_SIGNATURE before base64.
func claim(key []byte, poolName, userIDForSRP string, secretBlock []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(poolName))
	m.Write([]byte(userIDForSRP))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

// Errors of the protocol. Callers answer all of them as a failed sign-in
// (NotAuthorizedException); they differ only for logs and tests.
var (
	// ErrPublicValue means A or B is not a usable group element (zero mod N,
	// negative, or not below N), or u came out zero.
	ErrPublicValue = errors.New("srp: illegal public value")
	// ErrSignature means the password claim signature does not match: a
	// wrong password, or a changed secret block, timestamp or user id.
	ErrSignature = errors.New("srp: password claim signature does not match")
	// ErrVerifier means a verifier is not a usable group element.
	ErrVerifier = errors.New("srp: illegal verifier")
	// ErrState means a session state does not restore (damaged or foreign).
	ErrState = errors.New("srp: invalid session state")
)

// inGroup reports whether 0 < n < N.
func inGroup(n *big.Int) bool {
	return n != nil && n.Sign() > 0 && n.Cmp(groupN) < 0
}
