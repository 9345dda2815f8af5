package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// proseKeys are the model members that hold AWS's prose. The repository keeps
// only the contract (shapes, constraints, errors); the words stay AWS's.
var proseKeys = map[string]bool{"documentation": true, "deprecatedMessage": true}

// Strip copies a JSON model from r to w without its prose, keeping the order of
// every object's keys so that the generated code does not depend on map order.
func Strip(w io.Writer, r io.Reader) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var out bytes.Buffer
	if err := stripValue(dec, &out, 0); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

func stripValue(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	return writeToken(dec, out, tok, depth)
}

func writeToken(dec *json.Decoder, out *bytes.Buffer, tok json.Token, depth int) error {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			out.WriteByte('{')
			first := true
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				key := kt.(string)
				if proseKeys[key] {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return err
					}
					continue
				}
				if !first {
					out.WriteByte(',')
				}
				first = false
				indent(out, depth+1)
				kb, _ := json.Marshal(key)
				out.Write(kb)
				out.WriteString(": ")
				if err := stripValue(dec, out, depth+1); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			if !first {
				indent(out, depth)
			}
			out.WriteByte('}')
		case '[':
			out.WriteByte('[')
			first := true
			for dec.More() {
				if !first {
					out.WriteByte(',')
				}
				first = false
				indent(out, depth+1)
				if err := stripValue(dec, out, depth+1); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			if !first {
				indent(out, depth)
			}
			out.WriteByte(']')
		default:
			return fmt.Errorf("unexpected delimiter %v", t)
		}
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return err
		}
		out.Write(b)
	}
	return nil
}

func indent(out *bytes.Buffer, depth int) {
	out.WriteByte('\n')
	for i := 0; i < depth; i++ {
		out.WriteString("  ")
	}
}
