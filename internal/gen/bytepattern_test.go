package main

import (
	"math/rand/v2"
	"os"
	"regexp"
	"testing"
)

// Every model pattern that the generator turns into a byte set must accept
// exactly what its regular expression accepts.
func TestASCIIClassPatternsMatchTheirRegexps(t *testing.T) {
	f, err := os.Open("model/cognito-idp-2016-04-18.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := LoadModel(f)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aZ09-_=.+/@:, \t\n\\*#{}é€😀\x00\x7f")
	converted := 0
	for name, s := range m.Shapes {
		if s.Pattern == "" {
			continue
		}
		set, min, ok := asciiClassPattern(s.Pattern)
		if !ok {
			continue
		}
		converted++
		pattern := s.Pattern
		if p, found := patternPatches[pattern]; found {
			pattern = p
		}
		re := regexp.MustCompile("^(?:" + pattern + ")$")
		inSet := func(v string) bool {
			if len(v) < min {
				return false
			}
			for i := 0; i < len(v); i++ {
				if set[v[i]>>6]&(1<<(v[i]&63)) == 0 {
					return false
				}
			}
			return true
		}
		for i := range 2000 {
			n := rng.IntN(6)
			var b []rune
			for range n {
				if i%2 == 0 {
					b = append(b, rune(rng.IntN(128)))
				} else {
					b = append(b, alphabet[rng.IntN(len(alphabet))])
				}
			}
			v := string(b)
			if i%50 == 0 {
				v = string([]byte{0xff, 'a'}) // not UTF-8
			}
			if inSet(v) != re.MatchString(v) {
				t.Fatalf("%s (%s): %q: byte set says %v, regexp %v", name, s.Pattern, v, inSet(v), re.MatchString(v))
			}
		}
	}
	if converted == 0 {
		t.Fatal("no pattern was converted: the test tests nothing")
	}
}
