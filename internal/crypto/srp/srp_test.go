package srp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"
)

// seeded returns a deterministic random source for tests.
func seeded(seed byte) *rand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

func TestGroup(t *testing.T) {
	if Prime().BitLen() != 3072 || !Prime().ProbablyPrime(8) {
		t.Fatal("N is not a 3072-bit prime")
	}
	// (N-1)/2 prime too: the RFC 3526 group is a safe prime.
	q := new(big.Int).Rsh(Prime(), 1)
	if !q.ProbablyPrime(4) {
		t.Fatal("N is not a safe prime")
	}
	if Generator().Int64() != 2 {
		t.Fatal("g != 2")
	}
	// k as amazon-cognito-identity-js computes it (hexHash of padHex(N) +
	// padHex(g)): SHA-256 of 0x00 || N || 0x02.
	const wantK = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
	if got := Multiplier().Text(16); got != wantK {
		t.Fatalf("k = %s, want %s", got, wantK)
	}
	// The accessors hand out copies.
	Prime().SetInt64(1)
	Multiplier().SetInt64(1)
	if Prime().BitLen() != 3072 || Multiplier().Text(16) != wantK {
		t.Fatal("a returned copy changed the group")
	}
}

func TestPadHex(t *testing.T) {
	// The examples of amazon-cognito-identity-js's padHex documentation, and
	// the edges of its rules.
	tests := []struct {
		in   int64
		want string
	}{
		{-236, "ff14"},
		{20, "14"},
		{-200, "ff38"},
		{56, "38"},
		{-20, "ec"},
		{236, "00ec"},
		{-56, "c8"},
		{200, "00c8"},
		{0, "00"},
		{1, "01"},
		{-1, "ff"},
		{127, "7f"},
		{128, "0080"},
		{-128, "80"},
		{-129, "ff7f"},
		{255, "00ff"},
		{256, "0100"},
		{-256, "ff00"},
		{-32768, "8000"},
		{32768, "008000"},
		{-32769, "ff7fff"},
		{0x0abc, "0abc"},
	}
	for _, tc := range tests {
		if got := PadHex(big.NewInt(tc.in)); got != tc.want {
			t.Errorf("PadHex(%d) = %s, want %s", tc.in, got, tc.want)
		}
		if tc.in >= 0 {
			if got := hex.EncodeToString(padBytes(big.NewInt(tc.in))); got != tc.want {
				t.Errorf("padBytes(%d) = %s, want %s", tc.in, got, tc.want)
			}
		}
	}
}

func TestParseHex(t *testing.T) {
	tests := []struct {
		in   string
		want string // hex of the value; "" for an error
	}{
		{"0", "0"},
		{"00ff", "ff"},
		{"ABCdef", "abcdef"},
		{"", ""},
		{"-1", ""},
		{"+1", ""},
		{"0x10", ""},
		{"12 34", ""},
		{"g", ""},
		{string(bytes.Repeat([]byte("f"), maxHexDigits)), string(bytes.Repeat([]byte("f"), maxHexDigits))},
		{string(bytes.Repeat([]byte("f"), maxHexDigits+1)), ""},
	}
	for _, tc := range tests {
		n, err := ParseHex(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("ParseHex(%q) = %s, want an error", tc.in, n.Text(16))
			}
			continue
		}
		if err != nil || n.Text(16) != tc.want {
			t.Errorf("ParseHex(%q) = %v, %v; want %s", tc.in, n, err, tc.want)
		}
	}
}

