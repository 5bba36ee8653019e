package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/cmdtest"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/rooms"
	"github.com/wsflow/wsflow/router/wstest"
)

// member dials room as name and checks its own join line comes first.
func member(t *testing.T, d *testDemo, room, name string) *wstest.Conn {
	t.Helper()
	c := wstest.Dial(t, d.wsURL("/chat/"+room+"?name="+name))
	c.ExpectText("* " + name + " joined")
	return c
}

func TestChatRules(t *testing.T) {
	d := startDemo(t)
	const badRoom = "404 not found: a chat room's name must match [a-z0-9-]{1,32}\n"
	for _, path := range []string{"/chat/Lobby", "/chat/" + strings.Repeat("a", 33), "/chat/a_b", "/chat/a.b",
		"/chat/%C3%A9t%C3%A9", "/chat/a%2Fb", "/chat/a%20b", "/chat/lobby%0A"} {
		t.Run("404 "+path, func(t *testing.T) {
			status, body := refused(t, d.wsURL(path+"?name=ann"))
			require.Equal(t, http.StatusNotFound, status)
			require.Equal(t, badRoom, body)
		})
	}
	for _, path := range []string{"/chat/", "/chat/a/b"} {
		t.Run("404 "+path, func(t *testing.T) {
			status, _ := refused(t, d.wsURL(path)) // no route at all
			require.Equal(t, http.StatusNotFound, status)
		})
	}
	const badName = "400 bad request: name must match [A-Za-z0-9_-]{1,32}\n"
	for _, query := range []string{"?name=a+b", "?name=" + strings.Repeat("n", 33), "?name=%C3%A9", "?name=a.b", "?name=*", "?name=%00"} {
		t.Run("400 "+query, func(t *testing.T) {
			status, body := refused(t, d.wsURL("/chat/lobby"+query))
			require.Equal(t, http.StatusBadRequest, status)
			require.Equal(t, badName, body)
		})
	}
	t.Run("400 malformed query", func(t *testing.T) {
		status, body := refused(t, d.wsURL("/chat/lobby?name=%zz"))
		require.Equal(t, http.StatusBadRequest, status)
		require.Equal(t, "400 bad request: malformed query string\n", body)
	})
	t.Run("the longest room and name", func(t *testing.T) {
		room, name := "a-"+strings.Repeat("z09", 10), "A_"+strings.Repeat("z-9", 10)
		c := member(t, d, room, name)
		c.SendText("hi")
		c.ExpectText(name + ": hi")
	})
	for i, query := range []string{"", "?name=", "?other=x"} {
		t.Run("anonymous "+query, func(t *testing.T) {
			c := wstest.Dial(t, d.wsURL(fmt.Sprintf("/chat/nameless-%d%s", i, query)))
			c.ExpectText("* anonymous joined")
			c.SendText("who am I?")
			c.ExpectText("anonymous: who am I?")
			c.Close()
		})
	}
}

func TestChatRoom(t *testing.T) {
	d := startDemo(t)
	ann := member(t, d, "lobby", "ann")
	bob := member(t, d, "lobby", "bob")
	ann.ExpectText("* bob joined")
	cat := member(t, d, "kitchen", "cat")

	bob.SendText("hi")
	bob.ExpectText("bob: hi")
	ann.ExpectText("bob: hi")
	cat.SendText("meow")
	cat.ExpectText("cat: meow")

	bob.Close()
	ann.ExpectText("* bob left")
	// Neither room heard the other: the next line each reads is its own.
	ann.SendText("bye")
	ann.ExpectText("ann: bye")
	cat.SendText("alone?")
	cat.ExpectText("cat: alone?")
}

// TestChatOneOrderForAll: three members sending 1,000 messages each at
// once all observe the same sequence, each from its own join line on,
// holding every message once, in its sender's order.
func TestChatOneOrderForAll(t *testing.T) {
	d := startDemo(t)
	const perMember = 1000
	names := []string{"ann", "bob", "cat"}
	conns := make([]*wstest.Conn, len(names))
	got := make([][]string, len(names))
	for i, name := range names {
		conns[i] = member(t, d, "must-show", name)
		got[i] = []string{"* " + name + " joined"}
		for j := range i {
			conns[j].ExpectText("* " + name + " joined")
			got[j] = append(got[j], "* "+name+" joined")
		}
	}

	ctx := testCtx(t)
	errs := make([]error, 2*len(names))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			for k := range perMember {
				if err := c.Client().Send(ctx, message.Text(fmt.Sprintf("%s-%d", names[i], k))); err != nil {
					errs[2*i] = fmt.Errorf("%s writing message %d: %w", names[i], k, err)
					return
				}
			}
		})
		wg.Go(func() {
			for range len(names) * perMember {
				line, err := receiveText(ctx, c.Client())
				if err != nil {
					errs[2*i+1] = fmt.Errorf("%s reading after %d messages: %w", names[i], len(got[i]), err)
					return
				}
				got[i] = append(got[i], line)
			}
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))

	room := got[0]
	require.Len(t, room, len(names)+len(names)*perMember)
	for i := range names {
		require.Equal(t, room[i:], got[i], "%s's sequence from its join line", names[i])
	}
	for _, name := range names {
		var said []string
		for _, line := range room {
			if text, ok := strings.CutPrefix(line, name+": "); ok {
				said = append(said, text)
			}
		}
		want := make([]string, perMember)
		for k := range want {
			want[k] = fmt.Sprintf("%s-%d", name, k)
		}
		require.Equal(t, want, said, "%s's messages, once each, in its order", name)
	}
}

