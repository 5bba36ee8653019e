package demo

import (
	"bufio"
	"bytes"
	be "encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// upgradeHeaders are the headers of a WebSocket handshake, each line
// ending in CRLF.
const upgradeHeaders = "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"

// rawRequest sends head (a request line and headers, without the empty
// line that ends them) to the demo at addr and returns the response, the
// connection and its reader.
func rawRequest(t *testing.T, addr, head string) (*http.Response, net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(testTimeout))) // a hang guard
	_, err = io.WriteString(c, head+"\r\n")
	require.NoError(t, err)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	return resp, c, br
}

// maskedHeader is the header of a client's frame declaring n payload
// bytes, masked with the key 0 0 0 0 (so that the payload goes as it is).
func maskedHeader(first byte, n uint64) []byte {
	return append(be.BigEndian.AppendUint64([]byte{first, 0x80 | 127}, n), 0, 0, 0, 0)
}

// closeCodeAfter reads frames until the server's close frame and returns
// its code.
func closeCodeAfter(t *testing.T, br *bufio.Reader) int {
	t.Helper()
	for {
		var h [2]byte
		_, err := io.ReadFull(br, h[:])
		require.NoError(t, err)
		n := int(h[1] & 0x7f) // a server's frames here are short
		p := make([]byte, n)
		_, err = io.ReadFull(br, p)
		require.NoError(t, err)
		if h[0]&0x0f == 0x8 {
			return int(be.BigEndian.Uint16(p))
		}
	}
}

// Attacks on the demo that held: each is refused as the contract says,
// and nothing is held for it.
func TestAttacksThatHeld(t *testing.T) {
	d := startCommand(t, "-max-message", "65536")
	status := func(head string) int {
		resp, _, _ := rawRequest(t, d.addr, head)
		return resp.StatusCode
	}
	host := "Host: " + d.addr + "\r\n"

	t.Run("HEAD, OPTIONS and HTTP/1.0 upgrades", func(t *testing.T) {
		require.Equal(t, http.StatusMethodNotAllowed, status("HEAD /echo HTTP/1.1\r\n"+host+upgradeHeaders))
		require.Equal(t, http.StatusMethodNotAllowed, status("OPTIONS /echo HTTP/1.1\r\n"+host+upgradeHeaders))
		require.Equal(t, http.StatusUpgradeRequired, status("GET /echo HTTP/1.0\r\n"+host+upgradeHeaders))
	})
	t.Run("huge headers", func(t *testing.T) {
		huge := "X-Huge: " + strings.Repeat("h", 2<<20) + "\r\n"
		require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, status("GET /echo HTTP/1.1\r\n"+host+upgradeHeaders+huge))
	})
	t.Run("many forged cookies", func(t *testing.T) {
		var cookies strings.Builder
		for i := range 1000 {
			fmt.Fprintf(&cookies, "Cookie: session=ann.%d.forged\r\n", i)
		}
		require.Equal(t, http.StatusForbidden, status("GET /secure HTTP/1.1\r\n"+host+upgradeHeaders+cookies.String()))
	})
	t.Run("room names with NATS wildcards", func(t *testing.T) {
		for _, room := range []string{"a.b", "*", "%3E", "a%20b", "a.%2A", "%2E"} {
			require.Equal(t, http.StatusNotFound, status("GET /chat/"+room+"?name=ann HTTP/1.1\r\n"+host+upgradeHeaders), room)
		}
	})
	t.Run("a frame header declaring 1 GiB", func(t *testing.T) {
		resp, c, br := rawRequest(t, d.addr, "GET /echo HTTP/1.1\r\n"+host+upgradeHeaders)
		require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
		_, err := c.Write(append(maskedHeader(0x81, 1<<30), bytes.Repeat([]byte("x"), 65537)...))
		require.NoError(t, err)
		require.Equal(t, 1009, closeCodeAfter(t, br))
	})
	t.Run("endless fragments", func(t *testing.T) {
		resp, c, br := rawRequest(t, d.addr, "GET /echo HTTP/1.1\r\n"+host+upgradeHeaders)
		require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
		fragment := append(maskedHeader(0x00, 1000), bytes.Repeat([]byte("x"), 1000)...)
		frames := append(maskedHeader(0x01, 1000), bytes.Repeat([]byte("x"), 1000)...)
		frames = append(frames, bytes.Repeat(fragment, 100)...)
		_, err := c.Write(frames)
		require.NoError(t, err)
		require.Equal(t, 1009, closeCodeAfter(t, br))
	})
}
