package swerex

import (
	"bytes"
	"encoding/json"
)

// omap is a JSON object whose keys keep their order, as Python dicts do: FastAPI's error
// entries and the exception transfer read in the reference's key order.
type omap []kv

type kv struct {
	k string
	v any
}

// MarshalJSON writes the pairs in order, without HTML escaping (as Starlette).
func (m omap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeNoHTML(&b, p.k); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := encodeNoHTML(&b, p.v); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func encodeNoHTML(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}
