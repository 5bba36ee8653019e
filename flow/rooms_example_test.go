package flow_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

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

// JSON events numbered by the room: each event is encoded once when it is
// published, and each server puts the event's sequence number in front of
// its members once. A member coming back after an event the history no
// longer holds is told so first.
func ExampleRooms_seqJSON() {
	withSeq := func(ev broker.Event) (json.RawMessage, error) {
		out := strconv.AppendUint([]byte(`{"seq":`), ev.Seq, 10)
		return append(append(out, ','), ev.Data[1:]...), nil // ev.Data is an object
	}
	rooms := flow.NewRooms[json.RawMessage](
		flow.WithBroker(broker.NewInProcess(broker.WithHistory(2))),
		flow.WithCodec(func(v json.RawMessage) ([]byte, error) { return v, nil }, withSeq))
	ctx := context.Background()
	for _, text := range []string{"a", "b", "c"} {
		_ = rooms.Publish(ctx, "lobby", json.RawMessage(`{"from":"bot","text":"`+text+`"}`))
	}

	got := make(chan json.RawMessage, 16)
	ann := flow.Start(ctx, rooms.Join("lobby",
		flow.Announce(json.RawMessage(`{"joined":"ann"}`), json.RawMessage(`{"left":"ann"}`)),
		flow.Since(0, json.RawMessage(`{"recovered":false}`))),
		func(m json.RawMessage) error { got <- m; return nil })
	for range 4 {
		fmt.Println(string(<-got))
	}
	ann.Stop()
	// Output:
	// {"recovered":false}
	// {"seq":2,"from":"bot","text":"b"}
	// {"seq":3,"from":"bot","text":"c"}
	// {"seq":4,"joined":"ann"}
}
