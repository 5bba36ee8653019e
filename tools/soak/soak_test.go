package soak

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/maphash"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/cmd/wsflow/demo"
	"github.com/wsflow/wsflow/internal/cmdtest"
	"github.com/wsflow/wsflow/internal/wire"
)

// The soak test is excluded from the ordinary `go test`: it runs only with
// -soak, as in
//
//	go test -count=1 -run '^TestSoak$' -v ./tools/soak -soak
//
// -soak.seed replays a run (its seed is printed first); -soak.conns scales
// it down, e.g. to 200 connections under -race.
var (
	soakFlag  = flag.Bool("soak", false, "run TestSoak: 1,000 connections with faults mixed in, bounded to 2 minutes")
	soakSeed  = flag.Uint64("soak.seed", 0, "TestSoak's random seed (0: a new one, printed)")
	soakConns = flag.Int("soak.conns", 1000, "TestSoak's connections: 70% on /echo, 30% chat members, 10 per room")
)

const (
	soakMaxMessage   = 4096            // the demo's -max-message
	soakWriteTimeout = 2 * time.Second // the demo's -write-timeout
	soakBudget       = 2 * time.Minute // the hang guard of the whole test
	chatRoomSize     = 10              // members per room
	chatPerMember    = 350             // messages each chat member sends
	loudMinSize      = 800             // bytes of a chat payload in a room with a never-reader: at least,
	loudMaxSize      = 4000            // and at most
	quietMaxSize     = 400             // bytes of a chat payload in other rooms: at most
	sendWindow       = 8               // messages a client that reads sends ahead of hearing them back
	dialConcurrency  = 32              // handshakes under way at once
	warmGoroutines   = 5               // goroutines per connection that the warm-up runs, above the soak's peak
)

// soakRole is what a client does, drawn by the seeded random source.
type soakRole int

const (
	roleNormal     soakRole = iota // sends, reads everything, closes with 1000
	roleSlow                       // the same, reading with pauses
	roleAbrupt                     // cuts its TCP connection mid-stream, no close frame
	roleNeverReads                 // stops reading: the server must drop it
	roleOversize                   // sends a message over -max-message: closed with 1009
)

func (r soakRole) String() string {
	return [...]string{"normal", "slow", "abrupt", "never-reads", "oversize"}[r]
}

// drawRole: 68% normal, 12% slow, 12% abrupt, 4% never-reads, 4% oversize.
func drawRole(rng *rand.Rand) soakRole {
	switch n := rng.IntN(100); {
	case n < 68:
		return roleNormal
	case n < 80:
		return roleSlow
	case n < 92:
		return roleAbrupt
	case n < 96:
		return roleNeverReads
	default:
		return roleOversize
	}
}

// soakClient is one connection of the soak: its plan, then its results.
type soakClient struct {
	id     int
	chat   bool
	room   int // chat: index in soakPlan.rooms
	slot   int // chat: index in its room
	name   string
	role   soakRole
	count  int // messages it sends (chat: before its fin)
	stopAt int // abrupt: cut after writing this many; oversize: the oversize message follows this many
	pause  int // slow: pause after every this many messages read

	conn   *websocket.Conn
	remote string // its address as the server's log names it
	stop   func() bool
	cut    atomic.Bool // set just before an abrupt client cuts its connection

	sent, verified, lost int
	reset                bool // oversize: the connection was reset instead of closed with 1009 (see readEnded)
	lostToReset          int  // oversize /echo: echoes due before the 1009 that the reset swallowed
	err                  error
	longestWait          time.Duration // for a message, reported with a failure
	closed               serverClose   // the server's closing line for it
	heard                []uint64      // chat, normal and slow: hashes of the lines read after its own join
}

// soakPlan is one round of the soak: who does what, and what they send.
type soakPlan struct {
	seed    uint64
	text    []byte // random text mixing one- to four-byte UTF-8 characters
	hash    maphash.Seed
	clients []*soakClient
	rooms   [][]*soakClient
	loud    []bool // by room: it has a never-reader, whose buffers its long messages fill
	need    int    // bytes that surely fill a connection's kernel buffers
}

// soakText returns 64 KiB of random text from seed, messages being slices
// of it.
func soakText(seed uint64) []byte {
	alphabet := []rune("az09 ~éßЖ€世✓😀𝄞")
	rng := rand.New(rand.NewPCG(seed, 1))
	var text []byte
	for len(text) < 64<<10 {
		text = utf8.AppendRune(text, alphabet[rng.IntN(len(alphabet))])
	}
	return text
}

