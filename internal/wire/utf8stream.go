package wire

import "unicode/utf8"

// utf8Stream checks that bytes fed to it in pieces are UTF-8, a code
// point cut between two pieces included: it keeps the start of a code
// point that a piece ends in until the next piece completes it.
type utf8Stream struct {
	cut [utf8.UTFMax]byte // the start of a code point the last piece ended in
	n   int
}

// feed reports whether p, following what was fed before, can still be
// UTF-8: false as soon as no bytes that could follow would make it so.
func (u *utf8Stream) feed(p []byte) bool {
	for u.n > 0 && len(p) > 0 {
		u.cut[u.n] = p[0]
		u.n++
		p = p[1:]
		if utf8.FullRune(u.cut[:u.n]) {
			if !utf8.Valid(u.cut[:u.n]) {
				return false
			}
			u.n = 0
		}
	}
	if u.n > 0 {
		return true // p ended before the code point did
	}
	// A code point cut at p's end starts in its last three bytes; an
	// encoding that cannot be completed counts as a full rune, and fails.
	end := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				end = i
			}
			break
		}
	}
	if !utf8.Valid(p[:end]) {
		return false
	}
	u.n = copy(u.cut[:], p[end:])
	return true
}

// whole reports whether what was fed ends where a code point ends, and
// starts afresh.
func (u *utf8Stream) whole() bool {
	ok := u.n == 0
	u.n = 0
	return ok
}
