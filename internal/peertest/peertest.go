// Package peertest writes WebSocket peers by hand for tests that need
// one which breaks the rules: a listener whose connections a test serves
// with raw bytes, the 101 response, and frames written and read byte by
// byte (RFC 6455 section 5.2), with no WebSocket library in between.
package peertest

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	endian "encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wsflow/wsflow/message"
)

// Server is a loopback listener whose connections serve handles; it
// counts the connections it accepts.
type Server struct {
	l     net.Listener
	Conns atomic.Int32 // connections accepted
}

// Serve serves each connection with serve, given the handshake request
// read from it, until the end of the test, when the listener and every
// connection still open are closed and the handlers waited for.
func Serve(t testing.TB, serve func(nc net.Conn, br *bufio.Reader, r *http.Request)) *Server {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{l: l}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		open []net.Conn
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			s.Conns.Add(1)
			mu.Lock()
			open = append(open, nc)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				br := bufio.NewReader(nc)
				r, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				serve(nc, br, r)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, nc := range open {
			nc.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return s
}

// URL returns the ws:// URL of path on the server.
func (s *Server) URL(path string) string { return "ws://" + s.l.Addr().String() + path }

// SwitchProtocols writes the response 101 to the handshake request r, and
// frames after it in the same write.
func SwitchProtocols(nc net.Conn, r *http.Request, frames []byte) {
	sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n"
	nc.Write(append([]byte(resp), frames...))
}

// Frame returns a frame whose first byte is b0 (FIN, opcode) with payload
// of less than 126 bytes, masked with key when key is not nil.
func Frame(b0 byte, payload string, key []byte) []byte {
	f := []byte{b0, byte(len(payload))}
	if key == nil {
		return append(f, payload...)
	}
	f[1] |= 0x80
	f = append(f, key...)
	for i := range len(payload) {
		f = append(f, payload[i]^key[i%4])
	}
	return f
}

// ReadFrame reads one frame from br and returns its first byte and its
// payload, unmasked.
func ReadFrame(br *bufio.Reader) (b0 byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return 0, nil, err
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(br, ext[:]); err != nil {
			return 0, nil, err
		}
		n = int(endian.BigEndian.Uint16(ext[:]))
	case 127:
		return 0, nil, errors.New("a frame too long for a test")
	}
	var key [4]byte
	if h[1]&0x80 != 0 {
		if _, err := io.ReadFull(br, key[:]); err != nil {
			return 0, nil, err
		}
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(br, payload); err != nil {
		return 0, nil, err
	}
	for i := range payload {
		payload[i] ^= key[i%4]
	}
	return h[0], payload, nil
}

// CloseFrom reads frames from br up to a close frame and returns its
// code and reason, or code 0 when the connection ends first.
func CloseFrom(br *bufio.Reader) message.Close {
	for {
		b0, p, err := ReadFrame(br)
		if err != nil {
			return message.Close{}
		}
		if b0&0x0f == 0x8 && len(p) >= 2 {
			return message.Close{Code: message.Code(endian.BigEndian.Uint16(p)), Reason: string(p[2:])}
		}
	}
}
