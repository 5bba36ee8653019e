package natsbroker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/broker/natsbroker"
)

func TestForgetsRoomsNobodyUses(t *testing.T) {
	ns := startNATS(t, t.TempDir(), -1)
	b := connect(t, ns.ClientURL(), natsbroker.WithForget(200*time.Millisecond))
	ctx := context.Background()
	s, err := b.Subscribe(ctx, "kept", 0, newRecorder().handler())
	require.NoError(t, err)
	defer s.Close()
	for _, room := range []string{"kept", "gone"} {
		_, err := b.Publish(ctx, room, []byte("x"))
		require.NoError(t, err)
	}

	nc, err := nats.Connect(ns.ClientURL())
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	deadline := time.Now().Add(patience)
	for { // the broker's sweep runs on a clock of its own
		_, err := js.Stream(ctx, natsbroker.DefaultPrefix+"_gone")
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			break
		}
		require.NoError(t, err)
		require.True(t, time.Now().Before(deadline), "the unused room was not forgotten")
		time.Sleep(20 * time.Millisecond)
	}
	_, err = js.Stream(ctx, natsbroker.DefaultPrefix+"_kept")
	require.NoError(t, err, "a room with a consumer is kept")
	seq, err := b.Publish(ctx, "gone", []byte("again"))
	require.NoError(t, err)
	require.Equal(t, uint64(1), seq, "a forgotten room made again starts again at 1")
	seq, err = b.Publish(ctx, "kept", []byte("y"))
	require.NoError(t, err)
	require.Equal(t, uint64(2), seq)
}
