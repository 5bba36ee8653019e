// The names the documents' Go blocks take as given: what a snippet uses
// and the text around it describes, declared here so that the blocks
// type-check. A block that needs another declares it, or this file does.
package doc

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

var (
	ctx    = context.Background()
	logger = slog.Default()
	mux    = http.NewServeMux()
	t      = transformer.String()
	b      broker.Broker

	hello   http.Handler                                  // a socket under test
	newEcho func(*http.Request) flow.Flow[string, string] // a flow factory

	roomURL = "ws://localhost:9000/rooms/lobby?name=ann" // a /rooms room to join

	every    time.Duration // a route's ?every=D
	running  atomic.Bool   // the stopwatch's state
	counter  atomic.Int64
	sessions interface {
		User(*http.Request) (string, bool)
	}
)

// The demo's model and lookup types and its parameter parsers.
type (
	CalcRequest struct {
		Op   string
		A, B float64
	}
	CalcResponse struct {
		Op     string
		Result float64
	}

	LookupRequest struct {
		ID   int
		work time.Duration
	}
	lookupDone struct {
		ID   int
		Done bool
	}
	lookupHeartbeat struct{ Heartbeat bool }
)

func calculate(CalcRequest) CalcResponse                             { return CalcResponse{} }
func everyParam(*http.Request, time.Duration) (time.Duration, error) { return 0, nil }
func lookupParams(*http.Request) (int, time.Duration, error)         { return 0, 0, nil }
func chatParams(*http.Request) (room, name string, err error)        { return "", "", nil }
func work(context.Context, time.Duration) error                      { return nil }
func unknownCommand(cmd string) error {
	return message.Errorf(message.PolicyViolation, "unknown command %q", cmd)
}
