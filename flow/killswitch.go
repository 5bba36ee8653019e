package flow

import (
	"sync"
)

// KillSwitch ends running flows from outside: Akka's SharedKillSwitch.
// Place KillSwitched(k) in any number of flows, on any number of sockets;
// Shutdown completes them all (sockets close with 1000 once what was
// emitted has been written) and Abort fails them all, for instance to
// close every socket of a user who has logged out. A flow started after
// the switch has fired ends at once. It is safe for use by several
// goroutines; its zero value is ready to use.
type KillSwitch struct {
	once sync.Once
	mu   sync.Mutex
	done chan struct{}
	err  error
}

// NewKillSwitch returns a KillSwitch that has not fired.
func NewKillSwitch() *KillSwitch { return &KillSwitch{} }

// Shutdown completes every flow the switch guards. Only the first
// Shutdown or Abort has an effect.
func (k *KillSwitch) Shutdown() { k.fire(nil) }

// Abort fails every flow the switch guards with err (a *message.CloseError
// closes a socket with its code; nil is taken as Shutdown). Only the first
// Shutdown or Abort has an effect.
func (k *KillSwitch) Abort(err error) { k.fire(err) }

func (k *KillSwitch) fire(err error) {
	ch := k.fired()
	k.once.Do(func() {
		k.mu.Lock()
		k.err = err
		k.mu.Unlock()
		close(ch)
	})
}

// fired returns the channel closed when the switch fires.
func (k *KillSwitch) fired() chan struct{} {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.done == nil {
		k.done = make(chan struct{})
	}
	return k.done
}

func (k *KillSwitch) reason() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.err
}

// KillSwitched passes elements through until k fires, then completes
// (Shutdown) or fails (Abort) at once; elements still upstream are
// discarded, and the stages before it are cancelled when the run stops.
// Put it last in a socket's flow: Via(f, KillSwitched[T](k)). It runs on
// a goroutine of its own; back-pressure passes through it.
func KillSwitched[T any](k *KillSwitch) Flow[T, T] {
	needFunc("KillSwitched", "k", k == nil)
	return Flow[T, T]{open: func(s scope, out outlet[T]) inlet[T] {
		fired := k.fired()
		return detach(s, out, 0, Backpressure, nil, func(s scope, in <-chan T, emit func(T) error) error {
			for {
				select {
				case v, ok := <-in:
					if !ok {
						return nil
					}
					if err := emit(v); err != nil {
						return err
					}
				case <-fired:
					return k.reason()
				case <-s.ctx.Done():
					return s.ctx.Err()
				}
			}
		})
	}}
}
