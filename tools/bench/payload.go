package bench

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// MinSize is the smallest message the bench sends: the header that
// numbers it must fit.
const MinSize = headerLen

// A message's payload is a header naming its connection and sequence
// number, "cccccccc:ssssssssssssssss:" in hex, followed by letters whose
// phase depends on both, so that an echo from the wrong connection, out
// of order, truncated or altered anywhere differs from the one expected.
const headerLen = 8 + 1 + 16 + 1

// alphabet is the filler's 62 letters: printable ASCII, so a payload is
// valid UTF-8 and may go as a text message. fillerCache repeats it far
// enough that the filler of any message, at any phase, is one copy.
const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

var fillerCache = strings.Repeat(alphabet, 1+64<<10/len(alphabet))

// fillPayload writes message seq of connection conn into buf, whose length
// is the message size (at least MinSize, at most 64 KiB).
func fillPayload(buf []byte, conn int, seq uint64) {
	const hexDigits = "0123456789abcdef"
	c := uint32(conn)
	for i := 7; i >= 0; i-- {
		buf[i] = hexDigits[c&0xf]
		c >>= 4
	}
	buf[8] = ':'
	s := seq
	for i := 8 + 16; i >= 9; i-- {
		buf[i] = hexDigits[s&0xf]
		s >>= 4
	}
	buf[headerLen-1] = ':'
	phase := (seq*7 + uint64(conn)*13) % uint64(len(alphabet))
	copy(buf[headerLen:], fillerCache[phase:])
}

// orderChecker checks the echoes of one connection: each must be exactly
// the next message the connection sent.
type orderChecker struct {
	conn int
	next uint64 // sequence number of the next echo expected
	want []byte // scratch: the expected payload
}

func newOrderChecker(conn, size int) *orderChecker {
	return &orderChecker{conn: conn, want: make([]byte, size)}
}

// check compares an echo with the next message expected and moves on.
func (c *orderChecker) check(got []byte) error {
	fillPayload(c.want, c.conn, c.next)
	if !bytes.Equal(got, c.want) {
		return &MismatchError{Conn: c.conn, Seq: c.next, Want: bytes.Clone(c.want), Got: bytes.Clone(got)}
	}
	c.next++
	return nil
}

// MismatchError is an echo that is not the message expected: the server
// altered, lost, reordered or invented a message.
type MismatchError struct {
	Conn      int
	Seq       uint64 // the sequence number expected
	Want, Got []byte
}

// Error says which echo differed from what was sent, and how.
func (e *MismatchError) Error() string {
	what := "differs"
	switch {
	case len(e.Got) != len(e.Want):
		what = fmt.Sprintf("is %d bytes, want %d", len(e.Got), len(e.Want))
	case len(e.Got) >= headerLen && string(e.Got[:9]) == string(e.Want[:9]):
		if seq, err := strconv.ParseUint(string(e.Got[9:headerLen-1]), 16, 64); err == nil && seq != e.Seq {
			what = fmt.Sprintf("is message %d: out of order", seq)
			break
		}
		fallthrough
	default:
		i := 0
		for i < len(e.Got) && e.Got[i] == e.Want[i] {
			i++
		}
		what = fmt.Sprintf("differs from byte %d", i)
	}
	return fmt.Sprintf("echo mismatch on connection %d: the echo of message %d %s (got %q)", e.Conn, e.Seq, what, clip(e.Got, 40))
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
