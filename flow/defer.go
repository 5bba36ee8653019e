package flow

// Defer returns a Flow built by newFlow each time it is run, when it
// starts: Akka's Flow.lazyFlow. Whatever newFlow acquires (a place in a
// room, a subscription, a counter) belongs to that run, and is released
// by the OnDone hooks of the flow it returns, which run when that run
// stops. A blueprint itself then holds nothing.
func Defer[In, Out any](newFlow func() Flow[In, Out]) Flow[In, Out] {
	needFunc("Defer", "newFlow", newFlow == nil)
	return Flow[In, Out]{open: func(s scope, out outlet[Out]) inlet[In] {
		return newFlow().materialize(s, out)
	}}
}
