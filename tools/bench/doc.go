// Package bench is the engine of "wsflow-tools bench": a load generator that
// measures WebSocket servers on loopback, side by side.
//
// A run measures one or more modes against several targets, interleaved
// (A B C A B C ...), for a number of rounds, so that drift on the machine
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
//   - broadcast: N members joined to one chat room, K of them sending,
//     in a closed loop (each sender keeps W messages on their way: its
//     next once every member has the one W before it) or each at a
//     fixed rate. Reports deliveries per
//     second (a message reaching one member is one delivery) and the
//     latency from a message's send to each delivery, p50, p99 and max,
//     from the send time the message carries. Every member checks that it
//     receives, from each sender, exactly the messages sent, in order,
//     unaltered, none missing; any mismatch fails the run (see
//     MeasureBroadcast).
//
// rtt, stream and idle need an echo route; broadcast needs a chat room
// route with the protocol of the demo's /chat/{room}?name=N ("* N
// joined", "N: TEXT", "* N left", in one order for all members), which
// the demo and the gorilla-hub baseline of "wsflow-tools bench-server" serve
// (see Routes and Target.Supports).
//
// In rtt, stream and broadcast the server's CPU time per message (per
// delivery) is read from /proc/PID/stat (utime+stime) over the measured
// window: it is the primary figure, because it does not depend on how
// fast the client is. Next to it are the server's write system calls per
// message (per delivery), from /proc/PID/io's syscw: one when the server
// writes each frame on its own, fewer when it coalesces them; and the
// client's own CPU time per message.
//
// The client side uses github.com/coder/websocket with
// context.Background() for every Read and Write, the cheapest way to use
// it, and reuses its buffers: it allocates nothing per message.
package bench
