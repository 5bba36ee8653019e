// Package flow describes WebSocket behaviour as streams: a Source emits
// values, a Sink consumes them, and a Flow turns a stream of incoming
// messages into a stream of outgoing ones, as in Play's Flow API.
//
// # Sources
//
//   - Just emits the given values, then completes.
//   - Empty completes at once; Failed fails at once.
//   - FromChannel emits what arrives on a channel until it is closed.
//   - Tick emits a value every interval; TickFrom after an initial delay
//     first (Akka's Source.tick); TickTime emits the time of each tick.
//   - Merge interleaves sources as their elements come.
//   - Concat runs sources one after the other.
//   - Zip pairs the n-th elements of two sources.
//   - Through passes a source through a flow.
//   - SourceFunc makes a source of a function of your own.
//
// # Fused operators (no goroutine, no allocation per element)
//
//   - Identity passes elements through: the echo socket.
//   - Map applies a function; MapErr one that may fail.
//   - Filter keeps the elements a predicate accepts.
//   - Scan emits a running accumulation.
//   - Take passes the first n elements, then completes.
//   - TakeWhile passes elements while a predicate holds, then completes.
//   - Drop discards the first n elements.
//   - MapConcat emits the elements of the slice a function returns.
//   - Recover turns a failure upstream into a last element and completion.
//   - Via connects two flows; Chain connects any number of one element type.
//
// # Detached operators (a goroutine per run)
//
//   - MapAsync calls a function up to n at a time, results in input order.
//   - MapAsyncUnordered does the same, results as they finish.
//   - Buffer holds up to n elements for a slow downstream, with an Overflow strategy.
//   - Throttle delays elements to a rate with bursts, never dropping.
//   - Debounce emits an element only after a quiet spell.
//   - GroupedWithin emits slices of up to n elements or what came within d.
//   - KeepAlive injects a heartbeat element whenever the output is idle.
//   - IdleTimeout fails with ErrIdleTimeout when no element came for d.
//   - CompletionTimeout fails with ErrCompletionTimeout unless complete within d.
//   - KillSwitched completes or fails flows when a KillSwitch fires.
//   - StageFunc makes a stage of a function of your own.
//
// # Composition
//
//   - Wrap makes a flow of an unconnected sink and source (Play's fromSinkAndSource).
//   - Combine sends input to several flows and merges their outputs.
//   - Prepend emits a source's elements before a flow's own.
//   - Defer builds a flow anew for each run.
//   - Flow.OnDone runs a hook once a run has stopped.
//
// # Sinks
//
//   - ForEach calls a function with each element; ForEachErr one that may fail.
//   - Ignore discards everything.
//   - To passes elements through a flow into a sink.
//   - Sink.OnDone runs a hook once a run has stopped.
//
// # The other faces of the same engine
//
//   - Actor runs one actor per connection with a mailbox (Play's ActorFlow).
//   - Callbacks makes a socket of callbacks (Play Java's onReady(in, out)).
//
// # How a flow runs
//
// Sources, sinks and flows are blueprints. They do nothing until they are
// run, once per connection, with that connection's context: one
// package-level flow can serve any number of sockets. Everything a running
// flow starts (goroutines, timers) ends when it stops.
//
// Stages whose work is a plain function of each element are fused: an
// element passes through all of them in one chain of function calls on
// the goroutine that delivered it, with no hand-off, no buffer and no
// allocation. Stages that produce on their own (sources, the detached
// operators) run on goroutines of their own. Back-pressure is end to
// end: a stage that is not ready blocks the stage feeding it. Every
// buffer has a size and an Overflow strategy.
//
// A fused function should not wait (on the network, a database, a
// lock): on a socket, the answers to messages that arrived together are
// written together once the last of them has been handled, so a slow
// one holds back the answers before it. Give such work to MapAsync.
//
// Completion and failure are part of the protocol: on a socket, the output
// completing closes it with 1000, a *message.CloseError with its code, any
// other failure with 1011. Each operator's documentation says how it
// completes and fails.
//
// An argument an operator could never use (a duration, size or rate that
// is not positive, an unknown Overflow, a nil function) is refused where
// it is written: the operator panics with a message naming itself and
// the argument, as time.NewTicker does.
//
// # Running
//
// Package router runs flows over WebSocket connections, and package
// client on the client's side; a program needs nothing more. To run a
// flow elsewhere (in a test, over a transport of your own):
//
//   - Start runs a flow as a socket does: Running.Push delivers input,
//     CloseInput completes it, an emit function takes the output, Done
//     and Err say how it ended, Cancel and Stop end it.
//   - Collect and Source.Collect run to the end, for tests and examples.
//
// Package flow/rxflow adapts rxgo observables to and from flows; it is
// kept apart so that a program using only this package does not link
// rxgo.
//
// Package flow does no network I/O.
package flow
