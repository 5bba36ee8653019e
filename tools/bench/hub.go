package bench

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"time"

	gorilla "github.com/gorilla/websocket"
)

// The baseline broadcast servers, by name: each serves chat rooms at
// /chat/{room}?name=N with the protocol of the demo's route of that name.
var hubs = map[string]func() http.Handler{
	"gorilla-hub": func() http.Handler { return newHubServer() },
}

// HubNames lists the baseline broadcast servers HubHandler knows, sorted.
func HubNames() []string {
	names := make([]string, 0, len(hubs))
	for n := range hubs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// HubHandler returns the baseline broadcast server called name, to be
// served at the pattern "GET /chat/{room}".
func HubHandler(name string) (http.Handler, error) {
	h, ok := hubs[name]
	if !ok {
		return nil, fmt.Errorf("unknown broadcast server %q (known: %v)", name, HubNames())
	}
	return h(), nil
}

// The gorilla-hub baseline: chat rooms built the way gorilla/websocket's
// examples/chat builds its one room. Each room has a hub goroutine that
// owns the set of members and receives, on unbuffered channels, members
// registering, unregistering and the messages to broadcast; each member
// has a reader goroutine, which hands what it reads to the hub, and a
// writer goroutine, which writes what the hub queued for it, one message
// per frame and per write, from a send channel of hubSendBuffer messages.
// A member whose channel is full when the hub broadcasts is dropped at
// once: its channel is closed, and its writer sends close 1008 and ends
// the connection.
//
// It speaks the protocol of the demo's /chat/{room}?name=N, so that the
// same client measures both: every member receives "* N joined" when
// someone joins (the joiner too), "N: TEXT" for each text message a
// member sends (the sender too) and "* N left" when someone leaves, in
// one order shared by all members. Unlike examples/chat it keeps one hub
// per room (a hub ends when its last member has left), prefixes the
// sender's name, and does not ping (no baseline does, and the bench runs
// the demo without keep-alive).

// hubSendBuffer is the length of each member's send channel, as in
// examples/chat.
const hubSendBuffer = 256

// hubWriteWait is how long a write may wait for the peer, as in
// examples/chat (and the demo's default -write-timeout).
const hubWriteWait = 10 * time.Second

// hubMaxMessage is the largest message a member may send: the demo's
// default -max-message.
const hubMaxMessage = 64 << 10

// The demo's rules for room and member names.
var (
	hubRoomName   = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)
	hubMemberName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
)

// hubServer serves GET /chat/{room}?name=N: the rooms, by name.
type hubServer struct {
	up    gorilla.Upgrader
	mu    sync.Mutex
	rooms map[string]*hub
}

func newHubServer() *hubServer {
	return &hubServer{rooms: make(map[string]*hub)}
}

// hub is one room: its goroutine (run) is the only one to touch the set
// of members.
type hub struct {
	members    int // guarded by hubServer.mu: joined and not yet left
	register   chan *hubMember
	unregister chan *hubMember
	broadcast  chan []byte
	quit       chan struct{} // closed once the last member has left
}

// hubMember is one member's connection and send channel.
type hubMember struct {
	conn *gorilla.Conn
	name string
	send chan []byte
	slow bool // set by the hub before it closes send to drop the member
}

// ServeHTTP checks the room and the name as the demo does (404, 400),
// upgrades, registers the member with its room's hub and starts its
// reader and writer.
func (s *hubServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	room := r.PathValue("room")
	if !hubRoomName.MatchString(room) {
		http.Error(w, "404 not found: no such room", http.StatusNotFound)
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "anonymous"
	}
	if !hubMemberName.MatchString(name) {
		http.Error(w, "400 bad request: name must match [A-Za-z0-9_-]{1,32}", http.StatusBadRequest)
		return
	}
	conn, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the request
	}
	m := &hubMember{conn: conn, name: name, send: make(chan []byte, hubSendBuffer)}
	h := s.join(room)
	h.register <- m
	go m.write()
	go m.read(func(msg []byte) { h.broadcast <- msg }, func() {
		h.unregister <- m
		s.leave(room, h)
	})
}

// join returns the hub of room, starting it if the room has no member,
// and counts one more member.
func (s *hubServer) join(room string) *hub {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.rooms[room]
	if h == nil {
		h = &hub{
			register:   make(chan *hubMember),
			unregister: make(chan *hubMember),
			broadcast:  make(chan []byte),
			quit:       make(chan struct{}),
		}
		s.rooms[room] = h
		go h.run()
	}
	h.members++
	return h
}

// leave counts one member less, once it has unregistered, and ends the
// hub after the last: no one can send to it any more.
func (s *hubServer) leave(room string, h *hub) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h.members--
	if h.members == 0 {
		delete(s.rooms, room)
		close(h.quit)
	}
}

// run is the hub's goroutine.
func (h *hub) run() {
	members := make(map[*hubMember]bool)
	var dropped []*hubMember
	// deliver queues msg for every member, dropping those that cannot
	// take it, then tells the others who left.
	deliver := func(msg []byte) {
		for {
			for m := range members {
				select {
				case m.send <- msg:
				default:
					m.slow = true
					close(m.send)
					delete(members, m)
					dropped = append(dropped, m)
				}
			}
			if len(dropped) == 0 {
				return
			}
			msg = []byte("* " + dropped[0].name + " left")
			dropped = dropped[1:]
		}
	}
	for {
		select {
		case m := <-h.register:
			members[m] = true
			deliver([]byte("* " + m.name + " joined"))
		case m := <-h.unregister:
			if members[m] {
				delete(members, m)
				close(m.send)
				deliver([]byte("* " + m.name + " left"))
			}
		case msg := <-h.broadcast:
			deliver(msg)
		case <-h.quit:
			return
		}
	}
}

// read is the member's reader: it hands each text message, as
// "NAME: TEXT", to broadcast until the connection ends, then calls done
// and closes the connection. A binary message closes with 1003, as the
// demo's text-only sockets do.
func (m *hubMember) read(broadcast func([]byte), done func()) {
	defer func() {
		done()
		m.conn.Close()
	}()
	m.conn.SetReadLimit(hubMaxMessage)
	for {
		typ, p, err := m.conn.ReadMessage()
		if err != nil {
			return
		}
		if typ != gorilla.TextMessage {
			m.conn.WriteControl(gorilla.CloseMessage,
				gorilla.FormatCloseMessage(gorilla.CloseUnsupportedData, "text messages only"),
				time.Now().Add(hubWriteWait))
			return
		}
		msg := make([]byte, 0, len(m.name)+2+len(p))
		msg = append(append(append(msg, m.name...), ": "...), p...)
		broadcast(msg)
	}
}

// write is the member's writer: one frame, and one write, per message
// the hub queued, until the hub closes the send channel. A member
// dropped as too slow is sent close 1008 first.
func (m *hubMember) write() {
	defer m.conn.Close()
	for msg := range m.send {
		m.conn.SetWriteDeadline(time.Now().Add(hubWriteWait))
		if err := m.conn.WriteMessage(gorilla.TextMessage, msg); err != nil {
			return
		}
	}
	if m.slow {
		m.conn.WriteControl(gorilla.CloseMessage,
			gorilla.FormatCloseMessage(gorilla.ClosePolicyViolation, "too slow: fell behind the room"),
			time.Now().Add(hubWriteWait))
	}
}
