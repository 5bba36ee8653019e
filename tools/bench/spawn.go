package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// SpawnArgs returns the command line, after the binary's name, that
// starts the target called name as a child process of the wsflow binary,
// and the routes it serves:
//
//   - "wsflow": the demo, "demo -addr 127.0.0.1:0 -keepalive 0 -max-conns
//     0", with its echo at /echo and its chat rooms at /chat/ (keep-alive
//     off, as none of the baselines pings; no cap on sockets, which none of
//     the baselines has either);
//   - a baseline echo server (see EchoNames): "bench-server -impl NAME
//     -addr 127.0.0.1:0", at /echo;
//   - a baseline broadcast server (see HubNames): the same command line,
//     with its rooms at /chat/.
func SpawnArgs(name string) (args []string, routes Routes, err error) {
	if name == "wsflow" {
		return []string{"demo", "-addr", "127.0.0.1:0", "-keepalive", "0", "-max-conns", "0"}, Routes{Echo: "/echo", Room: "/chat/"}, nil
	}
	args = []string{"bench-server", "-impl", name, "-addr", "127.0.0.1:0"}
	if _, ok := echoes[name]; ok {
		return args, Routes{Echo: "/echo"}, nil
	}
	if _, ok := hubs[name]; ok {
		return args, Routes{Room: "/chat/"}, nil
	}
	return nil, Routes{}, fmt.Errorf("cannot spawn %q: known targets are %s", name, strings.Join(SpawnNames(), ", "))
}

// SpawnNames lists the targets SpawnArgs knows: wsflow, then the
// baseline servers.
func SpawnNames() []string {
	return append([]string{"wsflow"}, ServerNames()...)
}

// startTimeout bounds how long a spawned server may take to print its
// listening line.
const startTimeout = 15 * time.Second

// stopGrace is how long a spawned server gets to exit after SIGTERM
// before it is killed.
const stopGrace = 5 * time.Second

// Process is a server the bench started: it prints "listening on
// http://HOST:PORT" on its standard output once it accepts connections.
type Process struct {
	PID  int
	Addr string // HOST:PORT from the listening line

	cmd    *exec.Cmd
	stderr *tailBuffer
	exited chan struct{} // closed once Wait has returned
	err    error         // Wait's error, once exited is closed
	once   sync.Once
}

var listeningLine = regexp.MustCompile(`^listening on http://(\S+)\s*$`)

// StartProcess runs exe with args and waits for its listening line. The
// child is killed if this process dies (Linux's parent-death signal), so
// that no server outlives the bench, even one killed with SIGKILL; Stop
// ends it otherwise. Its standard error is discarded but for the last few
// KiB, which an error quotes.
func StartProcess(ctx context.Context, exe string, args ...string) (*Process, error) {
	cmd := exec.Command(exe, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, stderr: &tailBuffer{max: 4 << 10}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p.PID = cmd.Process.Pid

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			if !sent {
				if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
					lines <- m[1]
					sent = true
				}
			}
		}
		io.Copy(io.Discard, stdout) // after an over-long line: keep draining
		close(lines)
	}()
	go func() {
		p.err = cmd.Wait() // after the stdout reader has seen EOF
		close(p.exited)
	}()

	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case addr, ok := <-lines:
		if ok {
			p.Addr = addr
			return p, nil
		}
		<-p.exited
		return nil, fmt.Errorf("%s %s exited before listening: %v%s", exe, strings.Join(args, " "), p.err, p.stderr.quote())
	case <-timer.C:
		p.Stop()
		return nil, fmt.Errorf("%s %s printed no listening line within %v%s", exe, strings.Join(args, " "), startTimeout, p.stderr.quote())
	case <-ctx.Done():
		p.Stop()
		return nil, ctx.Err()
	}
}

// Stop ends the process: SIGTERM, then SIGKILL after stopGrace. It waits
// for the process to exit and may be called more than once.
func (p *Process) Stop() {
	p.once.Do(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		t := time.NewTimer(stopGrace)
		defer t.Stop()
		select {
		case <-p.exited:
			return
		case <-t.C:
		}
		p.cmd.Process.Kill()
	})
	<-p.exited
}

// Alive reports an error when the process has exited.
func (p *Process) Alive() error {
	select {
	case <-p.exited:
		return fmt.Errorf("server process %d exited: %v%s", p.PID, p.err, p.stderr.quote())
	default:
		return nil
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

// Write appends p and keeps the last max bytes of what was written.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

// quote returns the tail, indented, for an error message; "" when empty.
func (t *tailBuffer) quote() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.b))
	if s == "" {
		return ""
	}
	return "; its standard error ends:\n    " + strings.ReplaceAll(s, "\n", "\n    ")
}