// newSoakPlan draws the roles of conns clients. A warm-up plan has every
// client behave and send a few messages.
//
// A chat room with a never-reader is loud (long messages) and is drawn
// again until its members that send everything say enough to fill the
// never-reader's kernel buffers; after 20 draws (a small room) it is drawn
// without never-reader.
func newSoakPlan(seed uint64, text []byte, conns int, warmUp bool) *soakPlan {
	p := &soakPlan{seed: seed, text: text, hash: maphash.MakeSeed(), need: int(cmdtest.SocketBuffers()) + 512<<10}
	rng := rand.New(rand.NewPCG(seed, 2))
	echoes := conns * 7 / 10
	members := conns - echoes
	p.rooms = make([][]*soakClient, max(1, (members+chatRoomSize/2)/chatRoomSize))
	p.loud = make([]bool, len(p.rooms))
	for id := range conns {
		c := &soakClient{id: id, chat: id >= echoes, role: roleNormal}
		if c.chat {
			c.room = (id - echoes) % len(p.rooms)
			c.slot = len(p.rooms[c.room])
			c.name = "m" + strconv.Itoa(id)
			p.rooms[c.room] = append(p.rooms[c.room], c)
		}
		p.clients = append(p.clients, c)
	}
	for _, c := range p.clients[:echoes] {
		if warmUp {
			c.count = 2
			continue
		}
		c.role = drawRole(rng)
		c.plan(rng, 50+rng.IntN(250))
		if c.role == roleNeverReads {
			// Enough to fill both kernel buffers with echoes it never reads.
			c.count = p.need/(soakMaxMessage-4) + 1
		}
	}
	for i, room := range p.rooms {
		for attempt := 0; ; attempt++ {
			for _, c := range room {
				if warmUp {
					c.count = 2
					continue
				}
				c.role = drawRole(rng)
				if c.role == roleNeverReads && attempt >= 20 {
					c.role = roleNormal // a small room cannot say enough to fill its buffers
				}
				c.plan(rng, chatPerMember)
			}
			p.loud[i] = false
			for _, c := range room {
				p.loud[i] = p.loud[i] || c.role == roleNeverReads
			}
			if warmUp || p.neverReaderDropped(room) {
				break
			}
		}
	}
	return p
}

// historyBound returns the most the chat rooms' history can hold once the
// round is over: the contract keeps each room's latest events
// (broker.DefaultHistory) for two minutes after its last member left, so
// the heap is back to its baseline plus that, not to the baseline alone.
// An event holds its line ("mID: " and a payload of the room's size, with
// the allocator's rounding) and about 64 bytes of its own.
func (p *soakPlan) historyBound() uint64 {
	var total uint64
	for i, room := range p.rooms {
		events := 2 * len(room) // joined and left
		for _, c := range room {
			events += c.count
		}
		size := quietMaxSize
		if p.loud[i] {
			size = loudMaxSize
		}
		perEvent := uint64(size+len("m1000: "))*9/8 + 64
		total += uint64(min(events, broker.DefaultHistory)) * perEvent
	}
	return total
}

// plan sets what c sends, for its role.
func (c *soakClient) plan(rng *rand.Rand, count int) {
	c.count = count
	switch c.role {
	case roleAbrupt:
		c.stopAt = rng.IntN(count)
	case roleOversize:
		c.stopAt = rng.IntN(min(count, 50))
	case roleSlow:
		c.pause = 10 + rng.IntN(40)
	}
}

// neverReaderDropped reports whether room has no never-reader, or whether
// its members that send everything say enough to fill a never-reader's
// kernel buffers, so that the write timeout surely drops it.
func (p *soakPlan) neverReaderDropped(room []*soakClient) bool {
	bytes, never := 0, false
	for _, c := range room {
		switch c.role {
		case roleNeverReads:
			never = true
			fallthrough
		case roleNormal, roleSlow:
			for seq := range c.count {
				bytes += len(p.chatPayload(c.id, seq))
			}
		}
	}
	return !never || bytes >= p.need
}

// slice returns a slice of p.text chosen by (stream, seq), of size bytes
// within [minSize, maxSize] but for its ends, which are moved to the
// nearest character boundaries inward (never below one character).
func (p *soakPlan) slice(stream, seq, minSize, maxSize int) []byte {
	h := mix(p.seed ^ uint64(stream)<<32 ^ uint64(seq))
	size := minSize + int(h%uint64(maxSize-minSize+1))
	from := int((h >> 32) % uint64(len(p.text)-maxSize-2*utf8.UTFMax))
	for !utf8.RuneStart(p.text[from]) {
		from++
	}
	to := from + size
	for !utf8.RuneStart(p.text[to]) {
		to--
	}
	if to == from {
		_, n := utf8.DecodeRune(p.text[from:])
		to += n
	}
	return p.text[from:to]
}

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (p *soakPlan) echoMessage(c *soakClient, i int) []byte {
	if c.role == roleNeverReads {
		return p.slice(c.id, i, soakMaxMessage, soakMaxMessage)
	}
	return p.slice(c.id, i, 1, soakMaxMessage)
}

// chatPayload is the payload of message seq of member id: long in a loud
// room, short in the others.
func (p *soakPlan) chatPayload(id, seq int) []byte {
	if p.loud[p.clients[id].room] {
		return p.slice(id, seq, loudMinSize, loudMaxSize)
	}
	return p.slice(id, seq, 1, quietMaxSize)
}

// oversize is a text message over -max-message by 1 B to 4 KiB.
func (p *soakPlan) oversize(c *soakClient) []byte {
	return p.slice(c.id, -1, soakMaxMessage+utf8.UTFMax+1, 2*soakMaxMessage)
}

// serverClose is what the server's log says of a socket's end.
type serverClose struct {
	code  int
	cause string
}

// soakLog is the demo's log, as the soak reads it: the closing line of
// every socket, by remote address, and the lines at WARN or ERROR level.
// It keeps nothing else, so that the log does not weigh on the heap.
type soakLog struct {
	mu       sync.Mutex
	closes   map[string]serverClose
	waiting  map[string]chan struct{}
	problems []string // the first 20
	nProblem int
}

