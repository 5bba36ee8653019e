package soak

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
)

// The soak's hostile phase: a demo of its own (64 KiB messages, a small
// -max-conns) attacked at once by peers that end their TCP stream in the
// middle of a message, by upgrades and plain requests that declare a body
// they never send, by chat members that send large messages and never
// read, beside watchers that must never hear an unfinished message, and
// by peers that close with codes of their choosing.
const (
	hostileMaxConns     = 64
	hostileBodies       = 80  // upgrades that declare a body: more than -max-conns
	hostilePlainBodies  = 120 // plain requests that declare a body: more than -max-conns
	hostileHandshake    = time.Second
	hostileCloseCodes   = 400 // sockets that each close with a code of their own
	hostileTruncators   = 40  // peers that cut a message short
	hostileRooms        = 4   // chat rooms the truncators and watchers share
	hostileHogs         = 4   // chat members that send 64 KiB messages and never read
	hostileHogMessages  = 600 // each, about 38 MiB: far past a member's 8 MiB
	hostileRSSBound     = 192 << 20
	unfinishedMarker    = "UNFINISHED"
	hostileHandshakeKey = "dGhlIHNhbXBsZSBub25jZQ=="
)

// TestSoakHostile runs the hostile phase, with -soak (as TestSoak).
func TestSoakHostile(t *testing.T) {
	if !*soakFlag {
		t.Skip("the hostile soak runs with -soak (go test -count=1 -run '^TestSoakHostile$' -v ./tools/soak -soak)")
	}
	guard, cancel := context.WithTimeout(context.Background(), soakBudget)
	defer cancel()
	client := soakHTTPClient()
	hostileAddr := startSoakDemo(t, io.Discard, "-max-message", "65536", "-max-conns", strconv.Itoa(hostileMaxConns),
		"-write-timeout", "5m", "-keepalive", "0", "-handshake-timeout", hostileHandshake.String())
	hostileBegan := time.Now()
	h := runHostile(guard, hostileAddr, client)
	t.Logf("hostile: body-declaring upgrades answered 400 and closed=%d/%d (-max-conns %d), truncated messages=%d/%d, "+
		"lines the watchers heard=%d, unfinished messages heard=%d, never-reading 64 KiB members closed=%d/%d, "+
		"plain requests whose body never came closed=%d/%d (the slowest after %v, -handshake-timeout %v), "+
		"close codes sprayed=%d making %d wsflow_closes_total series on GET /echo, "+
		"RSS before=%.1f MiB peak=%.1f MiB (+%.1f MiB, bound %d MiB), took %v",
		h.bodies400, hostileBodies, hostileMaxConns, h.truncated, hostileTruncators, h.heard, h.unfinished,
		h.hogsEvicted, hostileHogs, h.plainClosed, hostilePlainBodies, h.plainSlowest.Round(time.Millisecond), hostileHandshake,
		h.codesSprayed, h.closeSeries, mib(h.rssBase), mib(h.rssPeak), mib(h.rssPeak-min(h.rssBase, h.rssPeak)),
		hostileRSSBound>>20, time.Since(hostileBegan).Round(time.Millisecond))
	for _, err := range h.errs {
		t.Error(err)
	}
	require.Less(t, h.rssPeak-min(h.rssBase, h.rssPeak), uint64(hostileRSSBound), "resident memory during the hostile phase")
}

// hostileTally is what the hostile phase saw.
type hostileTally struct {
	bodies400    int           // body-declaring upgrades answered 400 and closed
	truncated    int           // truncating peers whose unfinished message was sent
	heard        int           // lines the watchers heard
	unfinished   int           // lines holding the marker: must stay 0
	hogsEvicted  int           // hogs the server stopped taking from
	plainClosed  int           // plain requests that declared a body, closed by the server
	plainSlowest time.Duration // the longest the server took to close one
	codesSprayed int           // sockets closed with a code of their own
	closeSeries  int           // wsflow_closes_total series of GET /echo after them
	rssBase      uint64        // the process's resident memory before, bytes
	rssPeak      uint64        // and at its highest during the phase
	errs         []error
	mu           sync.Mutex
}

