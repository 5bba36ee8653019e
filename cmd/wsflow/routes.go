package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// demo is the demo application: what its routes share.
type demo struct {
	opts     []router.Option // every socket's options: limits, origins, logger, group
	logger   *slog.Logger    // what the sockets themselves log: /ticks, /callbacks
	sessions *sessions       // the session cookies of /login and /secure
	rooms    *rooms          // the chat rooms of /chat/{room}
}

// echoRoute is the route the index page connects to, by reverse routing.
const echoRoute router.Route = "GET /echo"

// routes returns the demo's handler: the routes of shared/CONTRACT.md,
// one function per group, each route written as Play's guide writes it.
func (d *demo) routes() http.Handler {
	mux := http.NewServeMux()
	d.pageRoutes(mux)
	d.echoRoutes(mux)
	d.modelRoutes(mux)
	d.disconnectedRoutes(mux)
	d.tickRoutes(mux)
	d.actorRoutes(mux)
	d.callbackRoutes(mux)
	d.chatRoutes(mux)
	d.sessionRoutes(mux)
	return mux
}

// echoRoutes serves the guide's connected flows, one answer per message,
// over each kind of message transformer.
func (d *demo) echoRoutes(mux *http.ServeMux) {
	// WebSocket.accept[String, String] { request => Flow[String] }
	mux.Handle(string(echoRoute), router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, d.opts...))

	// Flow[String].map("Hello, " + _)
	mux.Handle("GET /hello", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Map(func(m string) string { return "Hello, " + m })
	}, d.opts...))

	// WebSocket.accept[ByteString, ByteString] { request => Flow[ByteString] }
	mux.Handle("GET /bytes", router.Accept(transformer.Bytes(), func(*http.Request) flow.Flow[[]byte, []byte] {
		return flow.Identity[[]byte]()
	}, d.opts...))

	// WebSocket.accept[JsValue, JsValue] { request => Flow[JsValue] }
	mux.Handle("GET /json", router.Accept(transformer.JSON(), func(*http.Request) flow.Flow[json.RawMessage, json.RawMessage] {
		return flow.Identity[json.RawMessage]()
	}, d.opts...))

	// WebSocket.accept[Message, Message] { request => Flow[Message] }
	mux.Handle("GET /raw", router.Accept(transformer.Raw(), func(*http.Request) flow.Flow[message.Message, message.Message] {
		return flow.Identity[message.Message]()
	}, d.opts...))
}

// modelRoutes serves the typed JSON socket of the guide's model transformer.
func (d *demo) modelRoutes(mux *http.ServeMux) {
	// WebSocket.accept[InEvent, OutEvent] { request => Flow[InEvent].map(...) }
	mux.Handle("GET /model", router.Accept(transformer.Model[CalcRequest, CalcResponse](), func(*http.Request) flow.Flow[CalcRequest, CalcResponse] {
		return flow.Map(calculate)
	}, d.opts...))
}

// errFail is the failure of /fail: its text is for the log only.
var errFail = errors.New("the /fail route fails on its first message: secret-detail")

// disconnectedRoutes serves sockets whose output does not answer their
// input, and the ways a socket ends.
func (d *demo) disconnectedRoutes(mux *http.ServeMux) {
	// Play 2.0: (Iteratee.consume, Enumerator("Hello!") >>> Enumerator.eof)
	mux.Handle("GET /hello-once", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Wrap(flow.Ignore[string](), flow.Just("Hello!"))
	}, d.opts...))

	// Closing a WebSocket with a custom close code, refused before the
	// upgrade when the code or reason cannot be sent.
	mux.Handle("GET /close", router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		c, err := closeParams(r)
		if err != nil {
			return flow.Flow[string, string]{}, err
		}
		return flow.Wrap(flow.Ignore[string](), flow.Failed[string](message.NewCloseError(c.Code, c.Reason))), nil
	}, d.opts...))

	// A flow that fails with an ordinary error: the peer sees 1011.
	mux.Handle("GET /fail", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.MapErr(func(string) (string, error) { return "", errFail })
	}, d.opts...))
}

// sessionRoutes serves the guide's "Rejecting a WebSocket": /login sets a
// session and /secure accepts only a request that carries one.
func (d *demo) sessionRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", d.login)

	// WebSocket.acceptOrResult { request => session user or Forbidden }
	mux.Handle("GET /secure", router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		user, ok := d.sessions.user(r)
		if !ok {
			return flow.Flow[string, string]{}, router.Reject(http.StatusForbidden, "403 forbidden: no valid session")
		}
		return flow.Prepend(flow.Just("Hello, "+user), flow.Identity[string]()), nil
	}, d.opts...))
}

