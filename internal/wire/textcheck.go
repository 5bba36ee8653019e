package wire

import (
	"encoding/binary"
	"errors"
	"sync/atomic"
)

// errTextNotUTF8 is what a Conn's Read returns where the bytes of an
// uncompressed text message stop being UTF-8.
var errTextNotUTF8 = errors.New("wire: a text message is not valid UTF-8")

// textCheck follows the frames a Conn reads, as they arrive from the
// network, and checks the payload of every uncompressed text message as
// UTF-8 (RFC 6455 section 8.1), so that a message that cannot be text
// fails at the byte where it stops being, not when its last frame has
// come: coder/websocket reads a frame's payload whole, and a message
// whole, before the runtime sees any of it. A compressed message (RSV1)
// can be checked only once inflated: the socket checks it whole.
type textCheck struct {
	off        bool         // a fault has been found: nothing more is checked
	compressed atomic.Bool  // a compressed data message has begun
	pongs      atomic.Int64 // pongs seen

	head  [14]byte // the header being read
	headN int

	remaining int64 // payload bytes of the current frame still to come
	key       [4]byte
	keyPos    int  // where in key the next payload byte's mask is
	masked    bool // the current frame is masked
	fin       bool // the current frame ends its message
	text      bool // the current frame's payload is checked
	inText    bool // the data message under way is checked

	utf8 utf8Stream
}

// scan follows b, the bytes read next, and returns the index in b of a
// byte at which a text message is known not to be UTF-8, or -1.
func (t *textCheck) scan(b []byte) int {
	if t.off {
		return -1
	}
	for i := 0; i < len(b); {
		if t.remaining > 0 {
			n := int(min(t.remaining, int64(len(b)-i)))
			if t.text && !t.feed(b[i:i+n]) {
				return t.fault(i)
			}
			i += n
			t.remaining -= int64(n)
			if t.remaining == 0 && !t.frameEnded() {
				return t.fault(i - 1)
			}
			continue
		}
		t.head[t.headN] = b[i]
		t.headN++
		i++
		size, payload, ok := frameSize(t.head[:t.headN])
		if !ok {
			continue
		}
		t.begin(size, payload)
		if payload == 0 && !t.frameEnded() {
			return t.fault(i - 1)
		}
	}
	return -1
}

// begin starts the frame whose header, of size bytes, is in t.head.
func (t *textCheck) begin(size int, payload int64) {
	first := t.head[0]
	op := first & 0x0f
	rsv1 := first&0x40 != 0
	switch op {
	case opText, opBinary:
		if rsv1 {
			t.compressed.Store(true)
		}
		t.inText = op == opText && !rsv1
		t.utf8.whole()
	}
	if op == opPong {
		t.pongs.Add(1)
	}
	t.text = op < 0x8 && t.inText // a control frame is not part of the message
	t.fin = first&0x80 != 0
	t.masked = t.head[1]&0x80 != 0
	if t.masked {
		copy(t.key[:], t.head[size-4:size])
	}
	t.keyPos = 0
	t.remaining = payload
	t.headN = 0
}

// frameEnded ends the current frame and reports whether the text message
// it ends, if it ends one, ends where a code point ends.
func (t *textCheck) frameEnded() bool {
	if !t.text || !t.fin {
		return true
	}
	t.inText = false
	return t.utf8.whole()
}

// fault stops the checking and returns i.
func (t *textCheck) fault(i int) int {
	t.off = true
	return i
}

// feed checks p, payload bytes of the current frame, unmasked first when
// the frame is masked.
func (t *textCheck) feed(p []byte) bool {
	if !t.masked {
		return t.utf8.feed(p)
	}
	var buf [512]byte
	for len(p) > 0 {
		n := unmask(buf[:], p, t.key, t.keyPos)
		t.keyPos = (t.keyPos + n) % 4
		if !t.utf8.feed(buf[:n]) {
			return false
		}
		p = p[n:]
	}
	return true
}

// unmask writes into dst as many bytes of src as it holds, unmasked with
// key from its byte pos on, and returns how many it wrote.
func unmask(dst, src []byte, key [4]byte, pos int) int {
	n := min(len(dst), len(src))
	var k [8]byte
	for i := range k {
		k[i] = key[(pos+i)%4]
	}
	k8 := binary.LittleEndian.Uint64(k[:])
	i := 0
	for ; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(dst[i:], binary.LittleEndian.Uint64(src[i:])^k8)
	}
	for ; i < n; i++ {
		dst[i] = src[i] ^ k[i%8]
	}
	return n
}
