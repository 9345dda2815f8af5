package idp_test

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"testing"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/crypto/seal"
	"github.com/cognitod/cognitod/internal/idp"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

// TestCoverageMatchesCode calls every operation with an empty request and
// checks that exactly the operations OperationCoverage lists are built.
func TestCoverageMatchesCode(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box, _ := seal.New([]byte("coverage test key 0123456789"), rand.Reader)
	svc := &idp.Service{Config: idp.Config{Region: "us-east-1", AccountID: "123456789012"}, Store: st, Seal: box}
	cov := idp.OperationCoverage()
	for _, op := range api.Operations() {
		_, listed := cov[op.Name]
		notImplemented := callIsNotImplemented(ctx, op, svc)
		switch {
		case listed && notImplemented:
			t.Errorf("%s is listed as %s but answers NotImplementedException", op.Name, cov[op.Name].State)
		case !listed && !notImplemented:
			t.Errorf("%s is implemented but not listed in OperationCoverage", op.Name)
		}
	}
	for name := range cov {
		if _, ok := api.LookupOperation(name); !ok {
			t.Errorf("OperationCoverage lists %s, which the model does not have", name)
		}
	}
}

func callIsNotImplemented(ctx context.Context, op *api.Operation, svc *idp.Service) (ni bool) {
	defer func() {
		if recover() != nil {
			ni = false // it ran code of its own: built (the request was not validated)
		}
	}()
	_, err := op.Call(ctx, svc, op.NewInput())
	var ae *api.Error
	return errors.As(err, &ae) && ae.Type == api.CodeNotImplemented
}

// TestOperationsDoc keeps docs/operations.md current. UPDATE_DOCS=1 rewrites it.
func TestOperationsDoc(t *testing.T) {
	const path = "../../docs/operations.md"
	want := idp.OperationsMarkdown()
	if os.Getenv("UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Error("docs/operations.md is stale: run make docs")
	}
}
