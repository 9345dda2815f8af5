package srp

import (
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
)

// secretSize is the size of the server's secret exponent b: 256 bits, the
// strength of the 3072-bit group.
const secretSize = 32

// ServerSession is the server's side of one sign-in: its secret b and public
// B for the verifier v of one user (or device). It is immutable, so safe for
// concurrent use; one session answers one client (its B was sent to one A).
type ServerSession struct {
	v, b, bigB *big.Int
}

// NewServerSession starts a sign-in against verifier v: it draws b from
// random and computes B = (k·v + g^b) mod N, which the server sends as SRP_B
// (see BHex).
func NewServerSession(v *big.Int, random io.Reader) (*ServerSession, error) {
	if !inGroup(v) {
		return nil, ErrVerifier
	}
	buf := make([]byte, secretSize)
	kv := new(big.Int).Mul(groupK, v)
	// A zero b, or a B that is zero mod N, would be refused by the client;
	// both are negligible with a good reader, so a few draws suffice.
	for range 8 {
		if _, err := io.ReadFull(random, buf); err != nil {
			return nil, err
		}
		b := new(big.Int).SetBytes(buf)
		if b.Sign() == 0 {
			continue
		}
		B := new(big.Int).Exp(groupG, b, groupN)
		B.Add(B, kv).Mod(B, groupN)
		if B.Sign() == 0 {
			continue
		}
		return &ServerSession{v: new(big.Int).Set(v), b: b, bigB: B}, nil
	}
	return nil, errors.New("srp: the random source gave no usable secret")
}

// B returns a copy of the server's public value.
func (s *ServerSession) B() *big.Int { return new(big.Int).Set(s.bigB) }

// BHex returns B as the SRP_B challenge parameter: lower-case hex.
func (s *ServerSession) BHex() string { return s.bigB.Text(16) }

// stateVersion starts every serialised state.
const stateVersion = 1

// MarshalBinary returns the session's state, b and B, for
// RestoreServerSession: a version byte, the length of b, b, then B in
// 384 big-endian bytes. It is secret (see the package documentation).
func (s *ServerSession) MarshalBinary() ([]byte, error) {
	b := s.b.Bytes()
	out := make([]byte, 2+len(b)+groupBytes)
	out[0], out[1] = stateVersion, byte(len(b))
	copy(out[2:], b)
	s.bigB.FillBytes(out[2+len(b):])
	return out, nil
}

// RestoreServerSession rebuilds a session from MarshalBinary's state and the
// user's verifier (which the server reads again with the user). A verifier
// other than the one the session began with restores, but no client
// signature will then verify.
func RestoreServerSession(v *big.Int, state []byte) (*ServerSession, error) {
	if !inGroup(v) {
		return nil, ErrVerifier
	}
	if len(state) < 2 || state[0] != stateVersion {
		return nil, ErrState
	}
	n := int(state[1])
	if n == 0 || n > secretSize || len(state) != 2+n+groupBytes {
		return nil, ErrState
	}
	b := new(big.Int).SetBytes(state[2 : 2+n])
	B := new(big.Int).SetBytes(state[2+n:])
	if b.Sign() == 0 || !inGroup(B) {
		return nil, ErrState
	}
	return &ServerSession{v: new(big.Int).Set(v), b: b, bigB: B}, nil
}

// VerifyClient checks a PASSWORD_VERIFIER answer: the client's public value A
// (SRP_A, see ParseHex), the pool name (PoolName), the USER_ID_FOR_SRP that
// was sent, the decoded PASSWORD_CLAIM_SECRET_BLOCK, the TIMESTAMP exactly as
// received and the PASSWORD_CLAIM_SIGNATURE (base64). It returns nil when the
// client proved knowledge of the password, ErrPublicValue for an A that is
// zero mod N (or outside 1..N−1) and ErrSignature otherwise. The signature
// comparison is constant-time. Whether the timestamp is recent enough, and
// whether the secret block is the one issued, are the caller's to check
// (ParseTimestamp, CheckTimestamp).
func (s *ServerSession) VerifyClient(A *big.Int, poolName, userIDForSRP string, secretBlock []byte, timestamp, signature string) error {
	key, err := s.Key(A)
	if err != nil {
		return err
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		// Clients pad; an unpadded signature is the same bytes.
		if got, err = base64.RawStdEncoding.DecodeString(signature); err != nil {
			return ErrSignature
		}
	}
	want := claim(key, poolName, userIDForSRP, secretBlock, timestamp)
	if !hmac.Equal(got, want) {
		return ErrSignature
	}
	return nil
}

// Key returns the 16-byte session key K that a client holding A and the
// right password derives too. VerifyClient is the check; Key is for
// protocols built on top of it and for tests.
func (s *ServerSession) Key(A *big.Int) ([]byte, error) {
	if !inGroup(A) {
		return nil, ErrPublicValue
	}
	u := scramble(A, s.bigB)
	if u.Sign() == 0 {
		return nil, ErrPublicValue
	}
	// S = (A · v^u)^b mod N
	S := new(big.Int).Exp(s.v, u, groupN)
	S.Mul(S, A).Mod(S, groupN)
	S.Exp(S, s.b, groupN)
	return sessionKey(S, u), nil
}
