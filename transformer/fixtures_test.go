package transformer_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

// A frameCase is one case of the fixture files under testdata/transformer:
// an incoming frame and either the value it decodes to or the close it is
// rejected with.
type frameCase struct {
	Name             string          `json:"name"`
	Kind             string          `json:"kind"`     // "text" or "binary"
	In               string          `json:"in"`       // the payload, or
	InBase64         string          `json:"inBase64"` // a payload that is not UTF-8
	Want             json.RawMessage `json:"want"`
	WantCode         message.Code    `json:"wantCode"`
	WantReason       string          `json:"wantReason"`
	WantReasonPrefix string          `json:"wantReasonPrefix"`
	WantField        string          `json:"wantField"`
}

func (c frameCase) kind() message.Kind {
	if c.Kind == "binary" {
		return message.KindBinary
	}
	return message.KindText
}

func (c frameCase) payload(t testing.TB) []byte {
	if c.InBase64 == "" {
		return []byte(c.In)
	}
	b, err := base64.StdEncoding.DecodeString(c.InBase64)
	require.NoError(t, err, "case %q: inBase64", c.Name)
	return b
}

// loadCases reads testdata/transformer/name.
func loadCases(t testing.TB, name string) []frameCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "transformer", name))
	require.NoError(t, err)
	var cases []frameCase
	require.NoError(t, json.Unmarshal(data, &cases))
	require.NotEmpty(t, cases)
	for _, c := range cases {
		require.NotEmpty(t, c.Name)
		require.Contains(t, []string{"text", "binary"}, c.Kind, "case %q", c.Name)
		require.True(t, (c.Want != nil) != (c.WantCode != 0), "case %q needs want or wantCode", c.Name)
	}
	return cases
}

// requireClose asserts that err is a *message.CloseError with code and a
// reason that fits a close frame.
func requireClose(t testing.TB, err error, code message.Code) *message.CloseError {
	t.Helper()
	var ce *message.CloseError
	require.Error(t, err)
	require.True(t, errors.As(err, &ce), "want a *message.CloseError, got %T: %v", err, err)
	require.Equal(t, code, ce.Code, "reason %q", ce.Reason)
	require.LessOrEqual(t, len(ce.Reason), message.MaxReasonLen)
	require.True(t, utf8.ValidString(ce.Reason), "reason %q is not UTF-8", ce.Reason)
	return ce
}

// requireCase asserts that err matches the rejection c wants.
func requireCase(t testing.TB, c frameCase, err error) {
	t.Helper()
	ce := requireClose(t, err, c.WantCode)
	if c.WantReason != "" {
		require.Equal(t, c.WantReason, ce.Reason)
	}
	require.True(t, strings.HasPrefix(ce.Reason, c.WantReasonPrefix), "reason %q, want prefix %q", ce.Reason, c.WantReasonPrefix)
	if c.WantField != "" {
		require.Contains(t, ce.Reason, fmt.Sprintf("%q", c.WantField), "the reason must name the field")
	}
}

// calc is the input of the demo's /model socket.
type calc struct {
	Op string  `json:"op,required"`
	A  float64 `json:"a,required"`
	B  float64 `json:"b,required"`
}

// Validate accepts the four operations of the calculator.
func (c calc) Validate() error {
	switch c.Op {
	case "add", "sub", "mul", "div":
		return nil
	}
	return &transformer.FieldError{Field: "op", Problem: fmt.Sprintf("unknown operation %q (want add, sub, mul or div)", c.Op)}
}
