package transformer_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

// addSeeds adds the payloads of a fixture file to f's corpus.
func addSeeds(f *testing.F, name string) {
	for _, c := range loadCases(f, name) {
		f.Add(c.payload(f), c.Kind == "binary")
	}
}

// kindOf returns the frame kind a fuzz input stands for, and false for a
// text payload that is not UTF-8: the runtime rejects those before any
// transformer sees them.
func kindOf(payload []byte, binary bool) (message.Kind, bool) {
	if binary {
		return message.KindBinary, true
	}
	return message.KindText, utf8.Valid(payload)
}

// requireRejection asserts that err rejects a frame with
// message.InvalidPayload and a reason that fits a close frame.
func requireRejection(t *testing.T, err error, prefix string) {
	t.Helper()
	var ce *message.CloseError
	require.True(t, errors.As(err, &ce), "want a *message.CloseError, got %T: %v", err, err)
	require.Equal(t, message.InvalidPayload, ce.Code)
	require.True(t, strings.HasPrefix(ce.Reason, prefix), "reason %q", ce.Reason)
	require.LessOrEqual(t, len(ce.Reason), message.MaxReasonLen)
	require.True(t, utf8.ValidString(ce.Reason))
}

func FuzzJSON(f *testing.F) {
	addSeeds(f, "json_cases.json")
	tr := transformer.JSON()
	f.Fuzz(func(t *testing.T, payload []byte, binary bool) {
		kind, ok := kindOf(payload, binary)
		if !ok {
			t.Skip()
		}
		got, err := tr.Decode(kind, payload)
		if !json.Valid(payload) || !utf8.Valid(payload) {
			requireRejection(t, err, "invalid JSON")
			return
		}
		require.NoError(t, err)
		require.True(t, json.Valid(got), "output %q is not JSON", got)

		// Compact: compacting again changes nothing.
		var again bytes.Buffer
		require.NoError(t, json.Compact(&again, got))
		require.Equal(t, string(got), again.String())

		// Same value: only white space outside strings was removed.
		require.Equal(t, decodeAny(t, payload), decodeAny(t, got))

		// Encoding the value sends it back unchanged, as text.
		k, out, err := tr.Encode(nil, got)
		require.NoError(t, err)
		require.Equal(t, message.KindText, k)
		require.Equal(t, string(got), string(out))
	})
}

func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	return v
}

func FuzzModel(f *testing.F) {
	addSeeds(f, "model_cases.json")
	tr := transformer.Model[calc, calc]()
	f.Fuzz(func(t *testing.T, payload []byte, binary bool) {
		kind, ok := kindOf(payload, binary)
		if !ok {
			t.Skip()
		}
		got, err := tr.Decode(kind, payload)
		if !json.Valid(payload) || !utf8.Valid(payload) {
			requireRejection(t, err, "invalid JSON")
			return
		}
		if err != nil {
			requireRejection(t, err, "")
			return
		}
		require.NoError(t, got.Validate(), "an accepted value passed validation")

		// An accepted value survives a round trip.
		_, out, err := tr.Encode(nil, got)
		require.NoError(t, err)
		again, err := tr.Decode(message.KindText, out)
		require.NoError(t, err)
		require.Equal(t, got, again)
	})
}
