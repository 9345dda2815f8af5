// Package e2e holds cognitod's end-to-end tests: a real server on a loopback
// port (internal/testserver) driven by real clients — aws-sdk-go-v2, the AWS
// CLI where it is installed, and plain HTTP for the protocol's edges.
package e2e