var (
	closedLine  = regexp.MustCompile(`msg="websocket closed" route="[^"]*" remote=(\S+) code=(\d+)`)
	causeAttr   = regexp.MustCompile(` cause=("(?:[^"\\]|\\.)*"|\S+)`)
	problemLine = regexp.MustCompile(`level=(WARN|ERROR)`)
)

func newSoakLog() *soakLog {
	return &soakLog{closes: make(map[string]serverClose), waiting: make(map[string]chan struct{})}
}

// Write takes one line: slog writes each record at once.
func (l *soakLog) Write(p []byte) (int, error) {
	m := closedLine.FindSubmatch(p)
	problem := problemLine.Match(p)
	l.mu.Lock()
	defer l.mu.Unlock()
	if problem {
		l.nProblem++
		if len(l.problems) < 20 {
			l.problems = append(l.problems, string(p))
		}
	}
	if m != nil {
		code, _ := strconv.Atoi(string(m[2]))
		ev := serverClose{code: code}
		if c := causeAttr.FindSubmatch(p); c != nil {
			ev.cause = string(c[1])
		}
		remote := string(m[1])
		l.closes[remote] = ev
		if ch := l.waiting[remote]; ch != nil {
			close(ch)
			delete(l.waiting, remote)
		}
	}
	return len(p), nil
}

// waitClose returns the closing line of the socket of the client at
// remote, once the server has written it, or ctx's error.
func (l *soakLog) waitClose(ctx context.Context, remote string) (serverClose, error) {
	l.mu.Lock()
	ev, ok := l.closes[remote]
	if ok {
		delete(l.closes, remote)
		l.mu.Unlock()
		return ev, nil
	}
	ch := l.waiting[remote]
	if ch == nil {
		ch = make(chan struct{})
		l.waiting[remote] = ch
	}
	l.mu.Unlock()
	select {
	case <-ch:
		return l.waitClose(ctx, remote)
	case <-ctx.Done():
		return serverClose{}, fmt.Errorf("waiting for the server to close %s: %w", remote, ctx.Err())
	}
}

// reset drops what the log holds, maps included (a map does not shrink).
func (l *soakLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closes = make(map[string]serverClose)
	l.waiting = make(map[string]chan struct{})
}

func (l *soakLog) problemLines() (int, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.nProblem, append([]string(nil), l.problems...)
}

// startSoakDemo runs the "wsflow demo" command (demo.Run) on a free
// loopback port, with args and its log going to logs, until the end of the
// test, and returns the HOST:PORT it listens on.
func startSoakDemo(t *testing.T, logs io.Writer, args ...string) (addr string) {
	t.Helper()
	stdout := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	waitCtx, stopWaiting := context.WithTimeout(context.Background(), testTimeout)
	defer stopWaiting()
	done := make(chan error, 1)
	go func() {
		done <- demo.Run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), stdout, logs)
		stopWaiting()
	}()
	stop := sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() { require.NoError(t, stop(), "Run's result") })
	require.NoError(t, stdout.WaitFor(waitCtx, "\n"), "the demo did not start")
	m := listeningLine.FindStringSubmatch(stdout.String())
	require.NotNil(t, m, "listening line: %q", stdout.String())
	return m[1]
}

// localAddr is the context key under which the soak's dialer reports the
// local address of the connection it made.
type localAddr struct{}

// soakHTTPClient dials each handshake on a new connection and reports its
// local address to the *string under localAddr in the dial's context.
func soakHTTPClient() *http.Client {
	var dialer net.Dialer
	return &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err == nil {
				if p, ok := ctx.Value(localAddr{}).(*string); ok {
					*p = c.LocalAddr().String()
				}
			}
			return c, err
		},
	}}
}

// soakRound runs one plan against the demo at addr.
type soakRound struct {
	p      *soakPlan
	addr   string
	log    *soakLog
	client *http.Client
	ctx    context.Context // the hang guard: when it ends, every connection is closed
	peak   int             // the most goroutines seen while the clients ran, sampled
}

// run dials every client, then lets them all go at once, and waits until
// each has finished and the server has logged the end of its socket.
func (r *soakRound) run() error {
	var wg sync.WaitGroup
	sem := make(chan struct{}, dialConcurrency)
	for _, c := range r.p.clients {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c.err = r.dial(c)
		})
	}
	wg.Wait()
	var errs []error
	for _, c := range r.p.clients {
		if c.err != nil {
			errs = append(errs, fmt.Errorf("client %d (%s): %w", c.id, c.role, c.err))
		}
	}
	if len(errs) > 0 {
		r.closeAll()
		return errors.Join(errs...)
	}

	stopSampling := samplePeak()
	for _, c := range r.p.clients {
		if c.chat {
			wg.Go(func() { r.chat(c) })
		} else {
			wg.Go(func() { r.echo(c) })
		}
	}
	wg.Wait()
	r.peak = stopSampling()
	r.closeAll()

	for _, c := range r.p.clients {
		if c.closed.code != 0 {
			continue // a never-reader waited for it
		}
		ev, err := r.log.waitClose(r.ctx, c.remote)
		if err != nil {
			return err
		}
		c.closed = ev
	}
	return nil
}

