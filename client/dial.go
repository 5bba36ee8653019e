package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/wire"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

// HandshakeError is a handshake the server refused with an HTTP response
// other than 101. A redirect (3xx) is one: the client does not follow it,
// as browsers do not on a WebSocket handshake, so that the handshake's
// headers (credentials among them) go to no other place than the URL
// given.
type HandshakeError struct {
	StatusCode int
	Header     http.Header
	Location   string // a redirect's Location header, not followed
	Body       string // the start of the body (coder/websocket keeps 1 KiB)
	Err        error  // coder/websocket's description
}

// Error returns e.g. `websocket: handshake refused with HTTP 403: "forbidden\n"`,
// or for a redirect `websocket: handshake refused with HTTP 302: a
// redirect to "wss://example.com/", not followed`.
func (e *HandshakeError) Error() string {
	if e.Location != "" {
		return fmt.Sprintf("websocket: handshake refused with HTTP %d: a redirect to %q, not followed", e.StatusCode, e.Location)
	}
	return fmt.Sprintf("websocket: handshake refused with HTTP %d: %q", e.StatusCode, e.Body)
}

// Unwrap returns Err.
func (e *HandshakeError) Unwrap() error { return e.Err }

// ServerClosed is the server's close: Dial returns it for a code other
// than 1000, Conn.Receive for any code. errors.As finds the
// *message.CloseError it wraps too.
type ServerClosed struct {
	message.Close
}

// Error returns e.g. `websocket: server closed: 1001 going away: "bye"`.
func (e *ServerClosed) Error() string { return "websocket: server closed: " + e.Close.String() }

// Unwrap returns the close as a *message.CloseError.
func (e *ServerClosed) Unwrap() error { return &message.CloseError{Close: e.Close} }

// ErrHandshakeTimeout is wrapped by the error of a dial that the server
// did not answer within the handshake timeout (WithHandshakeTimeout).
var ErrHandshakeTimeout = errors.New("websocket: handshake timed out")

// ErrNoCloseFrame is wrapped by the error Dial returns when the server
// sent no close frame within the close timeout of the client's own (see
// WithCloseTimeout).
var ErrNoCloseFrame = wire.ErrNoCloseFrame

// Dial connects to url (ws:// or wss://) and runs f over the connection,
// t turning the server's frames into f's input and f's output into
// frames, until the connection closes; see the package documentation for
// what closes it and what Dial returns. With WithReconnect it dials again
// after each ending, as its Backoff says, until ctx ends.
func Dial[In, Out any](ctx context.Context, url string, t transformer.Transformer[In, Out], f flow.Flow[In, Out], opts ...Option) error {
	if err := checkURL(url); err != nil {
		return err
	}
	cfg := newConfig(opts)
	if cfg.reconnect == nil {
		a, err := cfg.attempt(1, url, nil)
		if err != nil {
			return err
		}
		_, err = runOnce(ctx, a, t, f, cfg)
		return err
	}
	b := cfg.reconnect.withDefaults()
	var (
		last   error // why the last attempt ended, ctx aside
		inARow int   // the dials again since a connection lasted ResetAfter
		timer  *time.Timer
	)
	for n := 1; ; n++ {
		a, err := cfg.attempt(n, url, last)
		if err != nil {
			return err
		}
		lasted, err := runOnce(ctx, a, t, f, cfg)
		if ctx.Err() != nil {
			return stoppedBy(ctx, last)
		}
		last = err
		if !b.again(err) {
			return err
		}
		if lasted >= b.ResetAfter {
			inARow = 0
		}
		inARow++
		wait := b.Wait(inARow)
		if b.OnRetry != nil {
			b.OnRetry(err, wait)
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		} else {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			return stoppedBy(ctx, last)
		case <-timer.C:
		}
	}
}

// stoppedBy is what a reconnecting Dial returns when ctx ends: ctx's
// cause, wrapping too why the last attempt had ended (a refusal that was
// worth retrying, say), if it had.
func stoppedBy(ctx context.Context, last error) error {
	cause := context.Cause(ctx)
	if last == nil || errors.Is(last, cause) {
		return cause
	}
	return fmt.Errorf("%w; the last attempt: %w", cause, last)
}

// runOnce dials once as a says and runs f until the connection ends;
// lasted is how long the connection stayed open, 0 if the dial failed.
func runOnce[In, Out any](ctx context.Context, a *Attempt, t transformer.Transformer[In, Out], f flow.Flow[In, Out], cfg *config) (lasted time.Duration, err error) {
	conn, wc, resp, release, err := handshake(ctx, a, cfg)
	if err != nil {
		return 0, err
	}
	defer release()
	opened := time.Now()
	if cfg.onOpen != nil {
		cfg.onOpen(resp)
	}
	s := wire.Start(context.WithoutCancel(ctx), conn, wc, t, f, wire.Options{KeepAlive: cfg.keepAlive, HalfClose: cfg.closeTimeout})
	stop := context.AfterFunc(ctx, s.GoAway)
	reason := s.Serve()
	lasted = time.Since(opened)
	if !stop() {
		return lasted, context.Cause(ctx)
	}
	return lasted, result(reason)
}

