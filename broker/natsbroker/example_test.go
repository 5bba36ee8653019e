package natsbroker_test

import (
	"context"
	"fmt"
	"os"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/wsflow/wsflow/broker/natsbroker"
	"github.com/wsflow/wsflow/flow"
)

// Two servers' rooms on one NATS: a member on one hears what is published
// on the other. Here the NATS server runs inside the example.
func ExampleConnect() {
	dir, _ := os.MkdirTemp("", "nats")
	defer os.RemoveAll(dir)
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	go ns.Start()
	ns.ReadyForConnections(patience)
	defer ns.WaitForShutdown()
	defer ns.Shutdown()

	var servers []*flow.Rooms[string]
	for range 2 {
		b, err := natsbroker.Connect(ns.ClientURL())
		if err != nil {
			fmt.Println(err)
			return
		}
		defer b.Close()
		servers = append(servers, flow.NewRooms[string](flow.WithBroker(b)))
	}

	ctx := context.Background()
	got := make(chan string, 4)
	ann := flow.Start(ctx, servers[0].Join("lobby"), func(m string) error { got <- m; return nil })
	defer ann.Stop()
	if err := servers[1].Publish(ctx, "lobby", "hello from the other server"); err != nil {
		fmt.Println(err)
	}
	fmt.Println(<-got)
	// Output:
	// hello from the other server
}
