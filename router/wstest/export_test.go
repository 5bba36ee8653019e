package wstest

import "time"

// SetHandlerWait shortens Server.Close's wait for running handlers, for
// the kit's own tests; it returns a function that restores it.
func SetHandlerWait(d time.Duration) (restore func()) {
	old := handlerWait
	handlerWait = d
	return func() { handlerWait = old }
}
