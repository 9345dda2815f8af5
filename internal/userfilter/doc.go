// Package userfilter parses the Filter member of ListUsersRequest, the one
// server-side search that Cognito's ListUsers operation offers, and refuses
// what Cognito refuses with the message Cognito gives.
//
// A filter names one attribute, an operator and a double-quoted value:
//
//	email = "jane@example.com"
//	phone_number ^= "+1312"
//	cognito:user_status = "FORCE_CHANGE_PASSWORD"
//
// The operator "=" asks for an exact match and "^=" for a prefix ("starts
// with") match. Parse turns such a string into a Filter; Filter.String gives
// it back in one canonical spelling, so that a pagination token can be bound
// to the filter it was issued for whatever spacing the caller used.
//
// # What is accepted
//
//   - The empty string is no filter at all: ListUsers lists every user (the
//     API reference and the developer guide both say so). A string of white
//     space only is treated the same way; the documentation says nothing of
//     it, and listing everyone is the gentler guess.
//   - White space (space, tab, newline, carriage return, form feed, vertical
//     tab) may stand before the name, around the operator and after the
//     value, or be left out: `email="a@b.c"` is as good as `email = "a@b.c"`
//     (the AWS CLI example writes `email^="testuser"`, AWS's own ASP.NET
//     Identity provider sends `email="…"`).
//   - The name is made of ASCII letters, digits, '_' and ':'. It may also be
//     written between double quotes (`"email" = "x"`): other Cognito
//     emulators accept that spelling for clients that send it; no source
//     shows Cognito refusing it.
//   - The value is always between double quotes. Inside it a backslash takes
//     the next character literally, so `\"` is a quotation mark and `\\` a
//     backslash. The value may be empty: `phone_number = ""` is accepted and
//     simply matches nobody (reported from a real user pool in
//     getmoto/moto#4388).
//   - Values are not checked against the attribute: no source shows Cognito
//     refusing `status = "Maybe"` or `cognito:user_status = "confirmed"`, so
//     such a filter parses and the search decides what it matches. status
//     holds "Enabled" or "Disabled" and is documented as case-sensitive;
//     cognito:user_status holds UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD,
//     RESET_REQUIRED, EXTERNAL_PROVIDER… and is documented as
//     case-insensitive. That comparison is the caller's business.
//
// # What is refused
//
// Every refusal is an *Error of type InvalidParameterException.
//
//   - Anything that is not name, operator, quoted value — an unquoted or
//     single-quoted value, an unknown operator such as "!=", ">" or "==", a
//     missing closing quote, text after the value, backslashes outside the
//     value — answers "Error while parsing filter." (the wording, with its
//     full stop, that Cognito returns in aws/aws-sdk-php#1088 and #1961,
//     aws/aws-sdk-js#3147 and aws/aws-aspnet-cognito-identity-provider#235).
//   - A well-formed filter on an attribute outside the searchable set answers
//     "Invalid search attribute: NAME" (the wording of moto, getmoto/moto#4389,
//     whose author compared against a real pool, and of cognito-local; no
//     capture from the service itself was found). The searchable set is username,
//     email, phone_number, name, given_name, family_name, preferred_username,
//     cognito:user_status, status and sub; custom attributes are never
//     searchable. Names are compared exactly, so "Email" is refused too.
//     Syntax is checked first: `custom:x = y` is a parse error.
//
// The length limit of the member (256 characters) belongs to the generated
// request validation, not to this package.
//
// # Sources
//
//   - ListUsers in the API reference, member Filter:
//     https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html
//     (the same text is in ../shared/aws-model/cognito-idp-2016-04-18.service.json).
//   - Searching for users with the ListUsers API, and its examples, in the
//     developer guide:
//     https://docs.aws.amazon.com/cognito/latest/developerguide/how-to-manage-user-accounts.html#cognito-user-pools-searching-for-users-using-listusers-api
//     (awsdocs/amazon-cognito-developer-guide, doc_source/how-to-manage-user-accounts.md).
//   - The AWS CLI list-users examples:
//     https://docs.aws.amazon.com/cli/latest/reference/cognito-idp/list-users.html
//   - Error messages seen from the real service:
//     https://github.com/aws/aws-sdk-php/issues/1088,
//     https://github.com/aws/aws-sdk-php/issues/1961,
//     https://github.com/aws/aws-sdk-js/issues/3147,
//     https://github.com/getmoto/moto/pull/4388 and
//     https://github.com/getmoto/moto/issues/4389.
package userfilter