func TestPoolName(t *testing.T) {
	tests := map[string]string{
		"us-east-1_AbC123":  "AbC123",
		"eu-west-2_x":       "x",
		"no-underscore":     "",
		"us-east-1_":        "",
		"a_b_c":             "b", // as amazon-cognito-identity-js's split('_')[1]
		"ap-southeast-2_9Z": "9Z",
	}
	for in, want := range tests {
		if got := PoolName(in); got != want {
			t.Errorf("PoolName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewSalt(t *testing.T) {
	s, err := NewSalt(seeded(1))
	if err != nil || len(s) != SaltSize {
		t.Fatalf("NewSalt = %x, %v", s, err)
	}
	if _, err := NewSalt(bytes.NewReader(make([]byte, SaltSize-1))); err == nil {
		t.Fatal("NewSalt with a short reader gave no error")
	}
}

// registration is what a server stores for a user.
type registration struct {
	pool, user, password string
	salt                 []byte
}

// answer is one PASSWORD_VERIFIER answer as a client sends it.
type answer struct {
	A           *big.Int
	pool, user  string
	secretBlock []byte
	timestamp   string
	signature   string
}

// exchange runs the client side against a fresh server session for reg and
// returns the session and the client's answer; the client signs in with
// pool, user and password.
func exchange(t *testing.T, reg registration, pool, user, password string) (*ServerSession, answer) {
	t.Helper()
	v := Verifier(reg.pool, reg.user, reg.password, reg.salt)
	sess, err := NewServerSession(v, seeded(2))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(pool, seeded(3))
	if err != nil {
		t.Fatal(err)
	}
	block := []byte("secret block issued by the server")
	ts := FormatTimestamp(time.Date(2024, time.March, 5, 7, 8, 9, 0, time.UTC))
	sig, err := c.Signature(user, password, reg.salt, sess.B(), block, ts)
	if err != nil {
		t.Fatal(err)
	}
	return sess, answer{A: c.A(), pool: pool, user: user, secretBlock: block, timestamp: ts, signature: sig}
}

func TestRoundTrip(t *testing.T) {
	reg := registration{pool: "AbC123", user: "alice", password: "Corr3ct horse!", salt: []byte("0123456789abcdef")}
	zeroLed := registration{pool: "AbC123", user: "bob", password: "pw", salt: append([]byte{0, 0}, bytes.Repeat([]byte{0xa5}, 14)...)}
	highBit := registration{pool: "AbC123", user: "carol", password: "pässwörd ✓", salt: bytes.Repeat([]byte{0xff}, 16)}
	tests := []struct {
		name                 string
		reg                  registration
		pool, user, password string
		tamper               func(*answer)
		want                 error
	}{
		{name: "right password", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!"},
		{name: "salt with leading zero bytes", reg: zeroLed, pool: "AbC123", user: "bob", password: "pw"},
		{name: "salt with its top bit set, unicode password", reg: highBit, pool: "AbC123", user: "carol", password: "pässwörd ✓"},
		{name: "wrong password", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse?", want: ErrSignature},
		{name: "empty password", reg: reg, pool: "AbC123", user: "alice", password: "", want: ErrSignature},
		{name: "other pool", reg: reg, pool: "AbC124", user: "alice", password: "Corr3ct horse!", want: ErrSignature},
		{name: "other user", reg: reg, pool: "AbC123", user: "alicf", password: "Corr3ct horse!", want: ErrSignature},
		{name: "A = 0", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.A = big.NewInt(0) }, want: ErrPublicValue},
		{name: "A = N", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.A = Prime() }, want: ErrPublicValue},
		{name: "A = 2N", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.A = new(big.Int).Lsh(Prime(), 1) }, want: ErrPublicValue},
		{name: "A > N", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.A = new(big.Int).Add(Prime(), a.A) }, want: ErrPublicValue},
		{name: "A negative", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.A = new(big.Int).Neg(a.A) }, want: ErrPublicValue},
		{name: "A nil", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.A = nil }, want: ErrPublicValue},
		{name: "A of another client", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.A = new(big.Int).Exp(Generator(), big.NewInt(12345), Prime()) }, want: ErrSignature},
		{name: "secret block changed", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.secretBlock = append(bytes.Clone(a.secretBlock[:len(a.secretBlock)-1]), 'X') }, want: ErrSignature},
		{name: "secret block missing", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.secretBlock = nil }, want: ErrSignature},
		{name: "timestamp changed", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.timestamp = "Tue Mar 5 07:08:10 UTC 2024" }, want: ErrSignature},
		{name: "timestamp zero-padded", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.timestamp = "Tue Mar 05 07:08:09 UTC 2024" }, want: ErrSignature},
		{name: "user id changed at the answer", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.user = "mallory" }, want: ErrSignature},
		{name: "pool changed at the answer", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.pool = "Other" }, want: ErrSignature},
		{name: "signature flipped bit", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) {
				raw, _ := base64.StdEncoding.DecodeString(a.signature)
				raw[0] ^= 1
				a.signature = base64.StdEncoding.EncodeToString(raw)
			}, want: ErrSignature},
		{name: "signature truncated", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) {
				raw, _ := base64.StdEncoding.DecodeString(a.signature)
				a.signature = base64.StdEncoding.EncodeToString(raw[:16])
			}, want: ErrSignature},
		{name: "signature not base64", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.signature = "not base64!" }, want: ErrSignature},
		{name: "signature empty", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) { a.signature = "" }, want: ErrSignature},
		{name: "signature without padding", reg: reg, pool: "AbC123", user: "alice", password: "Corr3ct horse!",
			tamper: func(a *answer) {
				raw, _ := base64.StdEncoding.DecodeString(a.signature)
				a.signature = base64.RawStdEncoding.EncodeToString(raw)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sess, ans := exchange(t, tc.reg, tc.pool, tc.user, tc.password)
			if tc.tamper != nil {
				tc.tamper(&ans)
			}
			err := sess.VerifyClient(ans.A, ans.pool, ans.user, ans.secretBlock, ans.timestamp, ans.signature)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("VerifyClient = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestKeysAgree(t *testing.T) {
	salt := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	v := Verifier("Pool", "user", "pw", salt)
	sess, err := NewServerSession(v, seeded(4))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient("Pool", seeded(5))
	if err != nil {
		t.Fatal(err)
	}
	ck, err := c.Key("user", "pw", salt, sess.B())
	if err != nil {
		t.Fatal(err)
	}
	sk, err := sess.Key(c.A())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ck, sk) || len(ck) != 16 {
		t.Fatalf("client key %x, server key %x", ck, sk)
	}
	// The salt as the SALT parameter carries it (hex, leading zero dropped
	// by the client's integer parse) gives the same key.
	n, _ := ParseHex(hex.EncodeToString(salt))
	ck2, err := c.Key("user", "pw", n.Bytes(), sess.B())
	if err != nil || !bytes.Equal(ck, ck2) {
		t.Fatalf("key from the parsed salt %x, %v; want %x", ck2, err, ck)
	}
}

func TestClientRefusesB(t *testing.T) {
	c, err := NewClient("Pool", seeded(6))
	if err != nil {
		t.Fatal(err)
	}
	for name, B := range map[string]*big.Int{
		"zero":     big.NewInt(0),
		"N":        Prime(),
		"2N":       new(big.Int).Lsh(Prime(), 1),
		"negative": big.NewInt(-5),
		"nil":      nil,
	} {
		if _, err := c.Key("u", "p", []byte("salt"), B); !errors.Is(err, ErrPublicValue) {
			t.Errorf("B %s: Key error = %v, want ErrPublicValue", name, err)
		}
	}
}

func TestNewServerSession(t *testing.T) {
	v := Verifier("Pool", "user", "pw", []byte("salt"))
	tests := []struct {
		name   string
		v      *big.Int
		random []byte
		ok     bool
	}{
		{"good", v, bytes.Repeat([]byte{7}, 64), true},
		{"zero draws then a good one", v, append(make([]byte, 2*secretSize), bytes.Repeat([]byte{9}, secretSize)...), true},
		{"only zeros", v, make([]byte, 20*secretSize), false},
		{"short reader", v, []byte{1, 2, 3}, false},
		{"verifier zero", big.NewInt(0), bytes.Repeat([]byte{7}, 64), false},
		{"verifier N", Prime(), bytes.Repeat([]byte{7}, 64), false},
		{"verifier nil", nil, bytes.Repeat([]byte{7}, 64), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewServerSession(tc.v, bytes.NewReader(tc.random))
			if tc.ok != (err == nil) {
				t.Fatalf("NewServerSession error = %v, want ok=%v", err, tc.ok)
			}
			if !tc.ok {
				return
			}
			if !inGroup(s.B()) || s.BHex() != s.B().Text(16) {
				t.Fatalf("B = %s", s.BHex())
			}
			// B = k·v + g^b mod N
			want := new(big.Int).Exp(Generator(), s.b, Prime())
			want.Add(want, new(big.Int).Mul(Multiplier(), tc.v)).Mod(want, Prime())
			if want.Cmp(s.B()) != 0 {
				t.Fatal("B != k·v + g^b mod N")
			}
		})
	}
}

