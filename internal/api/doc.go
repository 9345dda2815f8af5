// Package api is the Cognito Identity Provider API as Go: one struct per shape
// of the AWS model, enum constants, validation with AWS's wording, the error
// types, the Handler interface and the operations table.
//
// Files ending in _gen.go are generated from ../gen/model (a copy of the AWS
// model without its documentation) and must not be edited; the other files are
// the small runtime they rely on.
package api

//go:generate go run ../gen api -model ../gen/model/cognito-idp-2016-04-18.json -out .
