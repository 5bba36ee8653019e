package wire

import (
	"io"
	"net"
	"sync"
	"syscall"
)

// input is a Conn's read buffer: frames are read from the network in
// reads of up to inputSize bytes, and handed to coder/websocket from
// memory. Its memory comes from a pool for each read and goes back once
// what it holds has been handed on, so that a connection waiting for data
// holds none: on a connection with a file descriptor the wait happens
// before a buffer is taken (syscall.RawConn's read-readiness wait); on
// others (TLS) the wait holds one.
//
// A Conn's reads are never concurrent: coder/websocket makes them under
// its read lock.
type input struct {
	raw  syscall.RawConn // nil: read through the net.Conn
	buf  *[]byte         // what was read; nil when all of it has been handed on
	r, w int             // handed on up to r, read up to w
}

// inputSize is the size of one read from the network.
const inputSize = 16 << 10

var inputPool = sync.Pool{New: func() any { b := make([]byte, inputSize); return &b }}

// newInput returns the input of nc, read through its file descriptor
// when it has one.
func newInput(nc net.Conn) input {
	var in input
	if sc, ok := nc.(syscall.Conn); ok && canReadRaw {
		if raw, err := sc.SyscallConn(); err == nil {
			in.raw = raw
		}
	}
	return in
}

// rawRead is one read from a connection's file descriptor, under
// syscall.RawConn's Read, and its result. It comes from a pool with its
// read function made once, so that a read allocates nothing and a
// connection between reads holds none of it.
type rawRead struct {
	in     *input
	fn     func(fd uintptr) bool // read
	nowait bool                  // report nothing arrived rather than wait
	waited bool                  // nothing had arrived (nowait)
	n      int
	err    error
}

var rawReadPool = sync.Pool{New: func() any {
	rr := new(rawRead)
	rr.fn = rr.read
	return rr
}}

// readRaw reads from the input's file descriptor, nc's, waiting for data
// unless nowait, and returns how many bytes came (0: the peer's end) and
// whether nothing had arrived (nowait only).
func (in *input) readRaw(nc net.Conn, nowait bool) (n int, waited bool, err error) {
	rr := rawReadPool.Get().(*rawRead)
	rr.in, rr.nowait = in, nowait
	err = in.raw.Read(rr.fn)
	n, waited = rr.n, rr.waited
	if err == nil && rr.err != nil {
		err = &net.OpError{Op: "read", Net: nc.LocalAddr().Network(), Source: nc.LocalAddr(), Addr: nc.RemoteAddr(), Err: rr.err}
	}
	*rr = rawRead{fn: rr.fn}
	rawReadPool.Put(rr)
	return n, waited, err
}

// buffered returns the bytes read and not yet handed on.
func (in *input) buffered() int { return in.w - in.r }

// take copies what is buffered into p and returns how much it copied.
func (in *input) take(p []byte) int {
	n := copy(p, (*in.buf)[in.r:in.w])
	in.r += n
	if in.r == in.w {
		in.release()
	}
	return n
}

// release gives the buffer back to the pool.
func (in *input) release() {
	if in.buf != nil {
		inputPool.Put(in.buf)
	}
	in.buf, in.r, in.w = nil, 0, 0
}

// preload puts b, bytes read before the Conn took over, first in line.
func (in *input) preload(b []byte) {
	if len(b) == 0 {
		return
	}
	bp := inputPool.Get().(*[]byte)
	if len(b) > len(*bp) {
		*bp = make([]byte, len(b))
	}
	in.buf, in.r, in.w = bp, 0, copy(*bp, b)
}

// fill reads from nc into a buffer of the pool once data is there, and
// returns the read's error (with no data: io.EOF at the peer's end).
func (in *input) fill(nc net.Conn) error {
	if in.raw == nil {
		bp := inputPool.Get().(*[]byte)
		n, err := nc.Read(*bp)
		if n == 0 {
			inputPool.Put(bp)
			return err
		}
		in.buf, in.r, in.w = bp, 0, n
		return nil // an error with data comes again with the next read
	}
	n, _, err := in.readRaw(nc, false)
	switch {
	case err != nil:
		return err
	case n == 0:
		return io.EOF
	}
	return nil
}

// fillNow is fill that does not wait: it reports empty when nothing has
// arrived.
func (in *input) fillNow(nc net.Conn) (empty bool, err error) {
	n, waited, err := in.readRaw(nc, true)
	switch {
	case err != nil:
		return false, err
	case waited:
		return true, nil
	case n == 0:
		return false, io.EOF
	}
	return false, nil
}