// tickRoutes serves the guide's disconnected flows that tick: a sink for
// what the peer sends and a source of ticks, with or without state shared
// between them.
func (d *demo) tickRoutes(mux *http.ServeMux) {
	// Flow.fromSinkAndSource(Sink.foreach(println), Source.tick(1.second, 1.second, "tick"))
	mux.Handle("GET /ticks", router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		every, err := everyParam(r, time.Second)
		if err != nil {
			return flow.Flow[string, string]{}, err
		}
		return flow.Wrap(
			flow.ForEach(func(m string) { d.logger.Info("ticks: received", "message", m) }),
			flow.Tick(every, "tick")), nil
	}, d.opts...))

	// The stop watch: java.util.concurrent's AtomicBoolean and AtomicLong
	// shared between the control sink and the tick source.
	mux.Handle("GET /stopwatch", router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		every, err := everyParam(r, time.Second)
		if err != nil {
			return flow.Flow[string, string]{}, err
		}
		var running atomic.Bool
		var counter atomic.Int64
		control := stopwatchControl(&running, &counter)
		tick := flow.Through(flow.Tick(every, "tick"), flow.Via(
			flow.Filter(func(string) bool { return running.Load() }),
			flow.Map(func(string) string { return strconv.FormatInt(counter.Add(1)-1, 10) }))) // getAndIncrement
		return flow.Wrap(control, tick), nil
	}, d.opts...))

	// The stop watch with request: the same, ticking once a minute, plus
	// "time", answered at once. As Akka's broadcast does, Combine sends
	// every command both to the control sink and to the request branch,
	// and merges the ticks with the requests. The counter is read where
	// the two meet, one event at a time, so that an answer counts exactly
	// the ticks sent before it.
	mux.Handle("GET /stopwatch/query", router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		every, err := everyParam(r, time.Minute)
		if err != nil {
			return flow.Flow[string, string]{}, err
		}
		var running atomic.Bool
		var counter atomic.Int64
		control := stopwatchControl(&running, &counter, "time") // "time" is answered by the request branch
		ticks := flow.Through(flow.Tick(every, "tick"), flow.Filter(func(string) bool { return running.Load() }))
		requests := flow.Filter(func(cmd string) bool { return cmd == "time" })
		return flow.Via(flow.Combine(flow.Wrap(control, ticks), requests), flow.Map(func(event string) string {
			if event == "time" {
				return strconv.FormatInt(counter.Load(), 10)
			}
			return strconv.FormatInt(counter.Add(1)-1, 10) // a tick
		})), nil
	}, d.opts...))
}

// stopwatchControl is the stop watch's control sink: Play's
// Sink.foreach over start, stop and reset, on the state it shares with
// the ticks. The commands in also are known and left to another branch;
// any other closes the socket (unknownCommand).
func stopwatchControl(running *atomic.Bool, counter *atomic.Int64, also ...string) flow.Sink[string] {
	return flow.ForEachErr(func(cmd string) error {
		switch cmd {
		case "start":
			running.Store(true)
		case "stop":
			running.Store(false)
		case "reset":
			counter.Store(0)
		default:
			if !slices.Contains(also, cmd) {
				return unknownCommand(cmd)
			}
		}
		return nil
	})
}

// unknownCommand closes a stop watch sent a command it does not know with
// 1008, naming the command (quoted, and trimmed to fit a close frame
// without cutting a character).
func unknownCommand(cmd string) error {
	return message.Errorf(message.PolicyViolation, "unknown command %q", cmd)
}

// actorRoutes serves the guide's sockets handled by one actor per
// connection.
func (d *demo) actorRoutes(mux *http.ServeMux) {
	// The stop watch actor: its state is its own, its ticks come from a
	// scheduler it cancels when it stops.
	mux.Handle("GET /actor/stopwatch", router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		every, err := everyParam(r, time.Second)
		if err != nil {
			return flow.Flow[string, string]{}, err
		}
		return flow.Actor(func(ctx context.Context, mailbox <-chan string, out flow.Outbox[string]) error {
			running, counter := false, int64(0)
			ticker := time.NewTicker(every)
			defer ticker.Stop()
			for {
				select {
				case cmd, ok := <-mailbox:
					if !ok {
						return nil // the peer has closed
					}
					switch cmd {
					case "start":
						running = true
					case "stop":
						running = false
					case "reset":
						counter = 0
					default:
						return unknownCommand(cmd)
					}
				case <-ticker.C:
					if running {
						if err := out.Send(strconv.FormatInt(counter, 10)); err != nil {
							return err
						}
						counter++
					}
				case <-ctx.Done():
					return nil // the socket has closed
				}
			}
		}), nil
	}, d.opts...))
}

// callbackRoutes serves the callback API of Play's Java guide.
func (d *demo) callbackRoutes(mux *http.ServeMux) {
	// new WebSocket<String>() { public void onReady(WebSocket.In<String> in, WebSocket.Out<String> out) { ... } }
	mux.Handle("GET /callbacks", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Callbacks(func(in *flow.Inbound[string], out *flow.Outbound[string]) {
			// For each event received on the socket,
			in.OnMessage(func(m string) {
				if m == "bye" {
					out.Close(message.NormalClosure, "")
					return
				}
				out.Write("got: " + m)
			})
			// When the socket is closed.
			in.OnClose(func() { d.logger.Info("Disconnected") })
			// Send a single 'Hello!' message
			out.Write("Hello!")
		})
	}, d.opts...))
}

// chatRoutes serves the chat rooms: one Hub per room, made when its first
// member joins and let go when its last member leaves.
func (d *demo) chatRoutes(mux *http.ServeMux) {
	// WebSocket.acceptOrResult: an unknown room is 404, a bad name 400.
	chat := router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		room, name, err := chatParams(r)
		if err != nil {
			return flow.Flow[string, string]{}, err
		}
		return d.rooms.join(room, name), nil
	}, d.opts...)
	mux.Handle("GET /chat/{room}", chat)
}
