// Package idp is the Cognito user-pool service: one method per API operation
// (it implements api.Handler), grouped in files by area — pools.go, clients.go,
// mfaconfig.go, tags.go and so on. It is stateless between requests: all state
// lives in the store, so several processes on one database are one service.
//
// Methods return *api.Error values for every failure a caller should see; any
// other error is a bug or an outage and becomes InternalErrorException at the
// protocol edge.
package idp
