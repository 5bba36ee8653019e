package message_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wsflow/wsflow/message"
)

// FuzzCloseError checks that any code and reason make a CloseError that
// can be written as it is: a sendable code, and a reason of at most 123
// bytes of valid UTF-8 that is a prefix of the reason given, when that
// was valid UTF-8, cut at most one character short.
func FuzzCloseError(f *testing.F) {
	f.Add(uint16(1000), "")
	f.Add(uint16(1005), "reserved")
	f.Add(uint16(4999), strings.Repeat("€", 50))
	f.Add(uint16(3000), "a\xff\xfeb")
	f.Fuzz(func(t *testing.T, code uint16, reason string) {
		e := message.NewCloseError(message.Code(code), reason)
		if !e.Code.Sendable() {
			t.Fatalf("code %d became unsendable %d", code, e.Code)
		}
		if message.Code(code).Sendable() != (e.Code == message.Code(code)) {
			t.Fatalf("sendable code %d changed to %d", code, e.Code)
		}
		if len(e.Reason) > message.MaxReasonLen || !utf8.ValidString(e.Reason) {
			t.Fatalf("reason %q: %d bytes, valid UTF-8 %v", e.Reason, len(e.Reason), utf8.ValidString(e.Reason))
		}
		if utf8.ValidString(reason) {
			if !strings.HasPrefix(reason, e.Reason) {
				t.Fatalf("reason %q is not a prefix of %q", e.Reason, reason)
			}
			if len(reason) > message.MaxReasonLen && len(e.Reason) <= message.MaxReasonLen-utf8.UTFMax {
				t.Fatalf("reason cut to %d bytes, more than one character short", len(e.Reason))
			}
		}
		if got := message.CloseFor(e); got != e.Close {
			t.Fatalf("CloseFor(%v) = %v", e, got)
		}
	})
}