// dial opens c's connection; a chat member that reads waits for its own
// join line, so that it is in its room before anyone speaks.
func (r *soakRound) dial(c *soakClient) error {
	path := "/echo"
	if c.chat {
		path = fmt.Sprintf("/chat/soak-%d?name=%s", c.room, c.name)
	}
	ctx := context.WithValue(r.ctx, localAddr{}, &c.remote)
	conn, _, err := websocket.Dial(ctx, "ws://"+r.addr+path, &websocket.DialOptions{HTTPClient: r.client})
	if err != nil {
		return err
	}
	c.conn = conn
	c.stop = context.AfterFunc(r.ctx, func() { conn.CloseNow() })
	if c.remote == "" {
		return errors.New("the dialer did not report the local address")
	}
	if c.chat {
		typ, line, err := readMessage(conn, nil)
		if err != nil {
			return fmt.Errorf("reading its join line: %w", err)
		}
		if want := "* " + c.name + " joined"; typ != websocket.MessageText || string(line) != want {
			return fmt.Errorf("first line %q, want %q", line, want)
		}
	}
	return nil
}

func (r *soakRound) closeAll() {
	for _, c := range r.p.clients {
		if c.conn != nil {
			c.stop()
			c.conn.CloseNow()
		}
	}
}

// readMessage reads one message into buf, reusing its memory.
func readMessage(c *websocket.Conn, buf []byte) (websocket.MessageType, []byte, error) {
	typ, rd, err := c.Reader(context.Background())
	if err != nil {
		return 0, buf[:0], err
	}
	buf, err = wire.ReadAll(rd, buf[:0])
	return typ, buf, err
}

// write sends one text message; an abrupt client cuts its connection
// instead of writing message stopAt.
func (c *soakClient) write(i int, m []byte) (cut bool, err error) {
	if c.role == roleAbrupt && i == c.stopAt {
		c.cut.Store(true)
		c.conn.CloseNow()
		return true, nil
	}
	if err := c.conn.Write(context.Background(), websocket.MessageText, m); err != nil {
		return false, fmt.Errorf("writing message %d: %w", i, err)
	}
	c.sent++
	return false, nil
}

