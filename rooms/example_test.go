package rooms_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/rooms"
)

// A chat room: each member's messages are published to the room, and
// every member receives every message in one order, its own included.
func ExampleRooms() {
	var chat rooms.Rooms[string] // the zero Rooms: rooms in this process
	ctx := context.Background()

	got := make(chan string, 16)
	ann := flow.Start(ctx, chat.Join("lobby", rooms.Announce("* ann joined", "* ann left")),
		func(m string) error { got <- m; return nil })
	fmt.Println(<-got) // ann has joined

	if err := ann.Push("ann: hello"); err != nil {
		fmt.Println(err)
	}
	if err := chat.Publish(ctx, "lobby", "server: welcome"); err != nil { // from outside any socket
		fmt.Println(err)
	}
	fmt.Println(<-got)
	fmt.Println(<-got)
	ann.Stop()
	fmt.Println(chat.Len(), "rooms")
	// Output:
	// * ann joined
	// ann: hello
	// server: welcome
	// 0 rooms
}

// A member coming back after the last event it saw: it is told whether
// the history held everything it missed, then receives it.
func ExampleResume() {
	numbered := rooms.New(rooms.Config[string]{Codec: rooms.Codec[string]{
		Encode: func(s string) ([]byte, error) { return []byte(s), nil },
		Decode: func(ev broker.Event) (string, error) { return fmt.Sprintf("%d %s", ev.Seq, ev.Data), nil },
	}})
	ctx := context.Background()
	for _, m := range []string{"one", "two", "three"} {
		if err := numbered.Publish(ctx, "lobby", m); err != nil {
			fmt.Println(err)
		}
	}

	// bob saw event 1 before his connection dropped.
	got := make(chan string, 16)
	back := rooms.Resume(broker.Position{Seq: 1}, func(epoch string, recovered bool) string {
		return fmt.Sprint("recovered: ", recovered)
	})
	bob := flow.Start(ctx, numbered.Join("lobby", back), func(m string) error { got <- m; return nil })
	for range 3 {
		fmt.Println(<-got)
	}
	bob.Stop()
	// Output:
	// recovered: true
	// 2 two
	// 3 three
}

// JSON events numbered by the room: each event is encoded once when it is
// published, and each server puts the event's sequence number in front of
// it once for all its members. A member is greeted with the room's epoch,
// which it gives back with the last sequence number it saw to resume.
func ExampleGreet() {
	withSeq := func(ev broker.Event) (json.RawMessage, error) {
		out := strconv.AppendUint([]byte(`{"seq":`), ev.Seq, 10)
		return append(append(out, ','), ev.Data[1:]...), nil // ev.Data is an object
	}
	events := rooms.New(rooms.Config[json.RawMessage]{Codec: rooms.Codec[json.RawMessage]{
		Encode: func(v json.RawMessage) ([]byte, error) { return v, nil },
		Decode: withSeq,
	}})
	ctx := context.Background()

	got := make(chan json.RawMessage, 16)
	ann := flow.Start(ctx, events.Join("lobby",
		rooms.Greet(func(epoch string) json.RawMessage { return json.RawMessage(`{"epoch":"` + epoch + `"}`) }),
		rooms.Announce(json.RawMessage(`{"joined":"ann"}`), json.RawMessage(`{"left":"ann"}`))),
		func(m json.RawMessage) error { got <- m; return nil })
	var greeting struct{ Epoch string }
	if err := json.Unmarshal(<-got, &greeting); err != nil {
		fmt.Println(err)
	}
	fmt.Println("epoch valid:", broker.ValidEpoch(greeting.Epoch))
	fmt.Println(string(<-got))
	ann.Stop()
	// Output:
	// epoch valid: true
	// {"seq":1,"joined":"ann"}
}