// result is what Dial returns for a socket that ended for reason.
func result(reason error) error {
	if peer, ok := wire.PeerClose(reason); ok {
		if peer.Code == message.NormalClosure {
			return nil
		}
		return &ServerClosed{Close: peer}
	}
	return reason
}

// handshake dials a's URL with its headers through an http.Client whose connection is a
// wire.Conn, and starts the wire's frame rules once the server has
// switched protocols.
//
// release, called once the connection has ended, frees the request's
// context: cancelling it earlier could close the connection.
func handshake(ctx context.Context, a *Attempt, cfg *config) (conn *websocket.Conn, wc *wire.Conn, resp *http.Response, release func(), err error) {
	var (
		mu     sync.Mutex
		dialed *wire.Conn
	)
	wrap := func(nc net.Conn) net.Conn {
		c := wire.NewClientConn(nc, cfg.writeTimeout, cfg.readLimit)
		mu.Lock()
		dialed = c
		mu.Unlock()
		return c
	}
	var dialer net.Dialer
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			nc, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return wrap(nc), nil
		},
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			nc, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			tc := tls.Client(nc, tlsConfig(cfg.tls, addr))
			if err := tc.HandshakeContext(ctx); err != nil {
				nc.Close()
				return nil, err
			}
			return wrap(tc), nil
		},
		DisableKeepAlives: true,
	}
	defer transport.CloseIdleConnections()
	// The handshake ends with ctx or the handshake timeout, but the
	// connection must outlive the request's context: after the handshake,
	// ctx ending is a going away.
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, cancel)
	timer := time.AfterFunc(cfg.handshake, cancel)
	conn, resp, err = websocket.Dial(hctx, a.URL, &websocket.DialOptions{
		HTTPClient:      &http.Client{Transport: transport, CheckRedirect: refuseRedirect},
		HTTPHeader:      a.Header,
		Subprotocols:    cfg.subprotocols,
		CompressionMode: compressionMode(cfg.compression),
	})
	ctxLive, inTime := stop(), timer.Stop()
	var late error // why the handshake was cut short, if it was
	switch {
	case !ctxLive:
		late = context.Cause(ctx)
	case !inTime:
		late = fmt.Errorf("%w after %v", ErrHandshakeTimeout, cfg.handshake)
	}
	if err != nil {
		cancel()
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, nil, nil, nil, newHandshakeError(resp, err)
		}
		if late != nil {
			return nil, nil, nil, nil, late
		}
		var failed *neturl.Error // the request's failure, with coder/websocket's wording around it
		if errors.As(err, &failed) {
			err = failed.Err
		}
		return nil, nil, nil, nil, fmt.Errorf("websocket: dial %s: %w", a.URL, err)
	}
	if late != nil {
		// The handshake completed as it was cut short.
		conn.CloseNow()
		cancel()
		return nil, nil, nil, nil, late
	}
	mu.Lock()
	wc = dialed
	mu.Unlock()
	wc.BeginFrames()
	wc.LimitReads(conn)
	return conn, wc, resp, cancel, nil
}

// checkURL returns an error for a URL that is not a ws:// or wss:// URL
// with a host.
func checkURL(url string) error {
	u, err := neturl.Parse(url)
	switch {
	case err != nil:
		return fmt.Errorf("websocket: %w", err)
	case u.Host == "" || (u.Scheme != "ws" && u.Scheme != "wss"):
		return fmt.Errorf("websocket: %q is not a ws:// or wss:// URL", url)
	}
	return nil
}

// refuseRedirect makes the http.Client return a redirect's response
// rather than follow it.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// newHandshakeError returns the *HandshakeError of a handshake refused
// with resp, a response other than 101 that coder/websocket's Dial
// returned with its error err. It reads and closes what coder/websocket
// kept of the body.
func newHandshakeError(resp *http.Response, err error) *HandshakeError {
	e := &HandshakeError{StatusCode: resp.StatusCode, Header: resp.Header, Err: err}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.Location = resp.Header.Get("Location")
	}
	if resp.Body != nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		e.Body = string(b)
	}
	return e
}

func tlsConfig(c *tls.Config, addr string) *tls.Config {
	if c == nil {
		c = &tls.Config{}
	} else {
		c = c.Clone()
	}
	if c.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		c.ServerName = host
	}
	c.NextProtos = nil // HTTP/1.1 only: the upgrade needs it
	return c
}

// compressionMode returns coder/websocket's value of m, by name.
func compressionMode(m message.Compression) websocket.CompressionMode {
	switch m {
	case message.CompressionContextTakeover:
		return websocket.CompressionContextTakeover
	case message.CompressionNoContextTakeover:
		return websocket.CompressionNoContextTakeover
	}
	return websocket.CompressionDisabled
}