// TestChatEvictsSilentMember is the other half of the must-show: a
// member that never reads is closed with 1008 while the others receive
// everything.
//
// The silent member falls behind only once its connection can take no
// more: its kernel socket buffers (the server's send buffer, its own
// receive buffer) hold what the room said first, and only then do
// messages wait in its queue, which overflows after
// chatMemberBuffer more. So ann says enough short lines to fill both,
// in windows that ann and bob read in full before the next, which keeps
// them far behind the same limit.
//
// The 1008 close frame can only follow the message the server was
// writing when the member fell behind, and coder/websocket gives that
// write 5 s to finish before it drops the connection instead (1006). So
// sid starts reading as soon as ann has said everything; nothing tells
// the test earlier that sid has been evicted.
func TestChatEvictsSilentMember(t *testing.T) {
	// The write timeout would drop sid (1006) on a slow machine before the
	// room has said enough; it is not what is under test.
	d := startDemo(t, "-write-timeout", "5m")
	ann := member(t, d, "busy", "ann")
	bob := member(t, d, "busy", "bob")
	ann.ExpectText("* bob joined")
	sid := wstest.Dial(t, d.wsURL("/chat/busy?name=sid")) // does not read, for now
	ann.ExpectText("* sid joined")
	bob.ExpectText("* sid joined")

	line := func(k int) string { return fmt.Sprintf("%04d %s", k, strings.Repeat("x", 1000)) }
	n := int(cmdtest.SocketBuffers()/int64(len(line(0)))) + chatMemberBuffer + 64
	const window = 500
	ctx := testCtx(t)
	began := time.Now()
	for from := 0; from < n; from += window {
		to := min(from+window, n)
		written := make(chan error, 1)
		go func() {
			for k := from; k < to; k++ {
				if err := ann.Client().Send(ctx, message.Text(line(k))); err != nil {
					written <- err
					return
				}
			}
			written <- nil
		}()
		for _, c := range []*wstest.Conn{ann, bob} {
			for k := from; k < to; k++ {
				c.ExpectText("ann: " + line(k))
			}
		}
		require.NoError(t, <-written)
	}
	said := time.Since(began)

	// What sid gets is the room's sequence from its join line, up to where
	// it fell behind, then the close.
	want := append([]string{"* sid joined"}, make([]string, n)...)
	for k := range n {
		want[k+1] = "ann: " + line(k)
	}
	var got int
	for ; ; got++ {
		kind, p, closed := sid.Next()
		if closed != nil {
			require.Equal(t, message.Close{Code: message.PolicyViolation, Reason: rooms.ErrTooSlow.Reason}, *closed, "after %d of %d messages", got, len(want))
			break
		}
		require.Less(t, got, len(want)-1, "sid was not evicted: its socket buffers hold more than cmdtest.SocketBuffers says")
		require.Equal(t, message.KindText, kind)
		require.Equal(t, want[got], string(p), "sid's message %d", got)
	}
	t.Logf("ann said %d lines in %v; sid read %d before its 1008, %v after ann's last", n, said, got, time.Since(began)-said)
	ann.ExpectText("* sid left")
	bob.ExpectText("* sid left")
}