func (h *hostileTally) fail(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.errs = append(h.errs, fmt.Errorf(format, args...))
}

// runHostile runs the hostile phase against the demo at addr.
func runHostile(ctx context.Context, addr string, client *http.Client) *hostileTally {
	h := &hostileTally{rssBase: residentMemory()}
	stopRSS := sampleRSS(&h.rssPeak)
	defer stopRSS()

	// Body-declaring upgrades first: were they to take slots, every
	// socket after them would be refused with 503.
	stalled := make([]net.Conn, 0, hostileBodies)
	defer func() {
		for _, c := range stalled {
			c.Close()
		}
	}()
	for i := range hostileBodies {
		c, err := bodyDeclaringUpgrade(ctx, addr, i%2 == 0)
		if err != nil {
			h.fail("body-declaring upgrade %d: %v", i, err)
			continue
		}
		h.bodies400++
		stalled = append(stalled, c)
	}

	// Plain requests that declare a body and never send it, all the
	// while: each must be closed within -handshake-timeout.
	var plain sync.WaitGroup
	for i := range hostilePlainBodies {
		plain.Go(func() { h.plainBody(ctx, addr, i) })
	}
	defer plain.Wait()

	// Watchers, one per room, hear everything said in it; left counts
	// the truncators they have heard leave.
	var wg sync.WaitGroup
	left := make(chan struct{}, hostileTruncators)
	watchers := make([]*websocket.Conn, hostileRooms)
	for k := range watchers {
		c, _, err := websocket.Dial(ctx, fmt.Sprintf("ws://%s/chat/unfinished-%d?name=watcher", addr, k), &websocket.DialOptions{HTTPClient: client})
		if err != nil {
			h.fail("watcher %d: %v", k, err)
			return h
		}
		c.SetReadLimit(-1)
		watchers[k] = c
		wg.Go(func() {
			for {
				_, p, err := c.Read(ctx)
				if err != nil {
					return
				}
				h.mu.Lock()
				h.heard++
				if bytes.Contains(p, []byte(unfinishedMarker)) {
					h.unfinished++
				}
				h.mu.Unlock()
				if bytes.HasPrefix(p, []byte("* cut")) && bytes.HasSuffix(p, []byte(" left")) {
					left <- struct{}{}
				}
			}
		})
	}

	// Truncators and hogs at once.
	var attackers sync.WaitGroup
	for i := range hostileTruncators {
		attackers.Go(func() {
			path := fmt.Sprintf("/chat/unfinished-%d?name=cut%d", i%hostileRooms, i)
			if i%4 == 3 {
				path = "/echo"
			}
			if err := truncate(ctx, addr, path, i); err != nil {
				h.fail("truncator %d on %s: %v", i, path, err)
				return
			}
			h.mu.Lock()
			h.truncated++
			h.mu.Unlock()
		})
	}
	for i := range hostileHogs {
		attackers.Go(func() {
			if hog(ctx, addr, client, i) {
				h.mu.Lock()
				h.hogsEvicted++
				h.mu.Unlock()
			}
		})
	}
	attackers.Wait()

	// A truncator's unfinished message, were it delivered, would come
	// before the line that says it left: wait for every such line.
	chatTruncators := 0
	for i := range hostileTruncators {
		if i%4 != 3 {
			chatTruncators++
		}
	}
	for range chatTruncators {
		select {
		case <-left:
		case <-ctx.Done():
			h.fail("the watchers did not hear every truncator leave: %v", ctx.Err())
		}
		if ctx.Err() != nil {
			break
		}
	}
	for _, c := range watchers {
		c.Close(websocket.StatusNormalClosure, "")
	}
	wg.Wait()
	if h.unfinished > 0 {
		h.fail("%d lines held a message nobody finished sending", h.unfinished)
	}
	if h.hogsEvicted != hostileHogs {
		h.fail("%d of %d never-reading members were closed", h.hogsEvicted, hostileHogs)
	}
	h.sprayCloseCodes(ctx, addr, client)
	plain.Wait()
	if h.plainClosed != hostilePlainBodies {
		h.fail("%d of %d plain requests whose body never came were closed", h.plainClosed, hostilePlainBodies)
	}
	return h
}

