package transformer_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

// longValidator fails with a long multi-byte reason.
type longValidator struct {
	S string `json:"s"`
}

func (v longValidator) Validate() error {
	return &transformer.FieldError{Field: "s", Problem: strings.Repeat("ü", 500)}
}

// TestReasonsFitACloseFrame feeds huge invalid inputs to every decoder and
// checks that each reason fits a close frame and is valid UTF-8 (which
// requireClose asserts).
func TestReasonsFitACloseFrame(t *testing.T) {
	huge := strings.Repeat("日本語", 10000)
	decoders := []struct {
		name   string
		long   bool // the untrimmed reason would be longer than a close frame allows
		decode func() error
	}{
		{"json garbage", false, func() error {
			_, err := transformer.JSON().Decode(message.KindText, []byte(huge))
			return err
		}},
		{"json multi-byte invalid character", false, func() error {
			_, err := transformer.JSON().Decode(message.KindText, []byte(`["`+huge+`"]é`))
			return err
		}},
		{"model unknown field", true, func() error {
			_, err := transformer.Model[calc, calc]().Decode(message.KindText, []byte(`{"`+huge+`":1}`))
			return err
		}},
		{"model missing field", true, func() error {
			type long struct {
				F int `json:"éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé,required"`
			}
			_, err := transformer.Model[long, long]().Decode(message.KindText, []byte(`{}`))
			return err
		}},
		{"model validation", true, func() error {
			_, err := transformer.Model[longValidator, longValidator]().Decode(message.KindBinary, []byte(`{"s":"`+huge+`"}`))
			return err
		}},
		{"map", true, func() error {
			tr := transformer.Map(transformer.JSON(),
				func(m json.RawMessage) (string, error) { return "", errors.New(string(m)) },
				func(s string) (json.RawMessage, error) { return nil, nil })
			_, err := tr.Decode(message.KindText, []byte(`"`+huge+`"`))
			return err
		}},
	}
	for _, d := range decoders {
		t.Run(d.name, func(t *testing.T) {
			ce := requireClose(t, d.decode(), message.InvalidPayload)
			require.NotEmpty(t, ce.Reason)
			if !d.long {
				return
			}
			require.Greater(t, len(ce.Reason), message.MaxReasonLen-4, "the reason is cut near the limit, not dropped: %q", ce.Reason)
		})
	}
}

func TestRawCloseReasonIsTrimmed(t *testing.T) {
	_, _, err := transformer.Raw().Encode(nil, message.Close{Code: 4000, Reason: strings.Repeat("€", 100)})
	ce := requireClose(t, err, 4000)
	require.Equal(t, strings.Repeat("€", 41), ce.Reason)
}
