package broker_test

import (
	"context"
	"fmt"

	"github.com/wsflow/wsflow/broker"
)

// A subscriber that comes back after event 1 receives what it missed,
// then the live events.
func ExampleInProcess() {
	var b broker.InProcess
	ctx := context.Background()
	for _, m := range []string{"one", "two", "three"} {
		if _, err := b.Publish(ctx, "lobby", []byte(m)); err != nil {
			fmt.Println(err)
		}
	}
	sub, err := b.Subscribe(ctx, "lobby", 1, broker.Handler{Event: func(ev broker.Event) {
		fmt.Println(ev.Seq, string(ev.Data))
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sub.Close()
	fmt.Println("recovered:", sub.Recovered())
	if _, err := b.Publish(ctx, "lobby", []byte("four")); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 2 two
	// 3 three
	// recovered: true
	// 4 four
}
