package transformer

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/wsflow/wsflow/message"
)

// JSON returns the Transformer of sockets that carry untyped JSON: each
// message, text or binary, must hold exactly one JSON value, and each
// value is sent as a text message.
//
// Both directions compact the value as json.Compact does: insignificant
// white space is removed, while member order, string escapes and number
// spellings are kept as written, so `{ "a" : 1.0 }` becomes `{"a":1.0}`.
//
// A message that is not exactly one JSON value (an empty payload, two
// values, trailing garbage, a binary payload that is not UTF-8) closes the
// socket with message.InvalidPayload and a reason that starts with
// "invalid JSON". Encoding a value that is not valid JSON is an ordinary
// error; a nil json.RawMessage is encoded as null, as encoding/json does.
func JSON() Transformer[json.RawMessage, json.RawMessage] { return jsonTransformer{} }

type jsonTransformer struct{}

// Decode returns the payload's JSON value, compacted into a new slice.
func (jsonTransformer) Decode(kind message.Kind, payload []byte) (json.RawMessage, error) {
	if err := checkUTF8(kind, payload); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, payload); err != nil {
		return nil, invalidJSON(err.Error())
	}
	return buf.Bytes(), nil
}

// Encode appends v, compacted, to dst. On error dst is returned unchanged.
func (jsonTransformer) Encode(dst []byte, v json.RawMessage) (message.Kind, []byte, error) {
	if v == nil {
		return message.KindText, append(dst, "null"...), nil
	}
	buf := bytes.NewBuffer(dst)
	if err := json.Compact(buf, v); err != nil {
		return message.KindText, dst, fmt.Errorf("transformer: encode JSON: %w", err)
	}
	return message.KindText, buf.Bytes(), nil
}
