package demo

import (
	"context"
	"fmt"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// demoProcess is the demo binary run as a process of its own: a test
// reads its address and log, and may kill or stop it and start it again
// at the same address, under clients that must come back.
type demoProcess struct {
	bin  string
	logs *syncBuffer // standard error of every run

	mu     sync.Mutex
	addr   string
	cmd    *exec.Cmd  // the running process, nil between runs
	exited chan error // its Wait's result
}

// startProcess runs `wsflow demo -addr 127.0.0.1:0 args...`; later runs
// use the address the first one got. At the end of the test a running
// process is stopped with SIGTERM and must exit 0.
func startProcess(t *testing.T, bin string, args ...string) *demoProcess {
	t.Helper()
	p := &demoProcess{bin: bin, logs: &syncBuffer{}, addr: "127.0.0.1:0"}
	require.NoError(t, p.start(args...))
	t.Cleanup(func() { require.NoError(t, p.term(), "the demo's exit, stderr:\n%s", p.logs) })
	return p
}

// start runs the demo at p's address and returns once it listens (within
// testTimeout, a hang guard).
func (p *demoProcess) start(args ...string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return fmt.Errorf("the demo at %s is running", p.addr)
	}
	stdout := &syncBuffer{}
	cmd := exec.Command(p.bin, append([]string{"demo", "-addr", p.addr}, args...)...)
	cmd.Stdout, cmd.Stderr = stdout, p.logs
	dieWithTest(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	running, ended := context.WithTimeout(context.Background(), testTimeout)
	defer ended()
	go func() {
		err := cmd.Wait()
		ended() // no listening line will come
		exited <- err
	}()
	p.cmd, p.exited = cmd, exited
	if err := stdout.WaitFor(running, "\n"); err != nil {
		return fmt.Errorf("the demo did not start: %v; stderr:\n%s", err, p.logs)
	}
	m := listeningLine.FindStringSubmatch(stdout.String())
	if m == nil {
		return fmt.Errorf("listening line: %q", stdout.String())
	}
	p.addr = m[1]
	return nil
}

// kill ends the process with SIGKILL: its sockets end without a close
// frame.
func (p *demoProcess) kill() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return nil
	}
	p.cmd.Process.Kill()
	<-p.exited
	p.cmd = nil
	return nil
}

// term stops the process with SIGTERM and returns its exit's error: nil
// for 0.
func (p *demoProcess) term() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return nil
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	guard := time.NewTimer(testTimeout)
	defer guard.Stop()
	var err error
	select {
	case err = <-p.exited:
	case <-guard.C:
		p.cmd.Process.Kill()
		err = fmt.Errorf("still running after SIGTERM: %v", <-p.exited)
	}
	p.cmd = nil
	return err
}

// pid returns the running process's ID.
func (p *demoProcess) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.Process.Pid
}

func (p *demoProcess) url(scheme, pathAndQuery string) string {
	return scheme + "://" + p.demo().addr + pathAndQuery
}

// demo returns the running demo, for the helpers that take a testDemo.
func (p *demoProcess) demo() *testDemo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &testDemo{addr: p.addr, logs: p.logs}
}
