package api

import (
	"errors"
	"fmt"
)

// Error is an AWS error as the wire carries it: its type (the __type member and
// the x-amzn-ErrorType header), its message and the HTTP status.
type Error struct {
	Type    string
	Message string
	Status  int
	// ReasonCode is the optional reasonCode member of InvalidParameterException.
	ReasonCode string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Is matches errors of the same type, so errors.Is(err, api.ResourceNotFound(""))
// works whatever the message.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Type == e.Type
	}
	return false
}

// Error types that are not in the model but that the protocol or cognitod answer.
const (
	CodeUnknownOperation = "UnknownOperationException"
	CodeSerialization    = "SerializationException"
	CodeNotImplemented   = "NotImplementedException"
	CodeRequestTooLarge  = "RequestEntityTooLargeException"
	CodeMissingAction    = "MissingAction"
)

// NotImplemented is what an operation answers until the issue that builds it lands.
func NotImplemented(operation string) *Error {
	return &Error{Type: CodeNotImplemented, Status: 501,
		Message: "cognitod does not implement " + operation + " yet; docs/operations.md lists what it implements"}
}

// UnknownOperation is the answer to an X-Amz-Target that names no operation.
func UnknownOperation() *Error {
	return &Error{Type: CodeUnknownOperation, Status: 400}
}

// Serialization is the answer to a body that is not the JSON the operation takes.
func Serialization(format string, args ...any) *Error {
	return &Error{Type: CodeSerialization, Status: 400, Message: sprintf(format, args...)}
}

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}
