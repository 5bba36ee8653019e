package roomclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"

	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/transformer"
)

// Position is where a member is in a room: the room's epoch and the seq
// of the last event the member has. The zero Position is a member that
// has seen nothing.
type Position struct {
	Epoch string
	Seq   uint64
}

// Event is one event of a room: Seq and one of the others, as the server
// sent it ({"seq":S,"joined":N}, {"seq":S,"from":N,"text":T},
// {"seq":S,"left":N}).
type Event struct {
	Seq    uint64 `json:"seq"`
	Joined string `json:"joined,omitempty"`
	Left   string `json:"left,omitempty"`
	From   string `json:"from,omitempty"`
	Text   string `json:"text,omitempty"`
}

// String returns the event as a line: "1 ann joined", "2 bob: hi",
// "3 ann left".
func (e Event) String() string {
	switch {
	case e.Joined != "":
		return fmt.Sprintf("%d %s joined", e.Seq, e.Joined)
	case e.Left != "":
		return fmt.Sprintf("%d %s left", e.Seq, e.Left)
	}
	return fmt.Sprintf("%d %s: %s", e.Seq, e.From, e.Text)
}

// Greeting is the first message of each connection: the room's epoch,
// and for a connection that resumed from the member's Position whether
// the room's history still held every event after it.
type Greeting struct {
	Epoch string
	// Resumed: the connection asked for the events after the member's
	// Position (since and epoch). A member with no Position (no From,
	// never greeted) joins from now; one greeted but given no event yet
	// resumes from seq 0 of the epoch it was told: the whole history,
	// rather than a gap.
	Resumed bool
	// Recovered, when Resumed: the events that follow the greeting are
	// every event after the Position, none missing. When false, some are
	// lost: the events that follow are those the history still held (all
	// of the room's new numbering when the epoch changed).
	Recovered bool
}

// Config is what a Member does with what it learns, and how it connects.
type Config struct {
	// From is the Position to resume from; zero: join from now.
	From Position
	// OnGreeting, if set, is called with each connection's greeting,
	// before its events.
	OnGreeting func(Greeting)
	// OnEvent is called with each event, once, in the room's order, on
	// one goroutine; the member reads no further until it returns.
	OnEvent func(Event)
	// Backoff is the reconnection policy (client.WithReconnect).
	Backoff client.Backoff
	// Options are the client's, for each connection (headers, TLS, read
	// limit); the member sets WithReconnect and WithBeforeDial itself.
	Options []client.Option
}

// Member is one member of a room, built by New and run once by Run; Say
// and Position may be called from any goroutine.
type Member struct {
	url  string
	cfg  Config
	says chan string

	mu  sync.Mutex
	pos Position
}

// New returns a member of the room at roomURL, the /rooms URL with its
// name (ws://host/rooms/lobby?name=ann), without since or epoch, which
// the member adds.
func New(roomURL string, cfg Config) *Member {
	return &Member{url: roomURL, cfg: cfg, says: make(chan string), pos: cfg.From}
}

// Position returns the epoch and the seq of the last event the member
// has handed to OnEvent.
func (m *Member) Position() Position {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pos
}

// Say sends {"text":text} to the room on the member's connection: it
// returns once the connection has taken the message, or with ctx's error.
// A message taken by a connection that drops before writing it is lost
// (at most once): the member's own event, {"from":...,"text":text},
// tells that it was published.
func (m *Member) Say(ctx context.Context, text string) error {
	select {
	case m.says <- text:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Run joins the room and follows it, reconnecting after every drop as
// cfg.Backoff says, until ctx ends (Run returns ctx's error), a handshake
// is refused for good (its *client.HandshakeError), or, with
// OnlyOnFailures, the server closes normally (nil).
func (m *Member) Run(ctx context.Context) error {
	opts := append(append([]client.Option(nil), m.cfg.Options...),
		client.WithBeforeDial(m.resume), client.WithReconnect(m.cfg.Backoff))
	return client.Dial(ctx, m.url, transformer.JSON(), flow.Defer(m.connection), opts...)
}

// resume points an attempt at the events after the member's Position,
// once it has one.
func (m *Member) resume(a *client.Attempt) error {
	pos := m.Position()
	if pos.Epoch == "" && pos.Seq == 0 {
		return nil
	}
	u, err := url.Parse(a.URL)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("since", strconv.FormatUint(pos.Seq, 10))
	if pos.Epoch != "" {
		q.Set("epoch", pos.Epoch)
	}
	u.RawQuery = q.Encode()
	a.URL = u.String()
	return nil
}

// connection is the flow of one connection: its greeting, then its
// events, and what the member says.
func (m *Member) connection() flow.Flow[json.RawMessage, json.RawMessage] {
	greeted := false
	in := flow.ForEachErr(func(msg json.RawMessage) error {
		if !greeted {
			greeted = true
			return m.greet(msg)
		}
		return m.event(msg)
	})
	out := flow.SourceFunc(func(ctx context.Context, emit func(json.RawMessage) error) error {
		for {
			select {
			case text := <-m.says:
				msg, _ := json.Marshal(struct {
					Text string `json:"text"`
				}{text}) // a string cannot fail
				if err := emit(msg); err != nil {
					return err
				}
			case <-ctx.Done():
				return nil
			}
		}
	})
	return flow.Wrap(in, out)
}

// greet takes a connection's greeting: a new epoch starts the member's
// numbering again.
func (m *Member) greet(msg json.RawMessage) error {
	var g struct {
		Epoch     string `json:"epoch"`
		Recovered *bool  `json:"recovered"`
	}
	if err := json.Unmarshal(msg, &g); err != nil || g.Epoch == "" {
		return fmt.Errorf("roomclient: a greeting without an epoch: %s", msg)
	}
	m.mu.Lock()
	if g.Epoch != m.pos.Epoch {
		m.pos = Position{Epoch: g.Epoch}
	}
	m.mu.Unlock()
	if m.cfg.OnGreeting != nil {
		m.cfg.OnGreeting(Greeting{Epoch: g.Epoch, Resumed: g.Recovered != nil, Recovered: g.Recovered != nil && *g.Recovered})
	}
	return nil
}

// event hands on an event the member does not have yet.
func (m *Member) event(msg json.RawMessage) error {
	var ev Event
	if err := json.Unmarshal(msg, &ev); err != nil {
		return fmt.Errorf("roomclient: an event that is not one: %w", err)
	}
	if ev.Seq == 0 {
		return errEventWithoutSeq
	}
	m.mu.Lock()
	dup := ev.Seq <= m.pos.Seq
	if !dup {
		m.pos.Seq = ev.Seq
	}
	m.mu.Unlock()
	if !dup && m.cfg.OnEvent != nil {
		m.cfg.OnEvent(ev)
	}
	return nil
}

var errEventWithoutSeq = errors.New("roomclient: an event without a seq")
