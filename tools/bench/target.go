package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Routes are the paths at which a server takes the bench's traffic; ""
// for a route it does not serve.
type Routes struct {
	// Echo is a route that sends each message back unchanged, for rtt,
	// stream and idle, such as /echo.
	Echo string
	// Room is the prefix of a chat room route speaking the protocol of the
	// demo's /chat/{room}?name=N, for broadcast, such as /chat/: the bench
	// appends ROOM?name=MEMBER.
	Room string
}

// Target is a server under measurement: one given by URL, or one the
// bench spawns (and respawns fresh for each idle round).
type Target struct {
	Name string
	// URL is the echo route's ws://HOST:PORT/PATH; for a spawned target,
	// set once started. Empty when the target has no echo route.
	URL string
	// RoomURL is the room route's prefix, ws://HOST:PORT/PATH/ (see
	// Routes.Room); for a spawned target, set once started. Empty when the
	// target has no room route.
	RoomURL string
	PID     int // the server's process; 0 when unknown (no server figures)

	spawn  []string // arguments of the wsflow binary; nil for a URL target
	routes Routes   // what the target serves
	proc   *Process
}

// URLTarget is the server at rawURL, which must be a ws:// URL on
// loopback (see CheckURL): an echo route, or, when its path ends in "/",
// the prefix of a room route (see Routes.Room). Its process is found by
// its listening port (see ListenerPID); when it cannot be, PID is 0 and
// note says why.
func URLTarget(ctx context.Context, name, rawURL string) (t *Target, note string, err error) {
	u, port, err := CheckURL(ctx, rawURL)
	if err != nil {
		return nil, "", err
	}
	t = &Target{Name: name}
	if strings.HasSuffix(u.Path, "/") {
		if u.RawQuery != "" || u.Fragment != "" {
			return nil, "", fmt.Errorf("target %q: a room route's prefix takes no query: the bench adds ROOM?name=MEMBER", rawURL)
		}
		t.RoomURL, t.routes.Room = u.String(), u.Path
	} else {
		t.URL, t.routes.Echo = u.String(), u.Path
	}
	t.PID, err = ListenerPID(port)
	if err != nil {
		note = fmt.Sprintf("target %s: %v: server CPU and memory are not measured", name, err)
	}
	return t, note, nil
}

// SpawnTarget is the server called name (see SpawnArgs), which the
// Runner starts as a child process of exe, the wsflow binary.
func SpawnTarget(name string) (*Target, error) {
	args, routes, err := SpawnArgs(name)
	if err != nil {
		return nil, err
	}
	return &Target{Name: name, spawn: args, routes: routes}, nil
}

// Supports reports an error when the target cannot run mode: broadcast
// needs a room route, the other modes an echo route.
func (t *Target) Supports(mode Mode) error {
	switch {
	case mode == Broadcast && t.routes.Room == "":
		return fmt.Errorf("target %s cannot run broadcast: it serves no chat room route (spawn wsflow or one of %s, or give -target NAME=ws://HOST:PORT/PATH/ with a path ending in /)",
			t.Name, strings.Join(HubNames(), ", "))
	case mode != Broadcast && t.routes.Echo == "":
		return fmt.Errorf("target %s cannot run %s: it serves no echo route, only chat rooms (it runs broadcast)", t.Name, mode)
	}
	return nil
}

// start starts a spawned target's process, stopping the one it had.
func (t *Target) start(ctx context.Context, exe string) error {
	t.stop()
	p, err := StartProcess(ctx, exe, t.spawn...)
	if err != nil {
		return fmt.Errorf("starting %s: %w", t.Name, err)
	}
	url := func(path string) (string, error) {
		if path == "" {
			return "", nil
		}
		u, _, err := CheckURL(ctx, "ws://"+p.Addr+path)
		if err != nil {
			return "", err
		}
		return u.String(), nil
	}
	echo, err := url(t.routes.Echo)
	room := ""
	if err == nil {
		room, err = url(t.routes.Room)
	}
	if err != nil {
		p.Stop()
		return err
	}
	t.proc, t.URL, t.RoomURL, t.PID = p, echo, room, p.PID
	return nil
}

// stop stops a spawned target's process, if it runs.
func (t *Target) stop() {
	if t.proc != nil {
		t.proc.Stop()
		t.proc, t.PID = nil, 0
	}
}

// alive reports an error when a spawned target's process has exited.
func (t *Target) alive() error {
	if t.proc == nil {
		return nil
	}
	return t.proc.Alive()
}

// String names the target, with its URL and, once known, its process ID.
func (t *Target) String() string {
	u := t.URL
	if u == "" {
		u = t.RoomURL
	}
	if t.PID > 0 {
		return t.Name + " (" + u + ", pid " + strconv.Itoa(t.PID) + ")"
	}
	return t.Name + " (" + u + ")"
}
