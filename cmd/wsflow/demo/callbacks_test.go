package demo

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

func TestCallbacks(t *testing.T) {
	d := startDemo(t)

	t.Run("hello, answers, bye", func(t *testing.T) {
		c := wstest.Dial(t, d.wsURL("/callbacks"))
		c.ExpectText("Hello!")
		echoes(t, c, []string{"a", "", "bye now", "Bye", "héllo 世界"}, func(m string) string { return "got: " + m })
		c.SendText("bye")
		c.ExpectClose(message.NormalClosure, "") // bye is not answered
		require.NoError(t, d.logs.WaitFor(testCtx(t), `msg=Disconnected`))
	})

	t.Run("the peer closes", func(t *testing.T) {
		c := wstest.Dial(t, d.wsURL("/callbacks"))
		c.ExpectText("Hello!")
		c.CloseWith(message.NormalClosure, "leaving")
	})

	require.NoError(t, d.stop()) // every socket has closed and been logged
	logs := d.logs.String()
	require.Equal(t, 2, strings.Count(logs, "msg=Disconnected"), "in.OnClose ran once per socket:\n%s", logs)
}
