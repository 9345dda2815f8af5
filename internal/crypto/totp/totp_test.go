package totp

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// rfcSeed is the SHA-1 seed of RFC 6238 appendix B.
var rfcSeed = []byte("12345678901234567890")

// TestRFC6238 checks the SHA-1 test vectors of RFC 6238 appendix B. The RFC
// lists 8-digit codes; a 6-digit code is the same number modulo 10^6, so its
// last six digits.
func TestRFC6238(t *testing.T) {
	for _, tc := range []struct {
		unix int64
		step int64
		rfc8 string
	}{
		{59, 0x1, "94287082"},
		{1111111109, 0x23523EC, "07081804"},
		{1111111111, 0x23523ED, "14050471"},
		{1234567890, 0x273EF07, "89005924"},
		{2000000000, 0x3F940AA, "69279037"},
		{20000000000, 0x27BC86AA, "65353130"},
	} {
		at := time.Unix(tc.unix, 0)
		want := tc.rfc8[2:]
		if got := Step(at); got != tc.step {
			t.Errorf("Step(%d) = %#x, want %#x", tc.unix, got, tc.step)
		}
		got, err := Code(rfcSeed, at)
		if err != nil || got != want {
			t.Errorf("Code at %d = %q, %v; want %q", tc.unix, got, err, want)
		}
		if step, ok := Check(rfcSeed, want, at, -1); !ok || step != tc.step {
			t.Errorf("Check(%q) at %d = %#x, %v; want %#x, true", want, tc.unix, step, ok, tc.step)
		}
	}
}

func TestCheckSkewAndReplay(t *testing.T) {
	base := time.Unix(1111111111, 0) // step 0x23523ED, 1 s into it
	now := Step(base)
	code := func(step int64) string {
		c, err := CodeAt(rfcSeed, step)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name     string
		code     string
		after    int64
		wantOK   bool
		wantStep int64
	}{
		{"current step", code(now), -1, true, now},
		{"one step late", code(now - 1), -1, true, now - 1},
		{"one step early", code(now + 1), -1, true, now + 1},
		{"two steps late", code(now - 2), -1, false, 0},
		{"two steps early", code(now + 2), -1, false, 0},
		{"replay of the current step", code(now), now, false, 0},
		{"replay of the previous step", code(now - 1), now - 1, false, 0},
		{"earlier step after a later one", code(now - 1), now, false, 0},
		{"next step after the current one", code(now + 1), now, true, now + 1},
		{"current step after the previous one", code(now), now - 1, true, now},
		{"wrong code", "000000", -1, false, 0}, // none of the three steps has it
		{"five digits", code(now)[:5], -1, false, 0},
		{"seven digits", code(now) + "0", -1, false, 0},
		{"padded with a space", " " + code(now)[1:], -1, false, 0},
		{"letters", "12a456", -1, false, 0},
		{"empty", "", -1, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			step, ok := Check(rfcSeed, tc.code, base, tc.after)
			if ok != tc.wantOK || step != tc.wantStep {
				t.Errorf("Check(%q, after %d) = %d, %v; want %d, %v", tc.code, tc.after, step, ok, tc.wantStep, tc.wantOK)
			}
		})
	}
}

// TestStepEdges checks that a step is 30 whole seconds, its first second
// included and the next step's first second not.
func TestStepEdges(t *testing.T) {
	for _, tc := range []struct {
		unix int64
		want int64
	}{{0, 0}, {29, 0}, {30, 1}, {59, 1}, {60, 2}, {-1, -1}, {-30, -1}, {-31, -2}} {
		if got := Step(time.Unix(tc.unix, 0)); got != tc.want {
			t.Errorf("Step(%d) = %d, want %d", tc.unix, got, tc.want)
		}
	}
	if _, err := CodeAt(rfcSeed, -1); err == nil {
		t.Error("CodeAt(-1): no error")
	}
	if _, ok := Check(rfcSeed, "123456", time.Unix(-100, 0), -10); ok {
		t.Error("Check before the epoch: accepted")
	}
}

func TestSeedAndSecretCode(t *testing.T) {
	seed, err := NewSeed(bytes.NewReader(bytes.Repeat([]byte{0xA5}, SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	if len(seed) != SeedSize {
		t.Fatalf("seed of %d bytes", len(seed))
	}
	sc := SecretCode(seed)
	// 160 bits are 32 base32 characters exactly: no padding either way.
	if len(sc) != 32 || strings.ContainsAny(sc, "=abcdefghijklmnopqrstuvwxyz") {
		t.Errorf("SecretCode = %q", sc)
	}
	if SecretCode(rfcSeed) != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Errorf("SecretCode(RFC seed) = %q", SecretCode(rfcSeed))
	}
	back, err := ParseSecretCode(sc)
	if err != nil || !bytes.Equal(back, seed) {
		t.Errorf("ParseSecretCode = %x, %v", back, err)
	}
	if _, err := NewSeed(bytes.NewReader(make([]byte, SeedSize-1))); err == nil {
		t.Error("NewSeed from a short reader: no error")
	}
}
