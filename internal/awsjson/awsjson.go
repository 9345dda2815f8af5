// Package awsjson is the AWS JSON 1.1 protocol as a server speaks it: the
// operation comes from the X-Amz-Target header, the body is the operation's
// input shape, the answer is its output shape or an error document
// {"__type": …, "message": …} with the x-amzn-ErrorType header.
//
// Reference: https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
package awsjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/reqctx"
)

// DefaultMaxBodyBytes bounds a request body. The largest legitimate inputs are
// managed-login branding assets; 10 MiB leaves room for them.
const DefaultMaxBodyBytes = 10 << 20

const contentType = "application/x-amz-json-1.1"

// Authorizer decides whether a caller may call an SigV4 operation (strict
// mode verifies the signature). A nil Authorizer accepts every caller.
type Authorizer interface {
	Authorize(r *http.Request, body []byte, op *api.Operation) error
}

// Handler serves the Cognito Identity Provider API on one path.
type Handler struct {
	Service      api.Handler
	Logger       *slog.Logger
	MaxBodyBytes int64
	Authorizer   Authorizer
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info := reqctx.From(r.Context())
	out, err := h.serve(r, info)
	if err != nil {
		h.writeError(w, r, info, err)
		return
	}
	var body []byte
	if out == nil {
		body = []byte("{}")
	} else if body, err = json.Marshal(out); err != nil {
		h.writeError(w, r, info, fmt.Errorf("encode %s output: %w", info.Operation, err))
		return
	}
	writeBody(w, http.StatusOK, body)
}

// writeBody sends a whole answer with its length. A declared length lets the
// client's reader see the end of the body with its last bytes, so the
// connection goes back to its keep-alive pool instead of being discarded
// (a chunked answer leaves its terminating chunk unread by JSON decoders).
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (h *Handler) serve(r *http.Request, info *reqctx.Info) (any, error) {
	if r.Method != http.MethodPost {
		return nil, &api.Error{Type: api.CodeUnknownOperation, Status: http.StatusNotFound,
			Message: "the Cognito API takes POST requests with an X-Amz-Target header"}
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, api.TargetPrefix+".")
	if !ok {
		return nil, api.UnknownOperation()
	}
	op, ok := api.LookupOperation(name)
	if !ok {
		return nil, api.UnknownOperation()
	}
	info.Operation = op.Name

	limit := h.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, api.Serialization("could not read the request body")
	}
	if int64(len(body)) > limit {
		return nil, &api.Error{Type: api.CodeRequestTooLarge, Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("Request body is larger than %d bytes", limit)}
	}
	if h.Authorizer != nil && op.Auth == api.AuthSigV4 {
		if err := h.Authorizer.Authorize(r, body, op); err != nil {
			return nil, err
		}
	}
	in := op.NewInput()
	if err := Decode(body, in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return h.call(r.Context(), op, in)
}

// call runs the operation; a panic becomes InternalErrorException and a log
// line with the stack, never a dropped connection.
func (h *Handler) call(ctx context.Context, op *api.Operation, in api.Input) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in %s: %v\n%s", op.Name, p, debug.Stack())
			out = nil
		}
	}()
	return op.Call(ctx, h.Service, in)
}

// Decode reads an operation input from a JSON body. An empty body is an empty
// object. Errors are SerializationException in the words AWS's JSON reader
// uses where they are known.
func Decode(body []byte, in any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return api.Serialization("Start of structure or map expected but not found")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(in); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return api.Serialization("Unexpected content after the end of the JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return api.Serialization("Unexpected content after the end of the JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var ae *api.Error
	if errors.As(err, &ae) {
		return ae
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return api.Serialization("%s", typeMismatch(te))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return api.Serialization("Malformed JSON at offset %d: %s", se.Offset, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return api.Serialization("Unexpected end of the JSON document")
	}
	return api.Serialization("Could not read the request: %s", err.Error())
}

// typeMismatch words a member of the wrong JSON type as AWS's reader does
// ("… can not be converted to …", "Start of … found where not expected").
func typeMismatch(te *json.UnmarshalTypeError) string {
	where := ""
	if te.Field != "" {
		where = " (member " + te.Field + ")"
	}
	switch te.Value {
	case "object":
		return "Start of structure or map found where not expected" + where
	case "array":
		return "Start of list found where not expected" + where
	}
	var from string
	switch {
	case te.Value == "string":
		from = "STRING_VALUE"
	case te.Value == "bool":
		from = "BOOLEAN_VALUE"
	case strings.HasPrefix(te.Value, "number"):
		from = "NUMBER_VALUE"
	default:
		from = strings.ToUpper(te.Value)
	}
	to := "a value of another type"
	if te.Type != nil {
		switch te.Type.Kind().String() {
		case "string":
			to = "a String"
		case "int32", "int64":
			to = "an Integer"
		case "bool":
			to = "a Boolean"
		case "struct", "map":
			return "Expected a structure or map but found " + from + where
		case "slice":
			return "Expected a list but found " + from + where
		}
	}
	return from + " can not be converted to " + to + where
}

// errorBody is the wire form of an error.
type errorBody struct {
	Type       string `json:"__type"`
	Message    string `json:"message,omitempty"`
	ReasonCode string `json:"reasonCode,omitempty"`
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, info *reqctx.Info, err error) {
	var ae *api.Error
	if !errors.As(err, &ae) {
		h.logger().ErrorContext(r.Context(), "internal error", "request_id", info.ID, "operation", info.Operation, "err", err.Error())
		ae = api.InternalError("Internal server error.")
	}
	status := ae.Status
	if status == 0 {
		status = http.StatusBadRequest
		if api.IsFault(ae.Type) {
			status = http.StatusInternalServerError
		}
	}
	info.ErrorType = ae.Type
	b, _ := json.Marshal(errorBody{Type: ae.Type, Message: ae.Message, ReasonCode: ae.ReasonCode})
	hd := w.Header()
	hd.Set("X-Amzn-ErrorType", ae.Type)
	if ae.Message != "" {
		hd.Set("X-Amzn-ErrorMessage", headerSafe(ae.Message))
	}
	writeBody(w, status, b)
}

// headerSafe keeps a message to the characters a header value may carry.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r > 0x7e {
			return ' '
		}
		return r
	}, s)
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}
