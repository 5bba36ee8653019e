package wire

// frameCut follows the frames a server's Conn hands to coder/websocket and
// cuts each read at the end of the current frame, so that coder's read
// buffer never holds bytes of the next frame: once coder has read a
// message whole, everything after it is still in the Conn's input, where
// the socket can see that nothing is waiting (see Conn.Await).
type frameCut struct {
	head  [14]byte // the header being handed on
	headN int
	left  int64 // payload bytes of the current frame still to hand on
}

// limit returns how many bytes of b, the next bytes to hand on, may be
// handed in one read, and follows them as handed.
func (f *frameCut) limit(b []byte) int {
	n := 0
	for n < len(b) {
		if f.left > 0 {
			k := int(min(f.left, int64(len(b)-n)))
			n += k
			f.left -= int64(k)
			if f.left == 0 {
				return n
			}
			continue
		}
		f.head[f.headN] = b[n]
		f.headN++
		n++
		if _, payload, ok := frameSize(f.head[:f.headN]); ok {
			f.headN, f.left = 0, payload
			if payload == 0 {
				return n
			}
		}
	}
	return n
}

// atBoundary reports whether every byte handed on so far belongs to a
// whole frame.
func (f *frameCut) atBoundary() bool { return f.headN == 0 && f.left == 0 }
