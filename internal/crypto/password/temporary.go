package password

import (
	"errors"
	"io"
)

// TemporaryLength is the length of a temporary password when the policy asks
// for less.
const TemporaryLength = 12

// The alphabets of temporary passwords. The symbols are the part of Symbols
// that survives an HTML message, a shell and a URL query unescaped: no
// quotes, backslash, backtick, ampersand, angle brackets or space.
const (
	lowerAlphabet  = "abcdefghijklmnopqrstuvwxyz"
	upperAlphabet  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numberAlphabet = "0123456789"
	symbolAlphabet = "^$*.[]{}()?!@#%/,:;|_~=+-"
	allAlphabet    = lowerAlphabet + upperAlphabet + numberAlphabet + symbolAlphabet
)

// Temporary returns a random password that satisfies p: max(p.MinimumLength,
// TemporaryLength) characters, at least one lowercase letter, one uppercase
// letter, one digit and one symbol whatever p requires (so it also satisfies
// the pool's policy if that changes before it is used), the rest drawn
// uniformly from all four, in uniformly random positions. random supplies
// every choice.
func Temporary(p Policy, random io.Reader) (string, error) {
	n := max(p.MinimumLength, TemporaryLength)
	src := &byteSource{r: random}
	out := make([]byte, 0, n)
	for _, alphabet := range []string{lowerAlphabet, upperAlphabet, numberAlphabet, symbolAlphabet} {
		c, err := src.pick(alphabet)
		if err != nil {
			return "", err
		}
		out = append(out, c)
	}
	for len(out) < n {
		c, err := src.pick(allAlphabet)
		if err != nil {
			return "", err
		}
		out = append(out, c)
	}
	// Fisher–Yates: every arrangement equally likely.
	for i := len(out) - 1; i > 0; i-- {
		j, err := src.uniform(i + 1)
		if err != nil {
			return "", err
		}
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

// errRandom means the random source kept giving bytes that had to be
// rejected, which a working source does not.
var errRandom = errors.New("password: the random source gives no usable bytes")

// byteSource draws uniform numbers from a reader, a buffer at a time.
type byteSource struct {
	r    io.Reader
	buf  [64]byte
	next int
	end  int
}

func (s *byteSource) readByte() (byte, error) {
	if s.next == s.end {
		if _, err := io.ReadFull(s.r, s.buf[:]); err != nil {
			return 0, err
		}
		s.next, s.end = 0, len(s.buf)
	}
	b := s.buf[s.next]
	s.next++
	return b, nil
}

// uniform returns a number in [0, n) for 0 < n ≤ 256, without modulo bias:
// bytes at or above the largest multiple of n are drawn again.
func (s *byteSource) uniform(n int) (int, error) {
	limit := 256 - 256%n
	for range 1000 {
		b, err := s.readByte()
		if err != nil {
			return 0, err
		}
		if int(b) < limit {
			return int(b) % n, nil
		}
	}
	return 0, errRandom
}

func (s *byteSource) pick(alphabet string) (byte, error) {
	i, err := s.uniform(len(alphabet))
	if err != nil {
		return 0, err
	}
	return alphabet[i], nil
}
