package awsjson_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsjson"
	"github.com/cognitod/cognitod/internal/crypto/seal"
	"github.com/cognitod/cognitod/internal/idp"
	"github.com/cognitod/cognitod/internal/server"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

// sample builds a JSON-able value of type t with every member set, so that the
// seed corpus reaches the validation and the service of every operation.
func sample(t reflect.Type, depth int) reflect.Value {
	v := reflect.New(t).Elem()
	if depth > 4 {
		return v
	}
	switch t.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(t.Elem()))
		v.Elem().Set(sample(t.Elem(), depth+1))
	case reflect.Struct:
		if t == reflect.TypeOf(api.Timestamp{}) {
			return v
		}
		for i := 0; i < t.NumField(); i++ {
			v.Field(i).Set(sample(t.Field(i).Type, depth+1))
		}
	case reflect.Slice:
		if t == reflect.TypeOf(json.RawMessage{}) {
			v.SetBytes([]byte(`{"k":1}`))
			return v
		}
		if t.Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte("blob"))
			return v
		}
		s := reflect.MakeSlice(t, 1, 1)
		s.Index(0).Set(sample(t.Elem(), depth+1))
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(t)
		m.SetMapIndex(reflect.ValueOf("key"), sample(t.Elem(), depth+1))
		v.Set(m)
	case reflect.String:
		if t.Name() != "string" && t.Kind() == reflect.String {
			// An enum: take its first value.
			vals := reflect.Zero(t).MethodByName("Values")
			if vals.IsValid() {
				out := vals.Call(nil)[0]
				if out.Len() > 0 {
					v.Set(out.Index(0))
					return v
				}
			}
		}
		v.SetString("us-east-1_abcDEF123")
	case reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Bool:
		v.SetBool(true)
	}
	return v
}

func newHandler(t testing.TB) http.Handler {
	st, err := sqlite.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := seal.New([]byte("fuzzing key of sixteen+ bytes"), rand.Reader)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &idp.Service{Config: idp.Config{Region: "us-east-1", AccountID: "123456789012", PublicURL: "http://127.0.0.1:9229"},
		Store: st, Seal: box, Logger: logger}
	srv := &server.Server{API: &awsjson.Handler{Service: svc, Logger: logger}, Logger: logger}
	return srv.Handler()
}

// FuzzRequest sends arbitrary targets and bodies through the whole request
// path (middleware, routing, decoding, validation, the service) and checks
// that every answer is a well-formed AWS answer: never a panic, never a 500
// (a 500 is InternalErrorException only, and is a failure here too).
func FuzzRequest(f *testing.F) {
	for _, op := range api.Operations() {
		in := op.NewInput()
		full, err := json.Marshal(sample(reflect.TypeOf(in).Elem(), 0).Interface())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(op.Name, string(full))
		f.Add(op.Name, "{}")
	}
	f.Add("CreateUserPool", `{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":"x"}}}`)
	f.Add("CreateUserPool", `{"PoolName":null,"Schema":[null,{}]}`)
	f.Add("ListUserPools", `{"MaxResults":1e400}`)
	f.Add("ListUserPools", `{"MaxResults":5,"NextToken":"\u0000"}`)
	f.Add("Nope", `[`)
	h := newHandler(f)
	f.Fuzz(func(t *testing.T, op, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", api.TargetPrefix+"."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
			t.Fatalf("%s %q: status %d: %s", op, body, rec.Code, rec.Body.String())
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s %q: answer is not a JSON object: %q", op, body, rec.Body.String())
		}
		if rec.Code != http.StatusOK {
			if typ, _ := m["__type"].(string); typ == "" || rec.Header().Get("X-Amzn-ErrorType") != typ {
				t.Fatalf("%s %q: error answer without a type: %q", op, body, rec.Body.String())
			}
		}
	})
}
