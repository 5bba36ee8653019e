package roomclient_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/client/roomclient"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// A member follows a room across drops: each connection after the first
// resumes from the last event it had, and its greeting says whether the
// room's history still held everything after it. The server here plays
// the part of a /rooms server restarting twice, the second time with its
// history gone (a new epoch).
func ExampleMember() {
	srv := httptest.NewServer(restartingRoom())
	defer srv.Close()
	roomURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/rooms/lobby?name=ann"

	ctx := context.Background()
	m := roomclient.New(roomURL, roomclient.Config{
		OnGreeting: func(g roomclient.Greeting) { // each connection's first message
			fmt.Printf("epoch %s, resumed %v, recovered %v\n", g.Epoch, g.Resumed, g.Recovered)
		},
		OnEvent: func(ev roomclient.Event) { fmt.Println(ev) }, // once each, in the room's order
		Backoff: client.Backoff{Min: 10 * time.Millisecond, Max: 5 * time.Second, Jitter: 0.5,
			OnlyOnFailures: true}, // the server's 1000 ends Run
	})
	err := m.Run(ctx) // until ctx ends, a refusal (its *client.HandshakeError), or a 1000
	fmt.Println("run:", err)
	// Output:
	// epoch A1, resumed false, recovered false
	// 1 ann joined
	// 2 bob: hi
	// epoch A1, resumed true, recovered true
	// 3 bob: still there?
	// epoch B7, resumed true, recovered false
	// 1 ann joined
	// run: <nil>
}

// restartingRoom answers as a /rooms server would: the first connection
// gets two events, then the server restarts (1012); resumed from seq 2 of
// epoch A1 it gets the third, then restarts again; resumed from seq 3 it
// finds a new epoch, B7, whose history holds only ann's joined, and
// closes normally (1000).
func restartingRoom() http.Handler {
	script := map[string][]string{
		"name=ann":                  {`{"epoch":"A1"}`, `{"seq":1,"joined":"ann"}`, `{"seq":2,"from":"bob","text":"hi"}`},
		"epoch=A1&name=ann&since=2": {`{"epoch":"A1","recovered":true}`, `{"seq":3,"from":"bob","text":"still there?"}`},
		"epoch=A1&name=ann&since=3": {`{"epoch":"B7","recovered":false}`, `{"seq":1,"joined":"ann"}`},
	}
	return router.Accept(transformer.String(), func(r *http.Request) flow.Flow[string, string] {
		q := r.URL.Query().Encode()
		sent := flow.Just(script[q]...)
		if q != "epoch=A1&name=ann&since=3" {
			sent = flow.Concat(sent, flow.Failed[string](message.NewCloseError(message.ServiceRestart, "")))
		}
		return flow.Wrap(flow.Ignore[string](), sent)
	})
}
