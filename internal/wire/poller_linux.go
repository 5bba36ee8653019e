//go:build linux

package wire

import (
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// canPark reports whether sockets can wait for their peers in the poller.
const canPark = true

// poller watches the connections of parked sockets for input with an
// epoll instance of its own, so that a socket waiting for its peer holds
// no goroutine: each connection is registered one-shot, and the first
// input wakes its socket on a fresh goroutine. The epoll descriptor is
// itself waited on in the runtime's netpoller by one goroutine, which
// runs only while some socket is parked.
type poller struct {
	mu      sync.Mutex
	epfd    int
	file    *os.File // epfd, as the runtime's netpoller sees it
	raw     syscall.RawConn
	waiting map[int32]waker // by registration
	next    int32
	running bool // the goroutine of loop runs
}

// waker is a parked socket as the poller sees it.
type waker interface{ wake() }

var (
	pollerOnce sync.Once
	thePoller  *poller
	pollerErr  error
)

// getPoller returns the process's poller, made when first needed.
func getPoller() (*poller, error) {
	pollerOnce.Do(func() {
		fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			pollerErr = os.NewSyscallError("epoll_create1", err)
			return
		}
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fd)
			pollerErr = os.NewSyscallError("fcntl", err)
			return
		}
		f := os.NewFile(uintptr(fd), "wire-poller")
		raw, err := f.SyscallConn()
		if err != nil {
			f.Close()
			pollerErr = err
			return
		}
		thePoller = &poller{epfd: fd, file: f, raw: raw, waiting: make(map[int32]waker)}
	})
	return thePoller, pollerErr
}

// park registers the connection raw reads from for one wake of w, the
// first time it has input, an end or an error. It returns the
// registration, for forget.
func (p *poller) park(raw syscall.RawConn, w waker) (int32, error) {
	p.mu.Lock()
	for {
		p.next++
		if _, used := p.waiting[p.next]; !used && p.next != 0 {
			break
		}
	}
	id := p.next
	p.waiting[id] = w
	if !p.running {
		p.running = true
		go p.loop()
	}
	p.mu.Unlock()
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT, Fd: id}
	var err error
	cerr := raw.Control(func(fd uintptr) {
		// Re-armed if it was registered before (a one-shot registration
		// stays, disarmed, until the descriptor is closed), else added.
		err = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, int(fd), &ev)
		if err == unix.ENOENT {
			err = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, int(fd), &ev)
		}
	})
	if cerr != nil {
		err = cerr
	} else if err != nil {
		err = os.NewSyscallError("epoll_ctl", err)
	}
	if err != nil {
		p.forget(id)
		return 0, err
	}
	return id, nil
}

// forget drops registration id: its socket will not be woken by it. The
// descriptor stays registered, disarmed or not, until it is closed;
// input on it then wakes nothing.
func (p *poller) forget(id int32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.waiting, id)
	if len(p.waiting) == 0 && p.running {
		p.file.SetReadDeadline(time.Now()) // loop sees it and ends
	}
}

// loop wakes the sockets whose connections have input until no socket is
// parked.
func (p *poller) loop() {
	var events [128]unix.EpollEvent
	wakes := make([]waker, 0, len(events))
	for {
		n := 0
		err := p.raw.Read(func(fd uintptr) bool {
			var err error
			n, err = unix.EpollWait(int(fd), events[:], 0)
			if err != nil {
				n = 0
			}
			return n > 0
		})
		p.mu.Lock()
		for _, ev := range events[:n] {
			if w, ok := p.waiting[ev.Fd]; ok {
				delete(p.waiting, ev.Fd)
				wakes = append(wakes, w)
			}
		}
		if len(p.waiting) == 0 {
			p.running = false
			p.mu.Unlock()
			for _, w := range wakes {
				go w.wake()
			}
			return
		}
		if err != nil {
			// The deadline forget set, since when a socket has parked.
			p.file.SetReadDeadline(time.Time{})
		}
		p.mu.Unlock()
		for i, w := range wakes {
			go w.wake()
			wakes[i] = nil
		}
		wakes = wakes[:0]
	}
}
