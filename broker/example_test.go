package broker_test

import (
	"context"
	"fmt"
	"io"

	"github.com/wsflow/wsflow/broker"
)

// A member coming back after the first event subscribes to the live
// feed, then replays what it missed up to where the feed starts.
func ExampleInProcess() {
	var b broker.InProcess
	ctx := context.Background()
	var seen broker.Position
	for _, m := range []string{"one", "two", "three"} {
		seq, _ := b.Publish(ctx, "lobby", []byte(m))
		if seen.Seq == 0 {
			seen.Seq = seq // the member saw "one", then left
		}
	}
	sub, _ := b.Subscribe(ctx, "lobby", broker.Handler{Event: func(ev broker.Event) {
		fmt.Println("live:", string(ev.Data))
	}})
	defer sub.Close()
	rp, _ := b.Replay(ctx, "lobby", seen, sub.Start().Seq)
	defer rp.Close()
	fmt.Println("recovered:", rp.Recovered())
	for {
		batch, err := rp.Next(ctx)
		if err == io.EOF {
			break
		}
		for _, ev := range batch {
			fmt.Println("missed:", string(ev.Data))
		}
	}
	b.Publish(ctx, "lobby", []byte("four"))
	// Output:
	// recovered: true
	// missed: two
	// missed: three
	// live: four
}
