package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

const sharedModel = "../../../shared/aws-model/cognito-idp-2016-04-18.service.json"

// TestGeneratedCodeIsCurrent regenerates package api into a temporary folder
// and compares it byte for byte with the committed files.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	f, err := os.Open("model/cognito-idp-2016-04-18.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := LoadModel(f)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Operations); n != 122 {
		t.Fatalf("model has %d operations, want 122", n)
	}
	dir := t.TempDir()
	if err := Generate(m, dir); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*_gen.go"))
	if len(files) == 0 {
		t.Fatal("nothing generated")
	}
	for _, got := range files {
		name := filepath.Base(got)
		want, err := os.ReadFile(filepath.Join("..", "api", name))
		if err != nil {
			t.Fatalf("%s is not committed: run go generate ./internal/api", name)
		}
		g, _ := os.ReadFile(got)
		if !bytes.Equal(g, want) {
			t.Errorf("internal/api/%s is stale: run go generate ./internal/api", name)
		}
	}
	committed, _ := filepath.Glob(filepath.Join("..", "api", "*_gen.go"))
	if len(committed) != len(files) {
		t.Errorf("internal/api has %d generated files, the generator writes %d", len(committed), len(files))
	}
}

// TestStrippedModelIsCurrent checks that the repository's copy of the model is
// the shared AWS model without its prose. It skips when the shared model is not
// beside the checkout.
func TestStrippedModelIsCurrent(t *testing.T) {
	src, err := os.Open(sharedModel)
	if err != nil {
		t.Skipf("shared model not found (%v); nothing to compare", err)
	}
	defer src.Close()
	var out bytes.Buffer
	if err := Strip(&out, src); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("model/cognito-idp-2016-04-18.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Error("internal/gen/model is not the stripped shared model: run make model")
	}
	if bytes.Contains(want, []byte(`"documentation"`)) {
		t.Error("the stripped model still holds documentation")
	}
}
