package demo

import (
	"net/http"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/rooms"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// chatRoutes serves the chat rooms: rooms of text lines over the App's
// broker, made when a room's first member joins and let go after its last.
func (a *App) chatRoutes(mux *http.ServeMux) {
	// WebSocket.acceptOrResult: an unknown room is 404, a bad name 400,
	// and rooms that cannot be reached (NATS lost) 503.
	chat := router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		room, name, err := chatParams(r)
		if err != nil {
			return flow.Flow[string, string]{}, err
		}
		if err := roomsAvailable(a.chat); err != nil {
			return flow.Flow[string, string]{}, err
		}
		return chatMember(a.chat, room, name), nil
	}, a.opts...)
	mux.Handle("GET /chat/{room}", chat)
}

// chatMemberBuffer is how many of its room's messages a chat member may
// have waiting to be written before it is closed with 1008 as too slow
// (rooms.ErrTooSlow): the library's default, which lets a room of three
// members send 1,000 messages each at once. A member that has stopped
// reading is closed once its kernel socket buffers are full and this many
// more messages wait, or dropped by -write-timeout, whichever comes first.
// Members queue references to the same messages, so a room pins its
// latest messages, not that times its members.
const chatMemberBuffer = rooms.DefaultMessages

// chatMemberBytes is how many bytes of its room's messages a chat member
// may have waiting: the library's default, 8 MiB.
const chatMemberBytes = rooms.DefaultBytes

// chatLimits bounds each member of /chat and /rooms.
var chatLimits = rooms.Limits{Messages: chatMemberBuffer, Bytes: chatMemberBytes}

// newChatRooms returns the registry of /chat's rooms over b: each line
// crosses the broker as its bytes, and each member is bounded by
// chatLimits.
func newChatRooms(b broker.Broker) *rooms.Rooms[string] {
	return rooms.New(rooms.Config[string]{Broker: b, Limits: chatLimits})
}

// chatMember returns the flow of one member called name of room: what it
// sends is published to the room as "name: TEXT", and it receives every
// line of the room, from "* name joined" to the moment it leaves, after
// which the room hears "* name left". The member joins when its socket
// opens and leaves once it has closed.
func chatMember(chat *rooms.Rooms[string], room, name string) flow.Flow[string, string] {
	said := flow.Map(func(text string) string { return name + ": " + text })
	return flow.Via(said, chat.Join(room, rooms.Announce("* "+name+" joined", "* "+name+" left")))
}

// roomsAvailable refuses a room's handshake with 503 while the broker
// cannot carry rooms (NATS lost): its socket would be closed with 1013 at
// once.
func roomsAvailable[T any](rs *rooms.Rooms[T]) error {
	if rs.Available() != nil {
		return router.Reject(http.StatusServiceUnavailable, "503 service unavailable: rooms unavailable, try again later")
	}
	return nil
}
