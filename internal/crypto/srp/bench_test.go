package srp

import (
	"testing"
)

// BenchmarkVerifier is the cost of setting a password: one 3072-bit modular
// exponentiation with a 256-bit exponent.
func BenchmarkVerifier(b *testing.B) {
	salt := []byte("0123456789abcdef")
	for b.Loop() {
		Verifier("AbC123", "alice", "Passw0rd!", salt)
	}
}

// BenchmarkServerStart is InitiateAuth's share: drawing b and computing B.
func BenchmarkServerStart(b *testing.B) {
	v := Verifier("AbC123", "alice", "Passw0rd!", []byte("0123456789abcdef"))
	r := seeded(1)
	for b.Loop() {
		if _, err := NewServerSession(v, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServerVerify is RespondToAuthChallenge's share: restoring the
// session and checking the client's signature.
func BenchmarkServerVerify(b *testing.B) {
	salt := []byte("0123456789abcdef")
	v := Verifier("AbC123", "alice", "Passw0rd!", salt)
	sess, err := NewServerSession(v, seeded(1))
	if err != nil {
		b.Fatal(err)
	}
	state, _ := sess.MarshalBinary()
	c, err := NewClient("AbC123", seeded(2))
	if err != nil {
		b.Fatal(err)
	}
	ts := "Mon Jan 1 00:00:00 UTC 2024"
	block := []byte("secret block")
	sig, err := c.Signature("alice", "Passw0rd!", salt, sess.B(), block, ts)
	if err != nil {
		b.Fatal(err)
	}
	A := c.A()
	for b.Loop() {
		s, err := RestoreServerSession(v, state)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.VerifyClient(A, "AbC123", "alice", block, ts, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClient is the Go client's whole side (A, then the signature): two
// exponentiations with 1024-bit exponents, what a test pays per sign-in.
func BenchmarkClient(b *testing.B) {
	salt := []byte("0123456789abcdef")
	sess, err := NewServerSession(Verifier("AbC123", "alice", "Passw0rd!", salt), seeded(1))
	if err != nil {
		b.Fatal(err)
	}
	r := seeded(3)
	for b.Loop() {
		c, err := NewClient("AbC123", r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Signature("alice", "Passw0rd!", salt, sess.B(), []byte("blk"), "Mon Jan 1 00:00:00 UTC 2024"); err != nil {
			b.Fatal(err)
		}
	}
}
