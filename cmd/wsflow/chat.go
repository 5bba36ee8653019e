package main

import (
	"context"
	"net/http"
	"sync"

	"github.com/wsflow/wsflow/flow"
)

// chatMemberBuffer is how many of its room's messages a chat member may
// have waiting to be written, beyond what its connection has taken,
// before it is closed with 1008 as too slow (flow.ErrTooSlow).
//
// A hub never makes a publisher wait, so a member's queue grows whenever
// the room says things faster than the member's connection writes them,
// and when every member sends at once, each member's connection must
// write what all of them send: the queues of healthy members grow with
// the burst. 4096 lets a room of three members send 1,000 messages each
// at once (the demo's must-show) where the library's default, 1024, has
// them closed. A member that has stopped reading is closed once its
// kernel socket buffers are full and 4096 more messages wait, or dropped
// by -write-timeout, whichever comes first.
//
// Members queue references to the same messages, so what a room can pin
// is its latest messages (4096 waiting plus a batch being written, of at
// most -max-message bytes each), not that times its members.
const chatMemberBuffer = 4096

// rooms is the registry of the chat rooms that have members: one Hub per
// room, made when a room's first member joins and dropped when its last
// member has left, so that rooms come and go with their members and any
// number of room names costs nothing once their sockets have closed. A
// rooms is safe for concurrent use.
type rooms struct {
	mu     sync.Mutex
	open   map[string]*room
	buffer int // each member's flow.WithMemberBuffer
}

// room is one open room: its hub and how many seats are taken in it.
type room struct {
	hub     *flow.Hub[string]
	members int
}

func newRooms(memberBuffer int) *rooms {
	return &rooms{open: make(map[string]*room), buffer: memberBuffer}
}

// join returns the flow of one member called name of room, for the chat
// handshake r: what it sends is published to the room as "name: TEXT",
// and it receives everything published to the room, from "* name joined"
// to the moment it leaves, after which the room hears "* name left".
//
// The member holds the room from this call until its flow has stopped,
// or, when the handshake fails after this call and the flow never runs,
// until the handler wrapped by seating returns.
func (rs *rooms) join(r *http.Request, roomName, name string) flow.Flow[string, string] {
	hub, s := rs.enter(roomName)
	if slot, ok := r.Context().Value(seatKey{}).(**seat); ok {
		*slot = s
	}
	said := flow.Map(func(text string) string { return name + ": " + text })
	member := hub.Join(flow.Announce("* "+name+" joined", "* "+name+" left"))
	return flow.Via(said, member).OnDone(func(error) { s.free() })
}

// seating wraps the chat socket's handler so that no handshake keeps a
// room open when its flow never runs: the router builds the flow before
// it counts the connection against -max-conns and before coder/websocket
// checks the rest of the handshake, and a flow that is never run never
// stops. A seat taken for such a handshake is freed when the handler
// returns. The flow of a socket that did run has freed its seat by then:
// the handler returns once the socket has closed and its flow has
// stopped.
func (rs *rooms) seating(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s *seat
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), seatKey{}, &s)))
		if s != nil {
			s.free()
		}
	})
}

// seatKey is the request context key of the slot where join records the
// seat it takes.
type seatKey struct{}

// seat is one member's hold on a room.
type seat struct {
	rs   *rooms
	room string
	once sync.Once
}

// free lets go of the room, once.
func (s *seat) free() { s.once.Do(func() { s.rs.leave(s.room) }) }

// enter returns the hub of the room called name, making it if the room
// has no member, and a seat in it.
func (rs *rooms) enter(name string) (*flow.Hub[string], *seat) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.open[name]
	if r == nil {
		r = &room{hub: flow.NewHub[string](flow.WithMemberBuffer(rs.buffer))}
		rs.open[name] = r
	}
	r.members++
	return r.hub, &seat{rs: rs, room: name}
}

// leave counts one member fewer in the room called name, and drops the
// room when that was the last.
func (rs *rooms) leave(name string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.open[name]
	if r == nil {
		return
	}
	r.members--
	if r.members <= 0 {
		delete(rs.open, name)
	}
}

// len returns the number of open rooms.
func (rs *rooms) len() int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return len(rs.open)
}
