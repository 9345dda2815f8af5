// Package storetest is the conformance suite for store.Store backends.
//
// Every backend (SQLite today, PostgreSQL later) runs the same suite from its
// own _test.go file, so that the service above the store can rely on one
// behaviour whatever database is underneath:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := mybackend.Open(t.Context(), ...)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The suite checks what the store.Store documentation promises: the CRUD
// operations and their sentinel errors (ErrNotFound, ErrAlreadyExists,
// ErrBadCursor), uniqueness of pool ids and of client ids across pools,
// creation-order pagination, compare-and-swap updates, exact round trips of
// documents and millisecond creation times, Reset, and behaviour under real
// concurrency (lost updates, duplicate creates, pool deletion racing client
// creation).
//
// It is an ordinary package, not a _test package, so that the backends'
// tests can import it; nothing outside tests should.
package storetest
