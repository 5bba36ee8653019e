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

	// The result of the last raw read, set by readFd (a method value
	// made once, so that a read allocates nothing).
	readFd  func(fd uintptr) bool
	readN   int
	readErr error
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
	if in.readFd == nil {
		in.readFd = in.readRaw
	}
	in.readN, in.readErr = 0, nil
	if err := in.raw.Read(in.readFd); err != nil {
		return err
	}
	if in.readErr != nil {
		return &net.OpError{Op: "read", Net: nc.LocalAddr().Network(), Source: nc.LocalAddr(), Addr: nc.RemoteAddr(), Err: in.readErr}
	}
	if in.readN == 0 {
		return io.EOF
	}
	return nil
}

// fillNow is fill that does not wait: it reports empty when nothing has
// arrived.
func (in *input) fillNow(nc net.Conn) (empty bool, err error) {
	if in.readFd == nil {
		in.readFd = in.readRaw
	}
	in.readN, in.readErr = 0, nil
	waited := false
	if err := in.raw.Read(func(fd uintptr) bool {
		waited = !in.readFd(fd)
		return true
	}); err != nil {
		return false, err
	}
	switch {
	case waited:
		return true, nil
	case in.readErr != nil:
		return false, &net.OpError{Op: "read", Net: nc.LocalAddr().Network(), Source: nc.LocalAddr(), Addr: nc.RemoteAddr(), Err: in.readErr}
	case in.readN == 0:
		return false, io.EOF
	}
	return false, nil
}
