package interop_test

import (
	"net/http"
	"strings"
	"testing"

	gorilla "github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/internal/flowtest"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// gorillaServer echoes with gorilla/websocket until "close CODE", which it
// answers with that close; it reports the close the client sent.
func gorillaServer(t *testing.T) (*wstest.Server, chan error) {
	ended := make(chan error, 1)
	up := gorilla.Upgrader{}
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			ended <- err
			return
		}
		defer c.Close()
		for {
			typ, p, err := c.ReadMessage()
			if err != nil {
				ended <- err
				return
			}
			if code, ok := strings.CutPrefix(string(p), "close "); ok {
				c.WriteMessage(gorilla.CloseMessage, gorilla.FormatCloseMessage(4000, code))
				continue // read the client's answer
			}
			if err := c.WriteMessage(typ, p); err != nil {
				ended <- err
				return
			}
		}
	}))
	return srv, ended
}

func TestGorillaServer(t *testing.T) {
	srv, ended := gorillaServer(t)
	var got []string
	big := strings.Repeat("é", 30000) // 60,000 bytes: beyond a buffer, within the read limit
	require.NoError(t, client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Script([]string{"hi", big}, 2, &got)))
	require.Equal(t, []string{"hi", big}, got)
	var ce *gorilla.CloseError
	require.ErrorAs(t, <-ended, &ce)
	require.Equal(t, gorilla.CloseNormalClosure, ce.Code)

	srv, ended = gorillaServer(t)
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Listen([]string{"close now"}, make(chan string)))
	var sc *client.ServerClosed
	require.ErrorAs(t, err, &sc)
	require.Equal(t, message.Close{Code: 4000, Reason: "now"}, sc.Close)
	require.ErrorAs(t, <-ended, &ce)
	require.Equal(t, 4000, ce.Code, "the client echoed the server's close")
}
