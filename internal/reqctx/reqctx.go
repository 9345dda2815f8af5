// Package reqctx carries what one request learns on its way (its id, the
// operation, the error type) from the handlers back to the request log line.
package reqctx

import "context"

// Info is filled in as the request travels; the server logs it at the end.
type Info struct {
	ID        string
	Operation string
	ErrorType string
	// ClientIP is the address the request came from (the TCP peer; no
	// forwarding headers are trusted): devices record it as last_ip_used.
	ClientIP string
}

type key struct{}

// With returns ctx carrying info.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the request's Info, or a throw-away one outside a request.
func From(ctx context.Context) *Info {
	if i, ok := ctx.Value(key{}).(*Info); ok {
		return i
	}
	return &Info{}
}
