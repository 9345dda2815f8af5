package userfilter

// ErrorType is the AWS error type of every refusal: the caller answers it as
// api.InvalidParameter(err.Message).
const ErrorType = "InvalidParameterException"

// ParseErrorMessage is Cognito's answer to a filter it cannot read.
const ParseErrorMessage = "Error while parsing filter."

// invalidAttributePrefix starts Cognito's answer to a filter on an attribute
// it cannot search; the attribute name follows as written.
const invalidAttributePrefix = "Invalid search attribute: "

// Error is a filter Cognito refuses: Type is always ErrorType and Message is
// the message Cognito sends.
type Error struct {
	Type    string
	Message string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

func parseError() *Error {
	return &Error{Type: ErrorType, Message: ParseErrorMessage}
}

func invalidAttribute(name string) *Error {
	return &Error{Type: ErrorType, Message: invalidAttributePrefix + name}
}
