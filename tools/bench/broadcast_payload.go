package bench

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// BroadcastMinSize is the smallest message broadcast sends: the header
// that numbers and times it must fit.
const BroadcastMinSize = broadcastHeaderLen

// A broadcast message's payload is that of fillPayload for the sender's
// index and the message's sequence number, with its first filler bytes
// replaced by the time it was sent, "tttttttttttttttt:" in hex
// nanoseconds since the round's start. So each delivery is checked as an
// echo is, and carries its own send time.
const broadcastHeaderLen = headerLen + 16 + 1

// fillBroadcast writes message seq of sender into buf, whose length is
// the message size (at least BroadcastMinSize), sent at at.
func fillBroadcast(buf []byte, sender int, seq uint64, at time.Duration) {
	fillPayload(buf, sender, seq)
	putSentAt(buf, at)
}

func putSentAt(buf []byte, at time.Duration) {
	const hexDigits = "0123456789abcdef"
	v := uint64(at)
	for i := headerLen + 15; i >= headerLen; i-- {
		buf[i] = hexDigits[v&0xf]
		v >>= 4
	}
	buf[broadcastHeaderLen-1] = ':'
}

// memberName is the name of member i of a broadcast round. Members 0 to
// senders-1 are the senders.
func memberName(i int) string { return "m" + strconv.Itoa(i) }

// memberIndex is the i of a name memberName(i), without allocating; -1
// for any other name.
func memberIndex(name []byte) int {
	if len(name) < 2 || len(name) > 10 || name[0] != 'm' || (name[1] == '0' && len(name) > 2) {
		return -1
	}
	i := 0
	for _, c := range name[1:] {
		if c < '0' || c > '9' {
			return -1
		}
		i = i*10 + int(c-'0')
	}
	return i
}

// broadcastChecker checks what one member of a broadcast round receives:
// from each sender, exactly its messages, in the order it sent them,
// none missing, none twice.
type broadcastChecker struct {
	member int
	next   []uint64 // by sender, the sequence number expected next
	want   []byte   // scratch: the expected payload
}

func newBroadcastChecker(member, senders, size int) *broadcastChecker {
	return &broadcastChecker{member: member, next: make([]uint64, senders), want: make([]byte, size)}
}

// check checks a message the member received from the member called
// name, and returns the sender's index and the time the message was
// sent.
func (c *broadcastChecker) check(name, got []byte) (sender int, at time.Duration, err error) {
	sender = memberIndex(name)
	if sender < 0 || sender >= len(c.next) {
		return 0, 0, &DeliveryError{Member: c.member, Sender: -1, Problem: fmt.Sprintf("a message from %q, which is not a sender", name), Got: bytes.Clone(got)}
	}
	seq := c.next[sender]
	fail := func(format string, args ...any) error {
		return &DeliveryError{Member: c.member, Sender: sender, Seq: seq, Problem: fmt.Sprintf(format, args...), Got: bytes.Clone(got)}
	}
	if len(got) != len(c.want) {
		return 0, 0, fail("message %d of m%d is %d bytes, want %d", seq, sender, len(got), len(c.want))
	}
	fillPayload(c.want, sender, seq)
	if string(got[:9]) == string(c.want[:9]) && got[headerLen-1] == ':' {
		if n, err := strconv.ParseUint(string(got[9:headerLen-1]), 16, 64); err == nil && n != seq {
			if n > seq {
				return 0, 0, fail("message %d of m%d is missing: message %d came next", seq, sender, n)
			}
			return 0, 0, fail("message %d of m%d came again, or out of order, when message %d was due", n, sender, seq)
		}
	}
	ts, err := strconv.ParseUint(string(got[headerLen:broadcastHeaderLen-1]), 16, 63)
	if err != nil || got[broadcastHeaderLen-1] != ':' {
		return 0, 0, fail("message %d of m%d has no send time", seq, sender)
	}
	at = time.Duration(ts)
	putSentAt(c.want, at)
	if !bytes.Equal(got, c.want) {
		i := 0
		for got[i] == c.want[i] {
			i++
		}
		return 0, 0, fail("message %d of m%d differs from byte %d", seq, sender, i)
	}
	c.next[sender]++
	return sender, at, nil
}

// complete reports an error unless the member has received every message
// of every sender: sent[i] messages from sender i.
func (c *broadcastChecker) complete(sent []uint64) error {
	for s, n := range sent {
		if c.next[s] != n {
			return &DeliveryError{Member: c.member, Sender: s, Seq: c.next[s],
				Problem: fmt.Sprintf("messages %d to %d of m%d are missing: sent, never delivered", c.next[s], n-1, s)}
		}
	}
	return nil
}

// DeliveryError is a message a member of a broadcast round received that
// is not the one expected, or one it never received: the server altered,
// lost, reordered, duplicated or invented a message.
type DeliveryError struct {
	Member  int    // the member that received it
	Sender  int    // the sender's index; -1 when the message names none
	Seq     uint64 // the sequence number expected from the sender
	Problem string // what was wrong
	Got     []byte // the message's text after "NAME: "; nil when none came
}

// Error says which delivery differed from what was sent, and how.
func (e *DeliveryError) Error() string {
	s := fmt.Sprintf("delivery mismatch at member m%d: %s", e.Member, e.Problem)
	if e.Got != nil {
		s += fmt.Sprintf(" (got %q)", clip(e.Got, 60))
	}
	return s
}
