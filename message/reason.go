package message

import (
	"strconv"
	"unicode/utf8"
)

// MaxReasonLen is the longest close reason, in bytes, that fits a close
// frame: a control frame carries at most 125 bytes, two of them the code.
const MaxReasonLen = 123

// TrimReason returns reason cut to at most MaxReasonLen bytes, never inside
// a UTF-8 character. Invalid UTF-8 is replaced by U+FFFD first, because a
// close reason must be valid UTF-8.
func TrimReason(reason string) string {
	if !utf8.ValidString(reason) {
		reason = toValidUTF8(reason)
	}
	if len(reason) <= MaxReasonLen {
		return reason
	}
	cut := MaxReasonLen
	for cut > 0 && !utf8.RuneStart(reason[cut]) {
		cut--
	}
	return reason[:cut]
}

func toValidUTF8(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		out = append(out, r) // range yields U+FFFD for each invalid byte
	}
	return string(out)
}

// quote quotes s for messages meant for people.
func quote(s string) string { return strconv.Quote(s) }
