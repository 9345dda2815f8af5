package idp

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/cognitod/cognitod/internal/api"
)

// The attribute errors. Cognito words schema violations as
// "Attributes did not conform to the schema: <detail>".
const schemaPrefix = "Attributes did not conform to the schema: "

func schemaError(detail string) *api.Error { return api.InvalidParameter("%s", schemaPrefix+detail) }

func unknownAttribute(name string) *api.Error {
	return schemaError("Type for attribute {" + name + "} could not be determined")
}

func immutableAttribute(name string) *api.Error {
	return api.InvalidParameter("user.%s: Attribute cannot be updated.", name)
}

func requiredAttributeDeleted(name string) *api.Error {
	return api.InvalidParameter("user.%s: Required attribute cannot be deleted.", name)
}

// unauthorizedWrite is the answer to a public operation writing an attribute
// its app client may not write.
func unauthorizedWrite() *api.Error {
	return api.NotAuthorized("A client attempted to write unauthorized attribute")
}

var (
	// emailPattern is what Cognito takes for an e-mail address: something,
	// one @, something; no spaces.
	emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@]+$`)
	// phonePattern is E.164: a plus sign and up to 15 digits.
	phonePattern = regexp.MustCompile(`^\+[0-9]{2,15}$`)
)

// attrWrite says who writes attributes and when.
type attrWrite struct {
	// creating is true for SignUp and AdminCreateUser: immutable attributes
	// may be set, once.
	creating bool
	// admin is true for the Admin* operations, which may write
	// developer-only attributes.
	admin bool
	// client, when set, limits writes to its WriteAttributes.
	client *appClient
}

// schemaAttr finds an attribute of the pool's schema by its full name.
func (p *pool) schemaAttr(name string) (*api.SchemaAttributeType, bool) {
	for i := range p.Type.SchemaAttributes {
		if api.ToString(p.Type.SchemaAttributes[i].Name) == name {
			return &p.Type.SchemaAttributes[i], true
		}
	}
	return nil, false
}

// checkAttributes validates attributes a request writes and returns them in
// request order, a later value of one name replacing an earlier one. An empty
// value stands for removing the attribute (only updates may do that).
func (p *pool) checkAttributes(in []api.AttributeType, w attrWrite) ([]userAttr, error) {
	out := make([]userAttr, 0, len(in))
	for _, a := range in {
		name, value := api.ToString(a.Name), api.ToString(a.Value)
		sa, ok := p.schemaAttr(name)
		if !ok {
			return nil, unknownAttribute(name)
		}
		if name == "sub" {
			return nil, immutableAttribute(name)
		}
		if api.ToBool(sa.DeveloperOnlyAttribute) && !w.admin {
			return nil, unauthorizedWrite()
		}
		// Only an administrator vouches for an address: a user who could
		// write email_verified would skip the confirmation (Cognito refuses
		// it even to a client that names no WriteAttributes).
		if !w.admin && (name == "email_verified" || name == "phone_number_verified") {
			return nil, unauthorizedWrite()
		}
		if w.client != nil && !w.client.mayWrite(name) {
			return nil, unauthorizedWrite()
		}
		if !w.creating && !api.ToBool(sa.Mutable) {
			return nil, immutableAttribute(name)
		}
		if value == "" {
			if w.creating {
				continue
			}
			if api.ToBool(sa.Required) {
				return nil, requiredAttributeDeleted(name)
			}
		} else {
			v, err := checkValue(sa, name, value)
			if err != nil {
				return nil, err
			}
			value = v
		}
		if i := slices.IndexFunc(out, func(x userAttr) bool { return x.Name == name }); i >= 0 {
			out = slices.Delete(out, i, i+1)
		}
		out = append(out, userAttr{Name: name, Value: value})
	}
	return out, nil
}

// checkValue checks one value against its schema entry and returns it in the
// form it is stored (booleans lower-cased).
func checkValue(sa *api.SchemaAttributeType, name, value string) (string, error) {
	switch name {
	case "email":
		if !emailPattern.MatchString(value) {
			return "", api.InvalidParameter("Invalid email address format.")
		}
	case "phone_number":
		if !phonePattern.MatchString(value) {
			return "", api.InvalidParameter("Invalid phone number format.")
		}
	}
	switch sa.AttributeDataType {
	case api.AttributeDataTypeBoolean:
		switch strings.ToLower(value) {
		case "true", "false":
			return strings.ToLower(value), nil
		}
		return "", schemaError(name + ": Attribute value must be true or false")
	case api.AttributeDataTypeNumber:
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return "", schemaError(name + ": Number must be a number")
		}
		if c := sa.NumberAttributeConstraints; c != nil {
			if lo, set, ok := parseLimit(c.MinValue); ok && set && n < float64(lo) {
				return "", schemaError(name + ": Number must be no less than " + strconv.FormatInt(lo, 10))
			}
			if hi, set, ok := parseLimit(c.MaxValue); ok && set && n > float64(hi) {
				return "", schemaError(name + ": Number must be no greater than " + strconv.FormatInt(hi, 10))
			}
		}
	case api.AttributeDataTypeString, "":
		n := len(utf16.Encode([]rune(value)))
		lo, hi := int64(0), int64(maxStringAttributeLength)
		if c := sa.StringAttributeConstraints; c != nil {
			if v, set, ok := parseLimit(c.MinLength); ok && set {
				lo = v
			}
			if v, set, ok := parseLimit(c.MaxLength); ok && set {
				hi = v
			}
		}
		if int64(n) < lo {
			return "", schemaError(name + ": String must be no shorter than " + strconv.FormatInt(lo, 10) + " characters")
		}
		if int64(n) > hi {
			return "", schemaError(name + ": String must be no longer than " + strconv.FormatInt(hi, 10) + " characters")
		}
	}
	return value, nil
}

// missingRequired checks that a new user has every required attribute.
func (p *pool) missingRequired(d *userDoc) error {
	var missing []string
	for _, sa := range p.Type.SchemaAttributes {
		name := api.ToString(sa.Name)
		if !api.ToBool(sa.Required) || name == "sub" {
			continue
		}
		if v, ok := d.get(name); !ok || v == "" {
			missing = append(missing, name+": The attribute is required")
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return schemaError(strings.Join(missing, "\n"))
}

// mayWrite reports whether the client may write attr: any attribute when the
// client names no WriteAttributes, else those it names.
func (c *appClient) mayWrite(attr string) bool {
	w := c.doc.Reported.WriteAttributes
	return w == nil || slices.Contains(w, attr)
}
