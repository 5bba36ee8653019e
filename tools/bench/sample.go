package bench

import (
	"math"
	"time"
)

// Mode is what a round measures.
type Mode string

// The modes.
const (
	RTT       Mode = "rtt"       // sequential request/response: latency
	Stream    Mode = "stream"    // a window of messages in flight: throughput
	Idle      Mode = "idle"      // connections held open: memory
	Broadcast Mode = "broadcast" // members of one room, some sending: fan-out
)

// Modes lists every mode, in the order of the usage.
var Modes = []Mode{Stream, RTT, Idle, Broadcast}

// Sample is what one round measured on one target.
type Sample struct {
	Target string
	Round  int
	Window time.Duration // length of the measured window (rtt, stream, broadcast)
	Msgs   int64         // echoes (broadcast: deliveries) received in the window
	Bytes  int64         // payload bytes echoed (delivered) in the window
	Sent   int64         // broadcast: messages the senders sent in the window

	// CPU time used during the window, user + system; ServerCPU is -1
	// when the server's process is unknown.
	ServerCPU, ClientCPU time.Duration

	// ServerWrites is how many write system calls the server made during
	// the window (/proc/PID/io's syscw): with one write(2) per message
	// sent, it equals Msgs; coalesced writes make it smaller. -1 when
	// unknown.
	ServerWrites int64

	// OtherCPU is the machine's busy CPU time during the window that is
	// neither the server's nor the client's: other processes, and kernel
	// work charged to no process (loopback TCP runs largely in softirq);
	// -1 when the server's CPU time is unknown.
	OtherCPU time.Duration

	// Latency is, in rtt, the round-trip times of messages sent in the
	// window; in broadcast, the times from a message's send to its
	// delivery to each member, for deliveries in the window.
	Latency Latency

	// Idle: the connections held, and the server's VmRSS before
	// connecting and with them all open (-1 when unknown).
	Conns               int
	RSSBefore, RSSAfter int64
	Settled             bool // both RSS readings were stable (see MeasureIdle)
}

// MsgsPerSec is the echo rate over the window.
func (s Sample) MsgsPerSec() float64 { return float64(s.Msgs) / s.Window.Seconds() }

// SentPerSec is the rate at which broadcast's senders sent, over the
// window.
func (s Sample) SentPerSec() float64 { return float64(s.Sent) / s.Window.Seconds() }

// MBPerSec is the echoed payload per second, one way, in MB (10^6 bytes).
func (s Sample) MBPerSec() float64 { return float64(s.Bytes) / 1e6 / s.Window.Seconds() }

// ServerMicrosPerMsg is the server's CPU time per echo, in µs; NaN when
// unknown.
func (s Sample) ServerMicrosPerMsg() float64 { return perMsg(s.ServerCPU, s.Msgs) }

// ServerWritesPerMsg is the server's write system calls per echo; NaN
// when unknown.
func (s Sample) ServerWritesPerMsg() float64 {
	if s.ServerWrites < 0 || s.Msgs == 0 {
		return math.NaN()
	}
	return float64(s.ServerWrites) / float64(s.Msgs)
}

// ClientMicrosPerMsg is the bench's own CPU time per echo, in µs.
func (s Sample) ClientMicrosPerMsg() float64 { return perMsg(s.ClientCPU, s.Msgs) }

// ServerLoad is the server's CPU time over the window's wall time: 1.0
// is one core busy all the time.
func (s Sample) ServerLoad() float64 {
	if s.ServerCPU < 0 {
		return math.NaN()
	}
	return s.ServerCPU.Seconds() / s.Window.Seconds()
}

// ClientLoad is the bench's CPU time over the window's wall time.
func (s Sample) ClientLoad() float64 { return s.ClientCPU.Seconds() / s.Window.Seconds() }

// OtherLoad is OtherCPU over the window's wall time.
func (s Sample) OtherLoad() float64 {
	if s.OtherCPU < 0 {
		return math.NaN()
	}
	return s.OtherCPU.Seconds() / s.Window.Seconds()
}

// KiBPerConn is the server's resident memory per idle connection, in
// KiB: (RSSAfter - RSSBefore) / Conns; NaN when unknown.
func (s Sample) KiBPerConn() float64 {
	if s.RSSBefore < 0 || s.RSSAfter < 0 || s.Conns == 0 {
		return math.NaN()
	}
	return float64(s.RSSAfter-s.RSSBefore) / 1024 / float64(s.Conns)
}

func perMsg(cpu time.Duration, msgs int64) float64 {
	if cpu < 0 || msgs == 0 {
		return math.NaN()
	}
	return float64(cpu.Nanoseconds()) / 1e3 / float64(msgs)
}
