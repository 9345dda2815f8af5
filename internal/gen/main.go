// Command gen turns the Cognito Identity Provider service model into the Go
// code of package api: shapes, enums, validation, errors and the operations
// table. It also makes the repository's copy of the model, without AWS's prose.
//
//	go run ./internal/gen strip -in ../shared/aws-model/cognito-idp-2016-04-18.service.json -out internal/gen/model/cognito-idp-2016-04-18.json
//	go run ./internal/gen api -model internal/gen/model/cognito-idp-2016-04-18.json -out internal/api
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: gen strip|api [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	switch args[0] {
	case "strip":
		in := fs.String("in", "", "the AWS model (with documentation)")
		out := fs.String("out", "", "where to write the model without documentation")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		r, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer r.Close()
		w, err := os.Create(*out)
		if err != nil {
			return err
		}
		if err := Strip(w, r); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	case "api":
		modelPath := fs.String("model", "", "the model file")
		out := fs.String("out", ".", "the api package folder")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		f, err := os.Open(*modelPath)
		if err != nil {
			return err
		}
		defer f.Close()
		m, err := LoadModel(f)
		if err != nil {
			return err
		}
		return Generate(m, *out)
	}
	return fmt.Errorf("unknown command %q", args[0])
}
