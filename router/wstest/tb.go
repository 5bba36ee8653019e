package wstest

import (
	"fmt"
	"runtime"
	"sync"
)

// TB is the part of testing.TB the kit uses. *testing.T, *testing.B,
// *testing.F and testing.TB satisfy it, and so does the stand-in that
// RunExample passes to its function.
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// RunExample runs f with a stand-in for *testing.T, for Example functions,
// which have none. A failure is printed to standard output, prefixed with
// "FAIL: ", so that the example's "// Output:" comparison fails and shows
// it; Fatalf ends f as t.Fatalf ends a test. Functions registered with
// Cleanup run when f has returned, last registered first, as in a test.
func RunExample(f func(t TB)) {
	t := &exampleTB{}
	t.call(func() { f(t) })
	for {
		fn := t.popCleanup()
		if fn == nil {
			return
		}
		t.call(fn)
	}
}

// exampleTB is the TB of RunExample.
type exampleTB struct {
	mu       sync.Mutex
	cleanups []func()
}

// call runs fn on a goroutine of its own, so that Fatalf can end it with
// runtime.Goexit, and waits for it.
func (t *exampleTB) call(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

func (t *exampleTB) popCleanup() func() {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.cleanups)
	if n == 0 {
		return nil
	}
	fn := t.cleanups[n-1]
	t.cleanups = t.cleanups[:n-1]
	return fn
}

func (t *exampleTB) Helper() {}

func (t *exampleTB) Cleanup(fn func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, fn)
}

func (t *exampleTB) Errorf(format string, args ...any) {
	fmt.Printf("FAIL: "+format+"\n", args...)
}

func (t *exampleTB) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	runtime.Goexit()
}
