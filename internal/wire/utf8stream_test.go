package wire

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// canContinue reports whether some bytes appended to p make it UTF-8.
func canContinue(p []byte) bool {
	if utf8.Valid(p) {
		return true
	}
	conts := []byte{0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf}
	for _, a := range conts {
		if utf8.Valid(append(p[:len(p):len(p)], a)) {
			return true
		}
		for _, b := range conts {
			for _, c := range conts {
				if utf8.Valid(append(p[:len(p):len(p)], a, b)) || utf8.Valid(append(p[:len(p):len(p)], a, b, c)) {
					return true
				}
			}
		}
	}
	return false
}

// Fed in two pieces cut anywhere, a byte at a time too, the stream fails
// exactly at the first byte after which no bytes can make the text UTF-8,
// and its end is whole exactly when the text is UTF-8.
func TestUTF8Stream(t *testing.T) {
	texts := []string{
		"", "abc", "✓", "h€llo ✓ 😀", "\xe2\x9c", "\xf4\x90\x80\x80", "\xf4\x8f\xbf\xbf",
		"a\x80b", "a\xffb", "\xed\xa0\x80", "\xc0\xaf", "\xe0\x80\xaf", "😀\xf0\x9f", "\xf0\x9f\x98(",
	}
	for _, s := range texts {
		p := []byte(s)
		// The first prefix that cannot be continued: the stream's fault.
		fault := -1
		for i := 1; i <= len(p); i++ {
			if !canContinue(p[:i]) {
				fault = i - 1
				break
			}
		}
		for cut := 0; cut <= len(p); cut++ {
			var u utf8Stream
			got := -1
			if !u.feed(p[:cut]) {
				got = cut - 1
			} else if !u.feed(p[cut:]) {
				got = len(p) - 1
			}
			if got >= 0 {
				require.True(t, fault >= 0 && fault < len(p), "%q cut at %d: a fault in valid text", s, cut)
				require.GreaterOrEqual(t, got, fault, "%q cut at %d", s, cut)
				continue
			}
			require.Equal(t, utf8.Valid(p), u.whole(), "%q cut at %d", s, cut)
			if fault >= 0 {
				require.Less(t, cut-1, fault, "%q cut at %d: the fault was in the first piece", s, cut)
			}
		}
		var u utf8Stream
		for i := range p {
			if !u.feed(p[i : i+1]) {
				require.Equal(t, fault, i, "%q a byte at a time", s)
				break
			}
			require.True(t, fault < 0 || i < fault, "%q a byte at a time: %d passed", s, i)
		}
	}
}
