package demo

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// LookupRequest is a message of the /lookup socket: a piece of work for a
// simulated back end, e.g. {"id":7,"work":"250ms"}. Both fields are
// required; work is a duration in Go's syntax from 0s to 10s.
type LookupRequest struct {
	ID   int64  `json:"id,required"`
	Work string `json:"work,required"`

	work time.Duration // Work, parsed by Validate
}

// The bounds of a LookupRequest's work.
const maxLookupWork = 10 * time.Second

// Validate parses Work and checks its range.
func (r *LookupRequest) Validate() error {
	d, err := time.ParseDuration(r.Work)
	if err != nil || d < 0 || d > maxLookupWork {
		return &transformer.FieldError{Field: "work", Problem: "must be a duration from 0s to 10s"}
	}
	r.work = d
	return nil
}

// lookupDone answers a LookupRequest once its work is over.
type lookupDone struct {
	ID   int64 `json:"id"`
	Done bool  `json:"done"`
}

// lookupHeartbeat is sent whenever the socket has been quiet for the
// heartbeat interval.
type lookupHeartbeat struct {
	Heartbeat bool `json:"heartbeat"`
}

// The bounds and defaults of /lookup's parameters.
const (
	defaultParallel  = 4
	maxParallel      = 64
	defaultHeartbeat = 10 * time.Second
)

// simulatedWork is the back end of /lookup: it takes d, or less when ctx
// ends first.
func simulatedWork(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lookupRoutes serves /lookup: Akka's
//
//	Flow[Request].mapAsync(parallelism)(backend.lookup).keepAlive(heartbeat, () => Heartbeat)
func (a *App) lookupRoutes(mux *http.ServeMux) {
	mux.Handle("GET /lookup", router.AcceptOrResult(transformer.Model[LookupRequest, any](), func(r *http.Request) (flow.Flow[LookupRequest, any], error) {
		parallel, heartbeat, err := lookupParams(r)
		if err != nil {
			return flow.Flow[LookupRequest, any]{}, err
		}
		work := a.lookupWork
		lookup := flow.MapAsync(parallel, func(ctx context.Context, req LookupRequest) (any, error) {
			if err := work(ctx, req.work); err != nil {
				return nil, err
			}
			return lookupDone{ID: req.ID, Done: true}, nil
		})
		keepAlive := flow.KeepAlive(heartbeat, func() any { return lookupHeartbeat{Heartbeat: true} })
		return flow.Via(lookup, keepAlive), nil
	}, a.opts...))
}

// lookupParams returns /lookup's ?parallel=P (1 to 64, default 4) and
// ?heartbeat=D (10ms to 1h, default 10s).
func lookupParams(r *http.Request) (parallel int, heartbeat time.Duration, err error) {
	q, err := query(r)
	if err != nil {
		return 0, 0, err
	}
	parallel = defaultParallel
	if s := q.Get("parallel"); s != "" {
		parallel, err = strconv.Atoi(s)
		if err != nil || parallel < 1 || parallel > maxParallel {
			return 0, 0, badRequest("parallel must be an integer from 1 to 64")
		}
	}
	heartbeat, err = durationParam(r, "heartbeat", defaultHeartbeat)
	return parallel, heartbeat, err
}
