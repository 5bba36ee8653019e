package flow_test

import (
	"context"
	"fmt"

	"github.com/wsflow/wsflow/flow"
)

// A chat room: each member's messages are published to the hub, and every
// member receives every message in one order, its own included.
func ExampleHub() {
	var room flow.Hub[string] // the zero Hub is an empty room

	got := make(chan string, 16)
	ann := flow.Start(context.Background(),
		room.Join(flow.Announce("* ann joined", "* ann left")),
		func(m string) error { got <- m; return nil })

	if err := ann.Push("ann: hello"); err != nil {
		fmt.Println(err)
	}
	room.Publish("server: welcome") // from outside any socket
	for range 3 {
		fmt.Println(<-got)
	}
	ann.Stop()
	fmt.Println(room.Len(), "members")
	// Output:
	// * ann joined
	// ann: hello
	// server: welcome
	// 0 members
}
