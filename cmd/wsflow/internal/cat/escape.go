package cat

import "unicode/utf8"

// appendEscaped appends s to dst with what a terminal would act upon
// written as an escape: the C0 control characters but the newline, which
// ends a line as it should (ESC as \x1b, a carriage return as \x0d), DEL
// (\x7f), the C1 control characters (\u009b), and the bytes that are not
// UTF-8 (\xff), which a terminal could take for C1 controls. A server's
// text then cannot move the cursor, rewrite the screen or the window's
// title, or answer for the user.
func appendEscaped(dst []byte, s string) []byte {
	const digits = "0123456789abcdef"
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, '\\', 'x', digits[s[0]>>4], digits[s[0]&0xf])
		case r < 0x20 && r != '\n', r == 0x7f:
			dst = append(dst, '\\', 'x', digits[r>>4], digits[r&0xf])
		case r >= 0x80 && r < 0xa0:
			dst = append(dst, '\\', 'u', '0', '0', digits[r>>4], digits[r&0xf])
		default:
			dst = append(dst, s[:size]...)
		}
		s = s[size:]
	}
	return dst
}

// escaped returns s with appendEscaped's escapes.
func escaped(s string) string { return string(appendEscaped(nil, s)) }
