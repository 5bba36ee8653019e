package flow

import (
	"fmt"
	"time"
)

// An argument no run could use is a programmer's error: like
// time.NewTicker and http.Handle, an operator refuses it where it is
// written, by panicking with a message that names the operator and the
// argument, rather than failing each connection later.

// refuse panics with the message of an operator's bad argument.
func refuse(op, format string, args ...any) {
	panic("flow." + op + ": " + fmt.Sprintf(format, args...))
}

// needFunc refuses a nil function (or channel, or pointer) arg of op.
func needFunc(op, arg string, isNil bool) {
	if isNil {
		refuse(op, "nil %s", arg)
	}
}

// needPositive refuses an arg of op that is not positive.
func needPositive[N int | time.Duration](op, arg string, v N) {
	if v <= 0 {
		refuse(op, "non-positive %s %v", arg, v)
	}
}

// needStrategy refuses an Overflow that is none of the strategies.
func needStrategy(op, arg string, o Overflow) {
	if o < Backpressure || o > Fail {
		refuse(op, "unknown %s %v", arg, o)
	}
}
