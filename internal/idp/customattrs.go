package idp

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/cognitod/cognitod/internal/api"
)

const (
	customPrefix = "custom:"
	devPrefix    = "dev:"
)

// msgInvalidDataType is Cognito's answer to a custom attribute without a type.
const msgInvalidDataType = "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."

// customBase is the name a custom attribute was declared with: custom:x and
// dev:custom:x both give x. Other names give "" and false.
func customBase(name string) (string, bool) {
	name = strings.TrimPrefix(name, devPrefix)
	if rest, ok := strings.CutPrefix(name, customPrefix); ok {
		return rest, true
	}
	return "", false
}

// isCustomAttribute reports a custom: or dev:custom: schema name.
func isCustomAttribute(name string) bool {
	_, ok := customBase(name)
	return ok
}

// buildSchema turns the Schema of a CreateUserPool request into the pool's
// attribute schema: every standard attribute (changed where the request names
// it), then the custom attributes in request order.
func buildSchema(req []api.SchemaAttributeType) ([]api.SchemaAttributeType, error) {
	schema := defaultSchema()
	seen := make(map[string]bool, len(req))
	customs := 0
	for i := range req {
		e := &req[i]
		name := api.ToString(e.Name)
		if name == "" {
			return nil, api.InvalidParameter("Schema attributes must have a name.")
		}
		if seen[name] {
			return nil, api.InvalidParameter("Duplicate schema attribute name %s: each attribute can be declared once.", name)
		}
		seen[name] = true
		if std, ok := standardAttributeByName(name); ok {
			attr, err := standardFromRequest(std, e)
			if err != nil {
				return nil, err
			}
			idx := slices.IndexFunc(schema, func(a api.SchemaAttributeType) bool { return api.ToString(a.Name) == name })
			schema[idx] = attr
			continue
		}
		attr, err := customFromRequest(e)
		if err != nil {
			return nil, err
		}
		customs++
		schema = append(schema, attr)
	}
	if customs > maxCustomAttributes {
		return nil, api.InvalidParameter("A user pool can have at most %d custom attributes.", maxCustomAttributes)
	}
	return schema, nil
}

// standardFromRequest applies a Schema entry to a standard attribute. Cognito
// lets a request change whether the attribute is required or mutable and its
// constraints, but not its type, and no standard attribute is developer-only.
func standardFromRequest(std standardAttribute, e *api.SchemaAttributeType) (api.SchemaAttributeType, error) {
	if (e.AttributeDataType != "" && e.AttributeDataType != std.dataType) || api.ToBool(e.DeveloperOnlyAttribute) {
		return api.SchemaAttributeType{}, api.InvalidParameter(
			"You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute %s", std.name)
	}
	out := std.schemaType()
	// An entry states the attribute's properties in full: what it leaves out
	// is false, as in Cognito (a required attribute sent without Mutable
	// becomes immutable).
	out.Mutable = api.Bool(api.ToBool(e.Mutable))
	out.Required = api.Bool(api.ToBool(e.Required))
	if std.name == "sub" && (!*out.Required || *out.Mutable) {
		return api.SchemaAttributeType{}, api.InvalidParameter(
			"The standard attribute sub identifies users: it stays required and immutable.")
	}
	switch std.dataType {
	case api.AttributeDataTypeString:
		if e.StringAttributeConstraints != nil {
			if err := checkStringConstraints(std.name, e.StringAttributeConstraints); err != nil {
				return api.SchemaAttributeType{}, err
			}
			out.StringAttributeConstraints = poolClone(e.StringAttributeConstraints)
		}
	case api.AttributeDataTypeNumber:
		if e.NumberAttributeConstraints != nil {
			if err := checkNumberConstraints(std.name, e.NumberAttributeConstraints); err != nil {
				return api.SchemaAttributeType{}, err
			}
			out.NumberAttributeConstraints = poolClone(e.NumberAttributeConstraints)
		}
	}
	return out, nil
}

