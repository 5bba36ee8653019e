package flow_test

import (
	"context"
	"fmt"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
)

// Named rooms, with each event's sequence number put in front of it by
// the codec, and a member coming back after the last event it saw.
func ExampleRooms() {
	rooms := flow.NewRooms[string](flow.WithCodec(
		func(s string) ([]byte, error) { return []byte(s), nil },
		func(ev broker.Event) (string, error) { return fmt.Sprintf("%d %s", ev.Seq, ev.Data), nil }))
	ctx := context.Background()

	got := make(chan string, 16)
	ann := flow.Start(ctx, rooms.Join("lobby", flow.Announce("* ann joined", "* ann left")),
		func(m string) error { got <- m; return nil })
	fmt.Println(<-got)
	_ = rooms.Publish(ctx, "lobby", "server: welcome")
	fmt.Println(<-got)

	// bob saw event 1 before his connection dropped.
	bob := flow.Start(ctx, rooms.Join("lobby", flow.Since(1, "not recovered")),
		func(m string) error { got <- m; return nil })
	fmt.Println(<-got) // what bob missed
	bob.Stop()
	ann.Stop()
	fmt.Println(rooms.Len(), "rooms")
	// Output:
	// 1 * ann joined
	// 2 server: welcome
	// 2 server: welcome
	// 0 rooms
}
