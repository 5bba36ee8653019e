package client_test

import (
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	gorilla "github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
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
	require.NoError(t, client.Dial(testCtx(t), srv.URL("/"), transformer.String(), script([]string{"hi", big}, 2, &got)))
	require.Equal(t, []string{"hi", big}, got)
	var ce *gorilla.CloseError
	require.ErrorAs(t, <-ended, &ce)
	require.Equal(t, gorilla.CloseNormalClosure, ce.Code)

	srv, ended = gorillaServer(t)
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), listen([]string{"close now"}, make(chan string)))
	var sc *client.ServerClosed
	require.ErrorAs(t, err, &sc)
	require.Equal(t, message.Close{Code: 4000, Reason: "now"}, sc.Close)
	require.ErrorAs(t, <-ended, &ce)
	require.Equal(t, 4000, ce.Code, "the client echoed the server's close")
}

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(hello)
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	var got []string
	err := client.Dial(testCtx(t), "wss"+strings.TrimPrefix(srv.URL, "https")+"/", transformer.String(),
		script([]string{"tls"}, 1, &got), client.WithTLSConfig(&tls.Config{RootCAs: pool}))
	require.NoError(t, err)
	require.Equal(t, []string{"Hello, tls"}, got)
}

// A server whose connection ends in the middle of a message: the client
// delivers nothing of it (the runtime's wire rules hold on the client).
func TestTruncatedMessageIsNotDelivered(t *testing.T) {
	tests := []struct {
		name   string
		frames []byte
	}{
		{"fragmented message", append(append([]byte{0x01, 6}, "hello "...), append([]byte{0x00, 3}, "wor"...)...)},
		{"partial frame", append([]byte{0x81, 10}, "trunc"...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				nc, brw, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return
				}
				defer nc.Close()
				sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
				brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
					"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n")
				brw.Write(tt.frames)
				brw.Flush()
			}))
			got := make(chan string, 1)
			err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), listen(nil, got))
			require.Error(t, err)
			var sc *client.ServerClosed
			require.False(t, errors.As(err, &sc))
			require.Empty(t, got, "a truncated message was delivered")
		})
	}
}
