package message_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/message"
)

func TestSendable(t *testing.T) {
	sendable := map[message.Code]bool{}
	for c := message.Code(1000); c <= 1003; c++ {
		sendable[c] = true
	}
	for c := message.Code(1007); c <= 1014; c++ {
		sendable[c] = true
	}
	for c := message.Code(0); c < 6000; c++ {
		want := sendable[c] || (c >= 3000 && c <= 4999)
		require.Equal(t, want, c.Sendable(), "code %d", c)
	}
}

func TestCodeString(t *testing.T) {
	assert.Equal(t, "1000 normal closure", message.NormalClosure.String())
	assert.Equal(t, "1011 internal error", message.InternalError.String())
	assert.Equal(t, "4001", message.Code(4001).String())
}

func TestTrimReason(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"short", "bye", "bye"},
		{"exactly 123", strings.Repeat("a", 123), strings.Repeat("a", 123)},
		{"124 ASCII", strings.Repeat("a", 124), strings.Repeat("a", 123)},
		// 122 bytes then a 3-byte character: cutting at 123 would split it.
		{"no split of a 3-byte char", strings.Repeat("a", 122) + "€", strings.Repeat("a", 122)},
		{"no split of a 4-byte char", strings.Repeat("a", 121) + "😀b", strings.Repeat("a", 121)},
		{"invalid UTF-8 replaced", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := message.TrimReason(tt.in)
			require.Equal(t, tt.want, got)
			require.LessOrEqual(t, len(got), message.MaxReasonLen)
			require.True(t, utf8.ValidString(got))
		})
	}
}

func TestTrimReasonAllCutPoints(t *testing.T) {
	for pad := 0; pad < 8; pad++ {
		s := strings.Repeat("x", pad) + strings.Repeat("é€😀", 20)
		got := message.TrimReason(s)
		require.True(t, utf8.ValidString(got), "pad %d", pad)
		require.LessOrEqual(t, len(got), message.MaxReasonLen)
		require.True(t, strings.HasPrefix(s, got))
		require.Greater(t, len(got), message.MaxReasonLen-4, "cut no more than one character")
	}
}

func TestNewCloseError(t *testing.T) {
	e := message.NewCloseError(message.PolicyViolation, strings.Repeat("ü", 100))
	require.Equal(t, message.PolicyViolation, e.Code)
	require.LessOrEqual(t, len(e.Reason), message.MaxReasonLen)

	for _, c := range []message.Code{0, 999, 1004, 1005, 1006, 1015, 2999, 5000} {
		require.Equal(t, message.InternalError, message.NewCloseError(c, "x").Code, "code %d", c)
	}
	require.Equal(t, message.Code(4999), message.Errorf(4999, "n=%d", 7).Code)
	require.Equal(t, "n=7", message.Errorf(4999, "n=%d", 7).Reason)
}

func TestCloseFor(t *testing.T) {
	wrapped := fmt.Errorf("context: %w", message.NewCloseError(4001, "custom"))
	tests := []struct {
		name string
		err  error
		want message.Close
	}{
		{"completed", nil, message.Close{Code: message.NormalClosure}},
		{"close error", message.NewCloseError(message.PolicyViolation, "no"), message.Close{Code: message.PolicyViolation, Reason: "no"}},
		{"wrapped close error", wrapped, message.Close{Code: 4001, Reason: "custom"}},
		{"ordinary error hides its text", errors.New("secret-detail"), message.Close{Code: message.InternalError, Reason: "internal error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, message.CloseFor(tt.err))
		})
	}
}

func TestCloseErrorAs(t *testing.T) {
	var ce *message.CloseError
	err := fmt.Errorf("x: %w", message.NewCloseError(message.GoingAway, "going away"))
	require.ErrorAs(t, err, &ce)
	require.Equal(t, `websocket closed: 1001 going away: "going away"`, ce.Error())
}

func TestCheckText(t *testing.T) {
	require.NoError(t, message.CheckText([]byte("héllo")))
	require.NoError(t, message.CheckText(nil))
	err := message.CheckText([]byte{'a', 0xc3})
	var ce *message.CloseError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, message.InvalidPayload, ce.Code)
}

func TestKinds(t *testing.T) {
	msgs := []message.Message{message.Text("a"), message.Binary{1}, message.Ping{}, message.Pong{}, message.Close{}}
	kinds := []message.Kind{message.KindText, message.KindBinary, message.KindPing, message.KindPong, message.KindClose}
	names := []string{"text", "binary", "ping", "pong", "close"}
	for i, m := range msgs {
		require.Equal(t, kinds[i], m.Kind())
		require.Equal(t, names[i], m.Kind().String())
	}
	require.Equal(t, "unknown", message.Kind(0).String())
}
