package flow

// Wrap builds a disconnected flow from a sink for the input and a source
// for the output: Play's Flow.fromSinkAndSource, Play 2.0's (in, out) pair.
//
// On a server's socket, the source completing closes it with 1000 once
// everything emitted has been written; on a client's (client.Dial), it
// sends the close frame and the sink still receives what the server
// sends until the server's close (a half-close). The source failing
// closes the socket with the failure's code; the sink failing
// (ForEachErr) does the same. The peer closing completes the sink and
// cancels the source.
func Wrap[In, Out any](in Sink[In], out Source[Out]) Flow[In, Out] {
	return Flow[In, Out]{open: func(s scope, o outlet[Out]) inlet[In] {
		kin := in.materialize(s)
		src := sourceScope(s, o)
		s.spawn(func() { o.complete(out.start(src, o.emit)) })
		return kin
	}}
}
