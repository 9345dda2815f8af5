package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// Model is the part of the botocore-style service model the generator reads.
// Members keep the order the model gives them: it decides field order in the
// generated structs and the order of validation messages.
type Model struct {
	Metadata   Metadata             `json:"metadata"`
	Operations map[string]Operation `json:"operations"`
	Shapes     map[string]*Shape    `json:"shapes"`
}

type Metadata struct {
	APIVersion   string `json:"apiVersion"`
	TargetPrefix string `json:"targetPrefix"`
	JSONVersion  string `json:"jsonVersion"`
}

type Operation struct {
	Name   string     `json:"name"`
	Input  *ShapeRef  `json:"input"`
	Output *ShapeRef  `json:"output"`
	Errors []ShapeRef `json:"errors"`
	Auth   []string   `json:"auth"`
}

// NoAuth reports whether the model marks the operation as callable without
// SigV4 (the public, token-authorised operations such as InitiateAuth).
func (o Operation) NoAuth() bool {
	for _, a := range o.Auth {
		if a == "smithy.api#noAuth" {
			return true
		}
	}
	return false
}

type ShapeRef struct {
	Shape string `json:"shape"`
}

type Member struct {
	Name       string
	Shape      string `json:"shape"`
	Deprecated bool   `json:"deprecated"`
}

type Shape struct {
	Type      string   `json:"type"`
	Required  []string `json:"required"`
	Members   []Member `json:"-"`
	Member    *ShapeRef
	Key       *ShapeRef `json:"key"`
	Value     *ShapeRef `json:"value"`
	Enum      []string  `json:"enum"`
	Min       *int64    `json:"min"`
	Max       *int64    `json:"max"`
	Pattern   string    `json:"pattern"`
	Sensitive bool      `json:"sensitive"`
	Exception bool      `json:"exception"`
	Fault     bool      `json:"fault"`
	Document  bool      `json:"document"`
}

func (s *Shape) UnmarshalJSON(b []byte) error {
	type plain Shape
	var p struct {
		plain
		Member  *ShapeRef       `json:"member"`
		Members json.RawMessage `json:"members"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = Shape(p.plain)
	s.Member = p.Member
	if len(p.Members) > 0 {
		keys, err := objectKeys(p.Members)
		if err != nil {
			return err
		}
		var ms map[string]Member
		if err := json.Unmarshal(p.Members, &ms); err != nil {
			return err
		}
		for _, k := range keys {
			m := ms[k]
			m.Name = k
			s.Members = append(s.Members, m)
		}
	}
	return nil
}

func (s *Shape) IsRequired(member string) bool {
	for _, r := range s.Required {
		if r == member {
			return true
		}
	}
	return false
}

// objectKeys returns the keys of a JSON object in document order.
func objectKeys(b []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("members: want an object")
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

func LoadModel(r io.Reader) (*Model, error) {
	var m Model
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

func (m *Model) OperationNames() []string {
	names := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (m *Model) ShapeNames() []string {
	names := make([]string, 0, len(m.Shapes))
	for n := range m.Shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
