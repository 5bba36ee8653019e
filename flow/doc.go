// Package flow describes WebSocket behaviour as streams: a Source emits
// values, a Sink consumes them, and a Flow turns a stream of incoming
// messages into a stream of outgoing ones, as in Play's Flow API.
//
// Sources, sinks and flows are blueprints. They do nothing until they are
// run, once per connection, with that connection's context: one
// package-level flow can serve any number of sockets. Everything a running
// flow starts (goroutines, timers, rxgo observables) ends when it stops.
//
// Stages whose work is a plain function of each element (Map, Filter, Via,
// ForEach) are fused: an element passes through all of them in one chain of
// function calls on the goroutine that delivered it, with no hand-off and no
// buffer. Stages that produce on their own (Tick, Merge, the source side of
// Wrap, rxgo observables) run on goroutines of their own. Back-pressure is
// end to end: a stage that is not ready blocks the stage feeding it.
//
// rxgo observables stay reachable both ways through package
// flow/rxflow, kept apart so that a program using only this package does
// not link rxgo.
//
// Package flow does no network I/O; package router runs flows over
// WebSocket connections.
package flow
