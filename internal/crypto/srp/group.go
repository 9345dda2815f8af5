package srp

import (
	"crypto/sha256"
	"errors"
	"math/big"
	"strings"
)

// primeHex is the 3072-bit MODP prime of RFC 3526 (group 15), the N of the
// RFC 5054 3072-bit group that Cognito uses.
const primeHex = "" +
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// groupBytes is the size of N in bytes: values mod N fit in it.
const groupBytes = 3072 / 8

// The group: computed once, never modified, never handed out (Prime, Generator
// and Multiplier return copies).
var (
	groupN = mustHex(primeHex)
	groupG = big.NewInt(2)
	groupK = new(big.Int).SetBytes(hashConcat(padBytes(groupN), padBytes(groupG)))
)

// Prime returns a copy of N.
func Prime() *big.Int { return new(big.Int).Set(groupN) }

// Generator returns a copy of g (2).
func Generator() *big.Int { return new(big.Int).Set(groupG) }

// Multiplier returns a copy of k = H(PAD(N) | PAD(g)).
func Multiplier() *big.Int { return new(big.Int).Set(groupK) }

func mustHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("srp: bad constant " + s)
	}
	return n
}

// hashConcat is H(p1 | p2 | …).
func hashConcat(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// padBytes is PAD(n) for n ≥ 0: the minimal big-endian bytes, with a leading
// zero byte when the top bit is set, and one zero byte for zero — the bytes of
// PadHex(n), which is what amazon-cognito-identity-js hashes.
func padBytes(n *big.Int) []byte {
	if n.Sign() < 0 {
		panic("srp: padBytes of a negative number")
	}
	b := n.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

// PadHex is amazon-cognito-identity-js's padHex: the even-length hex of the
// minimal two's-complement encoding of n (Java's BigInteger.toByteArray), in
// lower case. Positive numbers whose top bit is set gain "00"
// (236 → "00ec"), negative ones are complemented (−236 → "ff14",
// −128 → "80"). The protocol only ever pads non-negative numbers; the
// negative branch follows the library so that the two agree on every input.
func PadHex(n *big.Int) string {
	h := new(big.Int).Abs(n).Text(16)
	if len(h)%2 != 0 {
		h = "0" + h
	}
	if strings.IndexByte("89abcdef", h[0]) >= 0 {
		h = "00" + h
	}
	if n.Sign() >= 0 {
		return h
	}
	// Flip every nibble, add one: the two's complement of the padded value.
	flipped := make([]byte, len(h))
	for i := 0; i < len(h); i++ {
		flipped[i] = "fedcba9876543210"[strings.IndexByte("0123456789abcdef", h[i])]
	}
	c := mustHex(string(flipped))
	c.Add(c, big.NewInt(1))
	h = c.Text(16)
	// A run of leading ones collapses: ff80… is the same number as 80….
	if strings.HasPrefix(h, "ff8") {
		h = h[2:]
	}
	return h
}

// maxHexDigits bounds what ParseHex accepts: a value of the group padded
// generously (clients sometimes send leading zeros).
const maxHexDigits = 4 * groupBytes

// ErrHex means a hex parameter (SRP_A, SRP_B, SALT) is not plain hex.
var ErrHex = errors.New("srp: not a hexadecimal number")

// ParseHex reads a non-negative hexadecimal number as Cognito parameters carry
// them (SRP_A, SRP_B, SALT): digits only, either case, no sign, no prefix.
func ParseHex(s string) (*big.Int, error) {
	if s == "" || len(s) > maxHexDigits {
		return nil, ErrHex
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, ErrHex
		}
	}
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		return nil, ErrHex
	}
	return n, nil
}