// readEnded checks the error that ended a client's reading: the cut of an
// abrupt client, the 1009 of an oversize one; otherwise a failure.
//
// An oversize client may see its connection reset instead of the 1009
// (known bug, RELIABILITY.md): the server writes the close frame, then
// closes the TCP connection at once with the rest of the oversize message
// unread, so the kernel resets it and discards whatever the server wrote
// that the client had not received yet, the close frame included. The
// server's log still says 1009 (checked apart); the reset is counted.
func (c *soakClient) readEnded(err error, what string) error {
	switch {
	case c.role == roleAbrupt && c.cut.Load():
		return nil
	case c.role == roleOversize:
		if websocket.CloseStatus(err) == websocket.StatusMessageTooBig {
			return nil
		}
		if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			c.reset = true
			return nil
		}
		return fmt.Errorf("%s: want close 1009, got %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// pauseIfSlow makes a slow reader pause for 1-10 ms every c.pause
// messages: behaviour of a slow peer, not synchronisation.
func (c *soakClient) pauseIfSlow(rng *rand.Rand, read int) {
	if c.role == roleSlow && read%c.pause == 0 {
		time.Sleep(time.Duration(1+rng.IntN(10)) * time.Millisecond)
	}
}

// echo runs an /echo client: one goroutine writes its messages, this one
// reads the echoes and checks each byte for byte, in order.
func (r *soakRound) echo(c *soakClient) {
	written := make(chan error, 1)
	w := newWindow(c.role != roleNeverReads)
	go func() {
		n := c.count
		if c.role == roleOversize {
			n = c.stopAt
		}
		for i := range n {
			w.take()
			cut, err := c.write(i, r.p.echoMessage(c, i))
			if cut || err != nil {
				written <- err
				return
			}
		}
		if c.role == roleOversize {
			c.conn.Write(context.Background(), websocket.MessageText, r.p.oversize(c)) // the server may have closed first
		}
		written <- nil
	}()

	if c.role == roleNeverReads {
		c.err = r.neverReads(c, written)
		return
	}
	want := c.count
	switch c.role {
	case roleAbrupt, roleOversize:
		want = c.stopAt
	}
	rng := rand.New(rand.NewPCG(r.p.seed, uint64(c.id)))
	var buf []byte
	for i := 0; ; i++ {
		if i == want && c.role != roleAbrupt && c.role != roleOversize {
			break
		}
		var typ websocket.MessageType
		var err error
		waited := time.Now()
		typ, buf, err = readMessage(c.conn, buf)
		c.longestWait = max(c.longestWait, time.Since(waited))
		if err != nil {
			c.err = c.readEnded(err, fmt.Sprintf("reading echo %d of %d", i, want))
			switch {
			case c.err == nil && c.role == roleOversize && c.reset:
				c.lostToReset = want - i
			case c.err == nil && c.role == roleOversize && i < want:
				c.err = fmt.Errorf("closed with 1009 after %d of the %d echoes due before it", i, want)
			}
			if c.err != nil {
				c.lost += want - i
			}
			break
		}
		if i >= want {
			c.err = fmt.Errorf("echo %d: more echoes than the %d messages the server read", i, want)
			break
		}
		if wantMsg := r.p.echoMessage(c, i); typ != websocket.MessageText || !bytes.Equal(buf, wantMsg) {
			c.err = fmt.Errorf("echo %d: got a %v message of %d bytes, want text of %d bytes", i, typ, len(buf), len(wantMsg))
			break
		}
		c.verified++
		w.give()
		c.pauseIfSlow(rng, i+1)
	}
	w.close()
	if err := <-written; err != nil && c.err == nil && c.role != roleOversize {
		c.err = err
	}
	if c.err == nil && (c.role == roleNormal || c.role == roleSlow) {
		if err := c.conn.Close(websocket.StatusNormalClosure, ""); err != nil {
			c.err = fmt.Errorf("closing: %w", err)
		}
	}
}

// neverReads waits until a client that never reads has written all it
// would, then for the server to drop it, and closes its end.
func (r *soakRound) neverReads(c *soakClient, written <-chan error) error {
	<-written // with an error when the server dropped it while it wrote
	ev, err := r.log.waitClose(r.ctx, c.remote)
	c.closed = ev
	c.conn.CloseNow()
	return err
}

// window paces a client that reads: it sends at most sendWindow messages
// ahead of what it has heard back of them (its echoes, or its own lines in
// its room), so that the load is many clients chatting, not a flood that
// only queues. A client that never reads is not paced.
type window struct {
	credits chan struct{}
	done    chan struct{} // closed when the client stops reading: no more pacing
}

func newWindow(paced bool) *window {
	w := &window{credits: make(chan struct{}, sendWindow), done: make(chan struct{})}
	for range sendWindow {
		w.credits <- struct{}{}
	}
	if !paced {
		close(w.done)
	}
	return w
}

// take waits for a credit to send one message.
func (w *window) take() {
	select {
	case <-w.credits:
	case <-w.done:
	}
}

// give returns the credit of a message heard back; it never blocks.
func (w *window) give() {
	select {
	case w.credits <- struct{}{}:
	default:
	}
}

func (w *window) close() {
	select {
	case <-w.done:
	default:
		close(w.done)
	}
}

// chatState is what a chat member knows of its room's senders.
type chatState struct {
	last []int  // by slot: the last sequence number seen, -1 before the first
	fin  []bool // by slot: its fin seen
	fins int    // fins seen
	want int    // fins to see: one per normal or slow member
}

// chat runs one chat member: one goroutine writes "SEQ|PAYLOAD" lines
// (and "fin" after the last, for a normal or slow member), this one reads
// the room's lines and checks each.
func (r *soakRound) chat(c *soakClient) {
	room := r.p.rooms[c.room]
	written := make(chan error, 1)
	w := newWindow(c.role != roleNeverReads)
	go func() {
		var line []byte
		for seq := range c.count {
			w.take()
			if c.role == roleOversize && seq == c.stopAt {
				c.conn.Write(context.Background(), websocket.MessageText, r.p.oversize(c)) // the server may have closed first
				written <- nil
				return
			}
			line = strconv.AppendInt(line[:0], int64(seq), 10)
			line = append(append(line, '|'), r.p.chatPayload(c.id, seq)...)
			cut, err := c.write(seq, line)
			if cut || err != nil {
				written <- err
				return
			}
		}
		if c.role == roleNormal || c.role == roleSlow {
			if _, err := c.write(c.count, []byte("fin")); err != nil {
				written <- err
				return
			}
		}
		written <- nil
	}()

	if c.role == roleNeverReads {
		c.err = r.neverReads(c, written)
		return
	}
	defer func() {
		if c.err == nil && (c.role == roleNormal || c.role == roleSlow) {
			if err := c.conn.Close(websocket.StatusNormalClosure, ""); err != nil {
				c.err = fmt.Errorf("closing: %w", err)
			}
		}
	}()
	defer func() {
		if err := <-written; err != nil && c.err == nil && c.role != roleOversize {
			c.err = err
		}
	}()
	defer w.close()
	own := []byte(c.name + ": ")
	st := chatState{last: make([]int, len(room)), fin: make([]bool, len(room))}
	for i, m := range room {
		st.last[i] = -1
		if m.role == roleNormal || m.role == roleSlow {
			st.want++
		}
	}
	fullRun := c.role == roleNormal || c.role == roleSlow
	if fullRun {
		c.heard = make([]uint64, 0, len(room)*(chatPerMember+3))
	}
	rng := rand.New(rand.NewPCG(r.p.seed, uint64(c.id)))
	var buf []byte
	for read := 1; !fullRun || st.fins < st.want; read++ {
		var typ websocket.MessageType
		var err error
		waited := time.Now()
		typ, buf, err = readMessage(c.conn, buf)
		c.longestWait = max(c.longestWait, time.Since(waited))
		if err != nil {
			c.err = c.readEnded(err, fmt.Sprintf("reading line %d", read))
			break
		}
		if fullRun {
			c.heard = append(c.heard, maphash.Bytes(r.p.hash, buf))
		}
		if typ != websocket.MessageText {
			c.err = fmt.Errorf("line %d: a %v message", read, typ)
			break
		}
		if c.err = r.heardLine(c, &st, room, fullRun, buf); c.err != nil {
			break
		}
		if bytes.HasPrefix(buf, own) && string(buf[len(own):]) != "fin" {
			w.give()
		}
		c.pauseIfSlow(rng, read)
	}
}

// heardLine checks one line a chat member read: "* NAME joined" or
// "* NAME left" of a member of its room, "NAME: fin" after all of NAME's
// messages, or "NAME: SEQ|PAYLOAD" with the payload NAME sent as SEQ,
// SEQ following the last one seen from NAME (from 0 for a member present
// for the whole run).
func (r *soakRound) heardLine(c *soakClient, st *chatState, room []*soakClient, fullRun bool, line []byte) error {
	if rest, ok := bytes.CutPrefix(line, []byte("* ")); ok {
		name, _, _ := bytes.Cut(rest, []byte(" "))
		if r.member(room, name) == nil || !(bytes.HasSuffix(rest, []byte(" joined")) || bytes.HasSuffix(rest, []byte(" left"))) {
			return fmt.Errorf("unexpected line %q", line)
		}
		return nil
	}
	name, text, ok := bytes.Cut(line, []byte(": "))
	sender := r.member(room, name)
	if !ok || sender == nil {
		return fmt.Errorf("unexpected line %.80q", line)
	}
	last := &st.last[sender.slot]
	if string(text) == "fin" {
		if st.fin[sender.slot] {
			return fmt.Errorf("%s's fin twice", name)
		}
		st.fin[sender.slot] = true
		st.fins++
		if missing := sender.count - 1 - *last; missing != 0 {
			c.lost += missing
			return fmt.Errorf("%s's fin after its message %d of %d", name, *last, sender.count)
		}
		return nil
	}
	seqText, payload, _ := bytes.Cut(text, []byte("|"))
	seq, err := strconv.Atoi(string(seqText))
	if err != nil || seq < 0 || seq >= sender.count {
		return fmt.Errorf("line %.80q: bad sequence number", line)
	}
	if !bytes.Equal(payload, r.p.chatPayload(sender.id, seq)) {
		return fmt.Errorf("%s's message %d: payload of %d bytes differs from what it sent", name, seq, len(payload))
	}
	switch {
	case *last == -1 && fullRun && seq != 0:
		c.lost += seq
		return fmt.Errorf("%s's first message seen is %d, want 0", name, seq)
	case *last != -1 && seq != *last+1:
		if seq > *last+1 {
			c.lost += seq - *last - 1
		}
		return fmt.Errorf("%s's message %d after %d", name, seq, *last)
	}
	*last = seq
	c.verified++
	return nil
}

func (r *soakRound) member(room []*soakClient, name []byte) *soakClient {
	id, err := strconv.Atoi(string(bytes.TrimPrefix(name, []byte("m"))))
	if err != nil || id < 0 || id >= len(r.p.clients) || r.p.clients[id].name != string(name) || r.p.clients[id].room != room[0].room {
		return nil
	}
	return r.p.clients[id]
}

// soakTally is a round's figures.
type soakTally struct {
	conns, echoes, members, rooms   int
	sent, verified, lost            int
	abrupt, slow                    int
	oversize, oversizeReset         int // oversize clients; those that saw a reset instead of the 1009
	lostToReset                     int // echoes due before a 1009 that the reset swallowed
	neverReaders, timedOut, evicted int
	closeRaces                      int // 1000 or 1009 closes that the server logged as 1006
	ordersAgreed                    int // chat members whose sequence agrees with their room's
	errs                            []error
}

// check tallies the round and checks every client's result, the server's
// close code for it, and that the members present for the whole run of
// each room heard one order.
func (r *soakRound) check() soakTally {
	var t soakTally
	fail := func(c *soakClient, format string, args ...any) {
		route := "/echo"
		if c.chat {
			route = fmt.Sprintf("chat room %d as %s", c.room, c.name)
		}
		t.errs = append(t.errs, fmt.Errorf("client %d (%s, %s): %s", c.id, route, c.role, fmt.Sprintf(format, args...)))
	}
	t.conns, t.rooms = len(r.p.clients), len(r.p.rooms)
	for _, c := range r.p.clients {
		if c.chat {
			t.members++
		} else {
			t.echoes++
		}
		t.sent += c.sent
		t.verified += c.verified
		t.lost += c.lost
		if c.err != nil {
			fail(c, "%v (its longest wait for a message: %v)", c.err, c.longestWait)
		}
		wantCode := map[soakRole]int{roleNormal: 1000, roleSlow: 1000, roleAbrupt: 1006, roleNeverReads: 1006, roleOversize: 1009}[c.role]
		switch c.role {
		case roleSlow:
			t.slow++
		case roleAbrupt:
			t.abrupt++
		case roleOversize:
			t.oversize++
			if c.reset {
				t.oversizeReset++
				t.lostToReset += c.lostToReset
			}
		case roleNeverReads:
			t.neverReaders++
			switch {
			case c.closed.code == 1006 && strings.Contains(c.closed.cause, "i/o timeout"):
				t.timedOut++
				continue
			case c.chat && c.closed.code == 1008:
				t.evicted++
				continue
			}
			fail(c, "the server closed it with %d (cause %s), want 1006 by the write timeout or 1008", c.closed.code, c.closed.cause)
			continue
		}
		if c.closed.code == 1006 && (wantCode == 1000 || wantCode == 1009) && c.err == nil && c.chat &&
			strings.Contains(c.closed.cause, "use of closed network connection") {
			// Known bug (RELIABILITY.md): the close on the wire was right
			// (the client checked it), but once coder/websocket has sent
			// its close frame (answering the member's 1000, or its own
			// 1009) it fails every later write with net.ErrClosed; the
			// member's hub writer hit that first, and the router took the
			// failed write for a broken connection.
			t.closeRaces++
			continue
		}
		if c.closed.code != wantCode {
			fail(c, "the server closed it with %d (cause %s), want %d", c.closed.code, c.closed.cause, wantCode)
		}
	}
	for i, room := range r.p.rooms {
		var longest []uint64
		for _, c := range room {
			if len(c.heard) > len(longest) {
				longest = c.heard
			}
		}
		for _, c := range room {
			if c.heard == nil || c.err != nil {
				continue
			}
			if !slices.Equal(longest[len(longest)-len(c.heard):], c.heard) {
				fail(c, "room %d: its %d lines are not the end of the %d lines another member heard", i, len(c.heard), len(longest))
				continue
			}
			t.ordersAgreed++
		}
	}
	return t
}

// connStacks returns the stacks of the goroutines that serve or use a
// connection: HTTP connections, sockets, flows, coder/websocket.
func connStacks() []string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var conns []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		for _, f := range []string{"net/http.(*conn).serve", "net/http.(*persistConn)", "github.com/wsflow/wsflow/router.", "github.com/wsflow/wsflow/flow.", "github.com/coder/websocket."} {
			if strings.Contains(g, f) {
				conns = append(conns, g)
				break
			}
		}
	}
	return conns
}

