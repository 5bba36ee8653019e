package natstest_test

import (
	"net/http"
	"testing"

	"github.com/wsflow/wsflow/broker/natsbroker"
	"github.com/wsflow/wsflow/broker/natsbroker/natstest"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/rooms"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestChatOnNATS is README.md's example of a program's test that runs its
// rooms on a NATS server started in the test: two members of one room on
// it, each greeted once it has joined, and one's message reaching the
// other.
func TestChatOnNATS(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1) // JetStream on 127.0.0.1, a free port; stopped when the test ends
	b, err := natsbroker.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	chat := rooms.New(rooms.Config[string]{Broker: b})
	welcome := rooms.Greet(func(epoch string) string { return "welcome" }) // sent once the member has joined
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return chat.Join("lobby", welcome)
	}))
	ann, bob := wstest.Dial(t, srv.URL("/")), wstest.Dial(t, srv.URL("/"))
	ann.ExpectText("welcome")
	bob.ExpectText("welcome")
	ann.SendText("hi")
	bob.ExpectText("hi")
}
