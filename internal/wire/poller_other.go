//go:build !linux

package wire

import (
	"errors"
	"syscall"
)

// canPark reports whether sockets can wait for their peers in the poller:
// elsewhere than on Linux, a socket's reader waits in its read.
const canPark = false

type poller struct{}

type waker interface{ wake() }

func getPoller() (*poller, error) { return nil, errors.New("wire: no poller on this system") }

func (p *poller) park(syscall.RawConn, waker) (int32, error) {
	return 0, errors.New("wire: no poller on this system")
}

func (p *poller) forget(int32) {}