func TestSessionState(t *testing.T) {
	salt := []byte("salt-salt-salt-!")
	v := Verifier("Pool", "user", "pw", salt)
	sess, err := NewServerSession(v, seeded(7))
	if err != nil {
		t.Fatal(err)
	}
	state, err := sess.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	c, _ := NewClient("Pool", seeded(8))
	ts := "Wed Jan 3 04:05:06 UTC 2024"
	sig, err := c.Signature("user", "pw", salt, sess.B(), []byte("blk"), ts)
	if err != nil {
		t.Fatal(err)
	}
	other := Verifier("Pool", "user", "other", salt)
	bad := func(f func([]byte) []byte) []byte { return f(bytes.Clone(state)) }
	tests := []struct {
		name     string
		v        *big.Int
		state    []byte
		restored bool
		verifies bool
	}{
		{"same verifier", v, state, true, true},
		{"verifier of another password", other, state, true, false},
		{"bad verifier", big.NewInt(0), state, false, false},
		{"empty", v, nil, false, false},
		{"unknown version", v, bad(func(s []byte) []byte { s[0] = 2; return s }), false, false},
		{"truncated", v, state[:len(state)-1], false, false},
		{"extended", v, append(bytes.Clone(state), 0), false, false},
		{"zero-length b", v, bad(func(s []byte) []byte { s[1] = 0; return s }), false, false},
		{"b too long", v, bad(func(s []byte) []byte { s[1] = secretSize + 1; return s }), false, false},
		{"B zero", v, bad(func(s []byte) []byte { clear(s[2+int(s[1]):]); return s }), false, false},
		{"B = N", v, bad(func(s []byte) []byte { Prime().FillBytes(s[2+int(s[1]):]); return s }), false, false},
		{"b changed", v, bad(func(s []byte) []byte { s[2] ^= 0x40; return s }), true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := RestoreServerSession(tc.v, tc.state)
			if tc.restored != (err == nil) {
				t.Fatalf("RestoreServerSession error = %v, want restored=%v", err, tc.restored)
			}
			if !tc.restored {
				return
			}
			err = r.VerifyClient(c.A(), "Pool", "user", []byte("blk"), ts, sig)
			if tc.verifies != (err == nil) {
				t.Fatalf("VerifyClient after restore = %v, want verifies=%v", err, tc.verifies)
			}
		})
	}
}