// idleGoroutines polls, as goroutinesBackTo does, until no goroutine
// serves or uses a connection, and returns the goroutine count then: the
// idle server's, with the test's own.
func idleGoroutines(ctx context.Context) (int, error) {
	wait := time.Microsecond
	for {
		n := runtime.NumGoroutine()
		conns := connStacks()
		if len(conns) == 0 {
			return n, nil
		}
		select {
		case <-ctx.Done():
			return n, fmt.Errorf("%d goroutines still serve connections: %w\n%s", len(conns), ctx.Err(), strings.Join(conns, "\n\n"))
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// goroutinesBackTo polls the goroutine count, as goleak does, until it is
// at most baseline or ctx ends, and returns the last count.
func goroutinesBackTo(ctx context.Context, baseline int) int {
	wait := time.Microsecond
	for {
		n := runtime.NumGoroutine()
		if n <= baseline {
			return n
		}
		select {
		case <-ctx.Done():
			return n
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// samplePeak samples the goroutine count every 10 ms until the function it
// returns is called, which returns the most it saw.
func samplePeak() (stop func() int) {
	done, peak := make(chan struct{}), make(chan int, 1)
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		most := 0
		for {
			most = max(most, runtime.NumGoroutine())
			select {
			case <-tick.C:
			case <-done:
				peak <- most
				return
			}
		}
	}()
	return func() int {
		close(done)
		return <-peak
	}
}

// longestSchedulingDelay returns the lower bound of the highest bucket of
// the runtime's histogram of how long goroutines waited to run once
// ready: on 2 cores that also run 1,000 clients, what eats into the write
// timeout's margin for a healthy client.
func longestSchedulingDelay() time.Duration {
	sample := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		return 0
	}
	h := sample[0].Value.Float64Histogram()
	for i := len(h.Counts) - 1; i >= 0; i-- {
		if h.Counts[i] > 0 {
			return time.Duration(h.Buckets[i] * float64(time.Second)).Round(time.Millisecond)
		}
	}
	return 0
}

// heapAlloc returns the live heap after two collections (the second
// empties the sync.Pools' victim caches).
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// TestSoak is the soak test, run only with -soak: 1,000 client
// connections at once, 70% on /echo and 30% chat members in rooms of ten,
// with, chosen by a seeded random source, slow readers, abrupt disconnects
// (TCP close without a close frame), clients that stop reading (dropped
// by the 2 s write timeout, or evicted from their room with 1008), and
// oversize messages (1009), mixed with clients that behave. Every client
// not cut or dropped on purpose checks every message it should receive,
// byte for byte and in order; the server's log must close each socket
// with the code its client's role calls for; the chat members present for
// the whole run must agree on one order. Afterwards the server still
// serves, the goroutine count is back to its baseline and the heap within
// 10% of its baseline, both measured after a warm-up round of the same
// size in which every client behaves.
//
// Clients that read send at most sendWindow messages ahead of what they
// have heard back: the demo and its 1,000 clients share 2 cores, and
// unpaced senders only build queues until the Go scheduler leaves a
// healthy reader unscheduled for longer than the write timeout (the
// summary prints the longest scheduling delay). Two known bugs of the
// router (RELIABILITY.md) are counted and printed, not failed: an
// oversize client whose 1009 is lost to a TCP reset, and a right close
// on the wire that the server's log reports as 1006.
func TestSoak(t *testing.T) {
	if !*soakFlag {
		t.Skip("the soak test runs with -soak (go test -count=1 -run '^TestSoak$' -v ./tools/soak -soak)")
	}
	seed := *soakSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("soak seed %d (replay with -soak.seed=%d), %d connections", seed, seed, *soakConns)
	began := time.Now()
	guard, cancel := context.WithTimeout(context.Background(), soakBudget)
	defer cancel()

	logs := newSoakLog()
	addr := startSoakDemo(t, logs, "-write-timeout", soakWriteTimeout.String(),
		"-max-message", strconv.Itoa(soakMaxMessage), "-keepalive", "0", "-max-conns", "0")
	client := soakHTTPClient()
	text := soakText(seed)

	// Warm-up: the same connections, each behaving, so that what the
	// runtime and the server keep for reuse (goroutine descriptors, pools,
	// maps that grew) is in the baseline.
	warm := newSoakPlan(seed, text, *soakConns, true)
	r := &soakRound{p: warm, addr: addr, log: logs, client: client, ctx: guard}
	require.NoError(t, r.run(), "warm-up round")
	warmTally := r.check()
	require.Empty(t, warmTally.errs, "warm-up round")
	r, warm = nil, nil
	logs.reset()
	// The runtime keeps the descriptor of every goroutine that has ended
	// (about 480 B on the heap) for reuse, never freeing it: the soak's
	// peak of goroutines would show as heap growth. So the warm-up runs
	// warmGoroutines per connection once.
	idle := runtime.NumGoroutine()
	parked, release := sync.WaitGroup{}, make(chan struct{})
	for range warmGoroutines * *soakConns {
		parked.Go(func() { <-release })
	}
	close(release)
	parked.Wait()
	goroutinesBackTo(guard, idle)
	baseGoroutines, err := idleGoroutines(guard) // the warm-up's last sockets may be ending
	require.NoError(t, err)
	baseHeap := heapAlloc()

	p := newSoakPlan(seed, text, *soakConns, false)
	history := p.historyBound()
	r = &soakRound{p: p, addr: addr, log: logs, client: client, ctx: guard}
	loadBegan := time.Now()
	runErr := r.run()
	took := time.Since(loadBegan)
	tally := r.check()
	peak := r.peak
	r, p = nil, nil
	logs.reset()
	for i, err := range tally.errs {
		if i == 10 {
			t.Errorf("... and %d more", len(tally.errs)-10)
			break
		}
		t.Error(err)
	}
	require.NoError(t, runErr, "soak round (hang guard: %v)", guard.Err())

	// The server still serves.
	var freshAddr string
	fresh, _, err := websocket.Dial(context.WithValue(guard, localAddr{}, &freshAddr), "ws://"+addr+"/echo", &websocket.DialOptions{HTTPClient: client})
	require.NoError(t, err, "a fresh /echo after the soak")
	require.NoError(t, fresh.Write(guard, websocket.MessageText, []byte("still there? ✓")))
	_, got, err := fresh.Read(guard)
	require.NoError(t, err)
	require.Equal(t, "still there? ✓", string(got))
	require.NoError(t, fresh.Close(websocket.StatusNormalClosure, ""))
	freshClose, err := logs.waitClose(guard, freshAddr)
	require.NoError(t, err)
	require.Equal(t, 1000, freshClose.code)
	logs.reset()

	settle, stopSettling := context.WithTimeout(guard, 20*time.Second)
	afterGoroutines := goroutinesBackTo(settle, baseGoroutines)
	stopSettling()
	if afterGoroutines > baseGoroutines {
		t.Logf("goroutines that serve or use a connection:\n%s", strings.Join(connStacks(), "\n\n"))
	}
	afterHeap := heapAlloc()
	problems, lines := logs.problemLines()

	leaked := max(0, afterGoroutines-baseGoroutines)
	growth := 100 * (float64(afterHeap) - float64(baseHeap)) / float64(baseHeap)
	t.Logf("soak: seed=%d connections=%d (echo %d, chat %d in %d rooms; warm-up %d more), messages sent=%d verified=%d lost=%d, "+
		"disconnects injected=%d, slow readers=%d, never-readers dropped=%d/%d (write timeout %d, 1008 %d), "+
		"oversize closes=%d (server 1009; client saw the 1009 %d, a reset %d, echoes swallowed by the reset %d), "+
		"1000/1009 closes logged as 1006=%d, chat orders agreed=%d, goroutines baseline=%d peak=%d (warmed %d) after=%d leaked=%d, "+
		"heap baseline=%.2f MiB after=%.2f MiB (%+.1f%%; the rooms' history may hold %.1f MiB), server problems logged=%d, longest scheduling delay >= %v, load took %v, test took %v",
		seed, tally.conns, tally.echoes, tally.members, tally.rooms, warmTally.conns, tally.sent, tally.verified, tally.lost,
		tally.abrupt, tally.slow, tally.timedOut+tally.evicted, tally.neverReaders, tally.timedOut, tally.evicted,
		tally.oversize, tally.oversize-tally.oversizeReset, tally.oversizeReset, tally.lostToReset, tally.closeRaces,
		tally.ordersAgreed, baseGoroutines, peak, warmGoroutines**soakConns, afterGoroutines, leaked, mib(baseHeap), mib(afterHeap), growth, mib(history),
		problems, longestSchedulingDelay(), took.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	for _, l := range lines {
		t.Logf("server: %s", strings.TrimSpace(l))
	}
	require.Zero(t, tally.lost, "messages lost")
	require.Zero(t, leaked, "goroutines leaked")
	require.LessOrEqual(t, float64(afterHeap), 1.10*float64(baseHeap)+float64(history),
		"heap back within 10%% of its baseline, plus the chat rooms' history (at most %.1f MiB)", mib(history))
	require.Zero(t, problems, "warnings or errors in the server's log")
}
