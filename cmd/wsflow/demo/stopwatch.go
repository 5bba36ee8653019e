package demo

import (
	"context"
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

// stopwatchRoutes serves the guide's stop watch, written with the Flow
// API: a sink for the commands and a source of ticks, sharing its state.
func (a *App) stopwatchRoutes(mux *http.ServeMux) {
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
		tick := flow.Through(flow.TickFrom(0, every, "tick"), flow.Chain(
			flow.Filter(func(string) bool { return running.Load() }),
			flow.Map(func(string) string { return strconv.FormatInt(counter.Add(1)-1, 10) }))) // getAndIncrement
		return flow.Wrap(control, tick), nil
	}, a.opts...))

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
	}, a.opts...))
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
func (a *App) actorRoutes(mux *http.ServeMux) {
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
	}, a.opts...))
}
