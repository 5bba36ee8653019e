package demo

import (
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
)

func TestCallbacks(t *testing.T) {
	d := startDemo(t)

	t.Run("hello, answers, bye", func(t *testing.T) {
		c := dial(t, d.wsURL("/callbacks"), nil)
		expect(t, c, websocket.MessageText, "Hello!")
		echoes(t, c, []string{"a", "", "bye now", "Bye", "héllo 世界"}, func(m string) string { return "got: " + m })
		send(t, c, websocket.MessageText, "bye")
		require.Equal(t, closed(websocket.StatusNormalClosure, ""), closeOf(t, c), "bye is not answered")
		require.NoError(t, d.logs.WaitFor(testCtx(t), `msg=Disconnected`))
	})

	t.Run("the peer closes", func(t *testing.T) {
		c := dial(t, d.wsURL("/callbacks"), nil)
		expect(t, c, websocket.MessageText, "Hello!")
		require.NoError(t, c.Close(websocket.StatusNormalClosure, "leaving"))
	})

	require.NoError(t, d.stop()) // every socket has closed and been logged
	logs := d.logs.String()
	require.Equal(t, 2, strings.Count(logs, "msg=Disconnected"), "in.OnClose ran once per socket:\n%s", logs)
}
