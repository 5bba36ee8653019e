//go:build !unix

package wire

const canReadRaw = false

func (rr *rawRead) read(uintptr) bool { return true }

// discardArrived drops what the input holds; without a file descriptor
// to read without waiting, what the operating system holds stays.
func (in *input) discardArrived() { in.release() }