// plainBody sends a plain request that declares a body (a length, or
// chunked) and never sends it, and checks that the server ends the
// connection within -handshake-timeout (and a second of slack).
func (h *hostileTally) plainBody(ctx context.Context, addr string, i int) {
	paths := []string{"/", "/healthz", "/metrics", "/login?user=ann", "/no-such-route", "/echo"}
	declared := "Content-Length: 1000\r\n"
	if i%2 == 1 {
		declared = "Transfer-Encoding: chunked\r\n"
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		h.fail("plain request %d: %v", i, err)
		return
	}
	defer c.Close()
	began := time.Now()
	c.SetDeadline(began.Add(hostileHandshake + time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", paths[i%len(paths)], addr, declared)
	if _, err := io.Copy(io.Discard, c); err != nil {
		h.fail("plain request %d to %s with %q: the connection stayed open (%v)", i, paths[i%len(paths)], declared, err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.plainClosed++
	h.plainSlowest = max(h.plainSlowest, time.Since(began))
}

// sprayCloseCodes opens sockets on /echo that each close with a code of
// their own, 3000 to 4999, and counts the wsflow_closes_total series of
// the route afterwards: codes are bucketed, so at most 1000 to 1015,
// 3xxx, 4xxx and other.
func (h *hostileTally) sprayCloseCodes(ctx context.Context, addr string, client *http.Client) {
	codes := make(chan websocket.StatusCode)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for code := range codes {
				c, _, err := websocket.Dial(ctx, "ws://"+addr+"/echo", &websocket.DialOptions{HTTPClient: client})
				if err != nil {
					h.fail("close code %d: %v", code, err)
					continue
				}
				c.Close(code, "")
				h.mu.Lock()
				h.codesSprayed++
				h.mu.Unlock()
			}
		})
	}
	for i := range hostileCloseCodes {
		codes <- websocket.StatusCode(3000 + i*2000/hostileCloseCodes)
	}
	close(codes)
	wg.Wait()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		h.fail("metrics: %v", err)
		return
	}
	resp, err := client.Do(req)
	if err != nil {
		h.fail("metrics: %v", err)
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "wsflow_closes_total{") && strings.Contains(sc.Text(), `route="GET /echo"`) {
			h.closeSeries++
		}
	}
	if h.closeSeries > 16+3 {
		h.fail("%d close codes made %d wsflow_closes_total series on GET /echo", hostileCloseCodes, h.closeSeries)
	}
}

// bodyDeclaringUpgrade sends an upgrade that declares a body (a
// Content-Length, or chunked) and never sends it, and checks that the
// server answers 400 at once and ends the connection. It returns the
// connection, which the phase keeps open to its end.
func bodyDeclaringUpgrade(ctx context.Context, addr string, chunked bool) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	declared := "Content-Length: 100\r\n"
	if chunked {
		declared = "Transfer-Encoding: chunked\r\n"
	}
	c.SetDeadline(time.Now().Add(testTimeout))
	fmt.Fprintf(c, "GET /echo HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s\r\n", addr, hostileHandshakeKey, declared)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("no answer: %w", err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusBadRequest {
		c.Close()
		return nil, fmt.Errorf("status %d, want 400", resp.StatusCode)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		c.Close()
		return nil, fmt.Errorf("the connection stayed open after the 400 (%v)", err)
	}
	return c, nil
}

