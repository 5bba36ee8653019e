package demo

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
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

// notRecovered is the first message of a member coming back after an
// event the room's history no longer holds.
var notRecovered = json.RawMessage(`{"recovered":false}`)

// roomsRoutes serves the JSON rooms, whose events carry the room's
// sequence number so that a member can come back after the last it saw.
func (a *App) roomsRoutes(mux *http.ServeMux) {
	rooms := router.AcceptOrResult(transformer.Model[RoomMessage, json.RawMessage](), func(r *http.Request) (flow.Flow[RoomMessage, json.RawMessage], error) {
		room, name, err := chatParams(r)
		if err != nil {
			return flow.Flow[RoomMessage, json.RawMessage]{}, err
		}
		since, hasSince, err := sinceParam(r)
		if err != nil {
			return flow.Flow[RoomMessage, json.RawMessage]{}, err
		}
		if err := roomsAvailable(a.rooms); err != nil {
			return flow.Flow[RoomMessage, json.RawMessage]{}, err
		}
		return roomMember(a.rooms, room, name, since, hasSince), nil
	}, a.opts...)
	mux.Handle("GET /rooms/{room}", rooms)
}

// newJSONRooms returns the registry of /rooms' rooms over b: an event
// crosses the broker as a JSON object without its sequence number, which
// each server puts in front of it once (withSeq); members are bounded as
// chat members are.
func newJSONRooms(b broker.Broker) *flow.Rooms[json.RawMessage] {
	return flow.NewRooms[json.RawMessage](
		flow.WithBroker(b),
		flow.WithCodec(func(v json.RawMessage) ([]byte, error) { return v, nil }, withSeq),
		flow.WithRoomMemberLimits(chatMemberBuffer, chatMemberBytes))
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
// it announces {"joined":N} and {"left":N}, publishes each of its messages
// as {"from":N,"text":T}, and, with since, resumes after that event.
func roomMember(rooms *flow.Rooms[json.RawMessage], room, name string, since uint64, hasSince bool) flow.Flow[RoomMessage, json.RawMessage] {
	opts := []flow.MemberOption[json.RawMessage]{
		flow.Announce(roomEvent(struct {
			Joined string `json:"joined"`
		}{name}), roomEvent(struct {
			Left string `json:"left"`
		}{name})),
	}
	if hasSince {
		opts = append(opts, flow.Since(since, notRecovered))
	}
	said := flow.Map(func(m RoomMessage) json.RawMessage {
		return roomEvent(struct {
			From string `json:"from"`
			Text string `json:"text"`
		}{name, m.Text})
	})
	return flow.Via(said, rooms.Join(jsonRoomPrefix+room, opts...))
}

// roomEvent encodes an event of a JSON room, without HTML escaping.
func roomEvent(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // strings only: it cannot fail
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// sinceParam returns the S of ?since=S, a decimal integer >= 0, and
// whether it was given (absent or empty: not given).
func sinceParam(r *http.Request) (since uint64, ok bool, err error) {
	q, err := query(r)
	if err != nil {
		return 0, false, err
	}
	s := q.Get("since")
	if s == "" {
		return 0, false, nil
	}
	since, err = strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false, badRequest("since must be a decimal integer >= 0")
	}
	return since, true, nil
}
