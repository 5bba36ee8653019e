package flow_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
)

// An actor per connection keeps its state in local variables: here a
// running total of the numbers the peer sends. Play's ActorFlow.actorRef.
func ExampleActor() {
	total := flow.Actor(func(ctx context.Context, mailbox <-chan int, out flow.Outbox[string]) error {
		sum := 0
		for {
			select {
			case n, ok := <-mailbox:
				if !ok {
					return nil // the peer closed: close with 1000
				}
				sum += n
				if err := out.Send(fmt.Sprint("total: ", sum)); err != nil {
					return err
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}, flow.WithMailbox(8, flow.Backpressure))

	out, err := flow.Collect(context.Background(), total, []int{1, 2, 3})
	fmt.Println(out, err)
	// Output: [total: 1 total: 3 total: 6] <nil>
}

// The callback API: Play Java's WebSocket.onReady(in, out).
func ExampleCallbacks() {
	echo := flow.Callbacks(func(in *flow.Inbound[string], out *flow.Outbound[string]) {
		in.OnMessage(func(m string) {
			if m == "bye" {
				out.Close(message.NormalClosure, "")
				return
			}
			_ = out.Write("echo: " + m)
		})
		in.OnClose(func() { fmt.Println("closed") })
	})

	r := flow.Start(context.Background(), echo, func(m string) error {
		fmt.Println(m)
		return nil
	})
	_ = r.Push("hello")
	_ = r.Push("bye")
	<-r.Done()
	fmt.Println("ended:", r.Stop())
	// Output:
	// echo: hello
	// closed
	// ended: <nil>
}

// Combine sends each message to every flow and merges what they emit.
func ExampleCombine() {
	both := flow.Combine(flow.Map(strings.ToUpper), flow.Map(strings.ToLower))

	out, err := flow.Collect(context.Background(), both, []string{"Hi"})
	fmt.Println(out, err)
	// Output: [HI hi] <nil>
}

// Prepend greets before the first answer.
func ExamplePrepend() {
	greeted := flow.Prepend(flow.Just("welcome"), flow.Map(strings.ToUpper))

	out, err := flow.Collect(context.Background(), greeted, []string{"a", "b"})
	fmt.Println(out, err)
	// Output: [welcome A B] <nil>
}

// Defer builds a flow per run: each run gets its own number.
func ExampleDefer() {
	runs := 0
	numbered := flow.Defer(func() flow.Flow[string, string] {
		runs++
		n := runs
		return flow.Map(func(m string) string { return fmt.Sprint(n, ": ", m) })
	})

	first, _ := flow.Collect(context.Background(), numbered, []string{"a"})
	second, _ := flow.Collect(context.Background(), numbered, []string{"b"})
	fmt.Println(first, second)
	// Output: [1: a] [2: b]
}

// Merge interleaves sources as their elements come; sorted here, as the
// order between sources is not fixed.
func ExampleMerge() {
	out, err := flow.Merge(flow.Just(1, 2), flow.Just(3)).Collect(context.Background())
	sum := 0
	for _, v := range out {
		sum += v
	}
	fmt.Println(len(out), sum, err)
	// Output: 3 6 <nil>
}

// MapErr fails the socket with the error's close code.
func ExampleMapErr() {
	parse := flow.MapErr(func(m string) (string, error) {
		if m == "" {
			return "", message.NewCloseError(message.UnsupportedData, "empty message")
		}
		return m, nil
	})

	out, err := flow.Collect(context.Background(), parse, []string{"a", "", "b"})
	fmt.Println(out, err)
	// Output: [a] websocket closed: 1003 unsupported data: "empty message"
}