// customFromRequest makes the custom attribute a Schema or CustomAttributes
// entry declares: x becomes custom:x, or dev:custom:x when developer-only.
func customFromRequest(e *api.SchemaAttributeType) (api.SchemaAttributeType, error) {
	name := api.ToString(e.Name)
	if name == "" {
		return api.SchemaAttributeType{}, api.InvalidParameter("Schema attributes must have a name.")
	}
	if e.AttributeDataType == "" || !slices.Contains(api.AttributeDataType("").Values(), e.AttributeDataType) {
		return api.SchemaAttributeType{}, api.InvalidParameter(msgInvalidDataType)
	}
	if api.ToBool(e.Required) {
		return api.SchemaAttributeType{}, api.InvalidParameter("Required custom attributes are not supported currently.")
	}
	full := customPrefix + name
	dev := api.ToBool(e.DeveloperOnlyAttribute)
	if dev {
		full = devPrefix + full
	}
	out := api.SchemaAttributeType{
		Name:                   api.String(full),
		AttributeDataType:      e.AttributeDataType,
		DeveloperOnlyAttribute: api.Bool(dev),
		Mutable:                api.Bool(api.ToBool(e.Mutable)),
		Required:               api.Bool(false),
	}
	// Cognito reports string and number attributes with a constraints object
	// even when none was given (which is why Terraform's provider asks for
	// the constraints block on every string or number attribute).
	switch e.AttributeDataType {
	case api.AttributeDataTypeString:
		out.StringAttributeConstraints = &api.StringAttributeConstraintsType{}
		if e.StringAttributeConstraints != nil {
			if err := checkStringConstraints(full, e.StringAttributeConstraints); err != nil {
				return api.SchemaAttributeType{}, err
			}
			out.StringAttributeConstraints = poolClone(e.StringAttributeConstraints)
		}
	case api.AttributeDataTypeNumber:
		out.NumberAttributeConstraints = &api.NumberAttributeConstraintsType{}
		if e.NumberAttributeConstraints != nil {
			if err := checkNumberConstraints(full, e.NumberAttributeConstraints); err != nil {
				return api.SchemaAttributeType{}, err
			}
			out.NumberAttributeConstraints = poolClone(e.NumberAttributeConstraints)
		}
	}
	return out, nil
}

// parseLimit reads one constraint value; "" or nil is no limit.
func parseLimit(v *string) (n int64, set, ok bool) {
	if v == nil || *v == "" {
		return 0, false, true
	}
	n, err := strconv.ParseInt(*v, 10, 64)
	if err != nil {
		return 0, false, false
	}
	return n, true, true
}

func checkStringConstraints(attr string, c *api.StringAttributeConstraintsType) error {
	lo, loSet, ok1 := parseLimit(c.MinLength)
	hi, hiSet, ok2 := parseLimit(c.MaxLength)
	if !ok1 || !ok2 || lo < 0 || hi < 0 {
		return api.InvalidParameter("Invalid StringAttributeConstraints for schema attribute %s", attr)
	}
	if lo > maxStringAttributeLength || hi > maxStringAttributeLength {
		return api.InvalidParameter("user.%s: String attributes cannot have a length of more than %d", attr, maxStringAttributeLength)
	}
	if loSet && hiSet && lo > hi {
		return api.InvalidParameter("user.%s: Max length cannot be less than min length.", attr)
	}
	return nil
}

func checkNumberConstraints(attr string, c *api.NumberAttributeConstraintsType) error {
	lo, loSet, ok1 := parseLimit(c.MinValue)
	hi, hiSet, ok2 := parseLimit(c.MaxValue)
	if !ok1 || !ok2 {
		return api.InvalidParameter("Invalid NumberAttributeConstraints for schema attribute %s", attr)
	}
	if loSet && hiSet && lo > hi {
		return api.InvalidParameter("user.%s: Max value cannot be less than min value.", attr)
	}
	return nil
}

// countCustom counts a schema's custom and developer-only attributes.
func countCustom(schema []api.SchemaAttributeType) int {
	n := 0
	for _, a := range schema {
		if isCustomAttribute(api.ToString(a.Name)) {
			n++
		}
	}
	return n
}

// AddCustomAttributes adds custom: (or dev:custom:) attributes to a pool's
// schema. Existing attributes cannot be changed or declared again.
func (s *Service) AddCustomAttributes(ctx context.Context, in *api.AddCustomAttributesRequest) (*api.AddCustomAttributesResponse, error) {
	id := api.ToString(in.UserPoolId)
	if len(in.CustomAttributes) == 0 {
		return nil, api.InvalidParameter("CustomAttributes must contain at least one attribute.")
	}
	added := make([]api.SchemaAttributeType, 0, len(in.CustomAttributes))
	for i := range in.CustomAttributes {
		attr, err := customFromRequest(&in.CustomAttributes[i])
		if err != nil {
			return nil, err
		}
		added = append(added, attr)
	}
	now := s.now()
	_, err := s.updatePool(ctx, id, func(p *pool) error {
		existing := map[string]string{} // base → full name
		for _, a := range p.Type.SchemaAttributes {
			if base, ok := customBase(api.ToString(a.Name)); ok {
				existing[base] = api.ToString(a.Name)
			}
		}
		for i, a := range added {
			base, _ := customBase(api.ToString(a.Name))
			if prev, ok := existing[base]; ok {
				return api.InvalidParameter("%s: Existing attribute already has name %s.", api.ToString(a.Name), prev)
			}
			existing[base] = api.ToString(added[i].Name)
		}
		if countCustom(p.Type.SchemaAttributes)+len(added) > maxCustomAttributes {
			return api.InvalidParameter("A user pool can have at most %d custom attributes.", maxCustomAttributes)
		}
		p.Type.SchemaAttributes = append(p.Type.SchemaAttributes, added...)
		p.Type.LastModifiedDate = api.NewTimestamp(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.AddCustomAttributesResponse{}, nil
}
