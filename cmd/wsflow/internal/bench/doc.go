// Package bench is the engine of "wsflow bench": a load generator that
// measures WebSocket echo servers on loopback, side by side.
//
// A run measures one or more modes against several targets, interleaved
// (A B C A B C ...) for a number of rounds, so that drift on the machine
// (thermal, other load) falls on every target alike; it reports each
// figure's median over the rounds and its ratio to a baseline target.
//
// The modes:
//
//   - rtt: C connections, each doing sequential request/response. Reports
//     messages per second and round-trip latency p50, p90, p99 and max.
//   - stream: C connections with W messages in flight on each. Reports
//     messages per second and payload MB/s; every echo is checked for
//     content and order, and any mismatch fails the run.
//   - idle: N connections held open. Reports the server's resident memory
//     per connection (see MeasureIdle for how it is taken).
//
// In rtt and stream the server's CPU time per message is read from
// /proc/PID/stat (utime+stime) over the measured window: it is the
// primary figure, because it does not depend on how fast the client is.
// The client's own CPU time per message is reported next to it.
//
// The client side uses github.com/coder/websocket with
// context.Background() for every Read and Write, the cheapest way to use
// it, and reuses its buffers: it allocates nothing per message.
package bench
