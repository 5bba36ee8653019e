package flow_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wsflow/wsflow/flow"
)

// The echo socket that greets: Play's Flow[String].map("Hello, " + _).
func ExampleMap() {
	hello := flow.Map(func(m string) string { return "Hello, " + m })

	out, err := flow.Collect(context.Background(), hello, []string{"Alice", "Bob"})
	fmt.Println(out, err)
	// Output: [Hello, Alice Hello, Bob] <nil>
}

// Via chains stages; consecutive function stages fuse into one call.
func ExampleVia() {
	shout := flow.Via(
		flow.Map(strings.TrimSpace),
		flow.Via(flow.Map(strings.ToUpper), flow.Map(func(s string) string { return s + "!" })),
	)

	out, err := flow.Collect(context.Background(), shout, []string{" hi ", "bye"})
	fmt.Println(out, err)
	// Output: [HI! BYE!] <nil>
}

func ExampleFilter() {
	nonEmpty := flow.Filter(func(s string) bool { return s != "" })

	out, err := flow.Collect(context.Background(), nonEmpty, []string{"a", "", "b", ""})
	fmt.Println(out, err)
	// Output: [a b] <nil>
}

// The "Hello!" socket of Play 2.0: ignore what the peer sends, say hello,
// and complete, which closes the socket with 1000.
func ExampleWrap() {
	hello := flow.Wrap(flow.Ignore[string](), flow.Just("Hello!"))

	// What a connection does: start the flow, push what arrives, write
	// what comes out.
	r := flow.Start(context.Background(), hello, func(m string) error {
		fmt.Println("send:", m)
		return nil
	})
	_ = r.Push("anyone there?") // ignored
	<-r.Done()
	fmt.Println("ended:", r.Stop())
	// Output:
	// send: Hello!
	// ended: <nil>
}

// Through passes a source's elements through a flow.
func ExampleThrough() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	evens := flow.Through(flow.Just(1, 2, 3, 4, 5, 6), flow.Filter(func(v int) bool { return v%2 == 0 }))

	out, err := evens.Collect(ctx)
	fmt.Println(out, err)
	// Output: [2 4 6] <nil>
}

// Tick runs until its context ends; here Take ends the stream after three
// ticks, and the context's timeout is only a safety net.
func ExampleTick() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	three := flow.Through(flow.Tick(10*time.Millisecond, "tick"), flow.Take[string](3))

	out, err := three.Collect(ctx)
	fmt.Println(out, err)
	// Output: [tick tick tick] <nil>
}

// TickFrom is Akka's Source.tick(initialDelay, interval, tick): with no
// initial delay, the first tick comes at once.
func ExampleTickFrom() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	first := flow.Through(flow.TickFrom(0, time.Hour, "tick"), flow.Take[string](1))

	out, err := first.Collect(ctx)
	fmt.Println(out, err)
	// Output: [tick] <nil>
}

// Chain joins stages of one element type: Akka's
// Flow[String].via(trim).via(nonEmpty).via(shout).
func ExampleChain() {
	trim := flow.Map(strings.TrimSpace)
	nonEmpty := flow.Filter(func(s string) bool { return s != "" })
	shout := flow.Map(strings.ToUpper)

	out, err := flow.Collect(context.Background(), flow.Chain(trim, nonEmpty, shout), []string{" hi ", "  ", "there"})
	fmt.Println(out, err)
	// Output: [HI THERE] <nil>
}

func ExampleCollect() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	double := flow.Map(func(v int) int { return 2 * v })

	out, err := flow.Collect(ctx, double, []int{1, 2, 3})
	fmt.Println(out, err)
	// Output: [2 4 6] <nil>
}

func ExampleSource_Collect() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	out, err := flow.Just("x", "y").Collect(ctx)
	fmt.Println(out, err)
	// Output: [x y] <nil>
}

// OnDone runs once the flow has stopped, with the reason.
func ExampleFlow_OnDone() {
	f := flow.Map(strings.ToUpper).OnDone(func(err error) { fmt.Println("done:", err) })

	out, err := flow.Collect(context.Background(), f, []string{"a"})
	fmt.Println(out, err)
	// Output:
	// done: <nil>
	// [A] <nil>
}

// A sink that prints what it receives and learns how the socket ended:
// Play 2.0's Iteratee.foreach(println).mapDone.
func ExampleForEach() {
	in := flow.ForEach(func(m string) { fmt.Println("received:", m) }).
		OnDone(func(err error) { fmt.Println("disconnected:", err) })
	f := flow.Wrap(in, flow.FromChannel(make(chan string)))

	r := flow.Start(context.Background(), f, func(string) error { return nil })
	_ = r.Push("one")
	_ = r.Push("two")
	r.Stop() // as when the peer goes away
	// Output:
	// received: one
	// received: two
	// disconnected: context canceled
}
