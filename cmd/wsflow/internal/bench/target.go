package bench

import (
	"context"
	"fmt"
	"strconv"
)

// Target is a server under measurement: one given by URL, or one the
// bench spawns (and respawns fresh for each idle round).
type Target struct {
	Name string
	URL  string // ws://HOST:PORT/PATH; for a spawned target, set once started
	PID  int    // the server's process; 0 when unknown (no server figures)

	spawn []string // arguments of the wsflow binary; nil for a URL target
	path  string   // the spawned server's echo path
	proc  *Process
}

// URLTarget is the server at rawURL, which must be a ws:// URL on
// loopback (see CheckURL). Its process is found by its listening port
// (see ListenerPID); when it cannot be, PID is 0 and note says why.
func URLTarget(ctx context.Context, name, rawURL string) (t *Target, note string, err error) {
	u, port, err := CheckURL(ctx, rawURL)
	if err != nil {
		return nil, "", err
	}
	pid, err := ListenerPID(port)
	if err != nil {
		note = fmt.Sprintf("target %s: %v: server CPU and memory are not measured", name, err)
	}
	return &Target{Name: name, URL: u.String(), PID: pid}, note, nil
}

// SpawnTarget is the server called name (see SpawnArgs), which the
// Runner starts as a child process of exe, the wsflow binary.
func SpawnTarget(name string) (*Target, error) {
	args, path, err := SpawnArgs(name)
	if err != nil {
		return nil, err
	}
	return &Target{Name: name, spawn: args, path: path}, nil
}

// start starts a spawned target's process, stopping the one it had.
func (t *Target) start(ctx context.Context, exe string) error {
	t.stop()
	p, err := StartProcess(ctx, exe, t.spawn...)
	if err != nil {
		return fmt.Errorf("starting %s: %w", t.Name, err)
	}
	u, _, err := CheckURL(ctx, "ws://"+p.Addr+t.path)
	if err != nil {
		p.Stop()
		return err
	}
	t.proc, t.URL, t.PID = p, u.String(), p.PID
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
	if t.PID > 0 {
		return t.Name + " (" + t.URL + ", pid " + strconv.Itoa(t.PID) + ")"
	}
	return t.Name + " (" + t.URL + ")"
}
