package demo

import (
	"net/http"
	"sync"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// chatRoutes serves the chat rooms: one Hub per room, made when its first
// member joins and let go when its last member leaves.
func (a *App) chatRoutes(mux *http.ServeMux) {
	// WebSocket.acceptOrResult: an unknown room is 404, a bad name 400.
	chat := router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		room, name, err := chatParams(r)
		if err != nil {
			return flow.Flow[string, string]{}, err
		}
		return a.rooms.join(room, name), nil
	}, a.opts...)
	mux.Handle("GET /chat/{room}", chat)
}

// chatMemberBuffer is how many of its room's messages a chat member may
// have waiting to be written before it is closed with 1008 as too slow
// (flow.ErrTooSlow): the library's default, which lets a room of three
// members send 1,000 messages each at once. A member that has stopped
// reading is closed once its kernel socket buffers are full and this many
// more messages wait, or dropped by -write-timeout, whichever comes first.
// Members queue references to the same messages, so a room pins its
// latest messages, not that times its members.
const chatMemberBuffer = flow.DefaultMemberBuffer

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

// newRooms returns an empty registry whose members each hold at most
// memberBuffer messages waiting (flow.WithMemberBuffer).
func newRooms(memberBuffer int) *rooms {
	return &rooms{open: make(map[string]*room), buffer: memberBuffer}
}

// join returns the flow of one member called name of room: what it sends
// is published to the room as "name: TEXT", and it receives everything
// published to the room, from "* name joined" to the moment it leaves,
// after which the room hears "* name left". The member takes its seat
// when its socket opens (flow.Defer) and frees it when the socket has
// closed.
func (rs *rooms) join(roomName, name string) flow.Flow[string, string] {
	return flow.Defer(func() flow.Flow[string, string] {
		hub := rs.enter(roomName)
		said := flow.Map(func(text string) string { return name + ": " + text })
		member := hub.Join(flow.Announce("* "+name+" joined", "* "+name+" left"))
		return flow.Via(said, member).OnDone(func(error) { rs.leave(roomName) })
	})
}

// enter returns the hub of the room called name, making it if the room
// has no member, and counts one member more in it.
func (rs *rooms) enter(name string) *flow.Hub[string] {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.open[name]
	if r == nil {
		r = &room{hub: flow.NewHub[string](flow.WithMemberBuffer(rs.buffer))}
		rs.open[name] = r
	}
	r.members++
	return r.hub
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