// TestRooms checks the registry: a room exists while it has members, and
// is let go once its last member's flow has stopped, so that any number
// of room names costs nothing once their sockets have closed.
func TestRooms(t *testing.T) {
	rs := newChatRooms(broker.NewInProcess())
	ctx := testCtx(t)
	start := func(room, name string) (*flow.Running[string], <-chan string) {
		heard := make(chan string, 16) // more than a test below lets wait
		r := flow.Start(ctx, chatMember(rs, room, name), func(line string) error {
			select {
			case heard <- line:
			default: // unheard lines of the busy rooms below
			}
			return nil
		})
		return r, heard
	}
	expectHeard := func(heard <-chan string, want ...string) {
		t.Helper()
		for _, w := range want {
			select {
			case line := <-heard:
				require.Equal(t, w, line)
			case <-ctx.Done():
				t.Fatalf("waiting for %q: %v", w, ctx.Err())
			}
		}
	}

	chatMember(rs, "lobby", "nobody") // a blueprint takes no seat until it runs
	require.Equal(t, 0, rs.Len())

	ann, annHeard := start("lobby", "ann")
	expectHeard(annHeard, "* ann joined")
	bob, bobHeard := start("lobby", "bob")
	expectHeard(bobHeard, "* bob joined")
	cat, catHeard := start("kitchen", "cat")
	expectHeard(catHeard, "* cat joined")
	require.Equal(t, 2, rs.Len())
	require.NoError(t, bob.Push("hi"))
	expectHeard(bobHeard, "bob: hi")
	require.ErrorIs(t, bob.Stop(), context.Canceled) // Stop returns once bob's flow has stopped
	require.Equal(t, 2, rs.Len(), "ann is still in the lobby")
	expectHeard(annHeard, "* bob joined", "bob: hi", "* bob left")
	ann.Stop()
	require.Equal(t, 1, rs.Len(), "the lobby has gone with its last member")
	cat.Stop()
	require.Equal(t, 0, rs.Len())

	// A room made again is a new room.
	dan, danHeard := start("lobby", "dan")
	require.NoError(t, dan.Push("anyone?"))
	expectHeard(danHeard, "* dan joined", "dan: anyone?")
	require.Equal(t, 1, rs.Len())
	dan.Stop()

	// Members coming and going at once in many rooms leave nothing behind.
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			r, _ := start(fmt.Sprintf("room-%d", i%20), fmt.Sprintf("m%d", i))
			r.Push("hello")
			r.Stop()
		})
	}
	wg.Wait()
	require.Equal(t, 0, rs.Len())
}

// TestRoomsOfFailedHandshakes: a refused handshake (a malformed upgrade,
// one beyond -max-conns, one during a shutdown) leaves no room behind.
func TestRoomsOfFailedHandshakes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxConns = 1
	d := New(cfg)
	srv := wstest.Serve(t, d)
	wsURL := strings.TrimSuffix(srv.URL(""), "/")

	for i := range 5 {
		// An upgrade request without Sec-WebSocket-Version and -Key.
		req, err := http.NewRequestWithContext(testCtx(t), http.MethodGet, srv.HTTPURL(fmt.Sprintf("/chat/odd-%d", i)), nil)
		require.NoError(t, err)
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		resp, err := httpClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	}
	require.Equal(t, 0, d.chat.Len(), "refused as malformed")

	ann := wstest.Dial(t, wsURL+"/chat/lobby?name=ann")
	ann.ExpectText("* ann joined")
	require.Equal(t, 1, d.chat.Len())

	for i := range 5 {
		status, body := refused(t, fmt.Sprintf("%s/chat/full-%d", wsURL, i))
		require.Equal(t, http.StatusServiceUnavailable, status, body)
	}
	require.Equal(t, 1, d.chat.Len(), "refused beyond -max-conns")
	ann.Close()
	require.NoError(t, d.Shutdown(testCtx(t))) // ann's socket has ended
	require.Equal(t, 0, d.chat.Len())
	for i := range 5 {
		status, _ := refused(t, fmt.Sprintf("%s/chat/closing-%d", wsURL, i))
		require.Equal(t, http.StatusServiceUnavailable, status)
	}
	require.Equal(t, 0, d.chat.Len(), "refused while shutting down")
}

// A member that sends large messages and never reads holds at most its
// room's byte bound (8 MiB) of them: it is closed with 1008 long before
// its 4,096-message bound, and the server's live heap stays within a
// bound far below what 4,096 of its messages would take (256 MiB).
func TestChatBoundsNeverReadingMemberByBytes(t *testing.T) {
	d := startDemo(t, "-write-timeout", "5m")
	hog := wstest.Dial(t, d.wsURL("/chat/big?name=hog")) // never reads until the end
	text := strings.Repeat("x", 64<<10-16)               // "hog: " + text fits -max-message
	// Enough to fill the socket buffers and pass the byte bound eight
	// times over; before the byte bound it all stayed queued.
	n := int((cmdtest.SocketBuffers()+8*rooms.DefaultBytes)/int64(len(text))) + 1
	const heapBound = 48 << 20
	live := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	base := live()
	var peak uint64
	ctx := testCtx(t)
	for k := range n {
		if err := hog.Client().Send(ctx, message.Text(text)); err != nil {
			break // closed by the server
		}
		if k%32 == 0 {
			peak = max(peak, live())
		}
	}
	peak = max(peak, live())
	t.Logf("sent up to %d messages of %d bytes; live heap %d MiB at start, peak %d MiB", n, len(text), base>>20, peak>>20)
	require.Less(t, peak-min(base, peak), uint64(heapBound), "a never-reading member pinned the server's heap")
	// It was closed as too slow. It took nothing, so the close frame may
	// not reach it: the server's log says what it was closed with.
	require.NoError(t, d.logs.WaitFor(ctx, `code=1008 reason="too slow: fell behind the room"`), "log:\n%s", d.logs)
}
