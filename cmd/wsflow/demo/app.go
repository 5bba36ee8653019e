package demo

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/rooms"
	"github.com/wsflow/wsflow/router"
)

// sessionTTL is how long a session cookie set by /login stays valid.
const sessionTTL = 24 * time.Hour

// App is the demo application: an http.Handler serving every route of
// docs/demo.md. Its sockets are tracked, so that Shutdown can close them.
// An App is safe for concurrent use.
type App struct {
	handler  http.Handler
	group    *router.Group                 // every open socket, bounded by -max-conns
	opts     []router.Option               // every socket's options: limits, origins, logger, group
	logger   *slog.Logger                  // what the sockets themselves log: /ticks, /callbacks
	sessions *sessions                     // the session cookies of /login and /secure
	chat     *rooms.Rooms[string]          // the rooms of /chat/{room}
	rooms    *rooms.Rooms[json.RawMessage] // the rooms of /rooms/{room}
	metrics  http.Handler                  // GET /metrics: the series of every socket

	lookupWork func(context.Context, time.Duration) error // /lookup's back end; tests replace it
}

// New returns the demo application configured by cfg. It uses cfg's
// fields as they are, zero included (a zero KeepAlive disables pings, a
// zero MaxConns sets no limit): start from DefaultConfig. Addr,
// ShutdownGrace, NATS, NATSListen and NATSReplicas are the command's, and
// New ignores them; the rooms of /chat and /rooms run on cfg.Broker, which
// the caller closes after Shutdown, or without one in this process, their
// histories holding HistoryBytes together.
func New(cfg Config) *App {
	logger := cfg.logger()
	a := &App{
		group:    router.NewGroup(cfg.MaxConns),
		logger:   logger,
		sessions: newSessions(cfg.sessionKey(), sessionTTL),

		lookupWork: simulatedWork,
	}
	b := cfg.Broker
	if b == nil {
		b = broker.NewInProcess(broker.WithHistoryBytes(cfg.HistoryBytes))
	}
	a.chat = newChatRooms(b)
	a.rooms = newJSONRooms(b)
	observer, metricsHandler := newMetrics()
	a.metrics = metricsHandler
	a.opts = []router.Option{
		router.WithObserver(observer),
		router.WithReadLimit(cfg.MaxMessage),
		router.WithKeepAlive(cfg.KeepAlive),
		router.WithOrigins(cfg.Origins...),
		router.WithWriteTimeout(cfg.WriteTimeout),
		router.WithCompression(cfg.Compression),
		router.WithLogger(logger),
		router.WithGroup(a.group),
	}
	a.handler = a.routes()
	return a
}

// ServeHTTP serves the demo's routes.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.handler.ServeHTTP(w, r)
}

// Shutdown closes every open socket with 1001 (going away), once what it
// was sent before has been written, and refuses new handshakes with 503.
// It returns once every socket has closed, or, when ctx ends first, drops
// the sockets still open and returns ctx's error. Plain HTTP requests are
// not its business: the http.Server's own Shutdown ends those.
func (a *App) Shutdown(ctx context.Context) error {
	return a.group.Shutdown(ctx)
}

// echoRoute is the route the index page connects to, by reverse routing.
const echoRoute router.Route = "GET /echo"

// routes returns the demo's handler: the routes of docs/demo.md, one
// function per group, each route written as Play's guide writes it.
func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	a.pageRoutes(mux)
	a.echoRoutes(mux)
	a.modelRoutes(mux)
	a.endRoutes(mux)
	a.tickRoutes(mux)
	a.stopwatchRoutes(mux)
	a.actorRoutes(mux)
	a.callbackRoutes(mux)
	a.chatRoutes(mux)
	a.roomsRoutes(mux)
	a.secureRoutes(mux)
	a.metricsRoutes(mux)
	a.lookupRoutes(mux)
	return mux
}
