package natsbroker_test

import (
	"context"
	"fmt"
	"os"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/broker/natsbroker"
)

// Two servers' brokers on one NATS: a subscriber on one receives what is
// published on the other. Here the NATS server runs inside the example.
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

	var servers []*natsbroker.Broker
	for range 2 {
		b, err := natsbroker.Connect(ns.ClientURL())
		if err != nil {
			fmt.Println(err)
			return
		}
		defer b.Close()
		servers = append(servers, b)
	}

	ctx := context.Background()
	got := make(chan broker.Event, 1)
	sub, err := servers[0].Subscribe(ctx, "lobby", broker.Handler{Event: func(ev broker.Event) { got <- ev }})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sub.Close()
	if _, err := servers[1].Publish(ctx, "lobby", []byte("hello from the other server")); err != nil {
		fmt.Println(err)
	}
	fmt.Println(string((<-got).Data))
	// Output:
	// hello from the other server
}
