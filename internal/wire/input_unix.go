//go:build unix

package wire

import (
	"os"
	"syscall"
)

const canReadRaw = true

// read reads from fd into a buffer of the pool; when nothing is there
// yet it gives the buffer back and asks to wait (returns false), or, with
// nowait, reports it.
func (rr *rawRead) read(fd uintptr) bool {
	bp := inputPool.Get().(*[]byte)
	for {
		n, err := syscall.Read(int(fd), *bp)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			inputPool.Put(bp)
			rr.waited = rr.nowait
			return rr.nowait
		case err != nil:
			inputPool.Put(bp)
			rr.err = os.NewSyscallError("read", err)
		case n == 0:
			inputPool.Put(bp)
		default:
			in := rr.in
			in.buf, in.r, in.w = bp, 0, n
			rr.n = n
		}
		return true
	}
}

// discardArrived reads and drops what has arrived on the connection,
// without waiting for more.
func (in *input) discardArrived() {
	in.release()
	if in.raw == nil {
		return
	}
	in.raw.Read(func(fd uintptr) bool {
		var scratch [4096]byte
		for {
			n, err := syscall.Read(int(fd), scratch[:])
			if err == syscall.EINTR {
				continue
			}
			if err != nil || n == 0 {
				return true
			}
		}
	})
}
