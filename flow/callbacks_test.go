package flow_test

import (
	"context"
	"github.com/wsflow/wsflow/internal/flowtest"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
)

func TestCallbacks(t *testing.T) {
	closed := make(chan struct{})
	f := flow.Callbacks(func(in *flow.Inbound[string], out *flow.Outbound[string]) {
		in.OnMessage(func(m string) {
			if m == "bye" {
				out.Close(message.NormalClosure, "")
				return
			}
			out.Write("got: " + m)
		})
		in.OnClose(func() { close(closed) })
		out.Write("Hello!")
	})
	got, err := run(t, f, "a", "b", "bye", "ignored")
	require.NoError(t, err)
	require.Equal(t, []string{"Hello!", "got: a", "got: b"}, got)
	flowtest.Receive(t, closed)
}

func TestCallbacksCloseWithCode(t *testing.T) {
	f := flow.Callbacks(func(in *flow.Inbound[string], out *flow.Outbound[string]) {
		out.Close(4000, "custom")
		out.Close(4001, "only the first close counts")
	})
	r := flow.Start(context.Background(), f, (&collector[string]{}).emit)
	flowtest.WaitDone(t, r)
	var ce *message.CloseError
	require.ErrorAs(t, r.Stop(), &ce)
	require.Equal(t, message.Close{Code: 4000, Reason: "custom"}, ce.Close)
}

func TestCallbacksOnCloseRunsWhenStopped(t *testing.T) {
	closed := 0
	f := flow.Callbacks(func(in *flow.Inbound[string], _ *flow.Outbound[string]) {
		in.OnClose(func() { closed++ })
	})
	r := flow.Start(context.Background(), f, (&collector[string]{}).emit)
	r.Stop()
	r.Stop()
	require.Equal(t, 1, closed)
}
