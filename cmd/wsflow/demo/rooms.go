package demo

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/rooms"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// RoomMessage is what a member of /rooms/{room} sends: {"text":"..."},
// the field required and no other.
type RoomMessage struct {
	Text string `json:"text,required"`
}

// jsonRoomPrefix begins the broker's name of each room of /rooms, so that
// it is never the name of a room of /chat (which has no upper case
// letter), even when both share one NATS.
const jsonRoomPrefix = "J-"

// roomsRoutes serves the JSON rooms, whose events carry the room's
// sequence number, and whose first message the room's epoch, so that a
// member can come back after the last event it saw.
func (a *App) roomsRoutes(mux *http.ServeMux) {
	h := router.AcceptOrResult(transformer.Model[RoomMessage, json.RawMessage](), func(r *http.Request) (flow.Flow[RoomMessage, json.RawMessage], error) {
		room, name, err := chatParams(r)
		if err != nil {
			return flow.Flow[RoomMessage, json.RawMessage]{}, err
		}
		from, resume, err := resumeParams(r)
		if err != nil {
			return flow.Flow[RoomMessage, json.RawMessage]{}, err
		}
		if err := roomsAvailable(a.rooms); err != nil {
			return flow.Flow[RoomMessage, json.RawMessage]{}, err
		}
		return roomMember(a.rooms, room, name, from, resume), nil
	}, a.opts...)
	mux.Handle("GET /rooms/{room}", h)
}

// newJSONRooms returns the registry of /rooms' rooms over b: an event
// crosses the broker as a JSON object without its sequence number, which
// each server puts in front of it once (withSeq); members are bounded as
// chat members are.
func newJSONRooms(b broker.Broker) *rooms.Rooms[json.RawMessage] {
	return rooms.New(rooms.Config[json.RawMessage]{
		Broker: b,
		Codec: rooms.Codec[json.RawMessage]{
			Encode: func(v json.RawMessage) ([]byte, error) { return v, nil },
			Decode: withSeq,
		},
		Limits: chatLimits,
	})
}

// withSeq returns the event's object with "seq" as its first member.
func withSeq(ev broker.Event) (json.RawMessage, error) {
	if !bytes.HasPrefix(ev.Data, []byte(`{"`)) {
		return nil, errors.New("rooms: an event that is not a JSON object with members")
	}
	out := append(make([]byte, 0, len(ev.Data)+28), `{"seq":`...)
	out = strconv.AppendUint(out, ev.Seq, 10)
	return append(append(out, ','), ev.Data[1:]...), nil
}

// roomMember returns the flow of one member called name of the JSON room:
// its first message is the room's epoch ({"epoch":E}, and with resume
// whether the history held what it missed), it announces {"joined":N} and
// {"left":N}, publishes each of its messages as {"from":N,"text":T}, and,
// with resume, comes back after from.
func roomMember(rs *rooms.Rooms[json.RawMessage], room, name string, from broker.Position, resume bool) flow.Flow[RoomMessage, json.RawMessage] {
	opts := []rooms.JoinOption[json.RawMessage]{
		rooms.Announce(roomEvent(struct {
			Joined string `json:"joined"`
		}{name}), roomEvent(struct {
			Left string `json:"left"`
		}{name})),
		rooms.Greet(func(epoch string) json.RawMessage {
			return roomEvent(struct {
				Epoch string `json:"epoch"`
			}{epoch})
		}),
	}
	if resume {
		opts = append(opts, rooms.Resume(from, func(epoch string, recovered bool) json.RawMessage {
			return roomEvent(struct {
				Epoch     string `json:"epoch"`
				Recovered bool   `json:"recovered"`
			}{epoch, recovered})
		}))
	}
	said := flow.Map(func(m RoomMessage) json.RawMessage {
		return roomEvent(struct {
			From string `json:"from"`
			Text string `json:"text"`
		}{name, m.Text})
	})
	return flow.Via(said, rs.Join(jsonRoomPrefix+room, opts...))
}

// roomEvent encodes an event of a JSON room, without HTML escaping, in a
// slice of its own size: the room's history keeps it, and counts its
// length against -history-bytes.
func roomEvent(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // strings and booleans only: it cannot fail
	return bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// resumeParams returns the position of ?since=S&epoch=E, and whether
// since was given (absent or empty: not given). S must be a decimal
// integer >= 0; E, when present, 1 to 64 characters from
// [A-Za-z0-9_-] (broker.ValidEpoch).
func resumeParams(r *http.Request) (from broker.Position, resume bool, err error) {
	q, err := query(r)
	if err != nil {
		return from, false, err
	}
	if q.Has("epoch") {
		from.Epoch = q.Get("epoch")
		if !broker.ValidEpoch(from.Epoch) {
			return from, false, badRequest("epoch must be 1 to 64 characters from [A-Za-z0-9_-]")
		}
	}
	s := q.Get("since")
	if s == "" {
		return from, false, nil
	}
	from.Seq, err = strconv.ParseUint(s, 10, 64)
	if err != nil {
		return from, false, badRequest("since must be a decimal integer >= 0")
	}
	return from, true, nil
}
