package transformer_test

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/internal/flowrun"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

func TestDecodeLentSharesThePayload(t *testing.T) {
	payload := []byte("hello")
	s, err := transformer.String().(flowrun.Lender[string]).DecodeLent(message.KindText, payload)
	require.NoError(t, err)
	require.Equal(t, "hello", s)
	require.Equal(t, unsafe.SliceData(payload), unsafe.StringData(s), "no copy")

	b, err := transformer.Bytes().(flowrun.Lender[[]byte]).DecodeLent(message.KindBinary, payload)
	require.NoError(t, err)
	require.Equal(t, unsafe.SliceData(payload), unsafe.SliceData(b), "no copy")

	// The kinds are checked as Decode checks them.
	_, err = transformer.String().(flowrun.Lender[string]).DecodeLent(message.KindBinary, payload)
	require.ErrorAs(t, err, new(*message.CloseError))
	_, err = transformer.Bytes().(flowrun.Lender[[]byte]).DecodeLent(message.KindText, payload)
	require.ErrorAs(t, err, new(*message.CloseError))
}
