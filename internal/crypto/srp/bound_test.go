package srp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
	"time"
)

// shortReader feeds NewClient a 256-bit secret a, as cognitod-bench's
// srp-auth scenario does (96 zero bytes, then 32 random ones).
type shortReader struct{}

func (shortReader) Read(p []byte) (int, error) {
	for i := range p[:96] {
		p[i] = 0
	}
	if _, err := rand.Read(p[96:]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// BenchmarkSRPSignInCryptoBound is the unavoidable crypto of one whole
// USER_SRP_AUTH sign-in as cognitod-bench's srp-auth scenario runs it on one
// machine: the client's (a 256-bit a, A once per worker, the key and the
// signature) and the
// server's (B, the check, two RSA-2048 token signatures). Run on every core
// at once (-cpu 2), ns/op is the machine's bound for that scenario, measured
// under the same contention the scenario meets:
//
//	go test -run '^$' -bench SRPSignInCryptoBound -cpu 1,2 ./internal/crypto/srp
func BenchmarkSRPSignInCryptoBound(b *testing.B) {
	salt, _ := NewSalt(rand.Reader)
	v := Verifier("pool", "user", "Passw0rd!", salt)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("token"))
	b.RunParallel(func(pb *testing.PB) {
		// One client secret per caller, as each worker of the scenario
		// keeps one: A is computed once.
		c, err := NewClient("pool", shortReader{})
		if err != nil {
			b.Fatal(err)
		}
		for pb.Next() {
			srv, err := NewServerSession(v, rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			block := []byte("secret block")
			ts := FormatTimestamp(time.Now())
			sig, err := c.Signature("user", "Passw0rd!", salt, srv.B(), block, ts)
			if err != nil {
				b.Fatal(err)
			}
			if err := srv.VerifyClient(c.A(), "pool", "user", block, ts, sig); err != nil {
				b.Fatal(err)
			}
			for range 2 {
				if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