// truncate opens a socket on path by hand, sends the start of a message
// that holds unfinishedMarker (a fragmented message, or one frame that
// declares more than it carries) and ends the TCP stream, with a FIN or
// a reset.
func truncate(ctx context.Context, addr, path string, i int) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", path, addr, hostileHandshakeKey)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return fmt.Errorf("handshake: %s", resp.Status)
	}
	if strings.HasPrefix(path, "/chat/") {
		// A member joins once its socket is open; one whose connection
		// ends before then has neither joined nor left. Cut the message
		// once this one is in the room, as its own joined says.
		if err := awaitJoined(br, "* cut"+strconv.Itoa(i)+" joined"); err != nil {
			return err
		}
	}
	text := []byte(unfinishedMarker + " from " + strconv.Itoa(i) + " " + strings.Repeat("x", 200))
	var frames []byte
	if i%2 == 0 {
		frames = append(maskedFrame(0x01, text[:50], len(text[:50])), maskedFrame(0x00, text[50:120], len(text[50:120]))...)
	} else {
		frames = maskedFrame(0x81, text, 4*len(text))
	}
	if _, err := c.Write(frames); err != nil {
		return err
	}
	tc := c.(*net.TCPConn)
	if i%3 == 0 {
		tc.SetLinger(0) // a reset
		return nil
	}
	return tc.CloseWrite()
}

// awaitJoined reads the server's frames (short, unmasked text ones) until
// one holds line.
func awaitJoined(br *bufio.Reader, line string) error {
	for {
		var head [2]byte
		if _, err := io.ReadFull(br, head[:]); err != nil {
			return err
		}
		n := int(head[1] & 0x7f)
		if head[1]&0x80 != 0 || n >= 126 {
			return fmt.Errorf("an unexpected frame header % x", head)
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(br, payload); err != nil {
			return err
		}
		if string(payload) == line {
			return nil
		}
	}
}

// maskedFrame is a client frame whose header declares declared bytes and
// which carries payload.
func maskedFrame(first byte, payload []byte, declared int) []byte {
	b := []byte{first}
	switch {
	case declared < 126:
		b = append(b, 0x80|byte(declared))
	case declared < 1<<16:
		b = append(b, 0x80|126, byte(declared>>8), byte(declared))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(declared))
	}
	key := [4]byte{7, 1, 9, 3}
	b = append(b, key[:]...)
	for j, x := range payload {
		b = append(b, x^key[j%4])
	}
	return b
}

// hog joins a room of its own, sends 64 KiB messages without reading,
// and reports whether the server closed it: once it has sent them all (or
// the server stopped taking them), it reads what is waiting for it, which
// ends with the server's close, 1008 or a dropped connection, if the
// server closed it, and with the hang guard if not. The kernel's socket
// buffers can take the last of its messages after the server has stopped
// reading, so a write that does not fail proves nothing either way.
func hog(ctx context.Context, addr string, client *http.Client, i int) bool {
	c, _, err := websocket.Dial(ctx, fmt.Sprintf("ws://%s/chat/hog-%d?name=hog", addr, i), &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		return false
	}
	defer c.CloseNow()
	c.SetReadLimit(-1)
	text := bytes.Repeat([]byte("h"), 64<<10-16)
	for range hostileHogMessages {
		if err := c.Write(ctx, websocket.MessageText, text); err != nil {
			break
		}
	}
	wait, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	for {
		if _, _, err := c.Read(wait); err != nil {
			return wait.Err() == nil
		}
	}
}

// residentMemory returns this process's resident set size (VmRSS).
func residentMemory() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kib, _ := strconv.ParseUint(f[1], 10, 64)
			return kib << 10
		}
	}
	return 0
}

// sampleRSS records the highest resident memory into *peak until stop.
func sampleRSS(peak *uint64) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			*peak = max(*peak, residentMemory())
			select {
			case <-tick.C:
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
