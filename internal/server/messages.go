package server

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/cognitod/cognitod/internal/outbox"
	"github.com/cognitod/cognitod/internal/store"
)

// MessageLister reads the outbox (the store's ListMessages).
type MessageLister interface {
	ListMessages(ctx context.Context, q store.MessageQuery) ([]store.Message, error)
}

// messages serves GET /_cognitod/messages: the recorded messages that the
// query parameters select, {"messages":[…]} in seq order. Only loopback may
// read unless OutboxRemote is set; strict mode turns it off unless
// OutboxRemote is set.
func (s *Server) messages(w http.ResponseWriter, r *http.Request) {
	switch {
	case s.Outbox == nil:
		writeJSON(w, http.StatusNotFound, outbox.ErrorResponse{Error: "this server keeps no outbox"})
		return
	case s.OutboxRemote:
	case s.Strict:
		writeJSON(w, http.StatusForbidden, outbox.ErrorResponse{Error: "the outbox is off in strict mode (turn it on with --outbox-remote)"})
		return
	case !fromLoopback(r):
		writeJSON(w, http.StatusForbidden, outbox.ErrorResponse{Error: "the outbox is only readable from loopback (allow other hosts with --outbox-remote)"})
		return
	}
	q, err := outbox.ParseQuery(r.URL.Query())
	if err != nil {
		writeJSON(w, http.StatusBadRequest, outbox.ErrorResponse{Error: err.Error()})
		return
	}
	msgs, err := s.listMessages(r.Context(), q)
	if err != nil {
		s.logger().ErrorContext(r.Context(), "listing messages failed", "err", err)
		writeJSON(w, http.StatusInternalServerError, outbox.ErrorResponse{Error: "listing messages failed"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, outbox.Response{Messages: msgs})
}

// listMessages applies q. The store filters by pool, user and seq; the
// destination is filtered here, reading further pages until q.Limit
// messages match or the outbox ends.
func (s *Server) listMessages(ctx context.Context, q outbox.Query) ([]outbox.Message, error) {
	sq := store.MessageQuery{PoolID: q.UserPoolID, Username: q.Username, AfterSeq: q.AfterSeq, Limit: q.Limit}
	if q.Destination != "" {
		sq.Limit = outbox.MaxLimit
	}
	out := make([]outbox.Message, 0, min(q.Limit, 16))
	for {
		page, err := s.Outbox.ListMessages(ctx, sq)
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			if q.Destination != "" && m.Destination != q.Destination {
				continue
			}
			out = append(out, outbox.FromStore(m))
			if len(out) == q.Limit {
				return out, nil
			}
		}
		if len(page) < sq.Limit {
			return out, nil
		}
		sq.AfterSeq = page[len(page)-1].Seq
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
