package wire

import "sync"

// heldOut is the buffer a Conn keeps frames in while it is held. Its
// memory comes from a pool when the first frame is kept and goes back
// once they are written, so that a connection that is not writing holds
// none.
type heldOut struct {
	buf *[]byte // nil while empty
}

var heldPool = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// Write appends p.
func (h *heldOut) Write(p []byte) (int, error) {
	if h.buf == nil {
		h.buf = heldPool.Get().(*[]byte)
	}
	*h.buf = append(*h.buf, p...)
	return len(p), nil
}

func (h *heldOut) empty() bool { return h.buf == nil || len(*h.buf) == 0 }

func (h *heldOut) len() int {
	if h.buf == nil {
		return 0
	}
	return len(*h.buf)
}

func (h *heldOut) bytes() []byte { return *h.buf }

// reset empties the buffer and gives its memory back to the pool.
func (h *heldOut) reset() {
	if h.buf == nil {
		return
	}
	if cap(*h.buf) <= 2*maxHeld {
		*h.buf = (*h.buf)[:0]
		heldPool.Put(h.buf)
	}
	h.buf = nil
}
