package userfilter

import "strings"

// Op is the comparison a filter asks for.
type Op string

const (
	// Equals asks for an exact match: the "=" operator.
	Equals Op = "="
	// Prefix asks for a "starts with" match: the "^=" operator.
	Prefix Op = "^="
)

// Filter is one parsed ListUsers filter. The zero Filter stands for no filter
// (an empty Filter member): every user matches.
type Filter struct {
	// Attr is the attribute searched, one of the names Searchable accepts.
	Attr string
	// Op is Equals or Prefix.
	Op Op
	// Value is the value compared, with the quoting and escapes removed.
	Value string
}

// IsZero reports the zero Filter, which filters nothing out.
func (f Filter) IsZero() bool { return f == Filter{} }

// String renders the filter in its one canonical spelling: the name, one
// space, the operator, one space and the value in double quotes with '"' and
// '\' escaped by a backslash. The zero Filter renders as "". For every Filter
// that Parse returns, Parse(f.String()) gives f back.
func (f Filter) String() string {
	if f.IsZero() {
		return ""
	}
	var b strings.Builder
	b.Grow(len(f.Attr) + len(f.Op) + len(f.Value) + 6)
	b.WriteString(f.Attr)
	b.WriteByte(' ')
	b.WriteString(string(f.Op))
	b.WriteString(` "`)
	for i := 0; i < len(f.Value); i++ {
		if c := f.Value[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(f.Value[i])
	}
	b.WriteByte('"')
	return b.String()
}

// Searchable reports whether ListUsers can search on the attribute name:
// the standard attributes Cognito indexes, the user status and the enabled
// flag. Custom attributes never are. The comparison is exact.
func Searchable(name string) bool {
	switch name {
	case "username", "email", "phone_number", "name", "given_name", "family_name",
		"preferred_username", "cognito:user_status", "status", "sub":
		return true
	}
	return false
}

// Attributes lists the searchable attribute names, in the order the API
// reference gives them. The slice is new at every call.
func Attributes() []string {
	return []string{
		"username", "email", "phone_number", "name", "given_name", "family_name",
		"preferred_username", "cognito:user_status", "status", "sub",
	}
}

// Parse reads a ListUsers Filter string. An empty (or blank) string gives the
// zero Filter and no error. A refused string gives an *Error whose Message is
// Cognito's: ParseErrorMessage for anything that is not `name op "value"`,
// or "Invalid search attribute: NAME" for a well-formed filter on an
// attribute Searchable refuses.
func Parse(s string) (Filter, error) {
	p := parser{s: s}
	p.space()
	if p.done() {
		return Filter{}, nil
	}
	name, ok := p.name()
	if !ok {
		return Filter{}, parseError()
	}
	p.space()
	op, ok := p.op()
	if !ok {
		return Filter{}, parseError()
	}
	p.space()
	value, ok := p.quoted()
	if !ok {
		return Filter{}, parseError()
	}
	p.space()
	if !p.done() {
		return Filter{}, parseError()
	}
	if !Searchable(name) {
		return Filter{}, invalidAttribute(name)
	}
	return Filter{Attr: name, Op: op, Value: value}, nil
}

// parser walks a filter string byte by byte; every piece of the syntax is
// ASCII, and bytes of the value are copied as they are.
type parser struct {
	s string
	i int
}

func (p *parser) done() bool { return p.i >= len(p.s) }

// space skips the white space Java's \s knows: space, \t, \n, \v, \f, \r.
func (p *parser) space() {
	for !p.done() {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			p.i++
		default:
			return
		}
	}
}

// name reads an attribute name, bare or between double quotes.
func (p *parser) name() (string, bool) {
	quoted := !p.done() && p.s[p.i] == '"'
	if quoted {
		p.i++
	}
	start := p.i
	for !p.done() && isNameByte(p.s[p.i]) {
		p.i++
	}
	name := p.s[start:p.i]
	if name == "" {
		return "", false
	}
	if quoted {
		if p.done() || p.s[p.i] != '"' {
			return "", false
		}
		p.i++
	}
	return name, true
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == ':'
}

// op reads "=" or "^=".
func (p *parser) op() (Op, bool) {
	rest := p.s[p.i:]
	switch {
	case strings.HasPrefix(rest, string(Prefix)):
		p.i += len(Prefix)
		return Prefix, true
	case strings.HasPrefix(rest, string(Equals)):
		p.i += len(Equals)
		return Equals, true
	}
	return "", false
}

// quoted reads a double-quoted value; a backslash takes the byte after it
// literally, so \" and \\ stand for " and \.
func (p *parser) quoted() (string, bool) {
	if p.done() || p.s[p.i] != '"' {
		return "", false
	}
	p.i++
	start := p.i
	var b []byte // only allocated once an escape is seen
	for !p.done() {
		switch c := p.s[p.i]; c {
		case '"':
			p.i++
			if b == nil {
				return p.s[start : p.i-1], true
			}
			return string(b), true
		case '\\':
			if p.i+1 >= len(p.s) {
				return "", false
			}
			if b == nil {
				b = append(make([]byte, 0, len(p.s)-start), p.s[start:p.i]...)
			}
			b = append(b, p.s[p.i+1])
			p.i += 2
		default:
			if b != nil {
				b = append(b, c)
			}
			p.i++
		}
	}
	return "", false
}
