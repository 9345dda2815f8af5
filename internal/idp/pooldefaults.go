package idp

import (
	"encoding/json"

	"github.com/cognitod/cognitod/internal/api"
)

// The values Cognito fills in when a CreateUserPool or UpdateUserPool request
// leaves a setting out. DescribeUserPool reports them as if they had been sent.
const (
	defaultMinimumPasswordLength = 8
	// defaultTemporaryPasswordDays is both PasswordPolicy.TemporaryPasswordValidityDays
	// and the legacy AdminCreateUserConfig.UnusedAccountValidityDays.
	defaultTemporaryPasswordDays = 7

	defaultVerificationMessage = "Your verification code is {####}. "
	defaultVerificationSubject = "Your verification code"
	defaultLinkMessage         = "Please click the link below to verify your email address. {##Verify Email##} "
	defaultLinkSubject         = "Your verification link"

	// maxCustomAttributes is how many custom: and dev: attributes a pool holds.
	maxCustomAttributes = 50
	// maxPoolTags is how many tags a pool carries.
	maxPoolTags = 50
	// maxStringAttributeLength bounds string attribute constraints.
	maxStringAttributeLength = 2048
)

// standardAttribute is one attribute every pool has, as DescribeUserPool
// reports it on a pool whose Schema did not mention it.
type standardAttribute struct {
	name     string
	dataType api.AttributeDataType
	mutable  bool
	required bool
	// minLen/maxLen are the string constraints ("" and "" with
	// stringConstraints set means an empty constraints object).
	stringConstraints bool
	minLen, maxLen    string
	// minValue is the number constraint of updated_at.
	minValue string
}

// standardAttributes lists the standard attributes in the order Cognito
// reports them. identities is reported with an empty constraints object,
// which is what Cognito does and what Terraform's provider expects.
var standardAttributes = []standardAttribute{
	{name: "sub", dataType: api.AttributeDataTypeString, required: true, stringConstraints: true, minLen: "1", maxLen: "2048"},
	{name: "name", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "given_name", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "family_name", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "middle_name", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "nickname", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "preferred_username", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "profile", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "picture", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "website", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "email", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "email_verified", dataType: api.AttributeDataTypeBoolean, mutable: true},
	{name: "gender", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "birthdate", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "10", maxLen: "10"},
	{name: "zoneinfo", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "locale", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "phone_number", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "phone_number_verified", dataType: api.AttributeDataTypeBoolean, mutable: true},
	{name: "address", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true, minLen: "0", maxLen: "2048"},
	{name: "updated_at", dataType: api.AttributeDataTypeNumber, mutable: true, minValue: "0"},
	{name: "identities", dataType: api.AttributeDataTypeString, mutable: true, stringConstraints: true},
}

// standardAttributeByName finds a standard attribute, or reports false.
func standardAttributeByName(name string) (standardAttribute, bool) {
	for _, a := range standardAttributes {
		if a.name == name {
			return a, true
		}
	}
	return standardAttribute{}, false
}

// schemaType is the attribute as the API reports it.
func (a standardAttribute) schemaType() api.SchemaAttributeType {
	out := api.SchemaAttributeType{
		Name:                   api.String(a.name),
		AttributeDataType:      a.dataType,
		DeveloperOnlyAttribute: api.Bool(false),
		Mutable:                api.Bool(a.mutable),
		Required:               api.Bool(a.required),
	}
	if a.stringConstraints {
		c := &api.StringAttributeConstraintsType{}
		if a.minLen != "" {
			c.MinLength = api.String(a.minLen)
		}
		if a.maxLen != "" {
			c.MaxLength = api.String(a.maxLen)
		}
		out.StringAttributeConstraints = c
	}
	if a.minValue != "" {
		out.NumberAttributeConstraints = &api.NumberAttributeConstraintsType{MinValue: api.String(a.minValue)}
	}
	return out
}

// defaultSchema is the attribute schema of a pool whose request named none.
func defaultSchema() []api.SchemaAttributeType {
	out := make([]api.SchemaAttributeType, len(standardAttributes))
	for i, a := range standardAttributes {
		out[i] = a.schemaType()
	}
	return out
}

// clone deep-copies a shape through its JSON form, so that a stored pool never
// shares memory with a request or a response. Shapes always encode.
func poolClone[T any](v *T) *T {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic("idp: shape does not encode: " + err.Error())
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic("idp: shape does not decode: " + err.Error())
	}
	return out
}

// dedupe returns the list with later repeats removed, keeping the first order.
// A nil list stays nil.
func poolDedupe[E comparable](l []E) []E {
	if l == nil {
		return nil
	}
	seen := make(map[E]bool, len(l))
	out := make([]E, 0, len(l))
	for _, e := range l {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}
