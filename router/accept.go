package router

import (
	"context"
	"errors"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/coder/websocket"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/wire"
	"github.com/wsflow/wsflow/transformer"
)

// Accept returns the handler of a socket that is always accepted: Play's
// WebSocket.accept. newFlow builds the flow for each connection from the
// handshake request (headers, cookies, query and path parameters); t
// turns frames into the flow's input and its output into frames.
//
// A request that is not a WebSocket upgrade gets 426; a malformed
// handshake 400 or 405; one from a foreign Origin 403 (see WithOrigins);
// one beyond its Group's limit 503. newFlow runs only for a handshake that
// has passed all of these, so every flow built is run.
//
// Accept panics if t or newFlow is nil.
func Accept[In, Out any](t transformer.Transformer[In, Out], newFlow func(*http.Request) flow.Flow[In, Out], opts ...Option) http.Handler {
	mustHave("Accept", t, newFlow == nil)
	return acceptOrResult(t, func(r *http.Request) (flow.Flow[In, Out], error) {
		return newFlow(r), nil
	}, opts...)
}

// AcceptOrResult returns the handler of a socket that may be refused
// before the upgrade: Play's WebSocket.acceptOrResult. When newFlow
// returns an error made by Reject, the client gets that status and text
// body and no socket is opened; any other error gets 500 and goes to the
// log.
//
// AcceptOrResult panics if t or newFlow is nil.
func AcceptOrResult[In, Out any](t transformer.Transformer[In, Out], newFlow func(*http.Request) (flow.Flow[In, Out], error), opts ...Option) http.Handler {
	mustHave("AcceptOrResult", t, newFlow == nil)
	return acceptOrResult(t, newFlow, opts...)
}

func acceptOrResult[In, Out any](t transformer.Transformer[In, Out], newFlow func(*http.Request) (flow.Flow[In, Out], error), opts ...Option) http.Handler {
	return &handler[In, Out]{t: t, newFlow: newFlow, cfg: newConfig(opts)}
}

// mustHave panics, naming fn and the argument, when the transformer t is
// nil or noFlow says the flow factory is.
func mustHave(fn string, t any, noFlow bool) {
	switch {
	case t == nil:
		panic("router: " + fn + ": nil transformer")
	case noFlow:
		panic("router: " + fn + ": nil newFlow")
	}
}

type handler[In, Out any] struct {
	t       transformer.Transformer[In, Out]
	newFlow func(*http.Request) (flow.Flow[In, Out], error)
	cfg     *config
}

var (
	errFull         = Reject(http.StatusServiceUnavailable, "503 service unavailable: too many open connections")
	errShuttingDown = Reject(http.StatusServiceUnavailable, "503 service unavailable: shutting down")
)

// ServeHTTP checks the handshake, admits the socket to its group, builds
// the flow and upgrades the connection. It returns once the socket is
// open; the socket runs on a goroutine of its own until it has closed
// (Group.Shutdown waits for it).
func (h *handler[In, Out]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	obs := h.cfg.observer
	if obs != nil {
		sw := &statusWriter{ResponseWriter: w}
		w = sw
		defer func() {
			if sw.status != http.StatusSwitchingProtocols {
				obs.Handshake(r.Pattern, sw.status)
			}
		}()
	}
	if err := checkHandshake(r); err != nil {
		err.write(w)
		return
	}
	if !originAllowed(r, h.cfg.originPatterns) {
		writeText(w, http.StatusForbidden, "403 forbidden: origin not allowed")
		return
	}
	sk := &socket{group: h.cfg.group, logger: h.cfg.logger, route: r.Pattern, remote: r.RemoteAddr}
	if sk.group != nil {
		if err := sk.group.join(&sk.member); err != nil {
			h.refuse(w, r, err)
			return
		}
	}
	// Every check that can refuse the handshake has passed: only now is
	// the flow built, so that a flow built is a flow run.
	f, err := h.buildFlow(r)
	if err != nil {
		sk.leave()
		h.refuse(w, r, err)
		return
	}
	hw := &hijackWriter{ResponseWriter: w, timeout: h.cfg.writeTimeout, readLimit: h.cfg.readLimit}
	conn, err := websocket.Accept(hw, r, &websocket.AcceptOptions{
		Subprotocols:       h.cfg.subprotocols,
		InsecureSkipVerify: true, // originAllowed has checked the Origin
		CompressionMode:    compressionMode(h.cfg.compression),
		OnPingReceived:     sk.pong,
	})
	if err != nil {
		sk.leave()
		h.cfg.logger.Info("websocket handshake failed", "route", r.Pattern, "remote", r.RemoteAddr, "error", err)
		return
	}
	// Nothing the socket keeps refers to hw: it would keep net/http's
	// state for the connection (its 4 KiB buffers, the request) alive.
	sk.conn = hw.conn
	sk.subprotocol = conn.Subprotocol()
	hw.conn.LimitReads(conn)
	if obs != nil {
		obs.Handshake(r.Pattern, http.StatusSwitchingProtocols)
		sk.observer = obs.Open(r.Pattern)
	}
	var wo wire.Observer
	if sk.observer != nil {
		wo = sk.observer
	}
	// Without compression, coder/websocket writes no data frame: the
	// socket writes them itself.
	compressed := w.Header().Get("Sec-WebSocket-Extensions") != ""
	s := wire.Start(context.Background(), conn, sk.conn, h.t, f, wire.Options{KeepAlive: h.cfg.keepAlive, Observer: wo, OwnFrames: !compressed, Park: !compressed})
	sk.attach(s)
	h.cfg.logger.Info("websocket open", sk.attrs()...)
	// The socket runs on goroutines of its own and ServeHTTP returns: a
	// hijacked connection needs nothing more from net/http, and what
	// net/http holds for the request (the request, its headers, the
	// response, the connection's state) is freed rather than kept for the
	// socket's whole life. While the peer is silent the socket holds no
	// goroutine at all (wire.Options.Park), and what it holds here is sk.
	sk.began = time.Now()
	s.Run(sk.ended)
}

// buildFlow calls newFlow, turning a panic into an error.
func (h *handler[In, Out]) buildFlow(r *http.Request) (f flow.Flow[In, Out], err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &flow.PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return h.newFlow(r)
}

// refuse answers the handshake with err's Rejection, or 500.
func (h *handler[In, Out]) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var rej *Rejection
	if errors.As(err, &rej) && refuses(rej.Status) {
		rej.ServeHTTP(w, r)
		return
	}
	attrs := []any{"route", r.Pattern, "remote", r.RemoteAddr, "error", err}
	var pe *flow.PanicError
	if errors.As(err, &pe) {
		attrs = append(attrs, "stack", string(pe.Stack))
	}
	h.cfg.logger.Error("websocket flow factory failed", attrs...)
	writeText(w, http.StatusInternalServerError, "500 internal server error")
}