func TestRespondPasswordVerifier(t *testing.T) {
	salt := []byte{0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	v := Verifier("AbC", "user-id", "Secret1!", salt)
	sess, err := NewServerSession(v, seeded(9))
	if err != nil {
		t.Fatal(err)
	}
	block := []byte("issued block")
	params := map[string]string{
		"SRP_B":           sess.BHex(),
		"SALT":            hex.EncodeToString(salt),
		"SECRET_BLOCK":    base64.StdEncoding.EncodeToString(block),
		"USER_ID_FOR_SRP": "user-id",
		"USERNAME":        "alias@example.com",
	}
	now := time.Date(2024, time.February, 29, 23, 59, 59, 0, time.UTC)
	c, _ := NewClient("AbC", seeded(10))
	got, err := c.RespondPasswordVerifier(params, "Secret1!", now)
	if err != nil {
		t.Fatal(err)
	}
	if got["USERNAME"] != "user-id" || got["TIMESTAMP"] != "Thu Feb 29 23:59:59 UTC 2024" || got["PASSWORD_CLAIM_SECRET_BLOCK"] != params["SECRET_BLOCK"] {
		t.Fatalf("responses = %v", got)
	}
	A, err := ParseHex(c.AHex())
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.VerifyClient(A, "AbC", got["USERNAME"], block, got["TIMESTAMP"], got["PASSWORD_CLAIM_SIGNATURE"]); err != nil {
		t.Fatalf("VerifyClient = %v", err)
	}

	for _, missing := range []string{"SRP_B", "SALT", "SECRET_BLOCK", "USER_ID_FOR_SRP"} {
		p := map[string]string{}
		for k, v := range params {
			if k != missing {
				p[k] = v
			}
		}
		if _, err := c.RespondPasswordVerifier(p, "Secret1!", now); err == nil {
			t.Errorf("no error without %s", missing)
		}
	}
	for name, p := range map[string][2]string{
		"bad SRP_B":        {"SRP_B", "xyz"},
		"bad SALT":         {"SALT", "-12"},
		"bad SECRET_BLOCK": {"SECRET_BLOCK", "%%%"},
		"zero SRP_B":       {"SRP_B", "00"},
	} {
		q := map[string]string{}
		for k, v := range params {
			q[k] = v
		}
		q[p[0]] = p[1]
		if _, err := c.RespondPasswordVerifier(q, "Secret1!", now); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestNewClient(t *testing.T) {
	if _, err := NewClient("p", bytes.NewReader(make([]byte, clientSecretSize))); err == nil {
		t.Error("a zero secret was accepted")
	}
	if _, err := NewClient("p", bytes.NewReader(make([]byte, clientSecretSize-1))); err == nil {
		t.Error("a short reader was accepted")
	}
	// a is the reader's 128 bytes read as an unsigned number, as the
	// JavaScript library reads its random hex.
	buf := bytes.Repeat([]byte{0x80}, clientSecretSize)
	c, err := NewClient("p", bytes.NewReader(buf))
	if err != nil {
		t.Fatal(err)
	}
	want := new(big.Int).Exp(Generator(), new(big.Int).SetBytes(buf), Prime())
	if c.A().Cmp(want) != 0 || c.AHex() != want.Text(16) {
		t.Fatal("A != g^a mod N")
	}
}
